"""The survey report: built as typed data (`build`), laid out in any format (`render`).

`gather` reads what a report is made from (a survey folder, workbooks or a store),
`build_report` turns it into a `Report` (`schema`), and `render` writes that report
as Markdown, HTML, JSON, xlsx or docx bytes.
"""

from .build import ReportInput, build_report, gather
from .render import render

__all__ = ["ReportInput", "build_report", "gather", "render"]
