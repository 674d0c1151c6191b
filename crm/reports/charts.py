"""Charts drawn on the server as SVG: no script, no request to the internet.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and ``<desc>`` (the text
alternative: every figure in words); the page puts the data table beside it. Charts are drawn
320 units wide so that on a 390 px phone (about 320 px inside a card) the text keeps its nominal
size; on a desktop the picture scales up a little (CSS caps its width). The monthly chart, a
time series that needs the room, is drawn ``WIDE`` units wide and shown at that natural size
(one unit, one CSS pixel: its labels the size of the page's text), scrolling inside its own box
on a phone. Callers pass labels and numbers already translated and formatted for the locale.
"""
import math
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 320
WIDE = 640  # the monthly chart; reports.css shows it 40rem (640 px) wide
FONT = 14
SMALL = 12
INK = "#1d2523"
MUTED = "#4d5b57"
GRID = "#d5dedb"
BAR = "#0b5c4b"
FLAGGED = "#8a6100"
TARGET = "#a4262c"
SERIES_COLOURS = ["#3d4744", "#1b4f8c", "#5b2d8e", "#0b5c4b", "#0d5c66", "#073d32", "#8a1f24"]


def _svg(chart_id: str, title: str, desc: str, height: float, body: list[str], *, width: int = WIDTH,
         natural: bool = False) -> Markup:
    """``natural``: the picture says its size (width and height), for CSS to show it unscaled."""
    size = f'width="{width}" height="{height:.0f}" ' if natural else ""
    # Every text in ``body`` went through escape() in _text(); the rest are numbers we formatted.
    return Markup(  # noqa: S704  # nosec B704 - every text was escaped in _text()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" {size}viewBox="0 0 {width} {height:.0f}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
        + "".join(body) + "</svg>"
    )


def _text(x, y, content, *, size=FONT, anchor="start", weight="normal", fill=INK) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{fill}">{escape(content)}</text>')


def _rect(x, y, width, height, fill) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" rx="2" fill="{fill}"/>'


def _wrap(text: str, size: int, width: float = WIDTH) -> list[str]:
    """Split a label into lines that fit ``width`` (estimated: a character is about 0.55 em)."""
    per_line = max(8, int(width / (size * 0.56)))
    lines, current = [], ""
    for word in str(text).split():
        candidate = f"{current} {word}".strip()
        if len(candidate) <= per_line or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    if len(lines) > 2:  # two lines at most; the table beside has the full name
        lines = [lines[0], lines[1][: per_line - 1] + "…"]
    return lines


def _inside(x: float, text: str, size: int, width: int = WIDTH) -> float:
    """Move a centred label so that it is not cut at either edge."""
    half = len(text) * size * 0.3
    return min(max(x, half), width - half)


@dataclass
class FunnelBar:
    label: str
    value: int
    value_text: str  # e.g. "210 · 70 %"


def funnel_chart(chart_id: str, title: str, desc: str, bars: list[FunnelBar]) -> Markup:
    """Centred bars that narrow from one step to the next, each with its label and figures."""
    top = max((bar.value for bar in bars), default=0) or 1
    body, y = [], 0.0
    for bar in bars:
        body.append(_text(WIDTH, y + 15, bar.value_text, anchor="end"))
        for line in _wrap(bar.label, FONT, WIDTH - len(bar.value_text) * FONT * 0.6 - 8):
            body.append(_text(0, y + 15, line, weight="bold"))
            y += 18
        y -= 18
        width = max(2.0, WIDTH * bar.value / top) if bar.value else 0
        body.append(_rect((WIDTH - width) / 2, y + 22, width, 22, BAR) if width else
                    f'<line x1="{WIDTH / 2 - 6}" y1="{y + 33}" x2="{WIDTH / 2 + 6}" y2="{y + 33}" stroke="{MUTED}"/>')
        y += 54
    return _svg(chart_id, title, desc, y, body)


