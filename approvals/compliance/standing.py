"""What the evaluator returns: a standing, its requirement lines and exclusions."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from typing import Any

__all__ = ["Exclusion", "RequirementResult", "Standing", "Status"]


class Status(StrEnum):
    """An officer's standing for a period; compares equal to its string value."""

    EXEMPT = "exempt"
    COMPLIANT = "compliant"
    IN_PROGRESS = "in_progress"
    GRACE = "grace"
    EXTENDED = "extended"
    NON_COMPLIANT = "non_compliant"


@dataclass(frozen=True)
class RequirementResult:
    """One requirement line.

    For a ``minimum`` line, ``remaining`` is what is still missing. For a
    ``maximum`` line (an informational cap such as computer-based hours),
    ``earned`` is what the cap let count and ``remaining`` is the headroom
    left under it; such a line is always met because hours over it are
    excluded rather than failing the officer.
    """

    code: str
    label: str
    required: float
    earned: float
    remaining: float
    kind: str = "minimum"

    @property
    def met(self) -> bool:
        """True when nothing remains (always True for a cap line)."""
        return self.kind == "maximum" or self.remaining == 0


@dataclass(frozen=True)
class Exclusion:
    """Hours of one credit entry that did not count, and why.

    ``code`` is stable for programs; ``reason`` is for people.
    """

    credit_id: str | int
    hours: float
    reason: str
    code: str


@dataclass(frozen=True)
class Standing:
    """An officer's standing for one reporting period as of a date.

    ``due_date`` is the effective completion deadline (moved by a granted
    extension); ``report_by`` is the last day compliance can still be shown
    before the officer is non-compliant.
    """

    year: int
    status: Status
    due_date: date
    report_by: date
    requirements: tuple[RequirementResult, ...]
    exclusions: tuple[Exclusion, ...]

    @property
    def is_compliant(self) -> bool:
        """True when the officer owes nothing for the period (compliant or exempt)."""
        return self.status in (Status.COMPLIANT, Status.EXEMPT)

    def requirement(self, code: str) -> RequirementResult:
        """The line for requirement *code*. Raises KeyError for an unknown code."""
        for line in self.requirements:
            if line.code == code:
                return line
        raise KeyError(code)

    @property
    def missing(self) -> tuple[RequirementResult, ...]:
        """The minimum lines not yet met, in display order."""
        return tuple(line for line in self.requirements if not line.met)

    def excluded_hours(self) -> float:
        """Total hours that did not count."""
        return sum(exclusion.hours for exclusion in self.exclusions)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (dates as ISO strings) for the API."""
        return {
            "year": self.year,
            "status": str(self.status),
            "due_date": self.due_date.isoformat(),
            "report_by": self.report_by.isoformat(),
            "requirements": [asdict(line) for line in self.requirements],
            "exclusions": [asdict(exclusion) for exclusion in self.exclusions],
        }
