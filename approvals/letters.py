"""Approval letters: the facts a letter states, its verification code, its rendering.

Database-free on purpose. A job builds a `LetterFacts` from the approved
application, renders the HTML inside an app context, turns it into a PDF and
stores the PDF together with ``facts.to_dict()``; the public verify page later
rebuilds the facts with `LetterFacts.from_dict` and checks the printed code with
`verify_code`. The code signs the letter as printed, so it must be recomputed
from that stored snapshot, never from rows that may have changed since.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from markupsafe import Markup, escape

# The PDF half lives in approvals/letter_pdf.py; its public names stay importable from here.
from approvals.letter_pdf import LetterAssetRefused, asset_fetcher, render_letter_pdf

__all__ = [
    "AREA_LABELS", "DELIVERY_LABELS", "DESIGNATION_LABELS", "PAGE_SIZES", "LetterAssetRefused",
    "LetterFacts", "asset_fetcher", "canonical_bytes", "default_conditions", "letter_code",
    "qr_data_uri", "render_letter_html", "render_letter_pdf", "verification_url", "verify_code",
]

AREA_LABELS: Mapping[str, str] = MappingProxyType({
    "legal": "Legal Studies",
    "technical": "Technical Studies",
    "interpersonal": "Interpersonal Perspectives",
    "skill_development": "Skill Development",
})
DESIGNATION_LABELS: Mapping[str, str] = MappingProxyType({
    "firearms": "Firearms",
    "racial_profiling": "Racial Profiling",
    "implicit_bias": "Implicit Bias",
    "deescalation": "De-escalation",
})
DELIVERY_LABELS: Mapping[str, str] = MappingProxyType({
    "in_person": "In person, live instruction",
    "computer_based": "Computer-based instruction",
})
PAGE_SIZES = ("letter", "A4")
CODE_LENGTH = 20  # base32 characters: 100 bits of the HMAC
QR_MASK = 4  # the pattern segno's own scoring picks most often for verification URLs


def _hours_ok(value: float) -> bool:
    # Hours are stated to one decimal; anything finer would not survive the
    # canonical form and the stored snapshot would no longer verify.
    return value >= 0 and abs(value * 10 - round(value * 10)) < 1e-6


def _fmt_hours(value: float) -> str:
    return f"{value:.1f}"


@dataclass(frozen=True)
class LetterFacts:
    """Everything an approval letter states, and everything its code signs.

    Raises ValueError on construction when a value cannot appear on a letter:
    unknown delivery method or hour keys, negative or sub-0.1 hours, area hours
    that do not add up to the total, or an expiry not after approval.
    """

    approval_number: str
    agency_name: str
    agency_ori: str
    agency_address: str | None
    contact_name: str
    contact_email: str
    course_title: str
    delivery_method: str
    approved_total_hours: float
    area_hours: Mapping[str, float]
    designation_hours: Mapping[str, float]
    approved_on: date
    expires_on: date
    reviewer_name: str
    signatory_name: str
    signatory_title: str
    conditions: tuple[str, ...] = ()
    # 1 for the original letter; a reissue states (and signs) its own number
    # and date, so an older printing verifies as superseded, not as current.
    issue: int = 1
    issued_on: date | None = None  # None: dated the day of approval

    def __post_init__(self) -> None:
        if self.delivery_method not in DELIVERY_LABELS:
            raise ValueError(f"unknown delivery method {self.delivery_method!r}")
        for name, labels in (("area_hours", AREA_LABELS), ("designation_hours", DESIGNATION_LABELS)):
            given = dict(getattr(self, name))
            if set(given) != set(labels):
                raise ValueError(f"{name} needs exactly the keys {sorted(labels)}, got {sorted(given)}")
            # Read-only copies: a frozen letter must not change under its code.
            object.__setattr__(self, name, MappingProxyType({k: float(given[k]) for k in labels}))
        object.__setattr__(self, "approved_total_hours", float(self.approved_total_hours))
        object.__setattr__(self, "conditions", tuple(self.conditions))
        hours = [self.approved_total_hours, *self.area_hours.values(), *self.designation_hours.values()]
        if not all(_hours_ok(h) for h in hours):
            raise ValueError("hours must be non-negative and stated to one decimal place")
        if abs(sum(self.area_hours.values()) - self.approved_total_hours) > 0.05:
            raise ValueError("hours by core area must add up to the approved total")
        if any(h > self.approved_total_hours + 0.05 for h in self.designation_hours.values()):
            raise ValueError("designation hours cannot exceed the approved total")
        if self.expires_on <= self.approved_on:
            raise ValueError("an approval must expire after the day it is granted")
        if not isinstance(self.issue, int) or self.issue < 1:
            raise ValueError("a letter's issue number starts at 1")
        if self.issued_on is not None and self.issued_on < self.approved_on:
            raise ValueError("a letter cannot be dated before the approval")

    @property
    def letter_date(self) -> date:
        """The date the letter bears: its issue date, else the approval date."""
        return self.issued_on or self.approved_on

    def to_dict(self) -> dict[str, Any]:
        """The canonical, JSON-ready form: ISO dates, hours as one-decimal strings."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, date):
                value = value.isoformat()
            elif f.name == "approved_total_hours":
                value = _fmt_hours(value)
            elif f.name in ("area_hours", "designation_hours"):
                value = {k: _fmt_hours(v) for k, v in value.items()}
            elif f.name == "conditions":
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LetterFacts:
        """Rebuild facts stored with `to_dict`. Raises KeyError, TypeError or ValueError on bad data."""
        return cls(
            **{
                **data,
                "approved_total_hours": float(data["approved_total_hours"]),
                "area_hours": {k: float(v) for k, v in data["area_hours"].items()},
                "designation_hours": {k: float(v) for k, v in data["designation_hours"].items()},
                "approved_on": date.fromisoformat(data["approved_on"]),
                "expires_on": date.fromisoformat(data["expires_on"]),
                "conditions": tuple(data.get("conditions", ())),
                "issue": int(data.get("issue", 1)),
                "issued_on": date.fromisoformat(data["issued_on"]) if data.get("issued_on") else None,
            }
        )


