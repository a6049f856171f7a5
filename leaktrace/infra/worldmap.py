"""An inline SVG world map shaded by a number per country, from data shipped with LeakTrace.

The outlines are world-atlas 2.0.2 ``countries-110m.json`` (TopoJSON, ISC licence,
© Michael Bostock; Natural Earth data, public domain), vendored in ``leaktrace/data/world``
with a table of ISO 3166-1 numeric codes to alpha-2 (``iso_numeric.json``). Nothing is
fetched at run time.

TopoJSON is decoded here: quantized, delta-encoded arcs are turned back into longitude and
latitude with the file's ``transform``; a negative arc index ``i`` means arc ``~i``
reversed. Rings that cross the antimeridian (Russia's Chukotka, Fiji) are unwrapped and cut
at ±180°, so each side is drawn where it belongs; Antarctica is left out. The projection is
Natural Earth I (Šavrič et al. 2011), polynomial form.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from html import escape
from importlib import resources
from typing import Any

__all__ = [
    "CountryMark",
    "CountryShape",
    "country_name",
    "country_shapes",
    "iso_table",
    "world_map_svg",
]

Point = tuple[float, float]
Ring = list[Point]

WIDTH = 960.0
SOUTH = -58.0
NORTH = 84.0
NO_DATA = "#e5e7eb"
OCEAN = "#f0f6fb"
BORDER = "#ffffff"
PALETTE = ("#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#990000")
"""ColorBrewer OrRd, light to dark (apart from the grey of no data)."""
_SKIP = {"010"}  # Antarctica
_UNNUMBERED = {"Kosovo": "XK"}
_EXTRA_NAMES = {"XK": "Kosovo"}
_MARK_ATTRIBUTE = re.compile(r"^(data-[a-z0-9]+(-[a-z0-9]+)*|aria-[a-z]+|class)$")
_OWN_ATTRIBUTES = frozenset({"data-iso", "data-value"})


@dataclass(frozen=True, slots=True)
class CountryMark:
    """What a caller adds to one country's ``<path>`` on the map: attributes (for a
    page's style sheet or script, e.g. ``{"data-state": "done"}``) and a tooltip.

    Attribute names are ``data-*``, ``aria-*`` or ``class`` (nothing that runs script or
    styles inline, nothing that replaces the map's own ``d``, ``fill``, ``data-iso`` or
    ``data-value``); values and the title are plain text, escaped by the map.
    """

    attributes: Mapping[str, str] = field(default_factory=dict)
    title: str | None = None
    """The tooltip instead of the map's ``name: value unit``."""

    def markup(self) -> str:
        """The attributes as `` name="value"`` pairs, in the order given (ValueError for
        a name not allowed)."""
        parts: list[str] = []
        for name, value in self.attributes.items():
            if not _MARK_ATTRIBUTE.match(name) or name in _OWN_ATTRIBUTES:
                raise ValueError(f"a map mark cannot set the attribute {name!r}")
            parts.append(f' {name}="{escape(str(value), quote=True)}"')
        return "".join(parts)


@dataclass(frozen=True, slots=True)
class CountryShape:
    """One country's outline: polygons of rings of (longitude, latitude)."""

    alpha2: str | None
    name: str
    polygons: tuple[tuple[Ring, ...], ...]


def _data(name: str) -> Any:
    text = resources.files("leaktrace").joinpath("data", "world", name).read_text("utf-8")
    return json.loads(text)


@cache
def iso_table() -> dict[str, tuple[str, str]]:
    """ISO 3166-1 numeric code → (alpha-2, short English name)."""
    raw = _data("iso_numeric.json")["countries"]
    return {str(k): (str(v[0]), str(v[1])) for k, v in raw.items()}


@cache
def _names_by_alpha2() -> dict[str, str]:
    names = {alpha2: name for alpha2, name in iso_table().values()}
    names.update(_EXTRA_NAMES)
    return names


def country_name(alpha2: str | None) -> str:
    """The English name of an ISO alpha-2 code (the code itself if unknown)."""
    if not alpha2:
        return "unknown"
    return _names_by_alpha2().get(alpha2.upper(), alpha2.upper())


