"""The one exception hierarchy: real failures, never problems in the data.

Problems in partners' workbooks are `Issue` values (see `issues.py`). These
exceptions are for things that stop a command: a broken questionnaire
definition, a missing survey folder, an output that cannot be written. The CLI
turns every one of them into a message and a non-zero exit in one place,
`console.print_error` (called from `cli.UrbsurveyApp.invoke`, and from `entry._run`
for the lines the `urbsurvey` command runs without typer). Code raises a subclass,
never the base.

    UrbsurveyError
    ├── UsageError          options that do not fit together, an unknown format or language
    ├── InputError          a path given does not exist, or names no questionnaire
    ├── DefinitionError     a questionnaire definition is missing or invalid
    ├── SurveyConfigError   a survey folder, survey.yaml or coding file is missing or invalid
    ├── PartnerListError    a partners CSV cannot be read or has a bad row
    ├── StoreError          the SQLite store cannot be opened or is not an urbsurvey store
    ├── XLSFormError        an XLSForm cannot be read (not a workbook, no `survey` sheet)
    ├── ReportTemplateError a report template cannot be found, parsed or rendered
    └── OutputError         an output file or folder cannot be written

Two exceptions stay inside their packages and never reach the user as such:
`parsing.ParseError` (an answer that cannot be understood) and `reader.ReadError`
(a sheet that cannot be read); both become `Issue` values.
"""

from __future__ import annotations


class UrbsurveyError(Exception):
    """Base of every error urbsurvey reports to the user."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(UrbsurveyError):
    """The options given do not fit together, or name a format or language that does not exist."""


class InputError(UrbsurveyError):
    """A file or folder given does not exist, or the files name no questionnaire."""


class DefinitionError(UrbsurveyError):
    """A questionnaire definition is missing or invalid."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"{source}: the questionnaire definition has {len(problems)} problem(s):\n{lines}",
            hint="Fix the lines named above, then run `urbsurvey questionnaire check FILE`.",
        )


class SurveyConfigError(UrbsurveyError):
    """A survey folder or its survey.yaml is missing or invalid."""


class OutputError(UrbsurveyError):
    """An output file or folder cannot be written."""


class StoreError(UrbsurveyError):
    """The SQLite store cannot be opened or is not an urbsurvey store."""


class PartnerListError(UrbsurveyError):
    """A partners CSV cannot be read or has a row without a partner or with an unknown role."""


class XLSFormError(UrbsurveyError):
    """An XLSForm cannot be read (not a workbook, no `survey` sheet)."""


class ReportTemplateError(UrbsurveyError):
    """A report template cannot be found, parsed or rendered."""
