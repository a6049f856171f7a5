"""Release names for the demo: scene names (``Title.Year.PARTS-GROUP``) and the looser
styles P2P groups use (brackets, lower case, spaced ...)."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["p2p_name", "scene_name", "title_words"]


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def title_words(title: str) -> list[str]:
    """Title words as scene names spell them: ASCII, & as 'and', no punctuation."""
    text = _ascii(title).replace("&", " and ").replace("'", "")
    return [w for w in re.split(r"[^A-Za-z0-9]+", text) if w]


def scene_name(title: str, year: int | None, *parts: str | None, group: str) -> str:
    """``Title.Year.PART.PART-GROUP`` (parts that are None are left out)."""
    tokens = title_words(title) + ([str(year)] if year is not None else [])
    tokens += [p for p in parts if p]
    return ".".join(tokens) + "-" + group


def p2p_name(style: str, title: str, year: int, res: str, source: str, group: str) -> str:
    """A P2P name in one of the loose styles (brackets, lower case, spaced ...)."""
    words = title_words(title)
    if style == "brackets":
        src = {"BluRay": "BluRay", "WEB-DL": "WEBRip", "BDRip": "BluRay"}.get(source, source)
        extra = "[x265] [10bit] " if res == "2160p" else ""
        return f"{' '.join(words)} ({year}) [{res}] [{src}] {extra}[5.1] [{group}]"
    if style == "lower":
        src = {"WEB-DL": "webrip"}.get(source, source.lower())
        return ".".join([*(w.lower() for w in words), str(year), res, src, "x265"]) + f"-{group}"
    if style == "spaced":
        src = {"WEB-DL": "WEBRip"}.get(source, source)
        return f"{' '.join(words)} {year} {res} {src} x265 HEVC 10bit AAC 5.1-{group}"
    if style == "brrip":
        src = {"BluRay": "BRRip", "WEB-DL": "WEBRip"}.get(source, source)
        return scene_name(title, year, res, src, "x264", "AAC", group=group)
    src = {"WEB-DL": "WEBRip"}.get(source, source)
    return scene_name(title, year, res, src, "10bit", "x265", group=group)
