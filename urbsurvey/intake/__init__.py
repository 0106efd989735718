"""Intake: returned workbooks turned into submissions (answers and issues), one file or thousands.

- `inputs`: what the user pointed at (a survey folder, folders, files) → questionnaire and files.
- `submission`: one workbook → `Submission` (respondent, answers, issues), against a `Context`.
- `answers`: one answer cell → `Answer` (raw text, parsed value, issues).
- `batch`: many files read in parallel, then checked together (duplicates, missing responses).
- `found`: the workbooks and saved e-mail to read, and the store's name for each (no reader);
  `mail`: workbooks attached to saved e-mails (`.eml`, mbox, Maildir).
- `record`: `Submission` and `Answer` as read, without the reading code.
- `current`: which submission counts when a partner sent several.
- `stamps`: the bundled questionnaire the workbooks' version stamps name.
- `workers` and `supervisor`: each file parsed in a forked worker process that may die;
  `wire`: a submission as the plain tuples a worker sends back.
- `cache`: workbooks read before, served again while their files are unchanged.
"""
