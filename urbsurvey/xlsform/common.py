"""What the XLSForm importer and exporter share: languages, remarks, urbsurvey columns."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Extra columns urbsurvey writes and reads; other XLSForm tools ignore them.
TYPE_COLUMN = "urbsurvey::type"
REQUIRED_FOR_COLUMN = "urbsurvey::required_for"
PRECEDENCE_COLUMN = "urbsurvey::precedence"
ROLES_SETTING = "urbsurvey::roles"
TITLE_SETTING = "urbsurvey::form_title"

YES_NO_LIST = "yes_no"

#: Language names as XLSForm headers write them (`label::Français (fr)`), by code.
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "it": "Italiano",
    "es": "Español",
    "de": "Deutsch",
    "pt": "Português",
    "nl": "Nederlands",
    "el": "Ελληνικά",
    "ro": "Română",
    "pl": "Polski",
    "fi": "Suomi",
    "sv": "Svenska",
    "da": "Dansk",
    "hu": "Magyar",
    "cs": "Čeština",
    "sk": "Slovenčina",
    "sl": "Slovenščina",
    "bg": "Български",
    "hr": "Hrvatski",
    "lt": "Lietuvių",
    "lv": "Latviešu",
    "et": "Eesti",
}
_NAMES_TO_CODES = {name.casefold(): code for code, name in LANGUAGE_NAMES.items()} | {
    "english": "en",
    "french": "fr",
    "francais": "fr",
    "italian": "it",
    "spanish": "es",
    "german": "de",
    "portuguese": "pt",
    "dutch": "nl",
    "greek": "el",
    "romanian": "ro",
    "polish": "pl",
    "finnish": "fi",
    "swedish": "sv",
    "danish": "da",
    "hungarian": "hu",
    "czech": "cs",
}
_CODE_IN_PARENS = re.compile(r"\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?\s*\)\s*$")


def language_code(tag: str) -> str | None:
    """`English (en)`, `en`, `English` → `en`; None when it names no language we know."""
    tag = tag.strip()
    match = _CODE_IN_PARENS.search(tag)
    if match:
        return match.group(1).lower()
    if re.fullmatch(r"[A-Za-z]{2,3}", tag):
        return tag.lower()
    return _NAMES_TO_CODES.get(tag.casefold())


def language_tag(code: str) -> str:
    """The XLSForm spelling of a language: `Français (fr)`."""
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


@dataclass(frozen=True, slots=True)
class Remark:
    """Something of the form that was not carried over, or carried over by an assumption."""

    sheet: str
    row: int | None
    message: str

    def __str__(self) -> str:
        if not self.sheet:
            return self.message
        where = f"{self.sheet} sheet" + (f", row {self.row}" if self.row else "")
        return f"{where}: {self.message}"
