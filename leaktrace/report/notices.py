"""Takedown notices in figures: time to takedown per provider and per country (median
and 90th percentile, in hours), the share of locations removed, repeat offenders; and
their chart (server-side SVG, every outside text escaped, every number written).

The figures are over the locations of notices that were sent, counted once per notice
CHAIN (:mod:`leaktrace.store.notice_figures`): a re-notice repeats locations of the notice
before it, so each (first notice, URL) is one location, with what became of it in the
latest notice that lists it. A location counts as removed when that status is
``removed`` and LeakTrace has not seen it again since that notice was sent (seen again:
not removed, whatever the provider said). Time to takedown is from the FIRST notice's
``sent_at`` to the location's ``removed_at``, over removed locations: a re-notice does
not restart the clock. A provider's or country's ``notices`` are first notices (a
re-notice counts with the notice it repeats); the overall ``sent`` counts every notice
sent. Repeat offenders are hosts with locations in two first notices or more, or with a
location seen again after a notice. The median and the 90th percentile interpolate
linearly between the two nearest values (numpy's default; :mod:`leaktrace.notices.stats`).

Used by ``leaktrace notices stats`` (:mod:`leaktrace.services.notice_stats`) and the
"Takedown notices" section of the HTML leak report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from sqlalchemy.engine import Connection

from leaktrace.notices.stats import hours_between, median, percentile
from leaktrace.store.notice_figures import ALL_AGENCIES, LocationOutcome, figure_rows

__all__ = [
    "UNKNOWN_COUNTRY",
    "NoticeFigures",
    "RepeatOffender",
    "TakedownFigure",
    "gather_notice_figures",
    "notice_figures",
    "takedown_chart",
]

UNKNOWN_COUNTRY = "??"
"""The country of a location whose recipient and host have none."""
STATUS_ORDER = ("drafted", "sent", "acknowledged", "removed", "rejected", "no-response")


@dataclass(frozen=True, slots=True)
class TakedownFigure:
    key: str
    notices: int
    locations: int
    removed: int
    removed_share: float
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True, slots=True)
class RepeatOffender:
    host: str
    recipient: str | None
    notices: int
    locations: int
    seen_again: int


@dataclass(frozen=True, slots=True)
class NoticeFigures:
    notices: int
    sent: int
    locations: int
    removed: int
    removed_share: float
    median_hours: float | None
    p90_hours: float | None
    by_status: dict[str, int]
    by_provider: tuple[TakedownFigure, ...]
    by_country: tuple[TakedownFigure, ...]
    repeat_offenders: tuple[RepeatOffender, ...]


def is_removed(row: LocationOutcome) -> bool:
    """Removed, and not seen again since."""
    return row.status == "removed" and row.seen_again_at is None


def _hours(row: LocationOutcome) -> float | None:
    if not is_removed(row) or row.removed_at is None:
        return None
    return max(0.0, hours_between(row.sent_at, row.removed_at))


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _figure(key: str, rows: Sequence[LocationOutcome]) -> TakedownFigure:
    hours = [h for h in (_hours(r) for r in rows) if h is not None]
    removed = sum(1 for r in rows if is_removed(r))
    return TakedownFigure(
        key=key,
        notices=len({r.root_id for r in rows}),
        locations=len(rows),
        removed=removed,
        removed_share=_share(removed, len(rows)),
        median_hours=_round(median(hours)),
        p90_hours=_round(percentile(hours, 90)),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _grouped(rows: Sequence[LocationOutcome], key: str) -> tuple[TakedownFigure, ...]:
    groups: dict[str, list[LocationOutcome]] = defaultdict(list)
    for row in rows:
        if key == "provider":
            groups[row.provider].append(row)
        else:
            groups[row.recipient_country or row.host_country or UNKNOWN_COUNTRY].append(row)
    figures = [_figure(k, v) for k, v in groups.items()]  # most locations first, unknown last
    return tuple(sorted(figures, key=lambda f: (f.key == UNKNOWN_COUNTRY, -f.locations, f.key)))


def _offenders(rows: Sequence[LocationOutcome]) -> tuple[RepeatOffender, ...]:
    """Hosts with locations in two first notices or more, or a location seen again; a
    re-notice of the same location makes no host a repeat offender by itself."""
    by_host: dict[str, list[LocationOutcome]] = defaultdict(list)
    for row in rows:
        by_host[row.host].append(row)
    out = []
    for host, found in by_host.items():
        notices = len({r.root_id for r in found})
        seen_again = len({r.url for r in found if r.seen_again})
        if notices >= 2 or seen_again:
            latest = max(found, key=lambda r: r.notice_id)
            out.append(
                RepeatOffender(
                    host=host,
                    recipient=latest.provider,
                    notices=notices,
                    locations=len({r.url for r in found}),
                    seen_again=seen_again,
                )
            )
    return tuple(sorted(out, key=lambda o: (-o.seen_again, -o.notices, -o.locations, o.host)))


def notice_figures(
    by_status: Mapping[str, int], rows: Sequence[LocationOutcome], *, sent: int
) -> NoticeFigures:
    """The figures of ``rows`` (one per location of a sent notice chain), the notices'
    counts by status and how many were ``sent`` (pure)."""
    whole = _figure("all", rows)
    ordered = {s: int(by_status.get(s, 0)) for s in STATUS_ORDER}
    ordered.update({s: int(n) for s, n in sorted(by_status.items()) if s not in ordered})
    return NoticeFigures(
        notices=sum(ordered.values()),
        sent=sent,
        locations=whole.locations,
        removed=whole.removed,
        removed_share=whole.removed_share,
        median_hours=whole.median_hours,
        p90_hours=whole.p90_hours,
        by_status=ordered,
        by_provider=_grouped(rows, "provider"),
        by_country=_grouped(rows, "country"),
        repeat_offenders=_offenders(rows),
    )


def gather_notice_figures(
    conn: Connection, *, agency: int | None = ALL_AGENCIES, since: datetime | None = None
) -> NoticeFigures:
    """The figures of the notices ``agency`` sees (default: all); with ``since``, of
    the notices sent at or after it (time to takedown: of the notice chains whose first
    notice was)."""
    found = figure_rows(conn, agency, since=since)
    return notice_figures(found.by_status, found.rows, sent=found.sent)


# ----------------------------------------------------------------- chart

_MEDIAN = "#1d4ed8"
_P90 = "#93c5fd"
_FONT = (
    "font-family=\"Inter, 'Segoe UI', system-ui, -apple-system, Roboto, 'Helvetica Neue', "
    'Arial, sans-serif"'
)


def esc(text: object) -> str:
    """XML-escape ``text`` for an SVG text node or attribute value."""
    return escape(str(text), quote=True)


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _h(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f} h"


def takedown_chart(
    figures: Sequence[TakedownFigure], *, title: str, width: float = 1120, limit: int = 20
) -> str:
    """Horizontal bars of time to takedown: the median (dark) and the 90th percentile
    (light), with the numbers and the share removed written beside each bar (never
    colour alone). '' when there is nothing to show."""
    shown = list(figures[:limit])
    if not shown:
        return ""
    label_w, note_w, bar_h, gap, top = 240.0, 330.0, 18.0, 8.0, 24.0
    usable = width - label_w - note_w - 16
    most = max(max(f.p90_hours or 0.0, f.median_hours or 0.0) for f in shown) or 1.0
    height = top + len(shown) * (bar_h + gap) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart takedown" role="img" '
        f'aria-label="{esc(title)}" viewBox="0 0 {_n(width)} {_n(height)}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" {_FONT}>',
        f"<title>{esc(title)}</title>",
        f'<rect x="{_n(label_w)}" y="4" width="12" height="10" fill="{_MEDIAN}"/>'
        f'<text x="{_n(label_w + 16)}" y="13" font-size="11" fill="#334155">median hours</text>'
        f'<rect x="{_n(label_w + 120)}" y="4" width="12" height="10" fill="{_P90}"/>'
        f'<text x="{_n(label_w + 136)}" y="13" font-size="11" fill="#334155">'
        f"90th percentile hours</text>",
    ]
    for index, f in enumerate(shown):
        y = top + index * (bar_h + gap)
        mid = y + bar_h / 2 + 4
        note = (
            f"median {_h(f.median_hours)} · p90 {_h(f.p90_hours)} · "
            f"{f.removed}/{f.locations} removed ({f.removed_share * 100:.0f}%)"
        )
        label = f.key if len(f.key) <= 34 else f.key[:33] + "…"
        parts.append(f"<g><title>{esc(f'{f.key}: {note}')}</title>")
        parts.append(
            f'<text x="{_n(label_w - 8)}" y="{_n(mid)}" font-size="12" text-anchor="end" '
            f'fill="#0f172a">{esc(label)}</text>'
        )
        if f.p90_hours is not None:
            parts.append(
                f'<rect x="{_n(label_w)}" y="{_n(y)}" '
                f'width="{_n(max(1.0, usable * f.p90_hours / most))}" height="{_n(bar_h)}" '
                f'fill="{_P90}"/>'
            )
        if f.median_hours is not None:
            parts.append(
                f'<rect x="{_n(label_w)}" y="{_n(y + 4)}" '
                f'width="{_n(max(1.0, usable * f.median_hours / most))}" '
                f'height="{_n(bar_h - 8)}" fill="{_MEDIAN}"/>'
            )
        parts.append(
            f'<text x="{_n(width - note_w)}" y="{_n(mid)}" font-size="12" fill="#334155">'
            f"{esc(note)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
