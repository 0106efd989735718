"""Problems in the data, as values: one catalogue of codes, one `Issue` shape.

Every issue names the file, and where there is one the sheet and cell, says
what is wrong and what to do about it. Code that finds a problem builds it
with `make_issue(code, ...)`, which takes severity and the advice from the
catalogue, so the same problem always reads the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # results.py (typing_extensions, 3 ms) holds the JSON's types: not run
    from .results import IssueDict as IssueDict


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class IssueCode(StrEnum):
    """Every kind of data problem; each has one entry in `CATALOGUE`."""

    EMPTY_FILE = "empty-file"
    NOT_A_REGULAR_FILE = "not-a-regular-file"
    NOT_A_SPREADSHEET = "not-a-spreadsheet"
    ENCRYPTED_FILE = "encrypted-file"
    CORRUPT_FILE = "corrupt-file"
    FILE_TOO_LARGE = "file-too-large"
    MACROS_PRESENT = "macros-present"
    EXTERNAL_LINK = "external-link"
    DUPLICATE_FILE = "duplicate-file"
    MISSING_HEADER = "missing-header"
    MISSING_STAMP = "missing-stamp"
    QUESTIONNAIRE_MISMATCH = "questionnaire-mismatch"
    VERSION_MISMATCH = "version-mismatch"
    UNKNOWN_QUESTION = "unknown-question"
    DUPLICATE_QUESTION = "duplicate-question"
    MERGED_ANSWER = "merged-answer"
    FORMULA_NO_VALUE = "formula-no-value"
    MISSING_PARTNER = "missing-partner"
    UNKNOWN_PARTNER = "unknown-partner"
    INVALID_ROLE = "invalid-role"
    RESUBMISSION = "resubmission"
    MISSING_RESPONSE = "missing-response"
    MISSING_REQUIRED = "missing-required"
    INVALID_CHOICE = "invalid-choice"
    NOT_A_NUMBER = "not-a-number"
    OUT_OF_RANGE = "out-of-range"
    ERROR_VALUE = "error-value"
    UNKNOWN_CURRENCY = "unknown-currency"
    AMBIGUOUS_NUMBER = "ambiguous-number"
    INVALID_DATE = "invalid-date"
    SKIPPED_ANSWERED = "skipped-answered"
    SUSPICIOUS_NAME = "suspicious-name"
    CONTROL_CHARACTERS = "control-characters"
    ANSWER_TOO_LONG = "answer-too-long"
    CODING_REFERENCE = "coding-reference"
    ANSWER_CONFLICT = "answer-conflict"
    MAIL_NO_WORKBOOK = "mail-no-workbook"
    PARTNER_FROM_SENDER = "partner-from-sender"
    INVALID_TICK = "invalid-tick"
    MISSING_CURRENCY = "missing-currency"
    CURRENCY_ASSUMED = "currency-assumed"


class Code(NamedTuple):  # not a dataclass: a named tuple is made at import far cheaper
    severity: Severity
    title: str
    hint: str


E, W = Severity.ERROR, Severity.WARNING

CATALOGUE: dict[IssueCode, Code] = {
    # The file as a whole
    IssueCode.EMPTY_FILE: Code(
        E, "empty file", "The file has no content: ask the partner to send it again."
    ),
    IssueCode.NOT_A_REGULAR_FILE: Code(
        E,
        "not a file",
        "A named pipe, socket or device is named like a workbook: remove it from the "
        "folder, or put the partner's real file there.",
    ),
    IssueCode.NOT_A_SPREADSHEET: Code(
        E,
        "not a spreadsheet",
        "Ask the partner to save the questionnaire as .xlsx (or .xls/.ods) and send it again.",
    ),
    IssueCode.ENCRYPTED_FILE: Code(
        E,
        "encrypted",
        "The workbook is password-protected: ask the partner for an unprotected copy.",
    ),
    IssueCode.CORRUPT_FILE: Code(
        E,
        "corrupt workbook",
        "The file is damaged: ask the partner to open it, save it again and resend it.",
    ),
    IssueCode.FILE_TOO_LARGE: Code(
        E,
        "file too large or malformed",
        "The workbook expands to far more data than a questionnaire holds: ask the partner "
        "to copy the answers into a fresh template.",
    ),
    IssueCode.MACROS_PRESENT: Code(
        W,
        "macros ignored",
        "The workbook contains macros; urbsurvey never runs them and read the answers only.",
    ),
    IssueCode.EXTERNAL_LINK: Code(
        W,
        "link to another workbook",
        "The cell takes its value from another file; urbsurvey used the value saved in this "
        "file and fetched nothing. Ask the partner to type the value instead.",
    ),
    IssueCode.MAIL_NO_WORKBOOK: Code(
        E,
        "no workbook attached",
        "The e-mail has no spreadsheet attached: ask the partner to send the questionnaire "
        "again as an attachment (.xlsx, .xls or .ods).",
    ),
    IssueCode.PARTNER_FROM_SENDER: Code(
        W,
        "partner taken from the sender",
        "The workbook's partner cell is empty; the partner was recognised from the e-mail "
        "sender's address in survey.yaml. Check it is the right partner.",
    ),
    IssueCode.DUPLICATE_FILE: Code(
        W,
        "same file twice",
        "The same content was given more than once; it was counted once.",
    ),
    # The workbook contract
    IssueCode.MISSING_HEADER: Code(
        E,
        "no Responses header",
        "No sheet has a header row with `ID` and `Answer` cells: the file is not an urbsurvey "
        "questionnaire, or the header row was deleted. Restore it from a fresh template.",
    ),
    IssueCode.MISSING_STAMP: Code(
        W,
        "version stamp missing",
        "The hidden stamp sheet is gone (the file was probably re-created); the answers were "
        "read against the survey's questionnaire.",
    ),
    IssueCode.QUESTIONNAIRE_MISMATCH: Code(
        E,
        "different questionnaire",
        "The workbook was made for another questionnaire: send the partner the right template.",
    ),
    IssueCode.VERSION_MISMATCH: Code(
        W,
        "different questionnaire version",
        "The workbook was made from another version of the questionnaire; answers were matched "
        "by question id. Check the questions that changed.",
    ),
    IssueCode.UNKNOWN_QUESTION: Code(
        W,
        "unknown question id",
        "This row's ID is not in the questionnaire, so its answer was not used. Restore the id "
        "from the template if the row was edited.",
    ),
    IssueCode.DUPLICATE_QUESTION: Code(
        E,
        "question answered twice",
        "Two rows carry the same question id; the first was used. Delete the extra row.",
    ),
    IssueCode.MERGED_ANSWER: Code(
        W,
        "merged answer cells",
        "Answer cells are merged across rows; the value was read for the first row only. "
        "Unmerge the cells and give each question its own answer.",
    ),
    IssueCode.FORMULA_NO_VALUE: Code(
        E,
        "formula without a value",
        "The cell holds a formula with no saved result: ask the partner to type the value, "
        "or to open and save the file in Excel so the result is stored.",
    ),
    # Respondent block
    IssueCode.MISSING_PARTNER: Code(
        E, "missing partner name", "Fill in the partner (city) name in the respondent block."
    ),
    IssueCode.UNKNOWN_PARTNER: Code(
        E,
        "unknown partner",
        "The partner is not in the survey's list of expected partners: correct the spelling "
        "in the workbook, or add the partner to survey.yaml.",
    ),
    IssueCode.INVALID_ROLE: Code(
        E,
        "unknown respondent role",
        "Choose the respondent role from the dropdown.",
    ),
    IssueCode.RESUBMISSION: Code(
        W,
        "not the current submission",
        "Another file answers for the same partner, role and kind and counts instead of this "
        "one: the one with the latest respondent date, then the most recently changed file. "
        "Remove this file, or correct its respondent date, if it should count.",
    ),
    IssueCode.MISSING_RESPONSE: Code(
        W,
        "no response",
        "An expected partner has not returned this questionnaire: send a reminder.",
    ),
    # Answers
    IssueCode.MISSING_REQUIRED: Code(
        E, "required answer missing", "Ask the partner to answer this question."
    ),
    IssueCode.INVALID_CHOICE: Code(
        E,
        "answer not in the list",
        "Choose one of the listed answers (the dropdown in the template shows them).",
    ),
    IssueCode.INVALID_TICK: Code(
        E,
        "not a tick",
        "A tick cell of a multiple choice holds something other than a tick: write ✓ (or x) "
        "to tick the answer, or leave the cell empty.",
    ),
    IssueCode.NOT_A_NUMBER: Code(E, "not a number", "Type a number, for example 12 or 1.400.000."),
    IssueCode.OUT_OF_RANGE: Code(E, "out of range", "Check the figure against the allowed range."),
    IssueCode.ERROR_VALUE: Code(
        E,
        "error instead of an answer",
        "The cell shows a spreadsheet error (#DIV/0!, #REF!, #N/A…): ask the partner to fix "
        "the formula or type the answer, and send the file again.",
    ),
    IssueCode.UNKNOWN_CURRENCY: Code(
        E,
        "unknown currency",
        "Add an exchange rate for this currency to survey.yaml, or ask the partner for the "
        "amount in a listed currency.",
    ),
    IssueCode.MISSING_CURRENCY: Code(
        E,
        "amount without a currency",
        "The amount has no currency, and neither the question nor the partner (its country or "
        "`currency` in survey.yaml) says which: ask the partner, or give the partner a "
        "`currency` in survey.yaml.",
    ),
    IssueCode.CURRENCY_ASSUMED: Code(
        W,
        "currency assumed",
        "The amount was typed without a currency; the one the message names was assumed. "
        "Check it with the partner if in doubt.",
    ),
    IssueCode.AMBIGUOUS_NUMBER: Code(
        W,
        "ambiguous number",
        "The figure can be read two ways; confirm it with the partner and retype it without "
        "a thousands separator.",
    ),
    IssueCode.INVALID_DATE: Code(E, "not a date", "Type the date as DD/MM/YYYY or YYYY-MM-DD."),
    IssueCode.SKIPPED_ANSWERED: Code(
        W,
        "answer to a skipped question",
        "The skip logic hides this question for the earlier answer given; check which one "
        "is right.",
    ),
    IssueCode.SUSPICIOUS_NAME: Code(
        W,
        "name with hidden characters",
        "The file or partner name holds control or right-to-left characters, which can make "
        "it look like another name (shown escaped, as \\u202e): check with the sender, and "
        "rename the file or correct the name in the workbook.",
    ),
    IssueCode.CONTROL_CHARACTERS: Code(
        W,
        "invisible control characters",
        "The answer contains control characters, which were removed from the report. "
        "Check the text with the partner.",
    ),
    IssueCode.ANSWER_TOO_LONG: Code(
        W,
        "very long answer",
        "The answer is longer than a spreadsheet cell holds (32,767 characters); it is kept "
        "whole in the store and the JSON report, and cut in spreadsheets urbsurvey writes.",
    ),
    # Outcomes and lessons
    IssueCode.CODING_REFERENCE: Code(
        W,
        "lesson example not found",
        "The coding names a partner, question or source with no answer in the returned "
        "workbooks: correct the example in the coding file.",
    ),
    IssueCode.ANSWER_CONFLICT: Code(
        W,
        "sources disagree",
        "The partner's questionnaire, interview record and managing authority gave different "
        "answers; the one used follows the documented precedence. Check which is right.",
    ),
}


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in the data, pointed at a file, sheet and cell."""

    code: IssueCode
    severity: Severity
    file: str
    sheet: str | None
    cell: str | None
    message: str
    hint: str

    @property
    def location(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.cell:
            parts.append(f"cell {self.cell}")
        return ", ".join(parts)

    def to_dict(self) -> IssueDict:
        return {
            "severity": self.severity,
            "code": self.code,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
            "hint": self.hint,
        }


def make_issue(
    code: IssueCode,
    file: str,
    message: str,
    *,
    sheet: str | None = None,
    cell: str | None = None,
    hint: str | None = None,
) -> Issue:
    """Build an issue from the catalogue; `hint` overrides the catalogue's advice."""
    entry = CATALOGUE[code]
    return Issue(
        code=code,
        severity=entry.severity,
        file=file,
        sheet=sheet,
        cell=cell,
        message=message,
        hint=hint or entry.hint,
    )


# --- What a partner reads --------------------------------------------------------------
#
# The catalogue above speaks to the secretariat. A fix request speaks to the partner, in
# the workbook's language: per language, per code, what is wrong and what to write
# instead. `{value}` is what the partner wrote; `{choices}` the allowed answers;
# `{range}` the allowed range. A code missing here is not the partner's to fix.


class PartnerText(NamedTuple):  # as `Code`
    problem: str
    advice: str


_P = PartnerText
PARTNER_TEXTS: dict[str, dict[IssueCode, PartnerText]] = {
    "en": {
        IssueCode.MISSING_REQUIRED: _P("This question must be answered.", "Please answer it."),
        IssueCode.INVALID_CHOICE: _P(
            "“{value}” is not one of the answers in the list.", "Choose one of: {choices}."
        ),
        IssueCode.INVALID_TICK: _P(
            "“{value}” is not a tick.", "Write ✓ (or x) to tick this answer, or leave it empty."
        ),
        IssueCode.NOT_A_NUMBER: _P(
            "“{value}” is not a number.", "Write a number, e.g. 12 or 1.400."
        ),
        IssueCode.OUT_OF_RANGE: _P(
            "{value} is outside the allowed range.", "Write a figure {range}."
        ),
        IssueCode.UNKNOWN_CURRENCY: _P(
            "We cannot convert the currency of “{value}”.",
            "Please give the amount in euro (e.g. 350.000 €).",
        ),
        IssueCode.MISSING_CURRENCY: _P(
            "“{value}” does not say which currency it is in.",
            "Please write the currency with the amount (e.g. 350.000 € or RON 500.000).",
        ),
        IssueCode.INVALID_DATE: _P("“{value}” is not a date.", "Write the date as DD/MM/YYYY."),
        IssueCode.AMBIGUOUS_NUMBER: _P(
            "“{value}” can be read in two ways.",
            "Please write the figure without a thousands separator (e.g. 1400 or 1.4).",
        ),
        IssueCode.SKIPPED_ANSWERED: _P(
            "This question does not apply given your earlier answer, but it is answered.",
            "Please check the earlier answer, or clear this one.",
        ),
        IssueCode.FORMULA_NO_VALUE: _P(
            "This cell holds a formula without a value.", "Please type the value itself."
        ),
        IssueCode.EXTERNAL_LINK: _P(
            "This cell takes its value from another file.", "Please type the value itself."
        ),
        IssueCode.MISSING_PARTNER: _P("The partner (city) name is empty.", "Please write it."),
        IssueCode.UNKNOWN_PARTNER: _P(
            "We do not recognise the partner name “{value}”.",
            "Please write the city's name as in the list of partners: {choices}.",
        ),
        IssueCode.INVALID_ROLE: _P(
            "“{value}” is not a respondent role.", "Choose your role from the list."
        ),
        IssueCode.DUPLICATE_QUESTION: _P(
            "This question appears twice.", "Please delete the extra row."
        ),
        IssueCode.MERGED_ANSWER: _P(
            "Answer cells are merged across several questions.",
            "Please unmerge them and answer each question in its own cell.",
        ),
        IssueCode.CONTROL_CHARACTERS: _P(
            "The answer contains invisible characters.", "Please retype it."
        ),
    },
    "fr": {
        IssueCode.MISSING_REQUIRED: _P("Cette question est obligatoire.", "Merci d'y répondre."),
        IssueCode.INVALID_CHOICE: _P(
            "« {value} » ne fait pas partie des réponses de la liste.",
            "Choisissez parmi : {choices}.",
        ),
        IssueCode.INVALID_TICK: _P(
            "« {value} » n'est pas une coche.",
            "Écrivez ✓ (ou x) pour cocher cette réponse, ou laissez la cellule vide.",
        ),
        IssueCode.NOT_A_NUMBER: _P(
            "« {value} » n'est pas un nombre.", "Écrivez un nombre, par ex. 12 ou 1.400."
        ),
        IssueCode.OUT_OF_RANGE: _P(
            "{value} est en dehors des valeurs possibles.", "Écrivez un chiffre {range}."
        ),
        IssueCode.UNKNOWN_CURRENCY: _P(
            "Nous ne pouvons pas convertir la devise de « {value} ».",
            "Merci d'indiquer le montant en euros (par ex. 350.000 €).",
        ),
        IssueCode.MISSING_CURRENCY: _P(
            "« {value} » ne précise pas la devise.",
            "Merci d'indiquer la devise avec le montant (par ex. 350.000 € ou RON 500.000).",
        ),
        IssueCode.INVALID_DATE: _P(
            "« {value} » n'est pas une date.", "Écrivez la date sous la forme JJ/MM/AAAA."
        ),
        IssueCode.AMBIGUOUS_NUMBER: _P(
            "« {value} » peut se lire de deux façons.",
            "Merci d'écrire le chiffre sans séparateur de milliers (par ex. 1400 ou 1,4).",
        ),
        IssueCode.SKIPPED_ANSWERED: _P(
            "Cette question ne vous concerne pas d'après votre réponse précédente, mais elle "
            "a une réponse.",
            "Vérifiez la réponse précédente, ou effacez celle-ci.",
        ),
        IssueCode.FORMULA_NO_VALUE: _P(
            "Cette cellule contient une formule sans valeur.", "Merci d'écrire la valeur."
        ),
        IssueCode.EXTERNAL_LINK: _P(
            "Cette cellule prend sa valeur dans un autre fichier.", "Merci d'écrire la valeur."
        ),
        IssueCode.MISSING_PARTNER: _P(
            "Le nom du partenaire (ville) est vide.", "Merci de l'écrire."
        ),
        IssueCode.UNKNOWN_PARTNER: _P(
            "Nous ne reconnaissons pas le nom de partenaire « {value} ».",
            "Écrivez le nom de la ville comme dans la liste des partenaires : {choices}.",
        ),
        IssueCode.INVALID_ROLE: _P(
            "« {value} » n'est pas un rôle prévu.", "Choisissez votre rôle dans la liste."
        ),
        IssueCode.DUPLICATE_QUESTION: _P(
            "Cette question apparaît deux fois.", "Merci de supprimer la ligne en trop."
        ),
        IssueCode.MERGED_ANSWER: _P(
            "Des cellules de réponse sont fusionnées sur plusieurs questions.",
            "Merci de les séparer et de répondre à chaque question dans sa cellule.",
        ),
        IssueCode.CONTROL_CHARACTERS: _P(
            "La réponse contient des caractères invisibles.", "Merci de la retaper."
        ),
    },
}

#: The words of a range, per language: {low}/{high} filled in.
RANGE_WORDS = {
    "en": {
        "both": "between {low} and {high}",
        "min": "of at least {low}",
        "max": "of at most {high}",
    },
    "fr": {"both": "entre {low} et {high}", "min": "d'au moins {low}", "max": "d'au plus {high}"},
}


def partner_text(code: IssueCode, lang: str) -> PartnerText | None:
    """What a partner reads about an issue, in `lang` (English if not translated)."""
    return PARTNER_TEXTS.get(lang, {}).get(code) or PARTNER_TEXTS["en"].get(code)
