"""The evaluator's fast path (running sums, pieces only for capped pools, cached lines) returns
exactly what the straightforward original did, on random officers of every kind."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from approvals.compliance import RULES_2023, CreditFact, ExtensionFact, OfficerFacts, evaluate
from tests.compliance_reference import evaluate as reference

AREAS = ("legal", "technical", "interpersonal", "skill_development")


def _credit(rng: random.Random, n: int, online_share: float) -> CreditFact:
    on = date(2023, 1, 1) + timedelta(days=rng.randrange(-20, 400))
    source = rng.choices(("in_service", "college", "instruction", "military", "out_of_state", "federal"),
                         weights=(60, 8, 8, 8, 8, 8))[0]
    provider = rng.choice(("approved_provider", "licensed_provider", "in_service"))
    semester = None
    hours = rng.choice((0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 8.0))
    if source == "college":
        semester = rng.choice((0.5, 1.0, 3.0, 5.0))
        hours, provider = semester * 2, "approved_provider"
    elif source == "military":
        provider = "licensed_provider"
    half = dict.fromkeys(AREAS, 0)
    for _ in range(int(hours * 2)):
        half[rng.choice(AREAS)] += 1
    areas = {k: v / 2 for k, v in half.items() if v}
    designations = {}
    if areas.get("skill_development") and rng.random() < 0.5:
        designations["firearms"] = rng.choice((0.5, areas["skill_development"]))
    for name in ("racial_profiling", "implicit_bias", "deescalation"):
        if rng.random() < 0.3:
            designations[name] = min(hours, rng.choice((0.5, 1.0, 2.0)))
    delivery = "computer_based" if rng.random() < online_share else "in_person"
    return CreditFact(f"c{n}", hours, on, source, provider, delivery, areas, designations, semester)


@pytest.mark.parametrize("online_share", [0.0, 0.4, 0.9])
def test_same_standing_as_the_original(online_share):
    rng = random.Random(int(online_share * 10) + 1)
    for i in range(1500):
        officer = OfficerFacts(f"L{i}", "O", rng.choice((date(2010, 1, 1), date(2023, 1, 1), date(2022, 12, 31))))
        credits = [_credit(rng, n, online_share) for n in range(rng.randint(0, 30))]
        extensions = [ExtensionFact("medical", date(2024, rng.randint(1, 9), 1), rng.random() < 0.7)
                      for _ in range(rng.random() < 0.1)]
        for as_of in (date(2023, 8, 1), date(2024, 1, 10), date(2024, 5, 1)):
            assert evaluate(officer, RULES_2023, credits, extensions, as_of=as_of) == reference(
                officer, RULES_2023, credits, extensions, as_of=as_of), (i, as_of)
