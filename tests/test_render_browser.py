"""The HTML report in a real browser: headless Chromium loads, screenshots and prints it.

Skipped when Chromium is not installed (CI installs the Debian `chromium` package).
Screenshots and the PDF stay in pytest's temporary folder for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from urbsurvey.report.render import render

from .support.report_sample import SCRIPT, sample_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(),
    reason="headless Chromium not installed (apt-get install chromium) - browser checks skipped",
)
TIMEOUT = 60
# What Chromium logs with --enable-logging=stderr when a page misbehaves.
PROBLEMS = re.compile(r":CONSOLE[:(]|Uncaught|Refused to|Failed to load|Content Security Policy")


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """One headless Chromium run with no network chatter, a fresh profile and a time limit."""
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if PROBLEMS.search(line)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="module")
def report_file(folder: Path) -> Path:
    path = folder / "report.html"
    path.write_bytes(render(sample_report(8, hostile=True), "html"))
    return path


class Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cell_text: list[str] = []
        self._in_cell = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_cell += tag in ("td", "th")

    def handle_endtag(self, tag: str) -> None:
        self._in_cell -= tag in ("td", "th") and self._in_cell > 0

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.cell_text.append(data)


def test_loaded_dom_shows_hostile_markup_as_text_and_logs_nothing(
    report_file: Path, folder: Path
) -> None:
    done = chromium(
        folder / "profile-dom",
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
        report_file.as_uri(),
    )
    dom = Dom()
    dom.feed(done.stdout)
    names = [tag for tag, _ in dom.tags]
    assert "script" not in names and "img" not in names
    assert not [(t, a) for t, a in dom.tags if any(k.startswith("on") for k in a)]
    assert any(SCRIPT in text for text in dom.cell_text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in done.stdout
    assert problems(done.stderr) == []


def test_the_console_check_sees_a_blocked_script(report_file: Path, folder: Path) -> None:
    """Control for the test above: a script slipped into the page is blocked and logged."""
    page = folder / "injected.html"
    html = report_file.read_text(encoding="utf-8")
    page.write_text(
        html.replace("</main>", "<script>document.title='ran'</script></main>"), encoding="utf-8"
    )
    done = chromium(
        folder / "profile-control", "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri()
    )
    assert problems(done.stderr), "Chromium logged nothing about the injected script"
    assert "<title>ran</title>" not in done.stdout


def test_page_does_not_overflow_a_phone_screen(report_file: Path, folder: Path) -> None:
    """At 390 px the page itself never scrolls sideways; only the table wrappers do."""
    probe = folder / "phone-probe.html"
    probe.write_text(
        f'<!doctype html><iframe id="f" src="{report_file.name}" '
        'style="width:390px;height:800px;border:0"></iframe><script>'
        "addEventListener('load', function () {"
        " var d = document.getElementById('f').contentDocument.documentElement;"
        " document.body.setAttribute('data-widths', d.scrollWidth + ',' + d.clientWidth); });"
        "</script>",
        encoding="utf-8",
    )
    done = chromium(
        folder / "profile-probe",
        "--allow-file-access-from-files",
        "--window-size=800,900",
        "--dump-dom",
        probe.as_uri(),
    )
    found = re.search(r'data-widths="(\d+),(\d+)"', done.stdout)
    assert found, done.stdout[:500]
    scroll_width, client_width = int(found[1]), int(found[2])
    assert client_width == 390 and scroll_width <= client_width


@pytest.mark.parametrize(("name", "size"), [("phone", "390,1200"), ("desktop", "1280,1000")])
def test_screenshots(report_file: Path, folder: Path, name: str, size: str) -> None:
    shot = folder / f"report-{name}.png"
    chromium(
        folder / f"profile-{name}",
        f"--window-size={size}",
        f"--screenshot={shot}",
        report_file.as_uri(),
    )
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    width = int.from_bytes(data[16:20], "big")
    assert width == int(size.split(",")[0])
    print(f"screenshot: {shot}")


def test_print_to_pdf(report_file: Path, folder: Path) -> None:
    pdf = folder / "report.pdf"
    chromium(
        folder / "profile-pdf",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        report_file.as_uri(),
    )
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 3
    print(f"pdf: {pdf} ({pages} pages)")
