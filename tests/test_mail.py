"""Returns as they arrive: workbooks attached to saved e-mails (.eml, mbox, Maildir),
built in the test with the standard library, on the toy recycling survey (not MILE)."""

from __future__ import annotations

import datetime as dt
import json
import mailbox
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from urbsurvey.cli import app
from urbsurvey.intake.record import Submission
from urbsurvey.pipeline import validate
from urbsurvey.store import Store

from .support.convert import convert, requires_soffice
from .support.coverage import covers
from .support.surveys import RECYCLING, fill, recycling_survey
from .support.workbooks import sha256
from .test_reader_hostile import _normal_members, _raw_zip, _zeros_stream

runner = CliRunner()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WHEN = dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    root = recycling_survey(tmp_path / "survey")
    result = runner.invoke(app, ["template", str(root), "-o", str(tmp_path / "blank")])
    assert result.exit_code == 0, result.output
    return root


def answered(tmp_path: Path, partner: str, name: str) -> Path:
    answers: dict[str, object] = {"points_opened": 7, "materials.glass": "✓"}
    answers["weee_accepted"] = "Oui" if partner != "Cork" else "Yes"
    return fill(tmp_path / "blank" / f"{partner}-city.xlsx", answers, tmp_path / name)


def message(
    sender: str, subject: str, attachments: list[tuple[str, bytes]], when: dt.datetime = WHEN
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "survey@network.example"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{abs(hash((sender, subject)))}@network.example>"
    msg.set_content("Please find our questionnaire attached.\n")
    for filename, data in attachments:
        maintype, subtype = XLSX.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def by_file(survey: Path) -> dict[str, Submission]:
    return {s.file: s for s in validate([survey]).batch.submissions}


def test_eml_attachment_is_read_like_a_file(survey: Path, tmp_path: Path) -> None:
    xlsx = answered(tmp_path, "Lyon", "reponses-lyon.xlsx")
    eml = survey / "returns" / "lyon.eml"
    msg = message(
        "Claire Martin <dechets@lyon.example>",
        "=?utf-8?q?Questionnaire_recyclage_=E2=80=93_Lyon?=",
        [("reponses-lyon.xlsx", xlsx.read_bytes())],
    )
    eml.write_bytes(msg.as_bytes())
    before, listing = sha256(eml), sorted((survey / "returns").iterdir())
    subs = by_file(survey)
    sub = subs["returns/lyon.eml › reponses-lyon.xlsx"]
    assert (sub.partner, sub.status, sub.format) == ("Lyon", "ok", "xlsx")
    assert sub.answers["points_opened"].value == 7
    assert sub.sha256 == sha256(xlsx)
    assert sub.provenance == {
        "message": "returns/lyon.eml",
        "sender": "Claire Martin <dechets@lyon.example>",
        "subject": "Questionnaire recyclage – Lyon",
        "date": "2026-12-03T09:30:00+00:00",
        "attachment": "reponses-lyon.xlsx",
        "message_id": msg["Message-ID"],
    }
    assert sha256(eml) == before  # the message is never modified
    assert sorted((survey / "returns").iterdir()) == listing  # nothing written beside it
    # the ledger shows who sent it and when
    result = runner.invoke(app, ["status", str(survey), "--format", "json"])
    lyon = next(r for r in json.loads(result.output)["responses"] if r["partner"] == "Lyon")
    assert lyon["from"] == "Claire Martin <dechets@lyon.example>"
    assert lyon["received"] == "2026-12-03T09:30:00+00:00"
    assert lyon["state"] == "complete"


@covers("mail-no-workbook")
@requires_soffice
def test_mbox_with_ods_xls_no_attachment_and_a_hostile_one(survey: Path, tmp_path: Path) -> None:
    ods = convert(answered(tmp_path, "Cork", "cork.xlsx"), "ods", tmp_path / "lo")
    xls = convert(answered(tmp_path, "Namur", "namur.xlsx"), "xls", tmp_path / "lo")
    bomb = _raw_zip(
        tmp_path / "bomb.xlsx",
        [*_normal_members()[:-1], ("xl/worksheets/sheet1.xml", _zeros_stream(64), 10_000, 0)],
    )
    box = mailbox.mbox(survey / "returns" / "inbox.mbox")
    for msg in (
        message("waste@cork.example", "Cork return", [("cork.ods", ods.read_bytes())]),
        message("environnement@namur.example", "Namur", [("namur.xls", xls.read_bytes())]),
        message("environnement@namur.example", "Oops, forgot the file", []),
        message("someone@spam.example", "Invoice", [("budget.xlsx", bomb.read_bytes())]),
    ):
        box.add(msg)
    box.close()
    subs = by_file(survey)
    assert set(subs) == {
        "returns/inbox.mbox #1 › cork.ods",
        "returns/inbox.mbox #2 › namur.xls",
        "returns/inbox.mbox #3",
        "returns/inbox.mbox #4 › budget.xlsx",
    }
    cork, namur = (
        subs["returns/inbox.mbox #1 › cork.ods"],
        subs["returns/inbox.mbox #2 › namur.xls"],
    )
    assert (cork.partner, cork.format, cork.status) == ("Cork", "ods", "ok")
    assert (namur.partner, namur.format, namur.status) == ("Namur", "xls", "ok")
    assert namur.answers["materials"].value == ["glass"]
    (empty,) = subs["returns/inbox.mbox #3"].issues
    assert (empty.code, empty.file) == ("mail-no-workbook", "returns/inbox.mbox #3")
    assert "from environnement@namur.example ('Oops, forgot the file')" in empty.message
    (hostile,) = subs["returns/inbox.mbox #4 › budget.xlsx"].issues
    assert (hostile.code, hostile.file) == ("file-too-large", "returns/inbox.mbox #4 › budget.xlsx")

    # into the store: provenance kept; a second run finds nothing new
    store = tmp_path / "s.sqlite"
    first = runner.invoke(app, ["ingest", str(survey), "--store", str(store), "--format", "json"])
    added = {a["file"] for a in json.loads(first.output)["added"]}
    assert "returns/inbox.mbox #1 › cork.ods" in added
    again = json.loads(
        runner.invoke(
            app, ["ingest", str(survey), "--store", str(store), "--format", "json"]
        ).output
    )
    assert again["added"] == [] and again["unchanged"] >= 2
    db = Store(store)
    try:
        stored = {s.file: s.provenance for s in db.current()}
    finally:
        db.close()
    assert stored["returns/inbox.mbox #1 › cork.ods"]["sender"] == "waste@cork.example"
    assert stored["returns/inbox.mbox #1 › cork.ods"]["attachment"] == "cork.ods"


@covers("partner-from-sender")
def test_sender_identifies_the_partner_when_the_workbook_does_not(
    survey: Path, tmp_path: Path
) -> None:
    from .support.workbooks import filled

    xlsx = filled(
        tmp_path,
        {"points_opened": 3, "weee_accepted": "No", "materials": "Glass"},
        questionnaire=RECYCLING,
        partner=None,
        name="unnamed.xlsx",
    )
    maildir = mailbox.Maildir(survey / "returns" / "mail", create=True)
    maildir.add(message("Recycling <recycling.office@cork.example>", "Our answers",
                        [("answers.xlsx", xlsx.read_bytes())]))  # fmt: skip
    maildir.close()
    (sub,) = [s for s in validate([survey]).batch.submissions if s.readable]
    assert sub.file.startswith("returns/mail/") and sub.file.endswith(" › answers.xlsx")
    assert sub.partner == "Cork"
    assert [i.code for i in sub.issues] == ["partner-from-sender"]
    report = json.loads(runner.invoke(app, ["report", str(survey), "--format", "json"]).output)
    (source,) = [i for i in report["inputs"] if i["file"] == sub.file]
    assert source["provenance"]["sender"] == "Recycling <recycling.office@cork.example>"
