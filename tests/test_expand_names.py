"""How a batch names its files (shown in issues, keyed in the store), taken by their text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from urbsurvey.intake.batch import expand
from urbsurvey.intake.record import display_name


@pytest.mark.parametrize(
    "path",
    ["returns/a.xlsx", "returns/sub/a.xlsx", "./returns/a.xlsx", "returnsX/a.xlsx",
     "returns/../returns/a.xlsx", "../up.xlsx", "{cwd}/returns/a.xlsx", "/elsewhere/a.xlsx"],
)  # fmt: skip
@pytest.mark.parametrize("base", ["returns", "returns/.", ".", "{cwd}", "{cwd}/returns", "/"])
def test_names_and_keys_are_pathlib_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str, base: str
) -> None:
    monkeypatch.chdir(tmp_path)
    cwd = os.getcwd()
    path_, base_ = Path(path.format(cwd=cwd)), Path(base.format(cwd=cwd))
    abs_path = path_.absolute()
    # pathlib's answer: an absolute path on either side compares both absolute
    p, b = (abs_path, base_.absolute()) if path_.anchor or base_.anchor else (path_, base_)
    try:
        shown = p.relative_to(b).as_posix()
    except ValueError:
        shown = str(p)
    assert display_name(path_, base_) == shown
    ((key, item),) = expand([path_], base_)
    assert key == str(abs_path)
    assert item == (path_, shown)
