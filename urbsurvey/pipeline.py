"""The library's use cases: `validate`, `ingest`, `report` and `template`, each returning a
typed result.

The command line calls one of these per command and renders what it returns;
scripts can call them the same way:

    from urbsurvey import pipeline
    result = pipeline.validate([Path("returns/")], questionnaire="mile-followup-2009")
    result.failed()
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR
from typing import TYPE_CHECKING

from .errors import StoreError, UsageError
from .intake.batch import (
    Batch,
    Item,
    Progress,
    check_batch,
    expand,
    missing_responses,
    read_wired,
)
from .intake.current import choose_current, key_of
from .intake.found import store_key
from .intake.inputs import Inputs, resolve_inputs
from .intake.mail import MAIL_SUFFIXES, MailItem
from .intake.record import Submission, display_name, unopenable
from .intake.wire import Spool, Wired, unwired, wired
from .issues import Issue, IssueCode, Severity, make_issue
from .vocabulary import Role, Status

# The readers (`submission`, `answers` and what they import) are imported where a file is
# read (`Inputs.context`): an unchanged ingest reads none, and starts without them.
if TYPE_CHECKING:
    from .definition import Questionnaire
    from .outcomes.waves import Wave
    from .report.build import ReportInput
    from .report.schema import Report
    from .results import CheckedFile, IngestJSON, StoreTotals, ValidationJSON
    from .store import Seen, Store
    from .survey import SurveyFolder, WaveRef
    from .workbook.template import Prefill

# --- validate ----------------------------------------------------------------


@dataclass(slots=True)
class Validation:
    inputs: Inputs
    batch: Batch

    def counts(self) -> Counter[str]:
        return Counter(i.severity.value for i in self.batch.all_issues())

    def failed(self, strict: bool = False) -> bool:
        counts = self.counts()
        return bool(counts[Severity.ERROR.value] or (strict and counts[Severity.WARNING.value]))

    def to_json(self) -> ValidationJSON:
        """The `--format json` output; its shape is `results.ValidationJSON`."""
        q = self.inputs.questionnaire
        statuses = Counter(s.status for s in self.batch.submissions)
        return {
            "questionnaire": {"id": q.id, "version": q.version, "fingerprint": q.fingerprint()},
            "summary": {
                "files": len(self.batch.submissions),
                "ok": statuses[Status.OK],
                "warnings": statuses[Status.WARNINGS],
                "errors": statuses[Status.ERRORS],
                "unreadable": statuses[Status.UNREADABLE],
            },
            "files": [_checked_file(s) for s in self.batch.submissions],
            "issues": [i.to_dict() for i in self.batch.all_issues()],
        }


def _checked_file(s: Submission) -> CheckedFile:
    checked: CheckedFile = {
        "file": s.file,
        "sha256": s.sha256,
        "format": s.format,
        "partner": s.partner,
        "role": s.role,
        "kind": s.kind,
        "status": s.status,
        "answers": s.answer_count,
        "errors": sum(i.severity is Severity.ERROR for i in s.issues),
        "warnings": sum(i.severity is Severity.WARNING for i in s.issues),
    }
    if s.provenance:  # a workbook that came by e-mail
        checked["provenance"] = s.provenance
    return checked


def validate(
    paths: list[Path],
    questionnaire: str | None = None,
    progress: Progress | None = None,
    on_files: Callable[[int], object] | None = None,
    keep_answers: bool = True,
    survey: Path | None = None,
    cache: bool = True,
) -> Validation:
    """Read every workbook under `paths` and check it; bad files become issues.

    Without `keep_answers` only issues and counts are kept, so memory stays flat
    however many files are read (the command line needs no more). With `survey`, the
    files are checked against that survey folder's questionnaire, rates and partners.
    With `cache`, workbooks read before under the same definition and survey.yaml are
    not read again (`intake.cache`).
    """
    inputs = resolve_inputs(paths, questionnaire, survey, cache)
    return _validate(inputs, progress, on_files, keep_answers, cache)


#: What a caller does while the workers read (`_validate`), with the inputs being read.
Meanwhile = Callable[[Inputs], None]


def _validate(
    inputs: Inputs,
    progress: Progress | None,
    on_files: Callable[[int], object] | None,
    keep_answers: bool,
    cache: bool,
    meanwhile: Meanwhile | None = None,
) -> Validation:
    """`validate` of inputs resolved; `meanwhile(inputs)` is run once the workers reading
    the files that need it are at work (and the cached submissions unpacked), before their
    first result is taken.

    Kept whole (`keep_answers`), the submissions the workers send are held as sent (a
    `wire.Spool`, some 2.3 KB a file) and rebuilt once every file is read and the workers
    are gone: the objects (four times larger) and the workers never take memory at once.
    Without answers, each is rebuilt as it comes and its answers dropped."""
    if on_files is not None:
        on_files(len(inputs.files))
    read = _read(inputs, progress, cache, meanwhile)
    if keep_answers:  # every file read first: rebuilt once the workers are gone
        spool = Spool()
        for entry in read:
            spool.add(entry)
        submissions = spool.submissions()
    else:
        submissions = []
        for entry in read:
            sub = entry if isinstance(entry, Submission) else unwired(entry)
            sub.answers = {}
            submissions.append(sub)
    return Validation(inputs, check_batch(submissions, inputs.survey))


def _read(
    inputs: Inputs, progress: Progress | None, cache: bool, meanwhile: Meanwhile | None
) -> Iterator[Submission | Wired]:
    then = None if meanwhile is None else (lambda: meanwhile(inputs))
    if not cache:
        items = [item for _, item in expand(inputs.files, inputs.base)]
        fresh = _read_fresh(items, inputs, progress)
        if then is not None:
            then()
        return fresh
    from .intake.cache import context_key, read_cached

    items, stats = _stated(inputs)
    key = context_key(inputs.questionnaire, inputs.survey.text if inputs.survey else None)
    return read_cached(items, key, lambda todo: _read_fresh(todo, inputs, progress), stats, then)


def _stated(inputs: Inputs) -> tuple[list[Item], dict[int, os.stat_result]]:
    """The items to read (as `expand` gives them), and the `stat` of each workbook file by
    its index, which keys it in the read cache (`_workbook_stats`)."""
    items: list[Item] = []
    stats: dict[int, os.stat_result] = {}
    for path, st in _workbook_stats(inputs):
        if st is None:
            items.extend(item for _, item in expand([path], inputs.base))
        else:
            stats[len(items)] = st
            items.append((path, display_name(path, inputs.base)))
    return items, stats


def _read_fresh(items: list[Item], inputs: Inputs, progress: Progress | None) -> Iterator[Wired]:
    """Each item read in a worker, in order, as the worker sent it (`wire.Wired`), but the
    one already read while its stamp was (`Inputs.ahead`), taken once; nothing else to
    read (all cached, or that one file): no context built, no reading code imported, no
    worker started. The workers are at work once this returns."""
    ahead = inputs.ahead if inputs.ahead is not None and inputs.ahead[0] in items else None
    at = -1 if ahead is None else items.index(ahead[0])
    others = items[:at] + items[at + 1 :] if ahead is not None else items
    fresh = read_wired(others, lambda: inputs.context, progress) if others else iter(())
    if ahead is None:
        return fresh
    inputs.ahead = None  # taken: never handed out twice (the same file twice is read)
    return _with_ahead(len(items), fresh, (at, ahead[1]), progress)


def _with_ahead(
    count: int,
    fresh: Iterator[Wired],
    ahead: tuple[int, Submission],
    progress: Progress | None,
) -> Iterator[Wired]:
    """The `count` submissions: the one read ahead at its index, the others from `fresh`."""
    at, sub = ahead
    for index in range(count):
        if index != at:
            yield next(fresh)
            continue
        if progress:
            progress(1)
        yield wired(sub)  # as a worker would send it (the read cache stores it so)
    next(fresh, None)  # let the reader finish (its progress report follows each item)


# --- ingest ------------------------------------------------------------------


def _no_totals() -> StoreTotals:
    """A store's counts before it is read (`results` is types only: not imported to run)."""
    return {"submissions": 0, "current": 0}


