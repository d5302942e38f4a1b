"""The compliance evaluator: a pure function of officer, rules, credits and extensions.

Readings of the rules text that the code depends on:

* Exemption: "Peace officers licensed prior to Jan. 1, 2023 must obtain 24
  hours"; "licensed in 2023 will not be required". An officer licensed on or
  after ``PeriodRules.required_if_licensed_before`` (1 January of the year)
  is exempt; one licensed on 31 December of the year before is not.
* Non-commissioned officers carry the same requirement.
* Deadline: training counts if completed from 1 January to the due date
  (31 December). 1 January - 15 March of the next year is a window to *show*
  compliance, not to train, unless ``PeriodRules.counts_completions_in_grace``
  says otherwise; a granted extension lets completions up to its new due date
  count. Status is ``grace`` until ``report_by`` = the later of the effective
  due date and the grace date, then ``non_compliant``.
* Approved Provider: only entries whose provider is ``approved_provider``
  count toward the 8 hours; an agency in-service course approved by POST is
  not Approved-Provider training by that fact. College credit is
  Approved-Provider credit and military training Licensed-Provider credit
  whatever the entry says (``PeriodRules.fixed_providers``); a contradicting
  entry is an error, not a silent override.
* Firearms must be live, hands-on: Firearms hours delivered computer-based do
  not count at all (neither for Firearms nor as electives).
* Caps: at most 22 computer-based hours and 8 college hours count. Which
  hours are dropped is a choice the text leaves open; the evaluator drops the
  hours least needed (see :mod:`approvals.compliance.caps`), so an officer is
  not marked short of a minimum merely because of the order they trained in.
* Hours after 24 still count toward the minimums; there is no "16 hours of
  electives" line because it is implied by the 24-hour total.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Iterable

from .caps import Piece, trim_to_cap
from .facts import CreditFact, ExtensionFact, InvalidFact, OfficerFacts, half_hours
from .deadlines import date_exclusion as _date_exclusion
from .deadlines import effective_extension as _effective_extension
from .deadlines import status as _status
from .rules import PeriodRules
from .standing import Exclusion, RequirementResult, Standing

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
    prep = _prepared(rules)
    extension = _effective_extension(rules, extensions)
    due_date = extension.new_due_date if extension else rules.due_date
    count_until = prep.count_until
    if extension:
        count_until = max(count_until, extension.new_due_date)
    report_by = max(due_date, rules.grace_date)
    # A credit dated in [start, last_day] counts (on the date checks).
    last_day = min(count_until, as_of)

    exclusions: list[Exclusion] = []
    # Credits in a capped pool (computer-based, college): only these can be trimmed.
    capped: list[tuple] = []
    # Running half-hour sums of every counted piece; the caps, when exceeded,
    # then trim the capped pieces and these sums together.
    total = approved = legal = technical = interpersonal = firearms_live = 0
    racial = bias = deesc = cb_sum = college_sum = 0
    fixed = prep.fixed
    converted = prep.converted_sources
    start = rules.start
    for index, credit in enumerate(credits):
        areas = credit.areas
        a_legal = int(areas.get("legal", 0) * 2)
        a_technical = int(areas.get("technical", 0) * 2)
        a_interpersonal = int(areas.get("interpersonal", 0) * 2)
        a_skill = int(areas.get("skill_development", 0) * 2)
        value = int(credit.hours * 2)
        source = credit.source
        # The common case checked inline; anything else takes the full path,
        # which converts (college, instruction) or raises InvalidFact.
        if (value != a_legal + a_technical + a_interpersonal + a_skill or source in converted
                or fixed.get(source, credit.provider) != credit.provider):
            value = _credited_half_hours(credit, rules, fixed)
        on = credit.completed_on
        if on < start or on > last_day:
            reason = _date_exclusion(on, rules, count_until, extension, as_of)
            if reason is not None:
                if value:
                    exclusions.append(Exclusion(credit.id, value / 2, reason[1], reason[0]))
                continue
        designations = credit.designations
        firearms = int(designations.get("firearms", 0) * 2) if designations else 0
        computer_based = credit.delivery == "computer_based"
        if computer_based and firearms:
            exclusions.append(Exclusion(credit.id, firearms / 2, _FIREARMS_ONLINE, "firearms_computer_based"))
            piece_total = a_legal + a_technical + a_interpersonal + a_skill - firearms
        else:
            piece_total = a_legal + a_technical + a_interpersonal + a_skill
            firearms_live += firearms
        if not piece_total:
            continue
        total += piece_total
        legal += a_legal
        technical += a_technical
        interpersonal += a_interpersonal
        is_approved = fixed.get(source, credit.provider) == "approved_provider"
        if is_approved:
            approved += piece_total
        if designations:
            racial += min(int(designations.get("racial_profiling", 0) * 2), piece_total)
            bias += min(int(designations.get("implicit_bias", 0) * 2), piece_total)
            deesc += min(int(designations.get("deescalation", 0) * 2), piece_total)
        college = source == "college"
        if computer_based:
            cb_sum += piece_total
        if college:
            college_sum += piece_total
        if computer_based or college:
            capped.append((index, credit, a_legal, a_technical, a_interpersonal, a_skill, firearms,
                           computer_based, college, is_approved, piece_total))

    minima = prep.minima
    cb_cap = prep.cb_cap
    college_cap = prep.college_cap
    totals = {
        "total": total, "approved_provider": approved, "legal": legal, "technical": technical,
        "interpersonal": interpersonal, "firearms_live": firearms_live,
        "racial_profiling": racial, "implicit_bias": bias, "deescalation": deesc,
    }
    if cb_sum > cb_cap or college_sum > college_cap:
        # Pieces outside both pools are never trimmed; their hours are in totals already.
        pieces = [_capped_piece(*item) for item in capped]
        exclusions += _apply_caps(pieces, rules, prep, totals, minima, cb_sum > cb_cap)
        cb_sum = sum(p.total for p in pieces if p.computer_based)
        college_sum = sum(p.total for p in pieces if p.college)

    exempt = officer.licensed_on >= rules.required_if_licensed_before
    lines: list[RequirementResult] = []
    met = True
    for code, label, _ in _MINIMUMS:
        required = 0 if exempt else minima[code]
        earned = totals[code]
        if earned < required:
            met = False
        lines.append(_line(code, label, required, earned, max(0, required - earned), "minimum"))
    lines.append(_line("computer_based_cap", "Computer-based hours counted (maximum)",
                       cb_cap, cb_sum, cb_cap - cb_sum, "maximum"))
    lines.append(_line("college_cap", "College credit counted (maximum)",
                       college_cap, college_sum, college_cap - college_sum, "maximum"))

    status = _status(exempt, met, as_of, due_date, report_by, extension)
    return Standing(rules.year, status, due_date, report_by, tuple(lines), tuple(exclusions))


# Requirement lines are immutable and recur across officers (most lines of a
# compliant officer are identical), so each distinct line is built once.
_LINES: dict[tuple, RequirementResult] = {}


def _line(code: str, label: str, required: int, earned: int, remaining: int, kind: str) -> RequirementResult:
    key = (label, required, earned, remaining)
    line = _LINES.get(key)
    if line is None:
        if len(_LINES) > 100_000:  # bounded: hours are bounded, but be safe
            _LINES.clear()
        line = _LINES[key] = RequirementResult(code, label, required / 2, earned / 2, remaining / 2, kind)
    return line


_FIREARMS_ONLINE = (
    "Firearms hours from computer-based delivery do not count; firearms must be live, hands-on"
)


@dataclass(frozen=True)
class _Prepared:
    """What evaluate() derives from a period's rules, computed once per rules."""

    minima: dict[str, int]
    cb_cap: int
    college_cap: int
    fixed: dict[str, str]
    count_until: date
    # Sources whose credited value is not simply their hours.
    converted_sources: frozenset[str]


