"""urbsurvey: follow-up surveys of URBACT city networks.

The library's use cases, as the command line runs them (see `urbsurvey.pipeline`):

    import urbsurvey
    checked = urbsurvey.validate([Path("returns/")])       # -> pipeline.Validation
    stored = urbsurvey.ingest([Path("returns/")], Path("survey.sqlite"))
    report = urbsurvey.make_report(Path("examples/mile-2009"))

(`make_report` is `pipeline.report`: the name `urbsurvey.report` is the report package.)
Imported lazily, so `import urbsurvey` stays cheap.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not `from typing`: `urbsurvey --help` needs nothing of it
__version__ = "0.1.0"
__all__ = ["__version__", "ingest", "make_report", "validate"]

if TYPE_CHECKING:
    from typing import Any

    from .pipeline import ingest, validate
    from .pipeline import report as make_report

_API = {"validate": "validate", "ingest": "ingest", "make_report": "report"}


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import pipeline

        return getattr(pipeline, _API[name])
    raise AttributeError(f"module 'urbsurvey' has no attribute {name!r}")
