"""Who reviews a submitted application: the policy (pure) and the job applying it.

Policy, in order:
1. Eligible reviewers are active POST *reviewers* (role post_reviewer), not on
   leave, with no recorded conflict of interest with the submitting agency.
   POST administrators are never chosen by routing: they are the people who
   handle what routing cannot place, so an application nobody eligible can
   take goes to the unassigned pool and the administrators are told, rather
   than silently landing on an administrator's desk.
2. A resubmission goes back to the reviewer who had it, when still eligible.
3. Otherwise the eligible reviewer with the fewest open assignments
   (applications assigned to them that are submitted or in review: what is on
   their desk now, not what waits on an agency); ties go to the one assigned
   longest ago (never assigned counts as longest), then to the lowest id so the
   choice is deterministic.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from approvals import outbox
from approvals.extensions import db
from approvals.models import Application, ApplicationState, ReviewerConflict, Role, User, record
from approvals.models.application import REVIEWABLE_STATES


@dataclass(frozen=True)
class Candidate:
    """What the policy needs to know about one POST account."""

    id: int
    role: str = Role.POST_REVIEWER.value
    active: bool = True
    on_leave: bool = False
    open_assignments: int = 0
    last_assigned_at: datetime | None = None
    conflicts: frozenset[int] = frozenset()  # agency ids


def is_eligible(candidate: Candidate, agency_id: int) -> bool:
    return (
        candidate.active
        and candidate.role == Role.POST_REVIEWER.value
        and not candidate.on_leave
        and agency_id not in candidate.conflicts
    )


def choose_reviewer(
    candidates: Iterable[Candidate], agency_id: int, previous_reviewer_id: int | None = None
) -> int | None:
    """The id of the reviewer who should get an application of *agency_id*,
    or None when nobody is eligible."""
    pool = [c for c in candidates if is_eligible(c, agency_id)]
    if not pool:
        return None
    if previous_reviewer_id is not None and any(c.id == previous_reviewer_id for c in pool):
        return previous_reviewer_id
    return min(pool, key=lambda c: (c.open_assignments, c.last_assigned_at or datetime.min, c.id)).id


def candidates_for(agency_id: int) -> list[Candidate]:
    """Every POST account with its current load and conflicts (three queries)."""
    users = db.session.scalars(sa.select(User).where(User.role.in_([Role.POST_REVIEWER, Role.POST_ADMIN]))).all()
    load = dict(db.session.execute(
        sa.select(Application.assigned_reviewer_id, sa.func.count())
        .where(Application.state.in_(REVIEWABLE_STATES), Application.assigned_reviewer_id.is_not(None))
        .group_by(Application.assigned_reviewer_id)
    ).all())
    conflicted = set(db.session.scalars(
        sa.select(ReviewerConflict.reviewer_id).where(ReviewerConflict.agency_id == agency_id)
    ))
    return [
        Candidate(id=u.id, role=u.role.value, active=u.active, on_leave=u.on_leave,
                  open_assignments=load.get(u.id, 0), last_assigned_at=u.last_assigned_at,
                  conflicts=frozenset({agency_id}) if u.id in conflicted else frozenset())
        for u in users
    ]


def route_application(application_id: int | None, revision: int | None = None, **_: object) -> str:
    """Job: assign a submitted application to a reviewer by the policy above.

    Idempotent: does nothing unless the application is still waiting for a
    reviewer (state submitted), so a re-run after it was assigned, decided or
    withdrawn changes nothing. With nobody eligible it stays submitted, an
    internal audit event says so and the administrators are notified.
    Returns what it did. Lets database errors propagate (the runner records
    them and the sweep retries)."""
    from approvals import workflow

    app = db.session.get(Application, application_id) if application_id is not None else None
    if app is None or app.state != ApplicationState.SUBMITTED:
        return "nothing to do"
    chosen = choose_reviewer(candidates_for(app.agency_id), app.agency_id, app.assigned_reviewer_id)
    if chosen is None:
        record("application.unassigned", actor=None, subject=app, application_id=app.id,
               agency_id=app.agency_id, internal=True,
               summary="No eligible reviewer (all on leave, conflicted or none active); waiting in the unassigned pool",
               revision=revision)
        outbox.emit(outbox.NOTIFY, application_id=app.id, event="unassigned")
        return "unassigned"
    workflow.assign(app, db.session.get(User, chosen), actor=None)
    return f"assigned {chosen}"