@lru_cache(maxsize=64)
def _prepared(rules: PeriodRules) -> _Prepared:
    return _Prepared(
        minima={code: half_hours(getattr(rules, attr), attr) for code, _, attr in _MINIMUMS},
        cb_cap=half_hours(rules.computer_based_max, "computer_based_max"),
        college_cap=half_hours(rules.college_max, "college_max"),
        fixed=dict(rules.fixed_providers),
        count_until=rules.grace_date if rules.counts_completions_in_grace else rules.due_date,
        converted_sources=frozenset({"college"} | ({"instruction"} if rules.instruction_credit_ratio != 1 else set())),
    )


def _apply_caps(
    pieces: list[Piece],
    rules: PeriodRules,
    prep: _Prepared,
    totals: dict[str, int],
    minima: dict[str, int],
    cb_over: bool,
) -> list[Exclusion]:
    # College first, preferring college hours that are also computer-based
    # while that pool is over its cap too: one dropped hour then serves both.
    exclusions = trim_to_cap(
        pieces,
        lambda p: p.college,
        prep.college_cap,
        lambda p: cb_over and p.computer_based,
        totals,
        minima,
        "college_cap",
        f"College credit over the {rules.college_max:g}-hour yearly cap",
    )
    exclusions += trim_to_cap(
        pieces,
        lambda p: p.computer_based,
        prep.cb_cap,
        lambda p: False,
        totals,
        minima,
        "computer_based_cap",
        f"Computer-based hours over the {rules.computer_based_max:g}-hour cap",
    )
    return exclusions


def _credited_half_hours(credit: CreditFact, rules: PeriodRules, fixed_map: dict[str, str]) -> int:
    # CreditFact validated its own hours on construction (0.5 grid, known
    # keys), so int(x * 2) is exact here; only rule-driven conversions can
    # leave the grid and go through half_hours().
    fixed = fixed_map.get(credit.source)
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
    elif credit.source == "instruction" and rules.instruction_credit_ratio != 1:
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


def _capped_piece(index: int, credit: CreditFact, legal: int, technical: int, interpersonal: int, skill: int,
                  firearms: int, computer_based: bool, college: bool, approved: bool, total: int) -> Piece:
    """A capped credit as the caps module trims it, from the half-hours evaluate() already computed."""
    designations: dict[str, int] = {}
    for designation in _DESIGNATION_MINIMUMS:
        hours = credit.designations.get(designation)
        if hours:
            designations[designation] = int(hours * 2)
    areas = {"legal": legal, "technical": technical, "interpersonal": interpersonal,
             "skill_other": skill - firearms, "firearms_live": 0 if computer_based else firearms}
    return Piece(index=index, credit=credit, approved=approved, college=college, computer_based=computer_based,
                 areas=areas, designations=designations, total=total,
                 firearms_online=firearms if computer_based else 0)
