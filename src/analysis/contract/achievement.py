"""Degree of achievement of a goal, in percent, the way the documents compute it.

higher_is_better: 100 * result / target; lower_is_better: 100 * target / result (Peine prints
4.508 against a target of 4.800 for a reduction as 106 %). 100 means met exactly.
"""
from __future__ import annotations

import math


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def percent(target, result, direction: str) -> float | None:
    """Unrounded degree of achievement, or None when a figure is missing or zero, or the goal
    has no direction."""
    if _missing(target) or _missing(result):
        return None
    if direction == "higher_is_better":
        return None if target == 0 else 100.0 * result / target
    if direction == "lower_is_better":
        return None if result == 0 else 100.0 * target / result
    return None


def stored(target, result, direction: str) -> float | None:
    """`percent` rounded to 6 decimals, as the tables store it (stable through a CSV round-trip)."""
    value = percent(target, result, direction)
    return None if value is None else round(value, 6)
