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
import functools
import hashlib
import hmac
import json
import mimetypes
import threading
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit
from urllib.request import url2pathname

from markupsafe import Markup, escape

if TYPE_CHECKING:  # WeasyPrint takes ~0.6 s to import; only the PDF path needs it.
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

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


class LetterAssetRefused(ValueError):
    """A letter asked for a resource outside the app's own static files (or one that cannot be read)."""


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
    """
    import segno

    return segno.make(data, error="m", micro=False).png_data_uri(scale=1, border=4)


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
        letter_date=_long_date(facts.approved_on),
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


@functools.cache
def _fetcher_class() -> type[URLFetcher]:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticAssetFetcher(URLFetcher):
        """Serves data: URIs and files under one directory; refuses everything else."""

        def __init__(self, static_dir: Path) -> None:
            # fail_on_errors: a refused asset stops the render instead of
            # producing a letter that silently lacks its stylesheet.
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False,
                             fail_on_errors=True)
            self.static_dir = Path(static_dir).resolve()

        def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file" or parts.netloc not in ("", "localhost"):
                raise LetterAssetRefused(f"letters may not fetch {url!r}")
            path = Path(url2pathname(unquote(parts.path))).resolve()
            if not path.is_relative_to(self.static_dir):
                raise LetterAssetRefused(f"letters may only use files under {self.static_dir}: {url!r}")
            if not path.is_file():
                raise LetterAssetRefused(f"no such letter asset: {url!r}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})

    return StaticAssetFetcher


def asset_fetcher(static_dir: Path) -> URLFetcher:
    """A WeasyPrint URL fetcher limited to data: URIs and files under `static_dir`.

    Its ``fetch(url)`` raises LetterAssetRefused for any other URL (http,
    https, ftp, file paths outside the directory, symlinks leading out of it).
    """
    return _fetcher_class()(static_dir)


_thread_fonts = threading.local()


def _font_config() -> FontConfiguration:
    # Reusing one font configuration keeps Pango's loaded faces warm (~30 ms a
    # letter). Pango font maps are not thread-safe, hence one per thread.
    config = getattr(_thread_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _thread_fonts.config = FontConfiguration()
    return config


def render_letter_pdf(html: str, *, static_dir: Path) -> bytes:
    """Turn letter HTML into PDF bytes; relative URLs resolve against `static_dir`.

    A letter that overflows one page is laid out again on the stylesheet's
    compact scale (``html[data-fit=compact]``); only if that overflows too
    does it run onto a second page.

    Raises LetterAssetRefused when the HTML refers to anything but data: URIs
    and files under `static_dir`; nothing outside is ever fetched.
    """
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    static_dir = Path(static_dir).resolve()
    source = HTML(string=html, base_url=static_dir.as_uri() + "/", url_fetcher=asset_fetcher(static_dir))
    try:
        font_config = _font_config()
        document = source.render(font_config=font_config)
        if len(document.pages) > 1:
            # Long names or many conditions: retry on the stylesheet's compact
            # scale before letting the letter run onto a second page.
            source.etree_element.set("data-fit", "compact")
            document = source.render(font_config=font_config)
        return document.write_pdf()
    except FatalURLFetchingError as exc:  # a BaseException: hand back an ordinary error
        if isinstance(exc.__cause__, LetterAssetRefused):
            raise exc.__cause__ from None
        raise LetterAssetRefused(f"{exc}: {exc.__cause__}") from exc
