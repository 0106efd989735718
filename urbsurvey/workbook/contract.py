"""The workbook contract shared by `template` (which writes it) and ingest (which reads it).

A sheet `Responses` has a header row with the cells `ID`, `Question`, `Answer`
(plus `Help` and `Notes`). Each question is one row whose ID cell holds the
question id; respondent fields are rows with the reserved ids below; section
titles are rows with an empty ID. A hidden sheet stamps the questionnaire.
"""

from __future__ import annotations

RESPONSES_SHEET = "Responses"
INSTRUCTIONS_SHEET = "Instructions"
LISTS_SHEET = "Lists"
STAMP_SHEET = "urbsurvey_stamp"

HEADERS = ("ID", "Question", "Answer", "Help", "Notes")
#: The header cells ingest looks for; the others are optional.
REQUIRED_HEADERS = ("ID", "Answer")
#: How far down ingest looks for the header row.
HEADER_SEARCH_ROWS = 50

RESPONDENT_FIELDS = (
    "respondent.partner",
    "respondent.organisation",
    "respondent.role",
    "respondent.name",
    "respondent.email",
    "respondent.date",
)
INTERVIEW_FIELDS = ("interview.interviewee", "interview.interviewer", "interview.date")
RESERVED_IDS = frozenset(RESPONDENT_FIELDS + INTERVIEW_FIELDS)

#: Keys of the stamp sheet (column A), values in column B.
STAMP_KEYS = (
    "questionnaire",
    "version",
    "language",
    "partner",
    "role",
    "kind",
    "fingerprint",
    "generator",
)
