"""The statewide catalog's search tables: one row per approved course.

`catalog_entries` holds the short public facts every filter and sort reads
(narrow rows, so a filtered count scans little); `catalog_texts` holds the
words full-text search reads — title, objectives folded into one column,
synopsis. The full-text index is kept in sync with `catalog_texts` by
database triggers (migration 0005_catalog): an FTS5 table on SQLite, a
weighted tsvector column with a GIN index on PostgreSQL.

Both tables are kept in sync with `applications` by a flush listener: when
the ORM writes an application (or an objective) that is, or was, approved,
its rows are rebuilt in the same transaction. Writes that bypass the ORM
(bulk loads) call `rebuild_entries()` afterwards (or `flask catalog reindex`).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, Session, deferred, mapped_column

from approvals.extensions import db
from approvals.models._types import Hours, enum_column
from approvals.models.application import HOUR_FIELDS, Application, ApplicationState, DeliveryMethod
from approvals.models.parts import Objective

# NULL and unused on SQLite (its index is the FTS5 table catalog_fts).
SearchVector = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")


class CatalogEntry(db.Model):
    __tablename__ = "catalog_entries"

    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    approval_number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200), index=True)
    delivery_method: Mapped[DeliveryMethod | None] = mapped_column(enum_column(DeliveryMethod, "delivery_method"))
    approved_on: Mapped[date] = mapped_column(index=True)
    # Indexed for finding the few lapsed entries (see catalog/plan.py), not for
    # ranges over the many current ones.
    expires_on: Mapped[date] = mapped_column(index=True)
    hours_total: Mapped[float] = mapped_column(Hours)
    hours_legal: Mapped[float] = mapped_column(Hours)
    hours_technical: Mapped[float] = mapped_column(Hours)
    hours_interpersonal: Mapped[float] = mapped_column(Hours)
    hours_skill_development: Mapped[float] = mapped_column(Hours)
    hours_firearms: Mapped[float] = mapped_column(Hours)
    hours_racial_profiling: Mapped[float] = mapped_column(Hours)
    hours_implicit_bias: Mapped[float] = mapped_column(Hours)
    hours_deescalation: Mapped[float] = mapped_column(Hours)

    def __repr__(self) -> str:
        return f"<CatalogEntry {self.approval_number} {self.title!r}>"


class CatalogText(db.Model):
    __tablename__ = "catalog_texts"
    __table_args__ = (
        sa.Index("ix_catalog_texts_search_vector", "search_vector", postgresql_using="gin"),
    )

    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("catalog_entries.application_id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    objectives: Mapped[str] = mapped_column(sa.Text)  # one objective per line
    synopsis: Mapped[str] = mapped_column(sa.Text)
    # Filled by a trigger on PostgreSQL: title weight A, objectives B, synopsis C.
    search_vector: Mapped[str | None] = deferred(mapped_column(SearchVector))


_apps = Application.__table__
_objectives = Objective.__table__
_entries = CatalogEntry.__table__
_texts = CatalogText.__table__
_TEXT_COLUMNS = ("title", "objectives", "synopsis")


def rebuild_entries(conn: sa.Connection, application_ids: Iterable[int] | None = None, *, batch: int = 500) -> int:
    """Rebuild the catalog entries of *application_ids* (all applications when
    None) from `applications` and `objectives`; returns how many entries now
    exist for them. Runs in the caller's transaction."""
    if application_ids is None:
        ids = list(conn.scalars(sa.select(_apps.c.id).where(_apps.c.state == ApplicationState.APPROVED.value)))
        conn.execute(sa.delete(_texts))
        conn.execute(sa.delete(_entries))
        fresh = True
    else:
        ids = sorted(set(application_ids))
        fresh = False
    written = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        if not fresh:
            # Texts first: their delete trigger keeps the full-text index in step.
            conn.execute(sa.delete(_texts).where(_texts.c.application_id.in_(chunk)))
            conn.execute(sa.delete(_entries).where(_entries.c.application_id.in_(chunk)))
        rows = _entry_rows(conn, chunk)
        if rows:
            conn.execute(sa.insert(_entries), [{k: v for k, v in r.items() if k not in _TEXT_COLUMNS[1:]}
                                               for r in rows])
            conn.execute(sa.insert(_texts), [{k: r[k] for k in ("application_id", *_TEXT_COLUMNS)} for r in rows])
        written += len(rows)
    return written


def _entry_rows(conn: sa.Connection, ids: list[int]) -> list[dict[str, Any]]:
    hour_cols = [_apps.c[f"approved_{k}"] for k in HOUR_FIELDS]
    apps = conn.execute(
        sa.select(_apps.c.id, _apps.c.approval_number, _apps.c.agency_id, _apps.c.title, _apps.c.synopsis,
                  _apps.c.delivery_method, _apps.c.approved_on, _apps.c.expires_on, *hour_cols)
        .where(_apps.c.id.in_(ids), _apps.c.state == ApplicationState.APPROVED.value)
    ).all()
    if not apps:
        return []
    objectives: dict[int, list[str]] = {}
    for app_id, text in conn.execute(
        sa.select(_objectives.c.application_id, _objectives.c.text)
        .where(_objectives.c.application_id.in_([a.id for a in apps]))
        .order_by(_objectives.c.application_id, _objectives.c.position, _objectives.c.id)
    ):
        # One per line in the text column, so an objective may not span lines.
        objectives.setdefault(app_id, []).append(" ".join(text.split()))
    rows = []
    for a in apps:
        row = {
            "application_id": a.id, "approval_number": a.approval_number, "agency_id": a.agency_id,
            "title": a.title, "synopsis": a.synopsis, "objectives": "\n".join(objectives.get(a.id, [])),
            "delivery_method": a.delivery_method, "approved_on": a.approved_on, "expires_on": a.expires_on,
        }
        for key in HOUR_FIELDS:
            row[f"hours_{key}"] = getattr(a, f"approved_{key}") or 0.0
        rows.append(row)
    return rows


def _touched_application_ids(session: Session) -> set[int]:
    ids: set[int] = set()
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Application):
            state_history = sa.inspect(obj).attrs.state.history
            if obj.state == ApplicationState.APPROVED or state_history.has_changes():
                ids.add(obj.id)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Objective) and obj.application_id is not None:
            ids.add(obj.application_id)
    return ids


@event.listens_for(Session, "after_flush")
def _sync_catalog(session: Session, _ctx: Any) -> None:
    ids = _touched_application_ids(session)
    if ids:
        rebuild_entries(session.connection(), ids)
