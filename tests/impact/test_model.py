from __future__ import annotations

import pytest

from leaktrace.impact.model import DEFAULT_ASSUMPTIONS, Assumptions, Range, estimate, parse_range


def test_defaults_are_the_cited_figures() -> None:
    a = DEFAULT_ASSUMPTIONS
    assert (a.displacement.low, a.displacement.high) == (0.20, 0.40)  # Ecorys 2017
    assert a.pre_release_uplift.central == pytest.approx(0.191)  # Ma et al. 2014
    shown = a.as_dict()
    assert "Ecorys" in shown["displacement"]["source"]
    assert "Information Systems Research" in shown["pre_release_uplift"]["source"]
    for name in ("displacement", "price", "coverage", "finish_share", "pre_release_uplift"):
        assert {"low", "central", "high", "source"} <= set(shown[name])


def test_estimate_is_a_range_with_the_documented_formula() -> None:
    a = Assumptions(sketch_sigmas=0.0)
    result = estimate(1000, 400, a)
    # observed: completed + share x incomplete
    assert result.observed_downloads == Range(400, 700, 1000)
    # divided by coverage (low uses the highest coverage)
    assert result.downloads == Range(400 / 1.0, 700 / 0.5, 1000 / 0.25)
    assert result.losses.low == pytest.approx(400 * 0.2 * 4.0)
    assert result.losses.central == pytest.approx(1400 * 0.3 * 6.0)
    assert result.losses.high == pytest.approx(4000 * 0.4 * 8.0)
    assert result.losses.low < result.losses.central < result.losses.high


def test_overrides_change_the_result() -> None:
    a = DEFAULT_ASSUMPTIONS.with_overrides(
        displacement=Range.exact(0.3),
        price=Range.exact(5.99),
        coverage=Range.exact(0.5),
        finish_share=Range.exact(1.0),
        sketch_sigmas=0.0,
    )
    result = estimate(100, 10, a)
    assert result.downloads == Range.exact(200)
    assert result.losses.central == pytest.approx(200 * 0.3 * 5.99)
    assert result.losses.low == result.losses.high == result.losses.central


def test_pre_release_uplift() -> None:
    a = Assumptions(sketch_sigmas=0.0)
    plain = estimate(100, 50, a)
    leak = estimate(100, 50, a, pre_release=True)
    assert leak.losses.central == pytest.approx(plain.losses.central * 1.191)
    off = estimate(100, 50, a.with_overrides(apply_uplift=False), pre_release=True)
    assert off.losses == plain.losses


def test_sketch_error_widens_the_range() -> None:
    narrow = estimate(1000, 1000, Assumptions(sketch_sigmas=0.0))
    wide = estimate(1000, 1000, Assumptions(), relative_error=0.01)
    assert wide.observed_downloads.low == pytest.approx(980)
    assert wide.observed_downloads.high == pytest.approx(1020)
    assert wide.observed_downloads.central == narrow.observed_downloads.central


def test_parse_range() -> None:
    assert parse_range("0.3") == Range.exact(0.3)
    middle = parse_range("0.2:0.4")
    assert (middle.low, middle.high) == (0.2, 0.4) and middle.central == pytest.approx(0.3)
    assert parse_range("1:2:5") == Range(1, 2, 5)
    for bad in ("", "a", "0.4:0.2", "1:2:3:4", "-1", "nan", "2"):
        with pytest.raises(ValueError):
            parse_range(bad, maximum=1.0)
