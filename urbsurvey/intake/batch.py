"""Many returned workbooks: find them, read each in a worker process, check across files.

A bad file never stops the batch: it becomes a submission with an issue.
Duplicates, resubmissions and missing partners are reported, never silently
resolved.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..definition import Questionnaire
from ..issues import Issue, IssueCode, make_issue
from ..vocabulary import Kind
from .current import choose_current
from .found import store_key
from .mail import MailItem, is_mail, mail_items
from .record import Submission, display_name
from .wire import Wired, unwired, wired
from .workers import Failure, Limits, limits_from_env, run_isolated, worker_count

if TYPE_CHECKING:  # survey.py brings pydantic, submission.py the reader: not imported unused
    from ..survey import Partner, SurveyFolder
    from .answers import AssumedCurrency
    from .submission import Context

Progress = Callable[[int], None]


@dataclass(slots=True)
class Batch:
    """The result of reading a batch: every submission and every issue."""

    submissions: list[Submission]
    issues: list[Issue] = field(default_factory=list)  # across files (duplicates, missing)
    counted: list[Submission] = field(default_factory=list)  # the ones outcomes use

    def all_issues(self) -> list[Issue]:
        return [i for s in self.submissions for i in s.issues] + self.issues


def make_context(q: Questionnaire, survey: SurveyFolder | None = None) -> Context:
    """How files are read and checked. The reading code is imported here, only for a run
    that reads: in the parent before the workers are forked (each then has it), or in the
    one worker that reads every file (`read_items`)."""
    from .answers import Interpreter
    from .submission import Context, PartnerInfo

    if survey is None:
        return Context(q, Interpreter(q))
    config = survey.config
    partners = [
        PartnerInfo(
            p.name,
            p.country,
            tuple(p.aliases),
            tuple(p.addresses()),
            currency=_partner_currency(p),
        )
        for p in config.partners
    ]
    return Context(q, Interpreter(q, config.currency, config.exchange_rates), partners)


def _partner_currency(partner: Partner) -> AssumedCurrency | None:
    """The currency of a partner's bare amounts, and why."""
    from .answers import AssumedCurrency

    code = partner.answers_in()
    if code is None:
        return None
    if partner.currency:
        return AssumedCurrency(code, f"the currency survey.yaml gives for {partner.name}")
    return AssumedCurrency(code, f"the currency of {partner.name}'s country ({partner.country})")


#: What is read: a workbook file (path, display name) or an e-mail's attachment.
Item = tuple[Path, str] | MailItem


def expand(files: list[Path], base: Path | None = None) -> list[tuple[str, Item]]:
    """Each file as an item, each saved e-mail as its attachments; with a key naming the
    item for the store (the absolute path, plus the message and attachment for e-mail)."""
    items: list[tuple[str, Item]] = []
    cwd = os.getcwd() if files else ""
    for path in files:
        name = display_name(path, base)
        key = store_key(path, cwd)
        if is_mail(path):
            items.extend((key + item.display[len(name) :], item) for item in mail_items(path, name))
        else:
            items.append((key, (path, name)))  # the store holds valid Unicode only
    return items


def read_item(item: Item, ctx: Context) -> Submission:
    from .submission import read_submission, read_submission_bytes

    if isinstance(item, MailItem):
        if item.data is None:
            assert item.issue is not None
            return Submission(
                file=item.display,
                sha256="",
                readable=False,
                issues=[item.issue],
                provenance=item.provenance,
            )
        return read_submission_bytes(
            item.data, ctx, item.display, mtime=item.received, provenance=item.provenance
        )
    return read_submission(item[0], ctx, item[1])


def failed_item(item: Item, failure: Failure) -> Submission:
    """The unreadable submission for an item whose worker died."""
    from .submission import failed_submission, failure_issue

    if not isinstance(item, MailItem):
        return failed_submission(item[0], item[1], failure)
    return Submission(
        file=item.display,
        sha256=hashlib.sha256(item.data or b"").hexdigest(),
        mtime=item.received,
        readable=False,
        issues=[failure_issue(item.display, failure)],
        provenance=dict(item.provenance),
    )


def item_name(item: Item) -> str:
    return item.display if isinstance(item, MailItem) else item[1]


