"""The world map SVG."""

from __future__ import annotations


def test_the_map_has_no_style_attribute() -> None:
    """Pages forbid inline styles (Content-Security-Policy): the map carries none."""
    from leaktrace.infra.worldmap import world_map_svg

    svg = world_map_svg({"DE": 3, "NL": 1}, "Servers <per> country", unit="servers")
    assert " style=" not in svg and "<style" not in svg
    assert "Servers &lt;per&gt; country" in svg
