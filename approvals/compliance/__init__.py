"""CLEE compliance: a period's rules as data and a pure evaluator.

No Flask, no database, no I/O: the caller turns rows into facts, picks the
period's rules and calls :func:`evaluate`.
"""
from __future__ import annotations

from .evaluator import evaluate
from .facts import (
    CORE_AREAS,
    DELIVERIES,
    DESIGNATIONS,
    EXTENSION_KINDS,
    PROVIDERS,
    SOURCES,
    CreditFact,
    ExtensionFact,
    InvalidFact,
    OfficerFacts,
)
from .rules import RULES_2023, RULES_BY_YEAR, PeriodRules, UnknownPeriod, redate, rules_for_year
from .standing import Exclusion, RequirementResult, Standing, Status

__all__ = [
    "CORE_AREAS",
    "DELIVERIES",
    "DESIGNATIONS",
    "EXTENSION_KINDS",
    "PROVIDERS",
    "RULES_2023",
    "RULES_BY_YEAR",
    "SOURCES",
    "CreditFact",
    "Exclusion",
    "ExtensionFact",
    "InvalidFact",
    "OfficerFacts",
    "PeriodRules",
    "RequirementResult",
    "Standing",
    "Status",
    "UnknownPeriod",
    "evaluate",
    "redate",
    "rules_for_year",
]
