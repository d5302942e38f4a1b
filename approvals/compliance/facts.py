"""Plain input facts for the compliance evaluator.

These are what the database layer (or a test) hands to
:func:`approvals.compliance.evaluate`: no ORM objects, no Flask. Structural
checks happen on construction; checks that depend on a period's rules (the
college conversion, fixed provider types) happen in the evaluator.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Mapping

__all__ = [
    "CORE_AREAS",
    "CreditFact",
    "DELIVERIES",
    "DESIGNATIONS",
    "EXTENSION_KINDS",
    "ExtensionFact",
    "InvalidFact",
    "OfficerFacts",
    "PROVIDERS",
    "SOURCES",
]

SOURCES = ("in_service", "college", "instruction", "military", "out_of_state", "federal")
PROVIDERS = ("approved_provider", "licensed_provider", "in_service")
CORE_AREAS = ("legal", "technical", "interpersonal", "skill_development")
DESIGNATIONS = ("firearms", "racial_profiling", "implicit_bias", "deescalation")
DELIVERIES = ("in_person", "computer_based")
EXTENSION_KINDS = ("medical", "military", "other")


class InvalidFact(ValueError):
    """An input fact is malformed or contradicts the period's rules."""


def half_hours(value: float, what: str) -> int:
    """*value* hours as a whole number of half-hours.

    The evaluator counts in half-hour integers so that sums and caps are
    exact. Raises :class:`InvalidFact` if *value* is negative or not a
    0.5-hour step.
    """
    doubled = value * 2
    if not math.isfinite(doubled) or value < 0 or doubled != int(doubled):
        raise InvalidFact(f"{what}: {value!r} is not a non-negative 0.5-hour step")
    return int(doubled)


def _half(value: float) -> int | None:
    """half_hours() without the message: None where half_hours would raise."""
    try:
        doubled = value * 2
        whole = int(doubled)
    except (OverflowError, ValueError, TypeError):  # inf, nan, not a number
        return None
    if doubled != whole or value < 0:
        return None
    return whole


@dataclass(frozen=True)
class OfficerFacts:
    """The officer being evaluated.

    ``commissioned`` does not change the requirement: the rules say a
    non-commissioned officer who wants to keep the license must meet it too.
    It is carried so a report can say which kind of officer it is.
    """

    license_number: str
    name: str
    licensed_on: date
    commissioned: bool = True


@dataclass(frozen=True)
class CreditFact:
    """One credit entry on an officer's transcript.

    ``hours`` is the entry's own measure: contact hours for a course, hours
    taught for ``instruction`` (converted by the instruction ratio). For
    ``college`` the evaluator converts ``semester_hours`` and requires
    ``hours`` to equal the converted value, so an entry can never be worth two
    different amounts.

    ``areas`` (core area -> hours) and ``designations`` (designation -> hours)
    are CLEE hours as credited; the areas add up to the credited value and a
    designation overlays hours of the areas (Racial Profiling, Implicit Bias
    and De-escalation are "part of the required 24 hours, not in addition to
    it"). Firearms hours are Skill Development hours.

    Raises :class:`InvalidFact` on an unknown source, provider, delivery, area
    or designation, on hours off the 0.5 grid, on a designation larger than
    the entry, on Firearms larger than Skill Development, or on a college
    entry without semester hours.
    """

    id: str | int
    hours: float
    completed_on: date
    source: str
    provider: str
    delivery: str = "in_person"
    areas: Mapping[str, float] = field(default_factory=dict)
    designations: Mapping[str, float] = field(default_factory=dict)
    semester_hours: float | None = None

    def __post_init__(self) -> None:
        # Runs for every entry of a statewide evaluation: messages are only
        # formatted on failure, and the common case is a few set lookups.
        if self.source not in _SOURCE_SET:
            raise InvalidFact(f"{self._label}: unknown source {self.source!r}; use one of {SOURCES}")
        if self.provider not in _PROVIDER_SET:
            raise InvalidFact(f"{self._label}: unknown provider {self.provider!r}; use one of {PROVIDERS}")
        if self.delivery not in _DELIVERY_SET:
            raise InvalidFact(f"{self._label}: unknown delivery {self.delivery!r}; use one of {DELIVERIES}")
        if _half(self.hours) is None:
            half_hours(self.hours, f"{self._label} hours")
        area_total = 0
        for area, hours in self.areas.items():
            if area not in _AREA_SET:
                raise InvalidFact(f"{self._label}: unknown core area {area!r}; use one of {CORE_AREAS}")
            half = _half(hours)
            if half is None:
                half = half_hours(hours, f"{self._label} {area} hours")
            area_total += half
        for designation, hours in self.designations.items():
            if designation not in _DESIGNATION_SET:
                raise InvalidFact(
                    f"{self._label}: unknown designation {designation!r}; use one of {DESIGNATIONS}"
                )
            half = _half(hours)
            if half is None:
                half = half_hours(hours, f"{self._label} {designation} hours")
            if half > area_total:
                raise InvalidFact(f"{self._label}: {designation} hours exceed the entry's hours")
        if self.designations.get("firearms", 0) > self.areas.get("skill_development", 0):
            raise InvalidFact(f"{self._label}: firearms hours exceed its Skill Development hours")
        if self.source == "college":
            if self.semester_hours is None:
                raise InvalidFact(f"{self._label}: a college entry needs semester_hours")
            half_hours(self.semester_hours, f"{self._label} semester hours")
        elif self.semester_hours is not None:
            raise InvalidFact(f"{self._label}: semester_hours is only for college entries")

    @property
    def _label(self) -> str:
        return f"credit {self.id!r}"


_SOURCE_SET = frozenset(SOURCES)
_PROVIDER_SET = frozenset(PROVIDERS)
_DELIVERY_SET = frozenset(DELIVERIES)
_AREA_SET = frozenset(CORE_AREAS)
_DESIGNATION_SET = frozenset(DESIGNATIONS)


@dataclass(frozen=True)
class ExtensionFact:
    """An extension request for the period being evaluated.

    Only a granted extension whose ``new_due_date`` is after the period's due
    date moves the deadline. Raises :class:`InvalidFact` on an unknown kind.
    """

    kind: str
    new_due_date: date
    granted: bool

    def __post_init__(self) -> None:
        if self.kind not in EXTENSION_KINDS:
            raise InvalidFact(f"unknown extension kind {self.kind!r}; use one of {EXTENSION_KINDS}")
