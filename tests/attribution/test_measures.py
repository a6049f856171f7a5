"""The pure measures: NFO similarity, trackers, follower timing, first-to-release, profiles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leaktrace.attribution import nfo, profile, swarm, timing
from tests.attribution.scenario import ART, CAM_ART


def _t(hours: float) -> datetime:
    return datetime(2020, 1, 1, tzinfo=UTC) + timedelta(hours=hours)


# ----------------------------------------------------------------- NFO


def test_shingles_ignore_whitespace_runs_and_case() -> None:
    assert nfo.normalize_nfo("  A\t\tB \r\n\n c  ") == "a b c"
    assert nfo.shingles("abc  def") == nfo.shingles("ABC\n\ndef")
    assert nfo.shingles("abcdef", 5) == frozenset({"abcde", "bcdef"})
    assert nfo.shingles("") == frozenset()


def test_jaccard() -> None:
    assert nfo.jaccard(frozenset("ab"), frozenset("bc")) == pytest.approx(1 / 3)
    assert nfo.jaccard(frozenset(), frozenset()) == 0.0


def test_same_art_is_similar_even_rewrapped_different_art_is_not() -> None:
    a = ART + "\nrelease: Some.Film.2019.1080p.BluRay.x264-SPARKS\n"
    b = ART.replace("\n", "\n   ") + "\nrelease: Other.Film.2020.720p.BluRay.x264-SPRKS\n"
    c = CAM_ART + "\nrelease: Cam.Film.2020.HDCAM.x264-CAMZ\n"
    sa, sb, sc = nfo.shingles(a), nfo.shingles(b), nfo.shingles(c)
    assert nfo.jaccard(sa, sb) > 0.7
    assert nfo.jaccard(sa, sc) < 0.1
    found = nfo.similar_pairs({1: a, 2: b, 3: c, 4: a}, {1: "x", 2: "y", 3: "z", 4: "x"})
    pairs = {(m.left, m.right) for m in found}
    assert pairs == {(1, 2), (2, 4)}  # 1 and 4 share an owner; 3 matches nothing
    assert all(m.similarity >= nfo.DEFAULT_THRESHOLD for m in found)


def test_short_nfos_are_not_compared() -> None:
    assert nfo.similar_pairs({1: "tiny nfo", 2: "tiny nfo"}, {1: "a", 2: "b"}) == []


def test_minhash_candidates_find_similar_and_skip_same_owner() -> None:
    a = nfo.shingles(ART + "one")
    b = nfo.shingles(ART + "two")
    sigs = {1: nfo.signature(a), 2: nfo.signature(b), 3: nfo.signature(nfo.shingles(CAM_ART))}
    assert (1, 2) in nfo.candidate_pairs(sigs)
    assert nfo.candidate_pairs(sigs, {1: "g", 2: "g", 3: "h"}) <= {(1, 3), (2, 3)}


# ----------------------------------------------------------------- trackers


def test_endpoint_keeps_host_and_unusual_port() -> None:
    assert swarm.endpoint("udp://Tracker.Example.org:1337/announce") == "tracker.example.org:1337"
    assert swarm.endpoint("https://seed.example/x/y") == "seed.example"
    assert swarm.endpoint("http://seed.example:80/x") == "seed.example"
    assert swarm.endpoint("not a url") is None
    assert swarm.endpoint("http://[broken/announce") is None


def test_endpoints_from_extra_reads_attrs_and_magnet() -> None:
    extra = (
        '{"attrs": {"trackers": "udp://a.example:80/announce http://b.example/ann", '
        '"web_seeds": "https://ws.example/f", "magneturl": "magnet:?xt=urn:btih:'
        + "a" * 40
        + '&tr=http%3A%2F%2Fc.example%2Fannounce&ws=https%3A%2F%2Fws2.example%2Ff"}}'
    )
    got = swarm.endpoints_from_extra(extra, "https://ws3.example/x", "torrent")
    assert got.trackers == {"a.example:80", "b.example", "c.example"}
    assert got.web_seeds == {"ws.example", "ws2.example", "ws3.example"}
    assert swarm.endpoints_from_extra("{not json", None).labelled == set()
    assert swarm.endpoints_from_extra(None, "https://x.example", "predb").labelled == set()


def test_common_endpoints_by_share_and_known_list() -> None:
    def s(*trackers: str) -> swarm.SwarmSet:
        return swarm.SwarmSet(set(trackers), set())

    sets = {
        "a": s("big.example", "priv.example", "tracker.opentrackr.org:1337"),
        "b": s("big.example", "priv.example"),
        "c": s("big.example"),
        "d": s("other.example"),
    }
    common = swarm.common_endpoints(sets)
    assert "tracker big.example" in common  # 3 of 4 groups
    assert "tracker priv.example" not in common  # two groups sharing one is evidence
    assert "tracker tracker.opentrackr.org:1337" in common  # a known open tracker
    assert swarm.jaccard({"x", "y"}, {"y"}) == 0.5
    assert swarm.jaccard(set(), set()) == 0.0


# ----------------------------------------------------------------- timing


def test_title_key() -> None:
    assert timing.title_key("dune-2021", "whatever", 2021, None, None) == "w:dune-2021"
    assert timing.title_key(None, "The Office!", 2005, 4, 3) == "t:the office:2005:s4e3"
    assert timing.title_key(None, None, None, None, None) is None


def test_first_to_release_counts_margins_and_ties() -> None:
    earliest = timing.earliest_by_title(
        [
            ("a", "x", _t(0)),
            ("b", "x", _t(5)),
            ("c", "x", _t(2)),
            ("a", "y", _t(10)),
            ("b", "y", _t(9)),
            ("a", "z", _t(20)),  # nobody else: not contested
            ("a", "w", _t(30)),
            ("b", "w", _t(30)),  # a tie is not "first"
        ]
    )
    stats = timing.first_to_release(earliest, "a")
    assert (stats.titles, stats.contested, stats.first) == (4, 3, 1)
    assert stats.margins_hours == (2.0,)
    assert stats.rate == pytest.approx(1 / 3)
    assert timing.first_to_release(earliest, "nobody").rate is None


# ----------------------------------------------------------------- profiles and renames


def _releases(
    start: datetime, n: int, hour: int, source: str, lead: float | None
) -> list[profile.ProfileRelease]:
    return [
        profile.ProfileRelease(
            released_at=(start + timedelta(days=7 * i)).replace(hour=hour),
            source=source,
            resolution="1080p",
            codec="h264",
            kind="movie",
            matched=i % 2 == 0,
            lead_days=lead if i % 2 == 0 else None,
        )
        for i in range(n)
    ]


def test_rename_candidates_are_conservative() -> None:
    t0 = datetime(2020, 1, 1, tzinfo=UTC)
    old = profile.build_profile("old", _releases(t0, 10, 3, "bluray", 4.0))
    new = profile.build_profile("new", _releases(t0 + timedelta(days=80), 10, 3, "bluray", 4.5))
    cam = profile.build_profile("cam", _releases(t0 + timedelta(days=80), 10, 21, "cam", None))
    thin = profile.build_profile("thin", _releases(t0 + timedelta(days=80), 3, 3, "bluray", 4.0))
    later = profile.build_profile(
        "later", _releases(t0 + timedelta(days=400), 10, 3, "bluray", 4.0)
    )
    found = profile.rename_candidates([old, new, cam, thin, later])
    assert [(c.old, c.new) for c in found] == [("old", "new")]
    cand = found[0]
    assert cand.similarity > 0.95 and cand.overlap == 0.0
    assert cand.gap_days == pytest.approx(80 - 63, abs=0.1)
    assert cand.strength == pytest.approx(cand.similarity)  # gap under 30 days
    # the same habits at the same time is two groups, not one renamed
    same_time = profile.build_profile("same", _releases(t0 + timedelta(days=3), 10, 3, "bluray", 4))
    assert profile.rename_candidates([old, same_time]) == []
    sim, parts = profile.profile_similarity(old, cam)
    assert sim < 0.5 and parts["sources"] == 0.0


def test_gap_factor_and_cosine() -> None:
    assert profile.gap_factor(10) == 1.0
    assert profile.gap_factor(120) == pytest.approx(0.5)
    assert profile.gap_factor(121) == 0.0
    assert profile.cosine({"a": 1.0}, {"a": 2.0}) == pytest.approx(1.0)
    assert profile.cosine({"a": 1.0}, {"b": 1.0}) == 0.0
    assert profile.cosine({}, {"b": 1.0}) == 0.0
