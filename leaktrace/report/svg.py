"""Small inline-SVG chart helpers for the HTML report.

Pure functions from data to an SVG string: no JavaScript, no external resources. Every piece
of text (release names, work titles, group names) is XML-escaped here, so callers may embed
the result as markup.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from html import escape

from leaktrace.report.data import SEVERITY_ORDER, LeakRow, WindowOpening

__all__ = [
    "SEVERITY_COLORS",
    "WINDOW_COLORS",
    "Bar",
    "bar_chart",
    "esc",
    "legend",
    "severity_color",
    "severity_segments",
    "timeline",
]

SEVERITY_COLORS: dict[str, str] = {
    "critical": "#991b1b",
    "high": "#ea580c",
    "medium": "#eab308",
    "low": "#94a3b8",
}
WINDOW_COLORS: dict[str, str] = {
    "theatrical": "#7c3aed",
    "digital": "#0284c7",
    "physical": "#b45309",
    "broadcast": "#0f766e",
}
_FALLBACK = "#64748b"
_FONT = (
    "font-family=\"Inter, 'Segoe UI', system-ui, -apple-system, Roboto, 'Helvetica Neue', "
    'Arial, sans-serif"'
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def esc(text: object) -> str:
    """XML-escape ``text`` for an SVG text node or attribute value."""
    return escape(str(text), quote=True)


def severity_color(severity: str) -> str:
    return SEVERITY_COLORS.get(severity, _FALLBACK)


def _num(value: float) -> str:
    """A compact coordinate: at most one decimal."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _svg_open(
    width: float, height: float, label: str, css_class: str, *, fluid: bool = True
) -> str:
    size = 'width="100%"' if fluid else f'width="{_num(width)}" height="{_num(height)}"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{esc(css_class)}" role="img" '
        f'aria-label="{esc(label)}" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'{size} preserveAspectRatio="xMinYMin meet" {_FONT}>'
    )


# ----------------------------------------------------------------- legend


def legend(items: Sequence[tuple[str, str]], *, width: float = 640) -> str:
    """A one-line legend of coloured dots: ``(label, colour)`` pairs."""
    parts = [_svg_open(width, 22, "legend", "legend", fluid=False)]
    x = 4.0
    for label, colour in items:
        parts.append(f'<circle cx="{_num(x + 6)}" cy="11" r="5" fill="{esc(colour)}"/>')
        parts.append(
            f'<text x="{_num(x + 16)}" y="15" font-size="12" fill="#334155">{esc(label)}</text>'
        )
        x += 30 + 6.6 * len(label)
    parts.append("</svg>")
    return "".join(parts)


# ----------------------------------------------------------------- timeline


@dataclass(frozen=True, slots=True)
class _Scale:
    start: datetime
    end: datetime
    x0: float
    x1: float

    def __call__(self, moment: datetime) -> float:
        span = (self.end - self.start).total_seconds() or 1.0
        share = (moment - self.start).total_seconds() / span
        return self.x0 + share * (self.x1 - self.x0)


def _month_ticks(start: datetime, end: datetime) -> list[datetime]:
    ticks: list[datetime] = []
    year, month = start.year, start.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        moment = datetime(year, month, 1, tzinfo=UTC)
        if moment > end:
            return ticks
        ticks.append(moment)


def _pack_rows(spans: Sequence[tuple[float, float]], gap: float = 3.0) -> list[int]:
    """Greedy interval packing: the row for each span so spans in a row do not overlap."""
    ends: list[float] = []
    rows: list[int] = []
    for left, right in spans:
        for index, end in enumerate(ends):
            if left > end + gap:
                ends[index] = right
                rows.append(index)
                break
        else:
            ends.append(right)
            rows.append(len(ends) - 1)
    return rows