def _decode_arcs(topology: Mapping[str, Any]) -> list[list[Point]]:
    transform = topology.get("transform")
    arcs: list[list[Point]] = []
    for arc in topology["arcs"]:
        points: list[Point] = []
        if transform:
            (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
            x = y = 0
            for qx, qy, *_ in arc:
                x += qx
                y += qy
                points.append((x * kx + dx, y * ky + dy))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(points)
    return arcs


def _ring(indices: Sequence[int], arcs: Sequence[list[Point]]) -> Ring:
    ring: Ring = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        # consecutive arcs share their end point: keep it once
        ring.extend(arc if not ring else arc[1:])
    return ring


def _unwrap(ring: Ring) -> Ring:
    """Make longitudes continuous (no 360° jumps) along the ring."""
    if not ring:
        return ring
    out: Ring = [ring[0]]
    shift = 0.0
    for (lon0, _), (lon, lat) in zip(ring, ring[1:], strict=False):
        if lon - lon0 > 180:
            shift -= 360
        elif lon - lon0 < -180:
            shift += 360
        out.append((lon + shift, lat))
    return out


def _clip(ring: Ring, limit: float, keep_below: bool) -> Ring:
    """Sutherland–Hodgman: the part of ``ring`` with longitude ≤ (or ≥) ``limit``."""

    def inside(p: Point) -> bool:
        return p[0] <= limit if keep_below else p[0] >= limit

    out: Ring = []
    for i, current in enumerate(ring):
        previous = ring[i - 1]
        if inside(current):
            if not inside(previous):
                out.append(_cross(previous, current, limit))
            out.append(current)
        elif inside(previous):
            out.append(_cross(previous, current, limit))
    return out


def _cross(a: Point, b: Point, limit: float) -> Point:
    t = (limit - a[0]) / (b[0] - a[0])
    return (limit, a[1] + t * (b[1] - a[1]))


def _split(ring: Ring) -> list[Ring]:
    """The ring cut at the antimeridian, every piece within [-180, 180]."""
    ring = _unwrap(ring)
    lons = [p[0] for p in ring]
    if not ring or (min(lons) >= -180 and max(lons) <= 180):
        return [ring]
    pieces: list[Ring] = []
    if max(lons) > 180:
        pieces.append(_clip(ring, 180, keep_below=True))
        pieces.append([(lon - 360, lat) for lon, lat in _clip(ring, 180, keep_below=False)])
    else:
        pieces.append(_clip(ring, -180, keep_below=False))
        pieces.append([(lon + 360, lat) for lon, lat in _clip(ring, -180, keep_below=True)])
    return [p for p in pieces if len(p) >= 3]


@cache
def country_shapes() -> tuple[CountryShape, ...]:
    """Every country of the shipped atlas (Antarctica left out), decoded."""
    topology = _data("countries-110m.json")
    arcs = _decode_arcs(topology)
    table = iso_table()
    shapes: list[CountryShape] = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = geometry.get("id")
        if numeric in _SKIP:
            continue
        name = str(geometry.get("properties", {}).get("name", "?"))
        alpha2 = table[numeric][0] if numeric in table else _UNNUMBERED.get(name)
        if geometry["type"] == "Polygon":
            raw = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            raw = geometry["arcs"]
        else:
            continue
        polygons: list[tuple[Ring, ...]] = []
        for polygon in raw:
            rings: list[Ring] = []
            for indices in polygon:
                rings.extend(_split(_ring(indices, arcs)))
            if rings:
                polygons.append(tuple(rings))
        label = country_name(alpha2) if alpha2 else name
        shapes.append(CountryShape(alpha2=alpha2, name=label, polygons=tuple(polygons)))
    return tuple(shapes)


def _project(lon: float, lat: float) -> Point:
    """Natural Earth I projection of degrees, in units of the sphere's radius."""
    lam = math.radians(lon)
    phi = math.radians(lat)
    p2 = phi * phi
    p4 = p2 * p2
    x = lam * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4)))
    y = phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)))
    return x, y


_X_MAX = _project(180, 0)[0]
_SCALE = WIDTH / (2 * _X_MAX)
_TOP = _project(0, NORTH)[1]
_BOTTOM = _project(0, SOUTH)[1]
HEIGHT = (_TOP - _BOTTOM) * _SCALE


def _xy(lon: float, lat: float) -> Point:
    x, y = _project(lon, lat)
    return (x + _X_MAX) * _SCALE, (_TOP - y) * _SCALE


def _path(polygons: Sequence[Sequence[Ring]]) -> str:
    parts: list[str] = []
    for polygon in polygons:
        for ring in polygon:
            points = [_xy(lon, lat) for lon, lat in ring]
            if len(points) < 3:
                continue
            head = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
            body = "".join(f"L{x:.1f},{y:.1f}" for x, y in points[1:])
            parts.append(head + body + "Z")
    return "".join(parts)


def _outline() -> str:
    east = [_xy(180, lat) for lat in range(int(NORTH), int(SOUTH) - 1, -2)]
    west = [_xy(-180, lat) for lat in range(int(SOUTH), int(NORTH) + 1, 2)]
    points = east + west
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z"


def _graticule() -> str:
    lines: list[str] = []
    for lon in range(-150, 181, 30):
        pts = [_xy(lon, lat) for lat in range(int(SOUTH), int(NORTH) + 1, 2)]
        lines.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts))
    for lat in range(-30, 81, 30):
        pts = [_xy(lon, lat) for lon in range(-180, 181, 5)]
        lines.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts))
    return "".join(lines)


