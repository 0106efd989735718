"""The report: built as data from the outcomes (`build`), laid out in every format (`render`).

- `build`: `build_report` → the report as one JSON-ready structure.
- `render`: Markdown, HTML, JSON and xlsx from it (Jinja2 templates in `templates/`).
- `charts`: inline SVG bar charts.
"""