def timeline(
    leaks: Sequence[LeakRow],
    openings: Sequence[WindowOpening] = (),
    *,
    width: float = 1120,
    lanes: Sequence[str] | None = None,
) -> str:
    """Leaks on a time axis, one lane per window.

    Each leak is a dot at its release time, coloured by severity, with a lead line to
    the day its window opened (a dark tick). Hovering a dot shows the release, work, window
    date and lead in its ``<title>``. An empty list gives an empty string.
    """
    if not leaks:
        return ""
    lane_names = (
        list(lanes)
        if lanes
        else list(
            dict.fromkeys(
                w
                for w in ("theatrical", "digital", "physical", "broadcast")
                if any(leak.window == w for leak in leaks)
            )
        )
    )
    for leak in leaks:
        if leak.window not in lane_names:
            lane_names.append(leak.window)
    moments = [leak.released_at for leak in leaks] + [_midnight(leak.window_date) for leak in leaks]
    start, end = min(moments), max(moments)
    pad = max(timedelta(days=3), (end - start) * 0.02)
    start, end = start - pad, end + pad
    left, right, top = 132.0, 16.0, 34.0
    scale = _Scale(start, end, left, width - right)

    by_lane: dict[str, list[LeakRow]] = {name: [] for name in lane_names}
    for leak in leaks:
        by_lane[leak.window].append(leak)

    body: list[str] = []
    y = top
    lane_boxes: list[tuple[str, float, float, int]] = []
    for index, name in enumerate(lane_names):
        rows_in = sorted(by_lane[name], key=lambda leak: (leak.released_at, leak.release))
        spans = [
            (scale(leak.released_at) - 4, scale(_midnight(leak.window_date)) + 2)
            for leak in rows_in
        ]
        row_of = _pack_rows(spans)
        count = max(row_of, default=0) + 1
        row_h = max(2.0, min(9.0, 200.0 / count))
        lane_h = max(44.0, count * row_h + 18)
        lane_boxes.append((name, y, lane_h, len(rows_in)))
        if index % 2 == 0:
            body.append(
                f'<rect x="0" y="{_num(y)}" width="{_num(width)}" '
                f'height="{_num(lane_h)}" fill="#f8fafc"/>'
            )
        radius = max(1.8, min(3.6, row_h * 0.42))
        for leak, row in zip(rows_in, row_of, strict=True):
            cy = y + 9 + row * row_h + row_h / 2
            cx = scale(leak.released_at)
            wx = scale(_midnight(leak.window_date))
            colour = severity_color(leak.severity)
            tip = (
                f"{leak.release}\n{leak.work}: {leak.window} window opened "
                f"{leak.window_date.isoformat()}\nreleased "
                f"{leak.released_at:%Y-%m-%d %H:%M} UTC, {leak.lead_days:g} days early"
                f"\n{leak.severity} · {leak.source} · {leak.group or 'no group'}"
            )
            body.append(
                f'<g class="leak sev-{esc(leak.severity)}"><title>{esc(tip)}</title>'
                f'<line x1="{_num(cx)}" y1="{_num(cy)}" x2="{_num(wx)}" y2="{_num(cy)}" '
                f'stroke="{colour}" stroke-opacity="0.45" stroke-width="1.2"/>'
                f'<line x1="{_num(wx)}" y1="{_num(cy - radius)}" x2="{_num(wx)}" '
                f'y2="{_num(cy + radius)}" stroke="#1e293b" stroke-width="1.2"/>'
                f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{_num(radius)}" fill="{colour}" '
                f'stroke="#ffffff" stroke-width="0.6"/></g>'
            )
        y += lane_h
    height = y + 8

    axis: list[str] = []
    for tick in _month_ticks(start, end):
        x = scale(tick)
        label = _MONTHS[tick.month - 1] + (f" {tick.year}" if tick.month == 1 else "")
        axis.append(
            f'<line x1="{_num(x)}" y1="{_num(top - 6)}" x2="{_num(x)}" '
            f'y2="{_num(height - 8)}" stroke="#e2e8f0" stroke-width="1"/>'
        )
        axis.append(
            f'<text x="{_num(x + 3)}" y="{_num(top - 12)}" font-size="11" '
            f'fill="#64748b">{esc(label)}</text>'
        )
    first_year = f"{start.year}" if start.month != 12 else f"{start.year + 1}"
    axis.append(
        f'<text x="{_num(left)}" y="12" font-size="11" font-weight="600" '
        f'fill="#334155">{esc(first_year)}</text>'
    )

    labels: list[str] = []
    for name, lane_y, lane_h, n in lane_boxes:
        colour = WINDOW_COLORS.get(name, _FALLBACK)
        labels.append(
            f'<rect x="0" y="{_num(lane_y)}" width="4" height="{_num(lane_h)}" fill="{colour}"/>'
        )
        labels.append(
            f'<text x="12" y="{_num(lane_y + lane_h / 2 - 2)}" font-size="13" '
            f'font-weight="600" fill="#0f172a">{esc(name.capitalize())}</text>'
        )
        labels.append(
            f'<text x="12" y="{_num(lane_y + lane_h / 2 + 13)}" font-size="11" '
            f'fill="#64748b">{n} leak{"s" if n != 1 else ""}</text>'
        )

    ticks_note = ""
    if openings:
        ticks_note = (
            f"<desc>{len(openings)} window openings broken; each lead line ends "
            f"at the day its window opened.</desc>"
        )
    return "".join(
        [
            _svg_open(width, height, "Leaks on a timeline", "chart timeline"),
            ticks_note,
            *axis,
            *body,
            *labels,
            f'<line x1="{_num(left)}" y1="{_num(top - 6)}" x2="{_num(left)}" '
            f'y2="{_num(height - 8)}" stroke="#cbd5e1"/>',
            "</svg>",
        ]
    )