def read_all(
    files: list[Path],
    ctx: Context,
    *,
    base: Path | None = None,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> Iterator[Submission]:
    """Read every file (and every e-mail attachment), in order, each in a worker."""
    return read_items([item for _, item in expand(files, base)], ctx, progress, limits)


def read_items(
    items: list[Item],
    ctx: Context | Callable[[], Context],
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> Iterator[Submission]:
    """Each item read in a worker process that may die (`workers`): one that dies costs
    only its item, which becomes an unreadable submission. The workers are at work once
    this returns; each submission is rebuilt as it comes (`read_wired`)."""
    return map(unwired, read_wired(items, ctx, progress, limits))


def read_wired(
    items: list[Item],
    ctx: Context | Callable[[], Context],
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> Iterator[Wired]:
    """`read_items`, each submission as its worker sent it (`wire.Wired`: tuples, pickled,
    not pickled dataclasses), for a caller that keeps them until the workers are gone.

    `ctx` may be the function that makes the context: where one worker reads every item,
    it makes it (and imports the reading code) after its fork, while this process goes on
    (a warm report unpacks its cached submissions meanwhile, and never imports the
    reader); where several share it, it is made here, once, before they are forked.
    """
    limits = limits or limits_from_env()
    made: Callable[[], Context] = functools.cache(ctx) if callable(ctx) else lambda: ctx
    if worker_count(len(items), limits) > 1:
        made()  # each worker forked from here has it

    def task(item: Item) -> Wired:
        return wired(read_item(item, made()))

    def failed(item: Item, why: Failure) -> Wired:
        return wired(failed_item(item, why))

    results = run_isolated(items, task, failed, limits, item_name, made)
    return results if progress is None else _progressed(results, progress)


def _progressed(results: Iterator[Wired], progress: Progress) -> Iterator[Wired]:
    for data in results:
        yield data
        progress(1)


def check_batch(submissions: list[Submission], survey: SurveyFolder | None = None) -> Batch:
    """Checks across files: same file twice, several files for one partner and role (the
    rule of `current.choose_current` picks the one that counts), who is missing."""
    batch = Batch(submissions)
    by_hash: dict[str, Submission] = {}
    distinct: list[Submission] = []
    for sub in submissions:
        if not sub.readable:
            continue
        first = by_hash.get(sub.sha256)
        if first is not None:
            sub.issues.append(
                make_issue(
                    IssueCode.DUPLICATE_FILE,
                    sub.file,
                    f"Same content as {first.file}; counted once.",
                )
            )
            continue
        by_hash[sub.sha256] = sub
        distinct.append(sub)
    current = choose_current(distinct)
    batch.counted = current.counted
    by_file = {sub.file: sub for sub in distinct}
    for issue in current.issues:
        by_file[issue.file].issues.append(issue)
    if survey is not None:
        batch.issues.extend(missing_responses(batch.counted, survey))
    return batch


def expected_responses(survey: SurveyFolder) -> list[tuple[str, str]]:
    """(partner, role) for every questionnaire the survey expects."""
    config = survey.config
    return [(p.name, role) for p in config.partners for role in config.expected_roles]


def missing(counted: list[Submission], survey: SurveyFolder) -> list[tuple[str, str]]:
    """Expected (partner, role) questionnaires that no counted submission answers."""
    returned = {
        (s.partner, s.role.value) for s in counted if s.role and s.kind is Kind.QUESTIONNAIRE
    }
    returned |= _misspelt(returned, survey)
    return [pair for pair in expected_responses(survey) if pair not in returned]


def _misspelt(returned: set[tuple[str | None, str]], survey: SurveyFolder) -> set[tuple[str, str]]:
    """(partner, role) answered under a misspelt name: its unknown-partner issue says so.
    The partner matching (and the reading code it lives with) is imported only for a name
    the survey does not list."""
    known = {p.name for p in survey.config.partners}
    unknown = [(name, role) for name, role in returned if name and name not in known]
    if not unknown:
        return set()
    from .submission import PartnerInfo, closest_partner

    partners = [PartnerInfo(p.name, p.country, tuple(p.aliases)) for p in survey.config.partners]
    found = set()
    for name, role in unknown:
        guess = closest_partner(name, partners)
        if guess is not None:
            found.add((guess.name, role))
    return found


def missing_responses(counted: list[Submission], survey: SurveyFolder) -> list[Issue]:
    from ..survey import SURVEY_FILE

    return [
        make_issue(
            IssueCode.MISSING_RESPONSE,
            SURVEY_FILE,
            f"No {role.replace('_', ' ')} questionnaire from {partner}.",
        )
        for partner, role in missing(counted, survey)
    ]
