"""Reading reports the way a reader's software does, for structure checks in tests."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


def unescaped_pipes(line: str) -> int:
    """Cell separators in a Markdown table line (`\\|` is text, not a separator)."""
    count, i = 0, 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        count += line[i] == "|"
        i += 1
    return count


def md_tables(text: str) -> list[list[str]]:
    """Every GFM table: runs of lines starting with `|`."""
    tables: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def html_elements(html: str) -> list[tuple[str, list[str]]]:
    """Every element of the document with its attribute names, as a browser parses them."""
    found: list[tuple[str, list[str]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, [name for name, _ in attrs]))

    Collect().feed(html)
    return found


def styled_paragraphs(document: Any) -> list[tuple[str, str]]:
    """Each paragraph of a python-docx Document: its text and style name, as Word shows them.

    The name is python-docx's `paragraph.style.name`, asked once for each style id:
    python-docx scans every style of the document each time it is asked.
    """
    names: dict[str | None, str] = {}
    styled = []
    for p in document.paragraphs:
        style_id = p._p.style
        if style_id not in names:
            names[style_id] = p.style.name if p.style is not None else ""
        styled.append((p.text, names[style_id]))
    return styled