@dataclass(slots=True)
class IngestResult:
    store: Path
    added: list[Submission] = field(default_factory=list)
    unchanged: int = 0
    issues: list[Issue] = field(default_factory=list)  # duplicates of stored content
    totals: StoreTotals = field(default_factory=_no_totals)

    def all_issues(self) -> list[Issue]:
        return [i for s in self.added for i in s.issues] + self.issues

    def to_json(self) -> IngestJSON:
        """The `--format json` output; its shape is `results.IngestJSON`."""
        return {
            "store": str(self.store),
            "added": [
                {
                    "file": s.file,
                    "partner": s.partner,
                    "role": s.role,
                    "kind": s.kind,
                    "status": s.status,
                }
                for s in self.added
            ],
            "unchanged": self.unchanged,
            "totals": self.totals,
            "issues": [i.to_dict() for i in self.all_issues()],
        }


def ingest(
    paths: list[Path],
    store_path: Path,
    questionnaire: str | None = None,
    progress: Progress | None = None,
    on_files: Callable[[int], object] | None = None,
) -> IngestResult:
    """Add new and changed workbooks to the store; unchanged files are skipped unread."""
    inputs = resolve_inputs(paths, questionnaire)
    return ingest_inputs(inputs, store_path, progress, on_files)


def ingest_inputs(
    inputs: Inputs,
    store_path: Path,
    progress: Progress | None = None,
    on_files: Callable[[int], object] | None = None,
) -> IngestResult:
    """`ingest` of inputs already resolved (the report resolves them once for both)."""
    from .store import Store

    store = Store(store_path)
    result = IngestResult(store_path)
    try:
        store.remember_survey(snapshot(inputs))
        known = store.known_files()
        todo, result.unchanged, result.issues = _changed_files(inputs, known, store)
        if on_files is not None:
            on_files(len(todo))
        if todo:  # nothing new or changed: no worker is started
            subs = map(unwired, _read_fresh([item for item, _, _ in todo], inputs, progress))
            for (_, key, now), sub in zip(todo, subs, strict=True):
                _store_one(store, result, sub, (key, now))
        result.issues.extend(_not_current(store, result.added))
        result.totals = store.counts()
    finally:
        store.close()
    return result


