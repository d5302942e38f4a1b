"""The compliance evaluator as it was before it was made faster (commit 0e566f3), kept as a test oracle.

tests/test_compliance_fast_path.py checks that approvals.compliance.evaluate returns exactly what
this version returned on thousands of random officers. Change both together if a rule changes.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

from approvals.compliance.caps import MINIMUM_AREAS, Piece, trim_to_cap
from approvals.compliance.facts import CreditFact, ExtensionFact, InvalidFact, OfficerFacts, half_hours
from approvals.compliance.rules import PeriodRules
from approvals.compliance.standing import Exclusion, RequirementResult, Standing, Status

__all__ = ["evaluate"]

# (code, label, PeriodRules attribute) in display order.
_MINIMUMS: tuple[tuple[str, str, str], ...] = (
    ("total", "Total CLEE hours", "total_hours"),
    ("approved_provider", "Hours from an Approved Provider", "approved_provider_min"),
    ("legal", "Legal Studies", "legal_min"),
    ("technical", "Technical Studies", "technical_min"),
    ("interpersonal", "Interpersonal Perspectives", "interpersonal_min"),
    ("firearms_live", "Skill Development - Firearms (live, hands-on)", "firearms_live_min"),
    ("racial_profiling", "Racial Profiling", "racial_profiling_min"),
    ("implicit_bias", "Implicit Bias", "implicit_bias_min"),
    ("deescalation", "De-escalation", "deescalation_min"),
)
_DESIGNATION_MINIMUMS = ("racial_profiling", "implicit_bias", "deescalation")


def evaluate(
    officer: OfficerFacts,
    period_rules: PeriodRules,
    credits: Iterable[CreditFact],
    extensions: Iterable[ExtensionFact] = (),
    *,
    as_of: date,
) -> Standing:
    """The officer's standing for the period of *period_rules* as of *as_of*.

    Pure: reads only its arguments. Every requirement of the period is
    returned with required / earned / remaining hours, and every credited hour
    that did not count appears in ``exclusions`` with a reason, so that
    ``earned total + excluded hours`` equals the credited hours of the
    entries. Credits completed after *as_of* do not count yet. An exempt
    officer's lines show ``required`` 0 (nothing is owed) with what was earned.

    Raises :class:`~approvals.compliance.facts.InvalidFact` when a credit
    contradicts the rules (college hours that do not match its semester
    hours, areas that do not add up to the credited hours, a college or
    military entry with a different provider type, a conversion that leaves
    the 0.5-hour grid).
    """
    rules = period_rules
    extension = _effective_extension(rules, extensions)
    due_date = extension.new_due_date if extension else rules.due_date
    count_until = rules.grace_date if rules.counts_completions_in_grace else rules.due_date
    if extension:
        count_until = max(count_until, extension.new_due_date)
    report_by = max(due_date, rules.grace_date)

    exclusions: list[Exclusion] = []
    pieces: list[Piece] = []
    for index, credit in enumerate(credits):
        value = _credited_half_hours(credit, rules)
        reason = _date_exclusion(credit.completed_on, rules, count_until, extension, as_of)
        if reason is not None:
            if value:
                exclusions.append(Exclusion(credit.id, value / 2, reason[1], reason[0]))
            continue
        piece = _piece(index, credit, rules)
        if piece.firearms_online:
            exclusions.append(
                Exclusion(
                    credit.id,
                    piece.firearms_online / 2,
                    "Firearms hours from computer-based delivery do not count; "
                    "firearms must be live, hands-on",
                    "firearms_computer_based",
                )
            )
        if piece.total:
            pieces.append(piece)

    minima = {code: half_hours(getattr(rules, attr), attr) for code, _, attr in _MINIMUMS}
    totals = _totals(pieces)
    cb_cap = half_hours(rules.computer_based_max, "computer_based_max")
    college_cap = half_hours(rules.college_max, "college_max")
    cb_over = sum(p.total for p in pieces if p.computer_based) > cb_cap
    # College first, preferring college hours that are also computer-based
    # while that pool is over its cap too: one dropped hour then serves both.
    exclusions += trim_to_cap(
        pieces,
        lambda p: p.college,
        college_cap,
        lambda p: cb_over and p.computer_based,
        totals,
        minima,
        "college_cap",
        f"College credit over the {rules.college_max:g}-hour yearly cap",
    )
    exclusions += trim_to_cap(
        pieces,
        lambda p: p.computer_based,
        cb_cap,
        lambda p: False,
        totals,
        minima,
        "computer_based_cap",
        f"Computer-based hours over the {rules.computer_based_max:g}-hour cap",
    )

    exempt = officer.licensed_on >= rules.required_if_licensed_before
    lines: list[RequirementResult] = []
    for code, label, _ in _MINIMUMS:
        required = 0 if exempt else minima[code]
        earned = totals[code]
        lines.append(
            RequirementResult(code, label, required / 2, earned / 2, max(0, required - earned) / 2)
        )
    for code, label, counted, cap in (
        ("computer_based_cap", "Computer-based hours counted (maximum)",
         sum(p.total for p in pieces if p.computer_based), cb_cap),
        ("college_cap", "College credit counted (maximum)",
         sum(p.total for p in pieces if p.college), college_cap),
    ):
        lines.append(RequirementResult(code, label, cap / 2, counted / 2, (cap - counted) / 2, "maximum"))

    status = _status(exempt, all(line.met for line in lines), as_of, due_date, report_by, extension)
    return Standing(rules.year, status, due_date, report_by, tuple(lines), tuple(exclusions))


def _effective_extension(rules: PeriodRules, extensions: Iterable[ExtensionFact]) -> ExtensionFact | None:
    # An "extension" to a date on or before the due date grants nothing; of
    # several granted ones the latest date is the one the officer holds.
    best: ExtensionFact | None = None
    for extension in extensions:
        if extension.granted and extension.new_due_date > rules.due_date:
            if best is None or extension.new_due_date > best.new_due_date:
                best = extension
    return best


def _status(
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


def _credited_half_hours(credit: CreditFact, rules: PeriodRules) -> int:
    # CreditFact validated its own hours on construction (0.5 grid, known
    # keys), so int(x * 2) is exact here; only rule-driven conversions can
    # leave the grid and go through half_hours().
    fixed = rules.fixed_provider(credit.source)
    if fixed is not None and credit.provider != fixed:
        raise InvalidFact(
            f"credit {credit.id!r}: {credit.source} credit is {fixed} credit under the "
            f"{rules.year} rules, not {credit.provider}"
        )
    if credit.source == "college":
        assert credit.semester_hours is not None  # CreditFact guarantees it
        value = half_hours(
            credit.semester_hours * rules.college_hours_per_semester_hour,
            f"credit {credit.id!r} college credit",
        )
        if int(credit.hours * 2) != value:
            raise InvalidFact(
                f"credit {credit.id!r}: {credit.semester_hours:g} semester hours are worth "
                f"{value / 2:g} hours under the {rules.year} rules, not {credit.hours:g}"
            )
    elif credit.source == "instruction":
        value = half_hours(
            credit.hours * rules.instruction_credit_ratio, f"credit {credit.id!r} instruction credit"
        )
    else:
        value = int(credit.hours * 2)
    area_total = 0
    for hours in credit.areas.values():
        area_total += int(hours * 2)
    if area_total != value:
        raise InvalidFact(
            f"credit {credit.id!r}: core-area hours add up to {area_total / 2:g}, "
            f"the entry is worth {value / 2:g}"
        )
    return value


def _date_exclusion(
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


def _piece(index: int, credit: CreditFact, rules: PeriodRules) -> Piece:
    get_area = credit.areas.get
    get_designation = credit.designations.get
    firearms = int(get_designation("firearms", 0) * 2)
    computer_based = credit.delivery == "computer_based"
    areas = {
        "legal": int(get_area("legal", 0) * 2),
        "technical": int(get_area("technical", 0) * 2),
        "interpersonal": int(get_area("interpersonal", 0) * 2),
        "skill_other": int(get_area("skill_development", 0) * 2) - firearms,
        "firearms_live": 0 if computer_based else firearms,
    }
    designations: dict[str, int] = {}
    for designation in _DESIGNATION_MINIMUMS:
        hours = get_designation(designation)
        if hours:
            designations[designation] = int(hours * 2)
    provider = rules.fixed_provider(credit.source) or credit.provider
    return Piece(
        index=index,
        credit=credit,
        approved=provider == "approved_provider",
        college=credit.source == "college",
        computer_based=computer_based,
        areas=areas,
        designations=designations,
        total=sum(areas.values()),
        firearms_online=firearms if computer_based else 0,
    )


def _totals(pieces: list[Piece]) -> dict[str, int]:
    totals = {code: 0 for code, _, _ in _MINIMUMS}
    for p in pieces:
        totals["total"] += p.total
        if p.approved:
            totals["approved_provider"] += p.total
        for area in MINIMUM_AREAS:
            totals[area] += p.areas[area]
        for d in p.designations:
            totals[d] += p.designation_kept(d)
    return totals
