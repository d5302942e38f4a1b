"""The reviewer queue as queries: tabs, filters, counts per state, one page of rows.

A page costs a fixed number of queries whatever the number of rows: the
counts (one GROUP BY), the total for the pager, the page's ids and the
page's rows with their agency and reviewer joined in.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup, escape
from sqlalchemy.orm import joinedload

from approvals.extensions import db
from approvals.models import Agency, Application, ApplicationState, User
from approvals.models.application import AREAS, DESIGNATIONS, OPEN_STATES, REVIEWABLE_STATES
from approvals.reminders import sla_status

TABS: dict[str, str] = {"mine": "My assignments", "unassigned": "Unassigned", "all": "All open"}
PER_PAGE = 25
STATE_ORDER = (ApplicationState.SUBMITTED, ApplicationState.IN_REVIEW, ApplicationState.CHANGES_REQUESTED)


@dataclass(frozen=True)
class QueueFilters:
    tab: str = "mine"
    state: str = ""
    area: str = ""
    designation: str = ""
    agency_id: int = 0
    age: str = ""

    def args(self) -> dict[str, Any]:
        """The non-default filters as URL arguments (for tabs and the pager)."""
        values = {"tab": self.tab, "state": self.state, "area": self.area, "designation": self.designation,
                  "agency": self.agency_id or "", "age": self.age}
        return {k: v for k, v in values.items() if v}


def _tab_clause(tab: str, user: User) -> sa.ColumnElement[bool]:
    if tab == "unassigned":
        # Waiting for a reviewer: new, resubmitted, or routing found nobody.
        return Application.state == ApplicationState.SUBMITTED
    open_ = Application.state.in_(OPEN_STATES)
    if tab == "mine":
        return sa.and_(open_, Application.assigned_reviewer_id == user.id)
    return open_


def _filter_clauses(f: QueueFilters, now: datetime) -> list[sa.ColumnElement[bool]]:
    cfg = current_app.config
    clauses: list[sa.ColumnElement[bool]] = []
    if f.area in AREAS:
        clauses.append(getattr(Application, f"hours_{f.area}") > 0)
    if f.designation in DESIGNATIONS:
        clauses.append(getattr(Application, f"hours_{f.designation}") > 0)
    if f.agency_id:
        clauses.append(Application.agency_id == f.agency_id)
    due = now - timedelta(days=cfg["REVIEW_SLA_DAYS"])
    escalated = now - timedelta(days=cfg["ESCALATION_SLA_DAYS"])
    if f.age == "ok":
        clauses.append(Application.submitted_at > due)
    elif f.age == "due":
        clauses.append(sa.and_(Application.submitted_at <= due, Application.submitted_at > escalated))
    elif f.age == "escalated":
        clauses.append(Application.submitted_at <= escalated)
    return clauses


def state_counts(f: QueueFilters, user: User, now: datetime) -> dict[ApplicationState, int]:
    """How many applications of the tab (other filters applied) are in each state."""
    rows = db.session.execute(
        sa.select(Application.state, sa.func.count())
        .where(_tab_clause(f.tab, user), *_filter_clauses(f, now))
        .group_by(Application.state)
    ).all()
    return {state: n for state, n in rows}


def queue_page(f: QueueFilters, user: User, page: int, now: datetime) -> Pagination:
    """One page of the queue, oldest submission first.

    A deferred join: the page's ids come from the indexes alone (so a deep
    page skips rows without reading them), then those rows are loaded with
    their agency and reviewer in one more query."""
    stmt = sa.select(Application.id).where(_tab_clause(f.tab, user), *_filter_clauses(f, now))
    if f.state and f.state in {s.value for s in OPEN_STATES}:
        stmt = stmt.where(Application.state == ApplicationState(f.state))
    pagination = db.paginate(stmt.order_by(Application.submitted_at, Application.id), page=page,
                             per_page=PER_PAGE, error_out=False, max_per_page=PER_PAGE)
    ids = list(pagination.items)
    rows = {a.id: a for a in db.session.scalars(
        sa.select(Application).where(Application.id.in_(ids))
        .options(joinedload(Application.agency), joinedload(Application.assigned_reviewer)))}
    pagination.items = [rows[i] for i in ids if i in rows]
    return pagination


def agency_options(selected: int) -> Markup:
    """The agency filter's <option>s, joined in Python: a template loop or
    WTForms' widgets over a few hundred agencies cost more than the queries."""
    rows = db.session.execute(sa.select(Agency.id, Agency.name).order_by(Agency.name))
    return Markup("".join(f'<option value="{int(i)}"{" selected" if i == selected else ""}>{escape(name)}</option>'
                          for i, name in rows))


@dataclass(frozen=True)
class Badge:
    label: str
    css: str  # a USWDS tag modifier defined in static/css/site.css


def badge(app: Application, now: datetime) -> Badge:
    """The SLA badge of a queue row."""
    if app.state not in REVIEWABLE_STATES:
        return Badge("With the agency", "sla-paused")
    cfg = current_app.config
    status = sla_status(app.submitted_at, now, review_days=cfg["REVIEW_SLA_DAYS"],
                        escalation_days=cfg["ESCALATION_SLA_DAYS"])
    return {
        "ok": Badge("Within SLA", "sla-ok"),
        "due": Badge(f"Past {cfg['REVIEW_SLA_DAYS']}-day SLA", "sla-due"),
        "escalated": Badge(f"Past {cfg['ESCALATION_SLA_DAYS']}-day escalation", "sla-escalated"),
    }[status]


def age_days(app: Application, now: datetime) -> int:
    return (now - app.submitted_at).days if app.submitted_at else 0
