"""Partner workbooks: the contract shared by writer and reader, the template writer, partner lists.

- `contract`: sheet names, header cells and reserved ids that `template` writes and ingest reads.
- `template`: `build_workbook`, `write_template`, `write_templates` (one workbook per partner).
- `partners`: `WorkbookSpec` (who a workbook is for) and `read_partner_list` (a CSV of partners).
- `words`: the words a partner sees, per language.
- `cells`: writing untrusted text into cells (never a formula, never too long).
"""