def _steps(maximum: int) -> list[int]:
    """Lower bounds of the shades: 1, then log-spaced up to ``maximum``."""
    if maximum <= len(PALETTE):
        return list(range(1, maximum + 1))
    bounds = {1}
    for i in range(1, len(PALETTE)):
        bounds.add(max(1, round(math.exp(math.log(maximum) * i / len(PALETTE)))))
    return sorted(bounds)[: len(PALETTE)]


def _shade(value: int, steps: Sequence[int]) -> str:
    if value <= 0:
        return NO_DATA
    index = 0
    for i, bound in enumerate(steps):
        if value >= bound:
            index = i
    if len(steps) < len(PALETTE):  # few distinct values: spread them over the palette
        index = round(index * (len(PALETTE) - 1) / max(1, len(steps) - 1))
    return PALETTE[index]


def world_map_svg(
    values: Mapping[str, int],
    title: str,
    *,
    unit: str = "",
    marks: Mapping[str, CountryMark] | None = None,
) -> str:
    """An SVG world map, each country (ISO alpha-2 key, any case) shaded by its value.

    Self-contained markup (no script, no external resource, no ``style`` attribute, so a
    page with a Content-Security-Policy without inline styles shows it as it is: a page
    sizes it by its ``lt-world-map`` class); every text is escaped. Each country is a
    ``<path>`` with ``data-iso``, ``data-value`` and a ``<title>`` tooltip (name and
    value); countries without a value are grey. ``marks`` (ISO alpha-2 key, any case)
    adds a country's :class:`CountryMark`: its attributes after ``data-value`` and its
    title instead of the tooltip (ValueError for an attribute a mark may not set; a
    mark for a country the map does not draw is left out). A legend under the map gives
    the shades.
    """
    counts = {k.upper(): int(v) for k, v in values.items() if k and v}
    extra = {k.upper(): (mark.markup(), mark.title) for k, mark in (marks or {}).items() if k}
    maximum = max(counts.values(), default=0)
    steps = _steps(maximum)
    label = unit or "value"
    height = HEIGHT + 44
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lt-world-map" role="img" '
        f'viewBox="-2 -4 {WIDTH + 4:.0f} {height + 4:.0f}" width="100%" '
        f'font-family="system-ui,sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<path d="{_outline()}" fill="{OCEAN}" stroke="#cbd5e1" stroke-width="0.8"/>',
        f'<path d="{_graticule()}" fill="none" stroke="#dbe4ee" stroke-width="0.5"/>',
        f'<g stroke="{BORDER}" stroke-width="0.5" stroke-linejoin="round">',
    ]
    drawn: set[str] = set()
    for shape in country_shapes():
        d = _path(shape.polygons)
        if not d:
            continue
        code = shape.alpha2 or ""
        value = counts.get(code, 0)
        drawn.add(code)
        tip = f"{shape.name}: {value} {label}" if value else f"{shape.name}: none"
        attributes, mark_title = extra.get(code, ("", None)) if code else ("", None)
        if mark_title is not None:
            tip = mark_title
        out.append(
            f'<path d="{d}" fill="{_shade(value, steps)}" data-iso="{escape(code)}" '
            f'data-value="{value}"{attributes}><title>{escape(tip)}</title></path>'
        )
    out.append("</g>")
    out.append(_legend(steps, maximum, label, HEIGHT + 8))
    missing = sorted(k for k in counts if k not in drawn)
    if missing:  # too small for the 1:110m atlas (e.g. Singapore, Malta) or unknown
        text = ", ".join(f"{c} {counts[c]}" for c in missing)
        out.append(
            f'<text x="{WIDTH - 4:.0f}" y="{height - 6:.0f}" font-size="11" fill="#475569" '
            f'text-anchor="end">not on the map: {escape(text)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _legend(steps: Sequence[int], maximum: int, label: str, top: float) -> str:
    parts = [f'<g font-size="11" fill="#334155" transform="translate(8,{top:.0f})">']
    if maximum == 0:
        parts.append(f'<text x="0" y="12">no {escape(label)} located yet</text></g>')
        return "".join(parts)
    x = 0
    parts.append(f'<rect x="0" y="2" width="14" height="12" fill="{NO_DATA}"/>')
    parts.append('<text x="18" y="12">0</text>')
    x = 44
    for i, bound in enumerate(steps):
        upper = steps[i + 1] - 1 if i + 1 < len(steps) else maximum
        text = f"{bound}" if upper == bound else f"{bound}–{upper}"
        parts.append(f'<rect x="{x}" y="2" width="14" height="12" fill="{_shade(bound, steps)}"/>')
        parts.append(f'<text x="{x + 18}" y="12">{escape(text)}</text>')
        x += 30 + 7 * len(text)
    parts.append(f'<text x="{x + 6}" y="12" fill="#64748b">{escape(label)}</text></g>')
    return "".join(parts)
