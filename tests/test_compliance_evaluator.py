"""The compliance evaluator, rule by rule, at the boundaries.

Pure Python: no app, no database. Each case names the requirement(s) it
targets with their exact earned / remaining hours, the expected status and
the exact exclusions.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date

import pytest

from approvals.compliance import (
    RULES_2023,
    CreditFact,
    ExtensionFact,
    InvalidFact,
    OfficerFacts,
    PeriodRules,
    Standing,
    Status,
    UnknownPeriod,
    evaluate,
    rules_for_year,
)

AREAS = ("legal", "technical", "interpersonal", "skill_development")
REQUIREMENT_CODES = [
    "total",
    "approved_provider",
    "legal",
    "technical",
    "interpersonal",
    "firearms_live",
    "racial_profiling",
    "implicit_bias",
    "deescalation",
    "computer_based_cap",
    "college_cap",
]
DEC_1 = date(2023, 12, 1)
RULES_2024 = rules_for_year(2024)


def cr(
    credit_id: str,
    hours: float,
    *,
    on: date = date(2023, 6, 1),
    source: str = "in_service",
    provider: str = "in_service",
    delivery: str = "in_person",
    semester_hours: float | None = None,
    **hours_by_kind: float,
) -> CreditFact:
    """A credit entry; keyword hours are split into core areas and designations."""
    areas = {k: v for k, v in hours_by_kind.items() if k in AREAS}
    designations = {k: v for k, v in hours_by_kind.items() if k not in AREAS}
    return CreditFact(
        credit_id, hours, on, source, provider, delivery, areas, designations, semester_hours
    )


def base(
    *,
    fa: float = 2,
    fa_delivery: str = "in_person",
    ap_provider: str = "approved_provider",
    ap_source: str = "in_service",
    legal: float = 2,
    technical: float = 2,
    interpersonal: float = 4,
    rp: float = 1,
    ib: float = 1,
    de: float = 1,
    el: float = 14,
    el_source: str = "in_service",
    el_provider: str = "in_service",
    year: int = 2023,
) -> list[CreditFact]:
    """Exactly compliant by default: 24 h, 8 Approved-Provider, every minimum met once."""
    ap = legal + technical + interpersonal
    designations = {k: v for k, v in
                    (("racial_profiling", rp), ("implicit_bias", ib), ("deescalation", de)) if v}
    return [
        cr("fa", fa, on=date(year, 3, 1), delivery=fa_delivery,
           skill_development=fa, firearms=fa),
        cr("ap", ap, on=date(year, 5, 1), source=ap_source, provider=ap_provider,
           legal=legal, technical=technical, interpersonal=interpersonal, **designations),
        cr("el", el, on=date(year, 9, 1), source=el_source, provider=el_provider,
           skill_development=el),
    ]


def cb_set(cb_hours: float) -> list[CreditFact]:
    """2 live Firearms hours plus *cb_hours* computer-based (8 of them Approved-Provider)."""
    return [
        cr("fa", 2, on=date(2023, 3, 1), skill_development=2, firearms=2),
        cr("ap", 8, on=date(2023, 4, 1), provider="approved_provider", delivery="computer_based",
           legal=2, technical=2, interpersonal=4,
           racial_profiling=1, implicit_bias=1, deescalation=1),
        cr("el", cb_hours - 8, on=date(2023, 5, 1), delivery="computer_based",
           skill_development=cb_hours - 8),
    ]


def college_set(semester_hours: float) -> list[CreditFact]:
    """15 non-college hours plus a college course worth 2 h per semester hour."""
    hours = semester_hours * 2
    return [
        cr("fa", 2, on=date(2023, 3, 1), skill_development=2, firearms=2),
        cr("cb", 13, on=date(2023, 4, 1), delivery="computer_based",
           legal=2, interpersonal=2, skill_development=9,
           racial_profiling=1, implicit_bias=1, deescalation=1),
        cr("col", hours, on=date(2023, 9, 1), source="college", provider="approved_provider",
           semester_hours=semester_hours, technical=hours),
    ]


GRANTED = ExtensionFact("medical", date(2024, 6, 30), granted=True)
REFUSED = ExtensionFact("medical", date(2024, 6, 30), granted=False)


@dataclass
class Case:
    id: str
    credits: list[CreditFact]
    status: Status
    expect: dict[str, tuple[float, float]]  # code -> (earned, remaining)
    exclusions: list[tuple[str, float, str]] = field(default_factory=list)
    as_of: date = DEC_1
    licensed_on: date = date(2015, 5, 1)
    commissioned: bool = True
    extensions: tuple[ExtensionFact, ...] = ()
    rules: PeriodRules = RULES_2023
    due_date: date | None = None


CASES = [
    # --- total 24 h
    Case("total-24-compliant", base(), Status.COMPLIANT, {"total": (24, 0)}),
    Case("total-23.5-short", base(el=13.5), Status.IN_PROGRESS, {"total": (23.5, 0.5)}),
    Case("no-credits", [], Status.IN_PROGRESS, {"total": (0, 24), "approved_provider": (0, 8)}),
    # --- areas, 2 h each
    Case("legal-1.5", base(legal=1.5, interpersonal=4.5), Status.IN_PROGRESS, {"legal": (1.5, 0.5)}),
    Case("technical-1.5", base(technical=1.5, interpersonal=4.5), Status.IN_PROGRESS,
         {"technical": (1.5, 0.5)}),
    Case("interpersonal-1.5", base(interpersonal=1.5, legal=4.5), Status.IN_PROGRESS,
         {"interpersonal": (1.5, 0.5)}),
    Case("firearms-1.5-live", base(fa=1.5, el=14.5), Status.IN_PROGRESS,
         {"firearms_live": (1.5, 0.5), "total": (24, 0)}),
    Case("firearms-online-does-not-count", base(fa_delivery="computer_based"), Status.IN_PROGRESS,
         {"firearms_live": (0, 2), "total": (22, 2)},
         [("fa", 2, "firearms_computer_based")]),
    # --- designations, 1 h each, inside the 24
    Case("racial-profiling-0.5", base(rp=0.5), Status.IN_PROGRESS, {"racial_profiling": (0.5, 0.5)}),
    Case("implicit-bias-0.5", base(ib=0.5), Status.IN_PROGRESS, {"implicit_bias": (0.5, 0.5)}),
    Case("deescalation-0.5", base(de=0.5), Status.IN_PROGRESS, {"deescalation": (0.5, 0.5)}),
    Case("designations-inside-the-24", base(), Status.COMPLIANT,
         {"racial_profiling": (1, 0), "implicit_bias": (1, 0), "deescalation": (1, 0),
          "total": (24, 0)}),
    # --- Approved Provider, 8 h
    Case("approved-8", base(), Status.COMPLIANT, {"approved_provider": (8, 0)}),
    Case("approved-7.5", base(interpersonal=3.5, el=14.5), Status.IN_PROGRESS,
         {"approved_provider": (7.5, 0.5), "total": (24, 0)}),
    Case("in-service-course-is-not-approved-provider", base(ap_provider="in_service"),
         Status.IN_PROGRESS, {"approved_provider": (0, 8), "total": (24, 0)}),
    Case("licensed-provider-is-not-approved-provider", base(ap_provider="licensed_provider"),
         Status.IN_PROGRESS, {"approved_provider": (0, 8)}),
    Case("military-is-licensed-provider-credit",
         base(ap_source="military", ap_provider="licensed_provider"),
         Status.IN_PROGRESS, {"approved_provider": (0, 8), "total": (24, 0)}),
    Case("military-counts-toward-total",
         base(el_source="military", el_provider="licensed_provider"),
         Status.COMPLIANT, {"total": (24, 0)}),
    # --- computer-based cap 22 h
    Case("computer-based-22", cb_set(22), Status.COMPLIANT,
         {"computer_based_cap": (22, 0), "total": (24, 0)}),
    Case("computer-based-22.5", cb_set(22.5), Status.COMPLIANT,
         {"computer_based_cap": (22, 0), "total": (24, 0)},
         [("el", 0.5, "computer_based_cap")]),
    Case("all-online-24", cb_set(24)[1:], Status.IN_PROGRESS,
         {"total": (22, 2), "firearms_live": (0, 2), "computer_based_cap": (22, 0)},
         [("el", 2, "computer_based_cap")]),
    Case("cap-drops-electives-not-the-late-designation",
         [cr("fa", 2, on=date(2023, 2, 1), skill_development=2, firearms=2),
          cr("ap", 8, on=date(2023, 3, 1), provider="approved_provider", delivery="computer_based",
             legal=2, technical=2, interpersonal=4, racial_profiling=1, implicit_bias=1),
          cr("el", 13.5, on=date(2023, 4, 1), delivery="computer_based", skill_development=13.5),
          # The latest entry and all Skill Development, but its hour is the
          # only De-escalation hour: the cap must take an elective hour instead.
          cr("de", 1, on=date(2023, 11, 30), delivery="computer_based",
             skill_development=1, deescalation=1)],
         Status.COMPLIANT, {"deescalation": (1, 0), "computer_based_cap": (22, 0), "total": (24, 0)},
         [("el", 0.5, "computer_based_cap")]),
    Case("cap-keeps-approved-provider-hours",
         [cr("fa", 2, on=date(2023, 2, 1), skill_development=2, firearms=2),
          cr("el", 16, on=date(2023, 3, 1), delivery="computer_based",
             legal=2, technical=2, interpersonal=2, skill_development=10,
             racial_profiling=1, implicit_bias=1, deescalation=1),
          cr("ap", 8, on=date(2023, 1, 15), provider="approved_provider",
             delivery="computer_based", skill_development=8)],
         Status.COMPLIANT, {"approved_provider": (8, 0), "total": (24, 0)},
         [("el", 2, "computer_based_cap")]),
    # --- college: 2 h Approved-Provider credit per semester hour, 8 h a year
    Case("college-3-semester-hours", college_set(3), Status.IN_PROGRESS,
         {"college_cap": (6, 2), "approved_provider": (6, 2), "total": (21, 3)}),
    Case("college-4-semester-hours", college_set(4), Status.IN_PROGRESS,
         {"college_cap": (8, 0), "approved_provider": (8, 0), "total": (23, 1)}),
    Case("college-5-semester-hours-capped", college_set(5), Status.IN_PROGRESS,
         {"college_cap": (8, 0), "approved_provider": (8, 0), "total": (23, 1)},
         [("col", 2, "college_cap")]),
    # --- instruction 1:1
    Case("instruction-14", base(el_source="instruction"), Status.COMPLIANT, {"total": (24, 0)}),
    Case("instruction-13.5", base(el=13.5, el_source="instruction"), Status.IN_PROGRESS,
         {"total": (23.5, 0.5)}),
    # --- exemption by license date
    Case("licensed-1-jan-exempt", [], Status.EXEMPT, {"total": (0, 0), "firearms_live": (0, 0)},
         licensed_on=date(2023, 1, 1)),
    Case("licensed-31-dec-exempt", [], Status.EXEMPT, {"total": (0, 0)},
         licensed_on=date(2023, 12, 31), as_of=date(2024, 6, 1)),
    Case("licensed-31-dec-prior-year-required", [], Status.IN_PROGRESS, {"total": (0, 24)},
         licensed_on=date(2022, 12, 31)),
    Case("non-commissioned-still-required", base(el=13.5), Status.IN_PROGRESS,
         {"total": (23.5, 0.5)}, commissioned=False),
    Case("non-commissioned-compliant", base(), Status.COMPLIANT, {"total": (24, 0)},
         commissioned=False),
    # --- dates: due 31 Dec, show compliance by 15 March
    Case("due-date-in-progress", base(el=13.5), Status.IN_PROGRESS, {"total": (23.5, 0.5)},
         as_of=date(2023, 12, 31), due_date=date(2023, 12, 31)),
    Case("grace-window-opens", base(el=13.5), Status.GRACE, {"total": (23.5, 0.5)},
         as_of=date(2024, 1, 1)),
    Case("grace-last-day", base(el=13.5), Status.GRACE, {"total": (23.5, 0.5)},
         as_of=date(2024, 3, 15)),
    Case("deadline-passed", base(el=13.5), Status.NON_COMPLIANT, {"total": (23.5, 0.5)},
         as_of=date(2024, 3, 16)),
    Case("compliant-after-deadline", base(), Status.COMPLIANT, {"total": (24, 0)},
         as_of=date(2024, 6, 1)),
    Case("completed-in-grace-window-does-not-count",
         [*base(el=13.5), cr("late", 0.5, on=date(2024, 1, 10), skill_development=0.5)],
         Status.GRACE, {"total": (23.5, 0.5)}, [("late", 0.5, "after_due_date")],
         as_of=date(2024, 2, 1)),
    Case("grace-completions-count-when-rules-say-so",
         [*base(el=13.5), cr("late", 0.5, on=date(2024, 1, 10), skill_development=0.5)],
         Status.COMPLIANT, {"total": (24, 0)}, as_of=date(2024, 2, 1),
         rules=dataclasses.replace(RULES_2023, counts_completions_in_grace=True)),
    Case("completed-before-period",
         [*base(el=13.5), cr("old", 0.5, on=date(2022, 12, 31), skill_development=0.5)],
         Status.IN_PROGRESS, {"total": (23.5, 0.5)}, [("old", 0.5, "outside_period")]),
    Case("completed-after-as-of", base(), Status.IN_PROGRESS, {"total": (10, 14)},
         [("el", 14, "not_yet_completed")], as_of=date(2023, 8, 31)),
    # --- extensions
    Case("extension-granted", base(el=13.5), Status.EXTENDED, {"total": (23.5, 0.5)},
         as_of=date(2024, 4, 1), extensions=(GRANTED,), due_date=date(2024, 6, 30)),
    Case("extension-refused", base(el=13.5), Status.NON_COMPLIANT, {"total": (23.5, 0.5)},
         as_of=date(2024, 4, 1), extensions=(REFUSED,), due_date=date(2023, 12, 31)),
    Case("extension-refused-in-grace", base(el=13.5), Status.GRACE, {"total": (23.5, 0.5)},
         as_of=date(2024, 2, 1), extensions=(REFUSED,), due_date=date(2023, 12, 31)),
    Case("extension-counts-later-completion",
         [*base(el=13.5), cr("late", 0.5, on=date(2024, 5, 1), skill_development=0.5)],
         Status.COMPLIANT, {"total": (24, 0)}, as_of=date(2024, 5, 2), extensions=(GRANTED,),
         due_date=date(2024, 6, 30)),
    Case("extension-passed", base(el=13.5), Status.NON_COMPLIANT, {"total": (23.5, 0.5)},
         as_of=date(2024, 7, 1), extensions=(GRANTED,), due_date=date(2024, 6, 30)),
    Case("completion-after-extension-does-not-count",
         [*base(el=13.5), cr("late", 0.5, on=date(2024, 7, 1), skill_development=0.5)],
         Status.NON_COMPLIANT, {"total": (23.5, 0.5)}, [("late", 0.5, "outside_period")],
         as_of=date(2024, 7, 2), extensions=(GRANTED,)),
    Case("short-extension-does-not-shorten-a-grace-that-counts",
         [*base(el=13.5), cr("late", 0.5, on=date(2024, 3, 1), skill_development=0.5)],
         Status.COMPLIANT, {"total": (24, 0)}, as_of=date(2024, 3, 2),
         extensions=(ExtensionFact("other", date(2024, 2, 1), granted=True),),
         rules=dataclasses.replace(RULES_2023, counts_completions_in_grace=True)),
    Case("short-extension-then-grace", base(el=13.5), Status.GRACE, {"total": (23.5, 0.5)},
         as_of=date(2024, 3, 1),
         extensions=(ExtensionFact("other", date(2024, 2, 1), granted=True),),
         due_date=date(2024, 2, 1)),
    # --- later years: the 2023 rules re-dated
    Case("2024-compliant", base(year=2024), Status.COMPLIANT, {"total": (24, 0)},
         as_of=date(2024, 12, 1), rules=RULES_2024),
    Case("2024-short-in-grace", base(year=2024, el=13.5), Status.GRACE, {"total": (23.5, 0.5)},
         as_of=date(2025, 3, 15), rules=RULES_2024, due_date=date(2024, 12, 31)),
    Case("2024-deadline-passed", base(year=2024, el=13.5), Status.NON_COMPLIANT,
         {"total": (23.5, 0.5)}, as_of=date(2025, 3, 16), rules=RULES_2024),
    Case("2024-2023-credits-do-not-count", base(year=2023), Status.IN_PROGRESS, {"total": (0, 24)},
         [("fa", 2, "outside_period"), ("ap", 8, "outside_period"), ("el", 14, "outside_period")],
         as_of=date(2024, 12, 1), rules=RULES_2024),
    Case("2024-licensed-in-2024-exempt", [], Status.EXEMPT, {"total": (0, 0)},
         licensed_on=date(2024, 1, 1), as_of=date(2024, 12, 1), rules=RULES_2024),
    Case("2024-licensed-in-2023-required", [], Status.IN_PROGRESS, {"total": (0, 24)},
         licensed_on=date(2023, 12, 31), as_of=date(2024, 12, 1), rules=RULES_2024),
]


def run(case: Case) -> Standing:
    officer = OfficerFacts("MO-12345", "Pat Officer", case.licensed_on, case.commissioned)
    return evaluate(officer, case.rules, case.credits, case.extensions, as_of=case.as_of)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_table(case: Case) -> None:
    standing = run(case)

    assert standing.status == case.status
    for code, (earned, remaining) in case.expect.items():
        line = standing.requirement(code)
        assert (line.earned, line.remaining) == (earned, remaining), code
    got = [(e.credit_id, e.hours, e.code) for e in standing.exclusions]
    assert got == case.exclusions
    if case.due_date is not None:
        assert standing.due_date == case.due_date


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_every_hour_is_counted_or_explained(case: Case) -> None:
    standing = run(case)

    assert [line.code for line in standing.requirements] == REQUIREMENT_CODES
    on_entries = sum(c.hours * (case.rules.instruction_credit_ratio if c.source == "instruction"
                                else 1) for c in case.credits)
    assert standing.requirement("total").earned + standing.excluded_hours() == on_entries
    for line in standing.requirements:
        if line.kind == "minimum":
            assert line.remaining == max(0.0, line.required - line.earned)
    assert all(e.reason for e in standing.exclusions)
    json.dumps(standing.to_dict())


def test_exempt_officer_owes_nothing() -> None:
    standing = evaluate(OfficerFacts("L1", "New Hire", date(2023, 7, 1)), RULES_2023, [],
                        as_of=date(2024, 6, 1))

    assert standing.status == Status.EXEMPT
    assert standing.missing == ()
    assert standing.is_compliant


def test_firearms_online_exclusion_reason_is_explained() -> None:
    standing = run(Case("x", base(fa_delivery="computer_based"), Status.IN_PROGRESS, {}))

    (exclusion,) = standing.exclusions
    assert exclusion.reason == (
        "Firearms hours from computer-based delivery do not count; firearms must be live, hands-on"
    )


def test_cap_reasons_name_the_caps() -> None:
    cb = run(Case("x", cb_set(22.5), Status.COMPLIANT, {}))
    college = run(Case("x", college_set(5), Status.IN_PROGRESS, {}))

    assert cb.exclusions[0].reason == "Computer-based hours over the 22-hour cap"
    assert college.exclusions[0].reason == "College credit over the 8-hour yearly cap"


def test_instruction_ratio_is_data() -> None:
    rules = dataclasses.replace(RULES_2023, instruction_credit_ratio=2.0)
    credits = [*base(el=0)[:2], cr("taught", 7, source="instruction", skill_development=14)]

    standing = evaluate(OfficerFacts("L", "I", date(2010, 1, 1)), rules, credits, as_of=DEC_1)

    assert standing.requirement("total").earned == 24
    assert standing.status == Status.COMPLIANT


def test_latest_granted_extension_wins_and_early_ones_grant_nothing() -> None:
    officer = OfficerFacts("L", "O", date(2010, 1, 1))
    extensions = [
        ExtensionFact("military", date(2024, 9, 30), granted=True),
        ExtensionFact("medical", date(2024, 5, 31), granted=True),
        ExtensionFact("other", date(2025, 1, 31), granted=False),
        ExtensionFact("medical", date(2023, 11, 30), granted=True),
    ]

    standing = evaluate(officer, RULES_2023, [], extensions, as_of=date(2024, 8, 1))
    no_real_extension = evaluate(officer, RULES_2023, [], extensions[3:], as_of=date(2024, 3, 1))

    assert (standing.status, standing.due_date) == (Status.EXTENDED, date(2024, 9, 30))
    assert (no_real_extension.status, no_real_extension.due_date) == (
        Status.GRACE,
        date(2023, 12, 31),
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: cr("c", 10, source="college", provider="approved_provider", semester_hours=4,
                   technical=10),  # 4 semester hours are worth 8, not 10
        lambda: cr("m", 2, source="military", provider="approved_provider", legal=2),
        lambda: cr("c", 8, source="college", provider="in_service", semester_hours=4, legal=8),
        lambda: cr("a", 3, legal=2),  # areas do not add up to the hours
    ],
    ids=["college-hours-mismatch", "military-as-approved", "college-as-in-service", "areas-sum"],
)
def test_credit_contradicting_the_rules_is_an_error(make) -> None:
    with pytest.raises(InvalidFact):
        evaluate(OfficerFacts("L", "O", date(2010, 1, 1)), RULES_2023, [make()], as_of=DEC_1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"hours": 1.25, "legal": 1.25},
        {"hours": 2, "legal": 2, "racial_profiling": 2.5},
        {"hours": 2, "legal": 2, "firearms": 1},
        {"hours": 2, "ethics": 2},
        {"hours": 2, "legal": 2, "delivery": "video"},
        {"hours": 2, "legal": 2, "provider": "college"},
        {"hours": 2, "legal": 2, "source": "college"},
        {"hours": -1, "legal": -1},
    ],
)
def test_malformed_credit_is_rejected(kwargs) -> None:
    kwargs = dict(kwargs)
    with pytest.raises(InvalidFact):
        cr("bad", kwargs.pop("hours"), **kwargs)


def test_rules_for_year_uses_registry_and_redates() -> None:
    assert rules_for_year(2023) is RULES_2023
    later = rules_for_year(2026)
    assert (later.start, later.end, later.due_date, later.grace_date) == (
        date(2026, 1, 1), date(2026, 12, 31), date(2026, 12, 31), date(2027, 3, 15),
    )
    assert later.required_if_licensed_before == date(2026, 1, 1)
    assert dataclasses.replace(later, year=2023, start=RULES_2023.start, end=RULES_2023.end,
                               due_date=RULES_2023.due_date, grace_date=RULES_2023.grace_date,
                               required_if_licensed_before=date(2023, 1, 1)) == RULES_2023

    own_2025 = rules_for_year(2025, {2023: RULES_2023})
    registry = {2023: RULES_2023, 2025: dataclasses.replace(own_2025, total_hours=30.0)}
    assert rules_for_year(2025, registry).total_hours == 30.0
    assert rules_for_year(2027, registry).total_hours == 30.0
    assert rules_for_year(2027, registry).year == 2027
    assert rules_for_year(2024, registry).total_hours == 24.0
    with pytest.raises(UnknownPeriod):
        rules_for_year(2022)


def test_rules_round_trip_through_json() -> None:
    data = json.loads(json.dumps(RULES_2024.to_dict()))

    assert data["grace_date"] == "2025-03-15"
    assert data["computer_based_max"] == 22.0
    assert PeriodRules.from_dict(data) == RULES_2024


@pytest.mark.parametrize(
    "change",
    [{"grace_date": date(2023, 12, 30)}, {"total_hours": 23.75}, {"college_max": -1.0}],
)
def test_malformed_rules_are_rejected(change) -> None:
    with pytest.raises(ValueError):
        dataclasses.replace(RULES_2023, **change)
