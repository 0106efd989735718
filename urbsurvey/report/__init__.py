"""The report: built as typed data from the outcomes (`build`), laid out in every format.

- `schema`: the `Report` dataclasses; the JSON output and its JSON Schema come from them.
- `build`: `build_report` → a `Report`, every part in the report's language (`parts`).
- `i18n`: the fixed texts per language, and numbers, money and dates per locale (Babel).
- `formats`: `ReportFormat`, one per renderer; `render.render` dispatches on it.
- `render`: Markdown and HTML (Jinja2 templates in `templates/`) and JSON; `xlsx`, `docx`.
- `charts`: inline SVG bar charts and text bars.
- `amounts`: money as a reader writes it (`€948,646`, `€1.4m`), the same in every format.
"""