def _changed_files(
    inputs: Inputs, known: dict[str, Seen], store: Store
) -> tuple[list[tuple[Item, str, Seen]], int, list[Issue]]:
    """The files and e-mailed workbooks to read (item, key, as seen now; oldest first),
    how many are unchanged, and the issues of those that cannot be read at all.

    A file is unchanged, and not opened, when its size, modification time and stamp
    (inode change time, inode, device) are the ones stored; when only they moved (a
    `touch`, a copy) but its content hash is the stored one, it is not parsed either,
    and its new stamp is stored.
    """
    todo: list[tuple[Item, str, Seen]] = []
    touched: list[tuple[str, Seen, str]] = []
    unchanged, issues = 0, []
    for key, item, now in _scan(inputs):
        if isinstance(now, Issue):
            issues.append(now)
            continue
        seen = known.get(key)
        if seen == now:
            unchanged += 1  # size, modification time and stamp: not even opened
        elif seen is not None and (same := _same_content(store, key, item)) is not None:
            touched.append((key, now, same))
            unchanged += 1
        else:
            todo.append((_named(item, inputs.base), key, now))
    if touched:
        with store.transaction():
            for key, now, sha256 in touched:
                store.remember_file(key, now, sha256)
    todo.sort(key=lambda entry: entry[2][1])  # by modification time
    return todo, unchanged, issues


def _named(item: Item | Path, base: Path | None) -> Item:
    """The item to read, a workbook with the name it is shown by."""
    return (item, display_name(item, base)) if isinstance(item, Path) else item


#: Names that may be saved e-mail (`expand` decides): a workbook is stat'ed and keyed directly.
_MAIL_ENDINGS = tuple(MAIL_SUFFIXES)


