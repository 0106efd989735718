"""The one exception tree: every `UrbsurveyError` subclass lives in `urbsurvey/errors.py`."""

from __future__ import annotations

import ast
import importlib
import pkgutil

import urbsurvey
from tests.conftest import REPO
from urbsurvey import errors


def _all_subclasses(cls: type) -> set[type]:
    found: set[type] = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_every_urbsurvey_error_is_defined_in_errors_py() -> None:
    for module in pkgutil.walk_packages(urbsurvey.__path__, "urbsurvey."):
        if not module.name.endswith("__main__"):  # running it would start the CLI
            importlib.import_module(module.name)
    subclasses = _all_subclasses(errors.UrbsurveyError)
    assert {cls.__module__ for cls in subclasses} == {"urbsurvey.errors"}
    assert errors.ReportTemplateError in subclasses


def test_code_raises_a_named_subclass_never_the_base() -> None:
    raising_base = []
    for path in sorted((REPO / "urbsurvey").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if "UrbsurveyError" not in source:
            continue  # nothing to find: the parse is left out, it is most of the test's time
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                name = ast.unparse(node.exc.func)
                if name.endswith("UrbsurveyError"):
                    raising_base.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert raising_base == []
