"""Intake: returned workbooks turned into submissions (answers and issues), one file or thousands.

- `inputs`: what the user pointed at (a survey folder, folders, files) → questionnaire and files.
- `submission`: one workbook → `Submission` (respondent, answers, issues), against a `Context`.
- `answers`: one answer cell → `Answer` (raw text, parsed value, issues).
- `batch`: many files read in parallel, then checked together (duplicates, missing responses).
"""