def _scan(inputs: Inputs) -> Iterator[tuple[str, Item | Path, Seen | Issue]]:
    """Each file and e-mailed workbook: its key, the item (a workbook as its bare path, named
    only if it is read) and how it is now. A workbook's one `stat` tells it from a Maildir."""
    from .store import file_stamp

    cwd = os.getcwd()
    for path, st in _workbook_stats(inputs):
        if st is None:
            for key, item in expand([path], inputs.base):
                yield key, item, _seen_now(item)
        else:
            yield store_key(path, cwd), path, (st.st_size, st.st_mtime_ns, file_stamp(st))


def _workbook_stats(inputs: Inputs) -> Iterator[tuple[Path, os.stat_result | None]]:
    """Each file given, with its one `stat` if it is a workbook file; None for saved e-mail,
    a Maildir (which `expand` turns into their attachments) and a file that cannot be
    stat'ed (reading it says why)."""
    for path in inputs.files:
        name = str(path)
        try:
            st = os.stat(name)
        except OSError:
            yield path, None
            continue
        mail = S_ISDIR(st.st_mode) or name.lower().endswith(_MAIL_ENDINGS)
        yield path, None if mail else st


def _seen_now(item: Item) -> Seen | Issue:
    """An item's size, modification time and stamp now, or the issue that it cannot be
    read at all."""
    from .store import file_stamp

    if isinstance(item, MailItem):
        if item.data is None:  # a message with no workbook: nothing to store
            assert item.issue is not None
            return item.issue
        return len(item.data), int(item.received * 1e9), ""
    try:
        st = item[0].stat()
    except OSError as exc:
        return unopenable(item[1], exc)
    return st.st_size, st.st_mtime_ns, file_stamp(st)


def _same_content(store: Store, key: str, item: Item | Path) -> str | None:
    """The content hash stored for `key` if the item's bytes still have it, else None."""
    from .intake.submission import sha256_of

    stored = store.hash_seen(key)
    if stored is None:
        return None
    if isinstance(item, MailItem):
        now: str | None = hashlib.sha256(item.data or b"").hexdigest()
    else:
        from .intake.submission import sha256_of

        try:
            now = sha256_of(item if isinstance(item, Path) else item[0])
        except OSError:  # gone, no permission, not a regular file: reading says why
            now = None
    return stored if now == stored else None


def _store_one(
    store: Store,
    result: IngestResult,
    sub: Submission,
    file: tuple[str, Seen],
) -> None:
    """Store a file just read, or note it as unchanged or as a duplicate of stored content."""
    key, now = file
    if not sub.sha256:  # could not even be opened: nothing to store, retried next time
        result.issues.extend(sub.issues)
        return
    if store.add(sub, key, now) is not None:
        sub.answers = {}  # stored: memory stays flat however many files arrive
        result.added.append(sub)
        return
    first = store.has_content(sub.sha256)  # stored before, or meanwhile by another ingest
    previous = store.hash_seen(key)
    with store.transaction():
        store.remember_file(key, now, sub.sha256)
    if previous == sub.sha256 or first == sub.file:
        result.unchanged += 1  # touched, or stored by another ingest: the same content
    else:
        result.issues.append(
            make_issue(IssueCode.DUPLICATE_FILE, sub.file, f"Same content as {first}, stored once.")
        )


def _not_current(store: Store, added: list[Submission]) -> list[Issue]:
    """`resubmission` warnings for the partners this run added a version for (one rule)."""
    touched = {key for sub in added if (key := key_of(sub)) is not None}
    if not touched:
        return []
    return choose_current(store.rivals(touched)).issues


def snapshot(inputs: Inputs) -> dict[str, str]:
    """What a store keeps of the survey it was ingested for (see `Store.remember_survey`)."""
    q = inputs.questionnaire
    kept = {"questionnaire": q.id, "definition": q.definition_json}
    survey = inputs.survey
    if survey is not None:
        kept["root"] = str(survey.root.absolute())
        kept["survey.yaml"] = survey.text
        coding = survey.read_coding()
        if coding is not None:
            kept["coding"] = coding
    return kept


# --- report ------------------------------------------------------------------


def gather(
    source: Path,
    questionnaire: str | None = None,
    store: Path | None = None,
    progress: Progress | None = None,
    *,
    waves: bool = True,
    cache: bool = True,
) -> ReportInput:
    """Read a survey folder, a folder of workbooks, or a store, and (with `waves`) the
    earlier waves it names; an earlier wave's own earlier waves are not read."""
    return _gather(source, questionnaire, store, progress, cache, waves)


