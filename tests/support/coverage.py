"""Which test asserts each issue code: `@covers("code")` on the test, checked in test_validate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from urbsurvey.issues import IssueCode

#: Code → the first test (module and name) that asserts it, filled in at import by `@covers`.
COVERED: dict[IssueCode, str] = {}

Test = Callable[..., Any]


def covers(*codes: str) -> Callable[[Test], Test]:
    """Record that the decorated test asserts these codes (each must be in the catalogue)."""

    def mark(test: Test) -> Test:
        for code in codes:
            COVERED.setdefault(IssueCode(code), f"{test.__module__}::{test.__name__}")
        return test

    return mark
