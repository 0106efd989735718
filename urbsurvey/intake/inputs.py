"""What the user pointed at: a survey folder, a folder or files of workbooks.

Resolves it into the questionnaire to check against, the survey (if any) and
the files to read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..definition import Questionnaire
from ..errors import InputError
from ..resources import bundled_questionnaires, load_questionnaire
from ..workbook import contract
from .batch import Item, collect_files, make_context

if TYPE_CHECKING:  # survey.py brings pydantic, submission.py the reader: not imported unused
    from ..survey import SurveyFolder
    from .submission import Context


@dataclass(slots=True)
class Inputs:
    questionnaire: Questionnaire
    files: list[Path]
    survey: SurveyFolder | None = None
    base: Path | None = None  # file names are shown relative to it
    #: The survey the files are checked against: `survey`, or `--survey`'s (not reported on).
    against: SurveyFolder | None = None
    _context: Context | None = field(default=None, repr=False)

    @property
    def context(self) -> Context:
        """How the files are read and checked, built when first needed: an unchanged
        ingest or a cached validate reads nothing (10,000 partners take 0.1 s to set up)."""
        if self._context is None:
            self._context = make_context(self.questionnaire, self.against)
        return self._context


def resolve_inputs(
    paths: list[Path], questionnaire: str | None = None, survey_dir: Path | None = None
) -> Inputs:
    """What `paths` point at. With `survey_dir`, workbooks anywhere are checked against that
    survey (its questionnaire, currency and rates, partners), as attachments arrive; other
    partners are then not reported missing."""
    _check_exist(paths)
    if survey_dir is not None:
        return _against_survey(paths, questionnaire, survey_dir)
    if len(paths) == 1 and _is_survey_folder(paths[0]):
        from ..survey import load_survey

        survey = load_survey(paths[0])
        ref = questionnaire or survey.config.questionnaire
        q = load_questionnaire(ref, base=survey.root)
        files = collect_files([survey.existing_returns_dir()])
        return Inputs(q, files, survey, survey.root, survey)
    files = collect_files(paths)
    if not files:
        raise _no_workbooks(paths)
    base = paths[0] if len(paths) == 1 and paths[0].is_dir() else None
    if questionnaire is not None:
        q = load_questionnaire(questionnaire)
        return Inputs(q, files, None, base)
    stamped = _stamped_questionnaire(files)
    if stamped is None:
        raise InputError(
            "no questionnaire: the files carry no version stamp naming a bundled questionnaire",
            hint="Give --questionnaire ID|FILE, or point at a survey folder with a survey.yaml.",
        )
    q = load_questionnaire(stamped)
    return Inputs(q, files, None, base)


def _is_survey_folder(path: Path) -> bool:
    """`survey.is_survey_folder`, importing survey.py (and pydantic) only for a folder."""
    if not path.is_dir():
        return False
    from ..survey import is_survey_folder

    return is_survey_folder(path)


def _check_exist(paths: list[Path]) -> None:
    for path in paths:
        if not path.exists():
            from ..explain import did_you_mean  # difflib: only for a path that is not there

            try:
                near = [p.name for p in path.absolute().parent.iterdir()]
            except OSError:
                near = []
            raise InputError(
                f"{path}: no such file or folder{did_you_mean(path.name, near)}",
                hint="Check the spelling; give a survey folder, folders of workbooks or files.",
            )


def _against_survey(paths: list[Path], questionnaire: str | None, folder: Path) -> Inputs:
    from ..survey import is_survey_folder, load_survey

    if not is_survey_folder(folder):
        raise InputError(
            f"{folder}: not a survey folder (it has no survey.yaml)",
            hint="Give --survey the folder that holds the survey's survey.yaml.",
        )
    survey = load_survey(folder)
    q = load_questionnaire(questionnaire or survey.config.questionnaire, base=survey.root)
    files = collect_files(paths)
    if not files:
        raise _no_workbooks(paths)
    base = paths[0] if len(paths) == 1 and paths[0].is_dir() else None
    return Inputs(q, files, None, base, survey)


def _no_workbooks(paths: list[Path]) -> InputError:
    from .batch import SPREADSHEET_SUFFIXES

    where = ", ".join(str(p) for p in paths)
    endings = ", ".join(sorted(SPREADSHEET_SUFFIXES))
    return InputError(
        f"{where}: no workbooks found (looked for files ending {endings}, in every subfolder)",
        hint="Check the folder name; a survey folder needs a survey.yaml beside its returns.",
    )


def _stamped_questionnaire(files: list[Path]) -> str | None:
    """The bundled questionnaire named by the first stamped workbook (read in a worker)."""
    import dataclasses

    from .batch import expand, item_name
    from .workers import Failure, limits_from_env, run_isolated

    bundled = bundled_questionnaires()

    def task(item: Item) -> str | None:
        return _stamp_of(item, bundled)

    def failed(item: Item, failure: Failure) -> str | None:
        return None  # the file is reported when it is read for its answers

    one_worker = dataclasses.replace(limits_from_env(), jobs=1)
    items = [item for _, item in expand(files)]
    found = run_isolated(items, task, failed, one_worker, item_name)
    try:
        return next((ref for ref in found if ref is not None), None)
    finally:
        found.close()


def _stamp_of(item: Item, bundled: dict[str, Path]) -> str | None:
    from ..reader import ReadError, Workbook, read_workbook, read_workbook_bytes
    from .mail import MailItem

    if isinstance(item, MailItem):
        if item.data is None:
            return None
        book = read_workbook_bytes(item.data, item.display)
    else:
        book = read_workbook(item[0], display_name=item[1])
    if not isinstance(book, Workbook) or contract.STAMP_SHEET not in book.sheet_names:
        return None
    try:
        rows = book.sheet(contract.STAMP_SHEET).rows
    except ReadError:
        return None
    for row in rows:
        if len(row) >= 2 and row[0] == "questionnaire" and row[1] in bundled:
            return str(row[1])
    return None
