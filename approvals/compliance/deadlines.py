"""Dates and status: which extension holds, when a completion counts, and the
officer's status on a given day (see the readings in evaluator.py)."""
from __future__ import annotations

from datetime import date
from typing import Iterable

from .facts import ExtensionFact
from .rules import PeriodRules
from .standing import Status


def effective_extension(rules: PeriodRules, extensions: Iterable[ExtensionFact]) -> ExtensionFact | None:
    # An "extension" to a date on or before the due date grants nothing; of
    # several granted ones the latest date is the one the officer holds.
    best: ExtensionFact | None = None
    for extension in extensions:
        if extension.granted and extension.new_due_date > rules.due_date:
            if best is None or extension.new_due_date > best.new_due_date:
                best = extension
    return best


def status(
    exempt: bool,
    met: bool,
    as_of: date,
    due_date: date,
    report_by: date,
    extension: ExtensionFact | None,
) -> Status:
    if exempt:
        return Status.EXEMPT
    if met:
        return Status.COMPLIANT
    if as_of <= due_date:
        return Status.EXTENDED if extension else Status.IN_PROGRESS
    if as_of <= report_by:
        return Status.GRACE
    return Status.NON_COMPLIANT


def date_exclusion(
    completed_on: date,
    rules: PeriodRules,
    count_until: date,
    extension: ExtensionFact | None,
    as_of: date,
) -> tuple[str, str] | None:
    if completed_on < rules.start or completed_on > max(count_until, rules.grace_date):
        return ("outside_period", "Completed outside the reporting period")
    if completed_on > count_until:
        if extension:
            return ("after_due_date", "Completed after the extended due date")
        due = rules.due_date
        return (
            "after_due_date",
            f"Completed after the {due.day} {due:%B %Y} due date; the grace window is for "
            "showing compliance, not for completing training",
        )
    if completed_on > as_of:
        return ("not_yet_completed", "Completed after the evaluation date")
    return None
