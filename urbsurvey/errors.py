"""The one exception hierarchy: real failures, never problems in the data.

Problems in partners' workbooks are `Issue` values (see `issues.py`). These
exceptions are for things that stop a command: a broken questionnaire
definition, a missing survey folder, an output that cannot be written. The CLI
turns every one of them into a message and a non-zero exit in one place.
"""

from __future__ import annotations


class UrbsurveyError(Exception):
    """Base of every error urbsurvey reports to the user."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class DefinitionError(UrbsurveyError):
    """A questionnaire definition is missing or invalid."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"{source}: the questionnaire definition has {len(problems)} problem(s):\n{lines}",
            hint="Fix the lines named above, then run `urbsurvey questionnaire check FILE`.",
        )


class SurveyConfigError(UrbsurveyError):
    """A survey folder or its survey.yaml is missing or invalid."""


class OutputError(UrbsurveyError):
    """An output file or folder cannot be written."""


class StoreError(UrbsurveyError):
    """The SQLite store cannot be opened or is not an urbsurvey store."""