def canonical_bytes(facts: LetterFacts) -> bytes:
    """The exact bytes `letter_code` signs: sorted-key compact JSON of `to_dict`."""
    return json.dumps(
        facts.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def letter_code(facts: LetterFacts, key: str | bytes) -> str:
    """HMAC-SHA256 of the facts, as 20 upper-case base32 characters (URL-safe).

    Raises ValueError when the key is empty.
    """
    raw_key = key.encode("utf-8") if isinstance(key, str) else key
    if not raw_key:
        raise ValueError("a letter signing key is required")
    digest = hmac.new(raw_key, canonical_bytes(facts), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:CODE_LENGTH]


def verify_code(facts: LetterFacts, key: str | bytes, code: str) -> bool:
    """True when `code` is the code of these facts under `key`, compared in constant time.

    Case and surrounding spaces are forgiven (people retype codes). Raises
    ValueError when the key is empty.
    """
    expected = letter_code(facts, key).encode("ascii")
    if not isinstance(code, str):
        return False
    return hmac.compare_digest(expected, code.strip().upper().encode("utf-8"))


def verification_url(public_base_url: str, approval_number: str, code: str) -> str:
    """``<base>/verify/<number>?code=<code>``.

    Raises ValueError when the base is not an absolute http(s) URL.
    """
    parts = urlsplit(public_base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"public base URL must be absolute http(s), got {public_base_url!r}")
    base = public_base_url.rstrip("/")
    return f"{base}/verify/{quote(approval_number, safe='')}?{urlencode({'code': code})}"


def _long_date(value: date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def default_conditions(facts: LetterFacts) -> tuple[str, ...]:
    """The standing conditions of an approval, worded from the facts (ignores facts.conditions)."""
    conditions = [
        "Each certificate of completion must show the agency’s name, the course title, "
        f"approval number {facts.approval_number}, the total hours and the hours in each core area.",
    ]
    firearms = facts.designation_hours["firearms"]
    if firearms > 0:
        conditions.append(
            f"The {_fmt_hours(firearms)} firearms hours must be delivered live and hands-on, "
            "under a qualified instructor; they cannot be earned by computer-based instruction."
        )
    conditions += [
        f"This approval is valid for offerings completed on or before {_long_date(facts.expires_on)}.",
        "Any material change to the course content, hours or delivery method requires a new application.",
    ]
    return tuple(conditions)


def _url_markup(url: str) -> Markup:
    # Break the printed URL only at the path and query, never inside the
    # approval number (a line break after "MO-" reads like a hyphenation).
    head, sep, tail = url.partition("/verify/")
    if not sep:
        return escape(url)
    number, question, query = tail.partition("?")
    return Markup('{}{}<wbr><span class="nowrap">{}</span><wbr>{}{}').format(
        head, sep, number, question, query)


def _code_from_url(verify_url: str) -> str:
    codes = parse_qs(urlsplit(verify_url).query).get("code")
    if not codes:
        raise ValueError("the verification URL carries no code")
    return codes[0]


def _condition_markup(text: str, approval_number: str) -> Markup:
    # An approval number split across lines ("MO-" / "IS-2026-…") is easy to misread.
    escaped = escape(text)
    number = escape(approval_number)
    return Markup(escaped.replace(number, Markup('<span class="nowrap">%s</span>') % number))


def qr_data_uri(data: str) -> str:
    """A QR code of `data` as a PNG data: URI, one pixel per module, with its 4-module quiet zone.

    The stylesheet scales it up with ``image-rendering: pixelated`` so print
    stays sharp. PNG rather than SVG: WeasyPrint draws an SVG path command by
    command, which cost ~6 ms a letter; a 29-pixel PNG costs nothing.
    The mask pattern is fixed: scoring all eight to pick the best cost ~7 ms
    a letter, and every mask is a valid code (the tests scan the letter).
    """
    import segno

    return segno.make(data, error="m", micro=False, mask=QR_MASK).png_data_uri(scale=1, border=4)


def render_letter_html(facts: LetterFacts, *, verify_url: str, program_name: str,
                       page_size: str = "letter") -> str:
    """Render templates/letters/approval.html for these facts.

    Must run inside an app context (Flask raises RuntimeError otherwise).
    Raises ValueError for a page size other than "letter" or "A4", or a verify
    URL without a code.
    """
    from flask import render_template

    size = {s.lower(): s for s in PAGE_SIZES}.get(page_size.lower())
    if size is None:
        raise ValueError(f"page size must be one of {PAGE_SIZES}, got {page_size!r}")
    return render_template(
        "letters/approval.html",
        facts=facts,
        program_name=program_name,
        page_class="page-" + size.lower(),
        letter_date=_long_date(facts.letter_date),
        approved_on=_long_date(facts.approved_on),
        expires_on=_long_date(facts.expires_on),
        delivery=DELIVERY_LABELS[facts.delivery_method],
        total_hours=_fmt_hours(facts.approved_total_hours),
        area_rows=[(AREA_LABELS[k], _fmt_hours(v)) for k, v in facts.area_hours.items()],
        designation_rows=[(DESIGNATION_LABELS[k], _fmt_hours(v)) for k, v in facts.designation_hours.items()],
        conditions=[_condition_markup(c, facts.approval_number) for c in facts.conditions],
        address_lines=[ln.strip() for ln in (facts.agency_address or "").splitlines() if ln.strip()],
        verify_url=_url_markup(verify_url),
        verify_code=_code_from_url(verify_url),
        qr_src=qr_data_uri(verify_url),
    )
