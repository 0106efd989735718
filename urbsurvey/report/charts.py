"""Charts for reports: an inline SVG bar chart (HTML) and text bars (Markdown).

A chart is `{"id", "title", "unit", "bars": [{"label", "value", "display"}]}`.
Labels may be partner names, so every text is escaped; the SVG has no script,
no external font or image, and scales with its container (`viewBox`).
"""

from __future__ import annotations

import math
import re
import textwrap
from typing import Any

from markupsafe import Markup, escape

#: Longest text bar in the Markdown version, in characters.
TEXT_BAR_WIDTH = 20
_WIDTH = 400  # viewBox units; the page scales it
_ROW = 44  # height of one bar with its label above
_BAR = 17
_VALUE_SPACE = 80  # room right of the longest bar for its value
_LABEL_CHARS = 50  # per line; two lines at most
_LINE = 17  # height of a second label line
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]+")


def one_line(text: object) -> str:
    """Text on one line: control characters and line breaks become single spaces."""
    return " ".join(_CONTROL.sub(" ", "" if text is None else str(text)).split())


def _value(bar: dict[str, Any]) -> float:
    """A bar's value as a finite number >= 0 (anything else draws no bar)."""
    try:
        value = float(bar.get("value") or 0)
    except (TypeError, ValueError):
        return 0.0
    return value if math.isfinite(value) and value > 0 else 0.0


def _scale(bars: list[dict[str, Any]]) -> float:
    return max((_value(b) for b in bars), default=0.0)


def summary(chart: dict[str, Any]) -> str:
    """All bars in one line of text: `label: display; label: display`."""
    bars = chart.get("bars") or []
    return "; ".join(f"{one_line(b.get('label'))}: {one_line(b.get('display'))}" for b in bars)


def _label_lines(text: str) -> list[str]:
    """A label on at most two lines of `_LABEL_CHARS`, cut with "…" beyond that."""
    lines = textwrap.wrap(text, _LABEL_CHARS, break_long_words=True) or [""]
    if len(lines) > 2:
        lines = [lines[0], lines[1][: _LABEL_CHARS - 1].rstrip() + "…"]
    return lines


def _bar_svg(top: int, lines: list[str], bar: dict[str, Any], scale: float) -> str:
    length = (_WIDTH - _VALUE_SPACE) * _value(bar) / scale if scale else 0.0
    label = "".join(
        f'<tspan x="0" dy="{0 if i == 0 else _LINE}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    y = top + 19 + _LINE * (len(lines) - 1)
    return (
        f'<g><text x="0" y="{top + 13}" class="bar-label">{label}</text>'
        f'<rect x="0" y="{y}" width="{length:.1f}" height="{_BAR}" rx="2" '
        f'class="bar" fill="#2f6f9f"/>'
        f'<text x="{length + 6:.1f}" y="{y + _BAR - 3}" class="bar-value">'
        f"{escape(one_line(bar.get('display')))}</text></g>"
    )


def bar_chart_svg(chart: dict[str, Any], index: int = 0) -> Markup:
    """An accessible, self-contained, responsive horizontal bar chart."""
    bars = list(chart.get("bars") or [])
    base = f"chart-{index}-{_NOT_ID.sub('-', one_line(chart.get('id')))[:40]}"
    scale = _scale(bars)
    parts, top = [], 8
    for bar in bars:
        lines = _label_lines(one_line(bar.get("label")))
        parts.append(_bar_svg(top, lines, bar, scale))
        top += _ROW + _LINE * (len(lines) - 1)
    height = max(top, 8 + _ROW)
    title = one_line(chart.get("title"))
    desc = summary(chart) or "No data."
    return Markup(
        f'<svg role="img" '
        f'aria-labelledby="{base}-title {base}-desc" viewBox="0 0 {_WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" class="chart" '
        f"font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\" "
        f'font-size="14" fill="#1b1b1b">'
        f'<title id="{base}-title">{escape(title)}</title>'
        f'<desc id="{base}-desc">{escape(desc)}</desc>{"".join(parts)}</svg>'
    )


def text_bars(chart: dict[str, Any]) -> list[dict[str, str]]:
    """Rows `{label, display, bar}` with a bar of `█` proportional to the value (max 20)."""
    bars = list(chart.get("bars") or [])
    scale = _scale(bars)
    rows = []
    for bar in bars:
        value = _value(bar)
        width = round(TEXT_BAR_WIDTH * value / scale) if scale else 0
        if value > 0:
            width = max(width, 1)
        rows.append(
            {
                "label": "" if bar.get("label") is None else str(bar.get("label")),
                "display": "" if bar.get("display") is None else str(bar.get("display")),
                "bar": "█" * width,
            }
        )
    return rows
