"""What a person types in the search box, made safe for either full-text engine.

The input is read the way PostgreSQL's websearch_to_tsquery reads it — words
are ANDed, "quoted phrases" match in order, ``or`` between two terms means
either, ``-word`` excludes — into a small neutral form, which is then written
out either as an FTS5 MATCH expression (every term double-quoted, so nothing a
user types can be FTS5 syntax: no column filters, NEAR, prefixes or stray
parentheses) or as a normalised websearch string for PostgreSQL. Both engines
thus see the same query.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TERMS = 16
_WORD = re.compile(r"\w+", re.UNICODE)
_CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]   # more than one: a phrase
    negated: bool = False
    or_before: bool = False  # joined to the previous positive term by OR


def parse(text: str) -> list[Term]:
    """Split *text* into terms; never raises. Negated terms come after the
    positive term they qualify, and a query of only exclusions is empty (no
    engine can run it)."""
    terms: list[Term] = []
    pending_or = False
    for m in _CHUNK.finditer(text or ""):
        if m.group(3) is not None:
            raw = m.group(3)
            words = tuple(w.lower() for w in _WORD.findall(raw))
            if words == ("or",):
                pending_or = bool(terms)
                continue
            negated = raw.startswith("-") and len(raw) > 1
        else:
            negated = m.group(1) == "-"
            words = tuple(w.lower() for w in _WORD.findall(m.group(2)))
        if not words:
            continue
        terms.append(Term(words, negated, pending_or and not negated))
        pending_or = False
        if len(terms) >= MAX_TERMS:
            break
    return _reorder(terms)


def _reorder(terms: list[Term]) -> list[Term]:
    # FTS5's NOT is binary ("a NOT b"), so an exclusion cannot come first.
    positives = [t for t in terms if not t.negated]
    if not positives:
        return []
    first = terms.index(positives[0])
    leading = terms[:first]
    head = Term(positives[0].words, False, False)
    return [head, *leading, *terms[first + 1:]]


def _quoted(term: Term) -> str:
    return '"' + " ".join(term.words).replace('"', '""') + '"'


def to_fts5(terms: list[Term]) -> str | None:
    """The FTS5 MATCH expression for *terms*, or None when there is nothing to match."""
    if not terms:
        return None
    parts: list[str] = []
    for i, term in enumerate(terms):
        if term.negated:
            parts.append(f"NOT {_quoted(term)}")
        elif i and term.or_before:
            parts.append(f"OR {_quoted(term)}")
        else:
            parts.append(_quoted(term))
    return " ".join(parts)


def to_websearch(terms: list[Term]) -> str | None:
    """The same query as a websearch_to_tsquery string, or None when empty."""
    if not terms:
        return None
    parts: list[str] = []
    for i, term in enumerate(terms):
        body = " ".join(term.words)
        body = f'"{body}"' if len(term.words) > 1 else body
        if term.negated:
            parts.append(f"-{body}")
        elif i and term.or_before:
            parts.append(f"or {body}")
        else:
            parts.append(body)
    return " ".join(parts)
