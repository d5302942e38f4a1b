"""CLEE reminders: e-mail officers and their agencies while requirements remain.

Rounds are dates in the config (``CLEE_REMINDER_ROUNDS``): ``MM-DD`` is a
date in the reporting year (before it ends), ``+MM-DD`` a date in the
following year (after it ends, until the grace date). When the job runs, the
most recent round whose date has come is due for each period (older rounds
are not sent late). Each officer and each agency gets a round once:
a row in reminder_log is claimed (committed) before the e-mail goes out and
released again if sending fails, so two workers never both send it and a
failed send is retried on the next run.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app, url_for

from approvals.compliance import Standing, UnknownPeriod
from approvals.credit.periods import period_rules
from approvals.credit.statewide import OfficerStanding, standings
from approvals.extensions import db
from approvals.mail import send_template
from approvals.models import Agency, User
from approvals.models.compliance import ReminderLog
from approvals.models.user import Role

DEFAULT_ROUNDS = "10-01,12-01,+01-15,+03-01"
OWING = ("in_progress", "extended", "grace", "non_compliant")


@dataclass(frozen=True)
class Round:
    year: int
    key: str  # e.g. "before-12-01" / "after-01-15"
    on: date


def due_rounds(as_of: date, spec: str | None = None) -> list[Round]:
    """The latest round that has come for this year's period (its "before" rounds)
    and for last year's (its "after" rounds); send_reminders drops last year's
    once its grace date has passed."""
    spec = spec or current_app.config.get("CLEE_REMINDER_ROUNDS") or DEFAULT_ROUNDS
    due = []
    for year, after in ((as_of.year, False), (as_of.year - 1, True)):
        candidates = []
        for item in (s.strip() for s in spec.split(",") if s.strip()):
            if item.startswith("+") != after:
                continue
            month, day = (int(x) for x in item.lstrip("+").split("-"))
            on = date(year + (1 if after else 0), month, day)
            if on <= as_of:
                candidates.append(Round(year, f"{'after' if after else 'before'}-{month:02d}-{day:02d}", on))
        if candidates:
            due.append(max(candidates, key=lambda r: r.on))
    return due


def send_reminders(as_of: date | None = None) -> dict[str, int]:
    """Send every due round's reminders not yet sent; returns counts sent.

    Commits as it goes (one claim per recipient). Raises what sending raises,
    after releasing that recipient's claim, so the job fails visibly and a
    rerun sends the rest.
    """
    as_of = as_of or date.today()
    sent = {"officers": 0, "agencies": 0}
    for round_ in due_rounds(as_of):
        try:
            rules = period_rules(round_.year)
        except UnknownPeriod:
            continue
        if as_of > rules.grace_date:
            continue  # past the date to show compliance: reminding no longer helps
        owing = [s for s in standings(round_.year, as_of) if str(s.standing.status) in OWING]
        by_agency: dict[int, list[OfficerStanding]] = defaultdict(list)
        for item in owing:
            if item.agency_id is not None:
                by_agency[item.agency_id].append(item)
            if item.email and _claim(round_, officer_id=item.officer_id, recipients=item.email):
                _send(round_, {"officer_id": item.officer_id}, item.email,
                      f"CLEE {round_.year}: training still needed", "clee_reminder_officer",
                      officer=item, missing=_missing(item.standing), rules=rules,
                      transcript_url=_url("credit.transcript", year=round_.year))
                sent["officers"] += 1
        agencies = {a.id: a for a in db.session.scalars(sa.select(Agency).where(Agency.id.in_(list(by_agency))))}
        for agency_id, officers in sorted(by_agency.items()):
            emails = _agency_emails(agency_id)
            if emails and _claim(round_, agency_id=agency_id, recipients=", ".join(emails)):
                _send(round_, {"agency_id": agency_id}, emails,
                      f"CLEE {round_.year}: {len(officers)} of your officers still need training",
                      "clee_reminder_agency", agency=agencies[agency_id], rules=rules,
                      officers=[(o, _missing(o.standing)) for o in officers],
                      dashboard_url=_url("credit.agency_officers", year=round_.year))
                sent["agencies"] += 1
    return sent


def _missing(standing: Standing) -> list[tuple[str, float]]:
    return [(line.label, line.remaining) for line in standing.missing]


def _agency_emails(agency_id: int) -> list[str]:
    return list(db.session.scalars(
        sa.select(User.email).where(User.agency_id == agency_id, User.active,
                                    User.role.in_([Role.AGENCY_ADMIN, Role.AGENCY_STAFF]))
        .order_by(User.email)))


def _url(endpoint: str, **values: object) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    with current_app.test_request_context(base_url=base or "http://localhost"):
        return url_for(endpoint, _external=True, **values)


def _claim(round_: Round, *, recipients: str, officer_id: int | None = None, agency_id: int | None = None) -> bool:
    """Record that this recipient's reminder is being sent; False if someone already did."""
    taken = sa.select(ReminderLog.id).where(ReminderLog.year == round_.year, ReminderLog.round == round_.key,
                                            ReminderLog.officer_id == officer_id if officer_id else
                                            ReminderLog.agency_id == agency_id)
    if db.session.scalar(taken) is not None:
        return False
    db.session.add(ReminderLog(year=round_.year, round=round_.key, officer_id=officer_id, agency_id=agency_id,
                               recipients=recipients))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # another worker claimed it first
        db.session.rollback()
        return False
    return True


def _send(round_: Round, who: dict[str, int], to: str | list[str], subject: str, template: str,
          **context: object) -> None:
    try:
        send_template(to, subject, template, year=round_.year, **context)
    except Exception:
        db.session.execute(sa.delete(ReminderLog).where(
            ReminderLog.year == round_.year, ReminderLog.round == round_.key,
            *(getattr(ReminderLog, k) == v for k, v in who.items())))
        db.session.commit()
        raise