def _gather(
    source: Path,
    questionnaire: str | None,
    store: Path | None,
    progress: Progress | None,
    cache: bool,
    waves: bool,
    meanwhile: Meanwhile | None = None,
) -> ReportInput:
    """`gather`; `meanwhile` as in `_validate`, where workbooks are read."""
    data = _gathered(source, questionnaire, store, progress, cache, meanwhile)
    if waves and data.survey is not None and data.survey.config.waves:
        data.waves = [_wave(ref, data.survey.root) for ref in data.survey.config.waves]
    return data


def _wave(ref: WaveRef, base: Path) -> Wave:
    """An earlier wave survey.yaml names, read with its own definition."""
    from .errors import SurveyConfigError
    from .outcomes.waves import wave_from

    path = base / (ref.path or ref.store or "")
    if not path.exists():
        raise SurveyConfigError(
            f"{base / 'survey.yaml'}: wave {ref.id!r}: {path} does not exist",
            hint="`waves:` paths are relative to the survey folder, e.g. ../mile-2009.",
        )
    questionnaire = ref.questionnaire
    if questionnaire is not None and (base / questionnaire).is_file():
        questionnaire = str(base / questionnaire)  # a path from the survey folder
    data = gather(path, questionnaire, waves=False)
    if ref.store is None and data.survey is None:
        raise SurveyConfigError(
            f"wave {ref.id!r}: {path} is not a survey folder (no survey.yaml)",
            hint="Point `path:` at the earlier wave's survey folder, or use `store:`.",
        )
    return wave_from(data, ref.id)


def prefill_from_wave(path: Path, lang: str = "en") -> Prefill:
    """What `template --prefill-from PATH` shows: each partner's answers in that wave."""
    from .outcomes.waves import previous_answers, wave_from
    from .workbook.template import Prefill

    data = gather(path, waves=False)
    config = data.survey.config if data.survey else None
    wave_id = config.wave if config and "wave" in config.given else path.stem
    return Prefill(wave_id, previous_answers(wave_from(data, wave_id), lang))


def _gathered(
    source: Path,
    questionnaire: str | None,
    store: Path | None,
    progress: Progress | None,
    cache: bool,
    meanwhile: Meanwhile | None,
) -> ReportInput:
    if source.is_file() and source.suffix.lower() in (".sqlite", ".db", ".sqlite3"):
        return _from_store(source, questionnaire)
    if store is not None:
        inputs = resolve_inputs([source], questionnaire)
        ingest_inputs(inputs, store, progress)
        return _from_store(store, questionnaire, inputs)
    inputs = resolve_inputs([source], questionnaire, cache=cache)
    result = _validate(inputs, progress, None, True, cache, meanwhile)
    batch = result.batch
    from .report.build import ReportInput

    return ReportInput(
        result.inputs.questionnaire,
        result.inputs.survey,
        batch.submissions,
        batch.counted,
        batch.issues,
    )


def _from_store(path: Path, questionnaire: str | None, inputs: Inputs | None = None) -> ReportInput:
    from .report.build import ReportInput
    from .store import Store

    store = Store(path, read_only=True)
    try:
        subs = store.versions()
        kept = store.snapshot()
    finally:
        store.close()
    if inputs is not None:
        q, survey = inputs.questionnaire, inputs.survey
    else:
        q, survey = _kept_survey(path, kept, questionnaire, subs)
    current = choose_current(subs)
    for issue in current.issues:
        next(s for s in subs if s.file == issue.file).issues.append(issue)
    issues = missing_responses(current.counted, survey) if survey else []
    return ReportInput(q, survey, subs, current.counted, issues)


