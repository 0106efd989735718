"""Choices, matched by code or by any label in any language, and yes/no answers."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from ..issues import IssueCode
from .errors import ParseError, _error
from .tables import _YES_NO
from .text import MAX_TEXT_LENGTH, normalise


def parse_yes_no(value: object) -> bool:
    """Read yes or no in the partners' languages ("oui", "nein", "ναι", "tak"), or 1/0."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return value == 1
    if isinstance(value, str) and len(value) <= MAX_TEXT_LENGTH:
        answer = _YES_NO.get(normalise(value).rstrip(".!").rstrip())
        if answer is not None:
            return answer
    raise _error(IssueCode.INVALID_CHOICE, value, "is not yes or no.")


_PARTS_RE = re.compile(r"[;\n\r\u2028\u2029]")
_COMMA_SPACING_RE = re.compile(r" ?, ?")


def _choice_key(text: str) -> str:
    key = normalise(text).rstrip(".").rstrip()
    if "," in key:
        key = _COMMA_SPACING_RE.sub(", ", key)
    return key


def _choice_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value.bit_length() < 256 else None
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return None


class ChoiceMatcher:
    """Match answers to a question's choices by code or by any label, in any language."""

    __slots__ = ("_allowed", "_by_key", "_exact", "_longest_label")

    def __init__(self, choices: Sequence[tuple[str, Sequence[str]]]) -> None:
        """`choices`: (code, labels in every language) for each choice, in display order."""
        self._by_key: dict[str, str] = {}
        self._longest_label = 1  # the most comma-separated pieces one label spans
        for code, _ in choices:
            self._by_key.setdefault(_choice_key(code), code)
        for code, labels in choices:
            for label in labels:
                key = _choice_key(label)
                if key:
                    self._by_key.setdefault(key, code)
                    self._longest_label = max(self._longest_label, key.count(",") + 1)
        # Most answers are a code or label exactly as offered: found without normalising.
        self._exact = {
            text: self._by_key[key]
            for code, labels in choices
            for text in (code, *labels)
            if (key := _choice_key(text))
        }
        self._allowed = "; ".join(labels[0] if labels else code for code, labels in choices)

    def _invalid(self, value: object) -> ParseError:
        return _error(IssueCode.INVALID_CHOICE, value, f"is not one of: {self._allowed}.")

    def _code(self, text: str) -> str | None:
        """The code of the choice `text` names, if any."""
        code = self._exact.get(text)
        return code if code is not None else self._by_key.get(_choice_key(text))

    def match(self, value: object) -> str:
        """The code of the one choice the answer names."""
        text = _choice_text(value)
        code = None if text is None else self._code(text)
        if code is None:
            raise self._invalid(value)
        return code

    def match_many(self, value: object) -> list[str]:
        """Codes of every choice named, in order of appearance, without duplicates.

        Choices are separated by ";" or new lines, or else by "," (preferring the
        longest labels, since a label may itself contain a comma).
        """
        text = _choice_text(value)
        if text is None:
            raise self._invalid(value)
        whole = self._code(text)
        if whole is not None:
            return [whole]
        codes: dict[str, None] = {}
        for part in _PARTS_RE.split(text):
            code = self._exact.get(part.strip())  # the key ignores surrounding spaces
            if code is None:
                key = _choice_key(part)
                if not key:
                    continue
                code = self._by_key.get(key)
            if code is not None:
                codes[code] = None
                continue
            self._add_comma_separated(part, codes)
        if not codes:
            raise self._invalid(value)
        return list(codes)

    def _add_comma_separated(self, part: str, codes: dict[str, None]) -> None:
        """Add the codes of the choices `part` names separated by ",", longest labels first."""
        pieces = [piece for piece in part.split(",") if _choice_key(piece)]
        start = 0
        while start < len(pieces):
            for end in range(min(len(pieces), start + self._longest_label), start, -1):
                code = self._by_key.get(_choice_key(",".join(pieces[start:end])))
                if code is not None:
                    codes[code] = None
                    start = end
                    break
            else:
                raise self._invalid(pieces[start])
