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
from ..resources import load_questionnaire
from .batch import Item, expand
from .found import collect_files
from .record import Submission

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
    #: A file already read and checked against `questionnaire` (its stamp named it), and
    #: its submission, taken in place of reading it again (`pipeline`).
    ahead: tuple[Item, Submission] | None = field(default=None, repr=False)
    _context: Context | None = field(default=None, repr=False)

    @property
    def context(self) -> Context:
        """How the files are read and checked, built when first needed: an unchanged
        ingest or a cached validate reads nothing (10,000 partners take 0.1 s to set up)."""
        if self._context is None:
            from .batch import make_context

            self._context = make_context(self.questionnaire, self.against)
        return self._context


def resolve_inputs(
    paths: list[Path],
    questionnaire: str | None = None,
    survey_dir: Path | None = None,
    cache: bool = False,
) -> Inputs:
    """What `paths` point at. With `survey_dir`, workbooks anywhere are checked against that
    survey (its questionnaire, currency and rates, partners), as attachments arrive; other
    partners are then not reported missing. With `cache`, the version stamps of files read
    before are not read again (`stamps`)."""
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
    return _stamped_inputs(files, base, cache)


def _stamped_inputs(files: list[Path], base: Path | None, cache: bool) -> Inputs:
    """The files checked against the bundled questionnaire their stamps name (`stamps`)."""
    from .stamps import find_stamped

    stamped = find_stamped([item for _, item in expand(files, base)], cache=cache)
    if stamped.questionnaire is None:
        raise InputError(
            "no questionnaire: the files carry no version stamp naming a bundled questionnaire",
            hint="Give --questionnaire ID|FILE, or point at a survey folder with a survey.yaml.",
        )
    q = load_questionnaire(stamped.questionnaire)
    inputs = Inputs(q, files, None, base)
    if stamped.ahead is not None:
        item, sub, fingerprint = stamped.ahead
        if fingerprint == q.fingerprint():  # checked against this very definition
            inputs.ahead = (item, sub)
    return inputs


def _is_survey_folder(path: Path) -> bool:
    """`survey.is_survey_folder`, importing survey.py only for a folder."""
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
    from .found import SPREADSHEET_SUFFIXES

    where = ", ".join(str(p) for p in paths)
    endings = ", ".join(sorted(SPREADSHEET_SUFFIXES))
    return InputError(
        f"{where}: no workbooks found (looked for files ending {endings}, in every subfolder)",
        hint="Check the folder name; a survey folder needs a survey.yaml beside its returns.",
    )
