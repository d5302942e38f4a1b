"""Dropping hours over a cap (computer-based, college) while protecting the minimums.

The rules say how many hours of a kind may count, not which ones. Dropping
the most recent hours first would be simple but unfair: an officer with 22
computer-based elective hours who then takes a 1-hour computer-based Racial
Profiling course has 23 computer-based hours, and the selection "the Racial
Profiling hour plus 21 others" meets every requirement. So hours are dropped
in two passes:

1. *free* hours: those whose removal keeps every minimum (area, Approved
   Provider, designation) at or above what it requires, electives first;
2. only if the cap is still exceeded, the remaining hours, electives and the
   areas with the largest surplus first.

Within a pass, credits are taken in a fixed order (hours that also relieve
another over-cap pool, then non-Approved-Provider, then most recent), so the
result is deterministic. All quantities are integer half-hours.

A designation overlays hours of its entry without saying which ones, so a
trimmed entry is assumed to keep its designated hours as long as it has hours
left: ``kept = min(designated, remaining)``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .facts import CreditFact
from .standing import Exclusion

__all__ = ["MINIMUM_AREAS", "Piece", "trim_to_cap"]

# Area keys of a Piece that carry a minimum; "skill_other" (Skill Development
# other than Firearms) has none and is the first to go.
MINIMUM_AREAS = ("legal", "technical", "interpersonal", "firearms_live")


@dataclass(slots=True)
class Piece:
    """The countable part of one credit entry while caps are applied."""

    index: int
    credit: CreditFact
    approved: bool
    college: bool
    computer_based: bool
    areas: dict[str, int]
    designations: dict[str, int]
    total: int
    firearms_online: int = 0
    trimmed: int = field(default=0)

    def designation_kept(self, designation: str) -> int:
        """Designated half-hours still carried by the hours left on the entry."""
        return min(self.designations.get(designation, 0), self.total)


def _free_limit(piece: Piece, area: str, totals: dict[str, int], minima: dict[str, int]) -> int:
    limit = piece.areas[area]
    if area in minima:
        limit = min(limit, max(0, totals[area] - minima[area]))
    if piece.approved:
        limit = min(limit, max(0, totals["approved_provider"] - minima["approved_provider"]))
    for designation, designated in piece.designations.items():
        # Hours of the entry not carrying the designation can go without loss;
        # beyond them each hour removed costs one designated hour.
        undesignated = piece.total - min(designated, piece.total)
        surplus = max(0, totals[designation] - minima[designation])
        limit = min(limit, undesignated + surplus)
    return limit


def _remove(piece: Piece, area: str, amount: int, totals: dict[str, int]) -> None:
    before = {d: piece.designation_kept(d) for d in piece.designations}
    piece.areas[area] -= amount
    piece.total -= amount
    piece.trimmed += amount
    totals["total"] -= amount
    if area in totals:
        totals[area] -= amount
    if piece.approved:
        totals["approved_provider"] -= amount
    for designation, kept in before.items():
        totals[designation] -= kept - piece.designation_kept(designation)


def _area_order(totals: dict[str, int], minima: dict[str, int]) -> list[str]:
    by_surplus = sorted(MINIMUM_AREAS, key=lambda a: minima[a] - totals[a])
    return ["skill_other", *by_surplus]


def trim_to_cap(
    pieces: list[Piece],
    in_pool: Callable[[Piece], bool],
    cap: int,
    prefer: Callable[[Piece], bool],
    totals: dict[str, int],
    minima: dict[str, int],
    code: str,
    reason: str,
) -> list[Exclusion]:
    """Drop hours of the pool over *cap*; return one exclusion per trimmed entry.

    Mutates *pieces* and *totals* (the running per-requirement half-hours).
    *prefer* marks entries to trim first. Raises nothing.
    """
    pool = [p for p in pieces if in_pool(p)]
    excess = sum(p.total for p in pool) - cap
    if excess <= 0:
        return []
    pool.sort(
        key=lambda p: (
            not prefer(p),
            p.approved,
            -p.credit.completed_on.toordinal(),
            -p.index,
        )
    )
    trimmed_before = {p.index: p.trimmed for p in pool}
    for free_only in (True, False):
        for area in _area_order(totals, minima):
            for piece in pool:
                if excess == 0:
                    break
                if free_only:
                    amount = min(excess, _free_limit(piece, area, totals, minima))
                else:
                    amount = min(excess, piece.areas[area])
                if amount > 0:
                    _remove(piece, area, amount, totals)
                    excess -= amount
    return [
        Exclusion(p.credit.id, (p.trimmed - trimmed_before[p.index]) / 2, reason, code)
        for p in sorted(pool, key=lambda p: p.index)
        if p.trimmed > trimmed_before[p.index]
    ]
