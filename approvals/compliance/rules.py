"""The rules of a CLEE reporting period, as data.

A reporting period is a calendar year. Every number and date the evaluator
uses lives in a frozen :class:`PeriodRules`, so a later year can be given its
own rules (or the rules can be stored in a database table through
:meth:`PeriodRules.to_dict` / :meth:`PeriodRules.from_dict`) without touching
the evaluator.

Source: POST's statement of the 2023 requirements
(``/work/shared/domain/clee-2023-requirements.txt``).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

__all__ = [
    "PeriodRules",
    "RULES_2023",
    "RULES_BY_YEAR",
    "UnknownPeriod",
    "redate",
    "rules_for_year",
]


class UnknownPeriod(LookupError):
    """No rules are known for the requested reporting year."""


@dataclass(frozen=True)
class PeriodRules:
    """Everything the evaluator needs to know about one reporting period.

    Hours are floats in 0.5-hour steps. ``fixed_providers`` pairs a credit
    source with the provider type the rules give it whatever the entry says
    (college credit *is* Approved-Provider credit; military training *is*
    Licensed-Provider credit).

    ``counts_completions_in_grace`` decides whether training completed after
    ``due_date`` but on or before ``grace_date`` counts toward this period.
    For 2023 it is False: the text says officers "must obtain 24 hours ... by
    Dec. 31, 2023" and that officers who fail to *show* compliance by
    15 March 2024 may have their license made inactive. 15 March is the
    deadline for the record to show compliance (late entries, POST's own
    data entry of college credit), not a second window to take training.
    A granted extension is the one way to count later completions.

    Raises ValueError when the dates are out of order or an hour figure is
    not a non-negative 0.5-hour step.
    """

    year: int
    start: date
    end: date
    due_date: date
    grace_date: date
    # Officers licensed on or after this date are exempt for the period.
    required_if_licensed_before: date
    total_hours: float = 24.0
    approved_provider_min: float = 8.0
    legal_min: float = 2.0
    technical_min: float = 2.0
    interpersonal_min: float = 2.0
    firearms_live_min: float = 2.0
    racial_profiling_min: float = 1.0
    implicit_bias_min: float = 1.0
    deescalation_min: float = 1.0
    computer_based_max: float = 22.0
    college_hours_per_semester_hour: float = 2.0
    college_max: float = 8.0
    instruction_credit_ratio: float = 1.0
    counts_completions_in_grace: bool = False
    fixed_providers: tuple[tuple[str, str], ...] = (
        ("college", "approved_provider"),
        ("military", "licensed_provider"),
    )

    def __post_init__(self) -> None:
        if not self.start <= self.end <= self.due_date <= self.grace_date:
            raise ValueError(
                f"PeriodRules {self.year}: dates must satisfy start <= end <= due_date <= grace_date"
            )
        for name in _HOUR_FIELDS:
            value = getattr(self, name)
            # The evaluator counts in whole half-hours; a rule off that grid
            # could never be met exactly.
            if value < 0 or value * 2 != int(value * 2):
                raise ValueError(f"PeriodRules {self.year}: {name}={value!r} is not a 0.5-hour step")

    def fixed_provider(self, source: str) -> str | None:
        """The provider type the rules impose on *source*, or None if the entry decides."""
        for src, provider in self.fixed_providers:
            if src == source:
                return provider
        return None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (dates as ISO strings); inverse of :meth:`from_dict`."""
        out: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, date):
                value = value.isoformat()
            elif field.name == "fixed_providers":
                value = {src: provider for src, provider in value}
            out[field.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PeriodRules:
        """Rebuild rules from :meth:`to_dict` output.

        Raises ValueError (or TypeError for unknown keys) on malformed data.
        """
        kwargs: dict[str, Any] = dict(data)
        for field in dataclasses.fields(cls):
            if field.name not in kwargs:
                continue
            if field.type in ("date", date):
                kwargs[field.name] = date.fromisoformat(kwargs[field.name])
            elif field.name == "fixed_providers":
                kwargs[field.name] = tuple(dict(kwargs[field.name]).items())
            elif field.name == "year":
                kwargs[field.name] = int(kwargs[field.name])
        return cls(**kwargs)


_HOUR_FIELDS = (
    "total_hours",
    "approved_provider_min",
    "legal_min",
    "technical_min",
    "interpersonal_min",
    "firearms_live_min",
    "racial_profiling_min",
    "implicit_bias_min",
    "deescalation_min",
    "computer_based_max",
    "college_max",
)


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def redate(rules: PeriodRules, year: int) -> PeriodRules:
    """The same rules moved to reporting *year*, every date shifted by whole years.

    Raises nothing for valid rules.
    """
    shift = year - rules.year
    return dataclasses.replace(
        rules,
        year=year,
        start=_shift_year(rules.start, shift),
        end=_shift_year(rules.end, shift),
        due_date=_shift_year(rules.due_date, shift),
        grace_date=_shift_year(rules.grace_date, shift),
        required_if_licensed_before=_shift_year(rules.required_if_licensed_before, shift),
    )


RULES_2023 = PeriodRules(
    year=2023,
    start=date(2023, 1, 1),
    end=date(2023, 12, 31),
    due_date=date(2023, 12, 31),
    grace_date=date(2024, 3, 15),
    required_if_licensed_before=date(2023, 1, 1),
)

# Years with rules of their own. A year missing here inherits the rules of the
# nearest earlier year present, re-dated: POST has kept the 2022 shape for 2023
# and the product must keep working on 1 January without a deploy.
RULES_BY_YEAR: dict[int, PeriodRules] = {2023: RULES_2023}


def rules_for_year(year: int, registry: Mapping[int, PeriodRules] | None = None) -> PeriodRules:
    """The rules of reporting *year*.

    A year in the registry (default :data:`RULES_BY_YEAR`) gets its own
    rules; a later year gets the nearest earlier registered rules re-dated.
    Raises :class:`UnknownPeriod` for a year before every registered year,
    and for one whose dates a calendar cannot hold (the grace date of 9999
    falls in year 10000).
    """
    table = RULES_BY_YEAR if registry is None else registry
    if year in table:
        return table[year]
    earlier = [y for y in table if y < year]
    if not earlier:
        raise UnknownPeriod(f"No CLEE rules are known for {year}.")
    try:
        return redate(table[max(earlier)], year)
    except (ValueError, OverflowError):
        raise UnknownPeriod(f"No CLEE rules are known for {year}.") from None
