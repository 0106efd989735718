"""The workbook contract shared by `template` (which writes it) and ingest (which reads it).

A sheet `Responses` has a header row with the cells `ID`, `Question`, `Answer`
(plus `Help` and `Notes`); in another language the sheet and the headers other
than `ID` carry that language's words (templates/workbook.yaml), and ingest
accepts the words of every language. Each question is one row whose ID cell
holds the question id; each option of a multiple choice has its own tick row
`question.option`; respondent fields are rows with the reserved ids below;
section titles are rows with an empty ID. A hidden sheet stamps the questionnaire.
"""

from __future__ import annotations

#: The sheets' names in English; each language's are in templates/workbook.yaml (`sheets`).
RESPONSES_SHEET = "Responses"
INSTRUCTIONS_SHEET = "Instructions"
#: Hidden sheets keep one name in every language.
LISTS_SHEET = "Lists"
STAMP_SHEET = "urbsurvey_stamp"

#: The header row in English (see `workbook.words.headers` for another language).
HEADERS = ("ID", "Question", "Answer", "Help", "Notes")
#: Keys of the header cells (their words per language are in templates/workbook.yaml).
HEADER_KEYS = ("question", "answer", "help", "notes")
#: Separates a multiple choice's id from an option code in a tick row's ID.
OPTION_SEPARATOR = "."
#: The header cells ingest looks for; the others are optional.
REQUIRED_HEADERS = ("ID", "Answer")
#: How far down ingest looks for the header row.
HEADER_SEARCH_ROWS = 50

RESPONDENT_FIELDS = (
    "respondent.partner",
    "respondent.organisation",
    "respondent.role",
    "respondent.country",
    "respondent.name",
    "respondent.email",
    "respondent.date",
)
INTERVIEW_FIELDS = ("interview.interviewee", "interview.interviewer", "interview.date")
#: The respondent block of an interview record: who, and the interview (one date).
INTERVIEW_RECORD_FIELDS = (
    "respondent.partner",
    "respondent.organisation",
    "respondent.role",
    "respondent.country",
    *INTERVIEW_FIELDS,
)
#: The ids of the respondent and interview blocks, in the workbook's order (the order
#: a submission's `respondent` keeps, and the store's JSON of it).
RESERVED_FIELDS = RESPONDENT_FIELDS + INTERVIEW_FIELDS
RESERVED_IDS = frozenset(RESERVED_FIELDS)

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
