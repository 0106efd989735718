"""XLSForm in and out: the questionnaire format of KoboToolbox, ODK and SurveyCTO.

`importer.read_xlsform` turns a form's `survey`, `choices` and `settings` sheets
into a `Questionnaire`, listing (with its sheet and row) everything it could not
carry over; `exporter.build_xlsform` writes a definition as an XLSForm that
pyxform converts. What XLSForm has no column for (money, yes/no, the roles a
question is required for, a section's precedence) travels in `urbsurvey::…`
columns, which other tools ignore. `common` holds what both share: languages,
remarks (`Remark`), urbsurvey's columns.
"""

from __future__ import annotations

from .common import Remark

__all__ = ["Remark"]
