"""Approval numbers: MO-IS-<year>-<5 digits>, unique and sequential per year."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from approvals.extensions import db
from approvals.models.review import ApprovalCounter


def next_approval_number(year: int) -> str:
    """Take the next number of *year*, safely under concurrent approvals: the
    UPDATE holds the counter row's lock (PostgreSQL) or the database write
    lock (SQLite) until the caller's transaction ends."""
    from flask import current_app

    bumped = db.session.execute(
        sa.update(ApprovalCounter).where(ApprovalCounter.year == year)
        .values(last_value=ApprovalCounter.last_value + 1).returning(ApprovalCounter.last_value)
    ).scalar()
    if bumped is None:
        insert = _insert_ignore(ApprovalCounter, {"year": year, "last_value": 0})
        db.session.execute(insert)
        bumped = db.session.execute(
            sa.update(ApprovalCounter).where(ApprovalCounter.year == year)
            .values(last_value=ApprovalCounter.last_value + 1).returning(ApprovalCounter.last_value)
        ).scalar_one()
    return f"{current_app.config['APPROVAL_PREFIX']}-{year}-{bumped:05d}"


def _insert_ignore(model: Any, values: dict[str, Any]) -> Any:
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model).values(**values).on_conflict_do_nothing()
