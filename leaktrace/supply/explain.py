"""Plain words for the numbers of a ranking: odds, ratios and percentages people can read."""

from __future__ import annotations

import math

__all__ = ["about_number", "chance_words", "percent", "posterior_words", "ratio_words"]

_WORDS = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand"))


def about_number(value: float) -> str:
    """A positive number to two significant figures, with words for the big ones:
    ``21727208`` → ``"22 million"``; beyond a thousand trillion, a power of ten."""
    if not math.isfinite(value) or value >= 1e15:
        exponent = 15 if not math.isfinite(value) else int(math.floor(math.log10(value)))
        return f"10^{exponent}"
    if value < 1:
        return f"{value:.2g}"
    for scale, word in _WORDS:
        if value >= scale:
            return f"{_two_figures(value / scale)} {word}"
    return _two_figures(value)


def _two_figures(value: float) -> str:
    text = f"{float(f'{value:.2g}'):f}".rstrip("0").rstrip(".")
    return text


def chance_words(probability: float) -> str:
    """``"about 1 in 22 million"``, or a percentage when it is not small."""
    if probability <= 0.0:
        return "practically zero"
    if probability >= 0.01:
        return f"about {percent(probability)}"
    return f"about 1 in {about_number(1.0 / probability)}"


def ratio_words(log10_ratio: float) -> str:
    """How a likelihood ratio compares the hypotheses, in words."""
    if abs(log10_ratio) < 0.05:
        return "about as likely"
    if log10_ratio > 0:
        return f"about {about_number(10.0**log10_ratio)} times more likely"
    return f"about {about_number(10.0 ** (-log10_ratio))} times less likely"


def percent(probability: float) -> str:
    """A probability as a percentage with sensible precision, never a false 0% or 100%."""
    value = probability * 100.0
    if value >= 99.95:
        return "more than 99.9%" if probability < 1.0 else "100%"
    if 0.0 < value < 0.1:
        return "less than 0.1%"
    if value >= 10.0 and abs(value - round(value)) < 0.05:
        return f"{round(value)}%"
    return f"{value:.1f}%"


def posterior_words(posterior: float) -> str:
    """A posterior as a percentage that is never 0% or 100%: every hypothesis has a prior
    strictly between 0 and 1, so a posterior of exactly 1.0 or 0.0 is floating-point
    rounding of overwhelming evidence, said 'more than 99.9%' or 'less than 0.1%'."""
    return percent(min(max(posterior, 1e-9), 1.0 - 1e-9))