def _kept_survey(
    path: Path, kept: dict[str, str], questionnaire: str | None, subs: list[Submission]
) -> tuple[Questionnaire, SurveyFolder | None]:
    """The questionnaire and survey a store was ingested for, from what it keeps."""
    from .definition.spec import from_json
    from .resources import load_questionnaire
    from .survey import SURVEY_FILE, survey_from_text

    survey = None
    if "survey.yaml" in kept:
        root = Path(kept["root"])
        text = kept["survey.yaml"]
        survey = survey_from_text(root, text, root / SURVEY_FILE, kept.get("coding"))
    if questionnaire is not None:
        return load_questionnaire(questionnaire), survey
    if "definition" in kept:
        return from_json(kept["definition"]), survey
    ref = next((s.questionnaire for s in subs if s.questionnaire), None)
    if ref is None:
        raise StoreError(f"{path}: the store holds no submissions")
    return load_questionnaire(ref), survey


def report(
    source: Path,
    questionnaire: str | None = None,
    store: Path | None = None,
    progress: Progress | None = None,
    lang: str | None = None,
    cache: bool = True,
) -> Report:
    """The report of a survey folder, a folder of workbooks or a store, as typed data."""
    data = _gather(source, questionnaire, store, progress, cache, True, _ahead(lang))
    from .report.build import build_report

    return build_report(data, lang=lang)


def _ahead(lang: str | None) -> Meanwhile:
    """What a report needs once its files are read, done while the workers read them: its
    builder and renderers imported, Babel's data for its language loaded. A warm report of
    1,000 returns, 10 of them new, does it in time it would otherwise spend waiting."""

    def ahead(inputs: Inputs) -> None:
        from .report import render  # noqa: F401 (imported for later)
        from .report.build import report_language
        from .report.i18n import prepare

        prepare(report_language(lang, inputs.survey))

    return ahead


# --- template ----------------------------------------------------------------


@dataclass(frozen=True)
class Templates:
    """The workbooks `template()` wrote: one file, or one per partner in a folder."""

    paths: list[Path]
    folder: Path | None  # where the partners' workbooks went; None for one workbook


def template(
    ref: str,
    output: Path,
    *,
    partner: str | None = None,
    partners: Path | None = None,
    role: Role = Role.CITY,
    lang: str | None = None,
    interview: bool = False,
    prefill_from: Path | None = None,
) -> Templates:
    """The workbooks partners fill in, for a survey folder (one per partner in survey.yaml,
    or `partner`'s), a partner list (`partners`, a CSV) or one `partner` of a definition."""
    from .resources import load_questionnaire
    from .survey import is_survey_folder
    from .workbook.partners import WorkbookSpec, read_partner_list
    from .workbook.template import write_template, write_templates

    prefill = None if prefill_from is None else prefill_from_wave(prefill_from, lang or "en")
    if is_survey_folder(Path(ref)):
        return _survey_templates(Path(ref), output, partner, role, interview, prefill)
    q = load_questionnaire(ref)
    if partners is not None:
        specs = read_partner_list(partners, lang or "en")
        paths = write_templates(q, specs, output, interview=interview, prefill=prefill)
        return Templates(paths, output)
    if partner is None:
        raise UsageError(
            "give --partner NAME, --partners FILE.csv, or a survey folder instead of ID|FILE",
            hint="Example: urbsurvey template mile-followup-2009 --partner Venice -o venice.xlsx",
        )
    spec = WorkbookSpec(partner, role, lang or "en", interview)
    return Templates([write_template(q, spec, output, prefill)], None)


def _survey_templates(
    folder: Path,
    output: Path,
    partner: str | None,
    role: Role,
    interview: bool,
    prefill: Prefill | None,
) -> Templates:
    from .resources import load_questionnaire
    from .survey import load_survey
    from .workbook.template import survey_spec, write_survey_templates, write_template

    survey = load_survey(folder)
    q = load_questionnaire(survey.config.questionnaire, base=survey.root)
    if partner is None:
        paths = write_survey_templates(survey, q, output, interview=interview, prefill=prefill)
        return Templates(paths, output)
    found = next((p for p in survey.config.partners if p.name == partner), None)
    if found is None:
        known = ", ".join(p.name for p in survey.config.partners)
        raise UsageError(
            f"{partner!r} is not a partner of {folder}/survey.yaml", hint=f"Partners: {known}."
        )
    spec = survey_spec(survey, q, found, role, interview=interview)
    return Templates([write_template(q, spec, output, prefill)], None)