# ----------------------------------------------------------------- bar charts


@dataclass(frozen=True, slots=True)
class Bar:
    """One horizontal bar: a label and stacked ``(key, value)`` segments."""

    label: str
    segments: Sequence[tuple[str, float]]
    tooltip: str = ""
    tag: str = ""
    colors: Mapping[str, str] = field(default_factory=lambda: SEVERITY_COLORS)

    @property
    def total(self) -> float:
        return sum(value for _, value in self.segments)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bar_chart(
    bars: Sequence[Bar],
    *,
    width: float = 1120,
    label_width: float = 260,
    bar_height: float = 18,
    gap: float = 7,
    unit: str = "leak",
    tag_colors: Mapping[str, str] | None = None,
) -> str:
    """Horizontal stacked bars, longest first as given. Empty input gives ''."""
    if not bars:
        return ""
    most = max(bar.total for bar in bars) or 1.0
    tag_w = 92.0 if any(bar.tag for bar in bars) else 0.0
    x0 = label_width + tag_w
    usable = width - x0 - 64
    top = 6.0
    height = top + len(bars) * (bar_height + gap) + 4
    parts = [_svg_open(width, height, f"{unit}s per item", "chart bars")]
    step = _nice_step(most)
    value = step
    while value <= most + 1e-9:
        x = x0 + usable * value / most
        parts.append(
            f'<line x1="{_num(x)}" y1="0" x2="{_num(x)}" y2="{_num(height - 4)}" stroke="#eef2f6"/>'
        )
        value += step
    chars = max(8, int(label_width / 7.0))
    for index, bar in enumerate(bars):
        y = top + index * (bar_height + gap)
        mid = y + bar_height / 2 + 4
        total = bar.total
        tip = bar.tooltip or f"{bar.label}: {total:g} {unit}{'s' if total != 1 else ''}"
        parts.append(f"<g><title>{esc(tip)}</title>")
        parts.append(
            f'<text x="{_num(label_width - 8)}" y="{_num(mid)}" font-size="12" '
            f'text-anchor="end" fill="#0f172a">{esc(_truncate(bar.label, chars))}'
            f"</text>"
        )
        if bar.tag:
            colour = (tag_colors or WINDOW_COLORS).get(bar.tag, _FALLBACK)
            parts.append(
                f'<rect x="{_num(label_width)}" y="{_num(y + 2)}" '
                f'width="{_num(tag_w - 10)}" height="{_num(bar_height - 4)}" rx="7" '
                f'fill="{colour}" fill-opacity="0.12"/>'
            )
            parts.append(
                f'<text x="{_num(label_width + (tag_w - 10) / 2)}" y="{_num(mid - 1)}" '
                f'font-size="10.5" text-anchor="middle" fill="{colour}" '
                f'font-weight="600">{esc(bar.tag)}</text>'
            )
        x = x0
        for key, amount in bar.segments:
            if amount <= 0:
                continue
            seg_w = usable * amount / most
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(seg_w, 1))}" '
                f'height="{_num(bar_height)}" fill="{esc(bar.colors.get(key, _FALLBACK))}"'
                f"><title>{esc(f'{bar.label}: {amount:g} {key}')}</title></rect>"
            )
            x += seg_w
        parts.append(
            f'<text x="{_num(x + 6)}" y="{_num(mid)}" font-size="12" '
            f'font-weight="600" fill="#334155">{total:g}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _nice_step(most: float) -> float:
    """A round grid step giving about five lines up to ``most``."""
    if most <= 0:
        return 1.0
    raw = most / 5
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return float(max(1, factor * power))
    return float(10 * power)


def severity_segments(counts: Mapping[str, int]) -> list[tuple[str, float]]:
    """Severity counts as stacked segments, gravest first."""
    return [(s, float(counts.get(s, 0))) for s in SEVERITY_ORDER if counts.get(s, 0)]