def _track(x, y, width, height) -> str:
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 2):.1f}" height="{height:.1f}" rx="2" '
            f'fill="#f3f6f5" stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="4 2"/>')


@dataclass
class HBar:
    label: str
    value: int
    value_text: str
    target: int | None = None
    flagged: bool = False


def bar_chart(chart_id: str, title: str, desc: str, bars: list[HBar], *, target_label: str = "") -> Markup:
    """Horizontal bars, label above each bar, value at its end; a dashed red tick marks a target."""
    scale_max = max([b.value for b in bars] + [b.target or 0 for b in bars] + [1])
    room = WIDTH - 10 - max((len(b.value_text) for b in bars), default=0) * SMALL * 0.7
    body, y = [], 0.0
    if target_label and any(b.target for b in bars):
        body.append(_track(0, 3, 22, 12))
        body.append(_text(28, 14, target_label, size=SMALL, fill=MUTED))
        y += 24
    for bar in bars:
        for line in _wrap(bar.label, FONT):
            body.append(_text(0, y + 15, line))
            y += 18
        width = room * bar.value / scale_max
        end = width
        if bar.target:  # the target as an outlined track, the bar inside it
            body.append(_track(0, y + 2, room * bar.target / scale_max, 18))
            end = max(end, room * bar.target / scale_max)
        if bar.value:
            body.append(_rect(0, y + 4, max(width, 2), 14, FLAGGED if bar.flagged else BAR))
        body.append(_text(end + 6, y + 16, bar.value_text, size=SMALL, weight="bold"))
        y += 30
    return _svg(chart_id, title, desc, y, body)


@dataclass
class Series:
    label: str
    values: list[int]


def monthly_chart(chart_id: str, title: str, desc: str, month_labels: list[str],
                  year_labels: list[str], series: list[Series], *, max_text=str) -> Markup:
    """Small multiples: one row of monthly bars per stage, on a shared month axis.

    ``year_labels[i]`` is the year of month i, shown under the first labelled month of each year.
    ``max_text(value)`` words the highest value of a row (localized by the caller).
    """
    count, width = len(month_labels), WIDE
    if not count:
        return _svg(chart_id, title, desc, 10, [], width=width, natural=True)
    step = width / count
    bar_width = max(2.0, min(step * 0.7, 28))
    every = math.ceil(count / 12)  # twelve month names fit
    body, y = [], 0.0
    row_top = 0.0
    rows_height = len(series) * 64
    for i in range(count):  # faint month gridlines across every row
        if i % every == 0:
            x = i * step + step / 2
            body.append(f'<line x1="{x:.1f}" y1="18" x2="{x:.1f}" y2="{rows_height:.0f}" '
                        f'stroke="{GRID}" stroke-width="0.5"/>')
    for index, item in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        top = max(item.values + [0])
        row_top = y
        body.append(_text(0, y + 14, item.label, weight="bold"))
        if top:
            body.append(_text(width, y + 14, max_text(top), size=SMALL, anchor="end", fill=MUTED))
        base = y + 58
        for i, value in enumerate(item.values):
            if value:
                height = max(2.0, 34 * value / top)
                body.append(_rect(i * step + (step - bar_width) / 2, base - height, bar_width, height, colour))
        body.append(f'<line x1="0" y1="{base:.1f}" x2="{width}" y2="{base:.1f}" stroke="{MUTED}" stroke-width="1"/>')
        y = row_top + 64
    shown_year = ""
    for i, label in enumerate(month_labels):
        if i % every:
            continue  # only the labelled months; the year under the first labelled one of each year
        x = i * step + step / 2
        body.append(_text(_inside(x, label, SMALL, width), y + 14, label, size=SMALL, anchor="middle", fill=MUTED))
        year = year_labels[i]
        if year != shown_year:
            body.append(_text(_inside(x, year, SMALL, width), y + 28, year, size=SMALL,
                              anchor="middle", weight="bold", fill=MUTED))
            shown_year = year
    return _svg(chart_id, title, desc, y + 34, body, width=width, natural=True)
