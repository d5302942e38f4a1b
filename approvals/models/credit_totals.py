"""Per-officer, per-year sums of the current credit entries, kept in step with the ledger.

The statewide report evaluates every officer. Reading 500,000 entries (or
summing them in SQL) takes longer than the evaluation itself, so the sums the
evaluator needs are kept here, one row per (officer, calendar year of
completion, college or not, Approved Provider or not, computer-based or not),
updated in the same flush as the entry that changes them: an insert adds the
entry's hours, superseding it subtracts them. Both are atomic upserts
(``x = x + delta``), so concurrent rosters cannot lose an update.

Each designation is stored as the hours of its entry that *count*
(``min(designated, counted)``, where a computer-based entry's Firearms hours
never count), so the sums are additive; see approvals/credit/statewide.py
for why a summed fact evaluates like the entries it sums.

Writes that bypass the ORM (bulk loads) call :func:`rebuild_totals`.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from approvals.extensions import db
from approvals.models.credit import AREA_KEYS, DESIGNATION_KEYS, CreditEntry

TotalHours = sa.Numeric(8, 1, asdecimal=False)
SUM_COLUMNS = ("value", "semester", *AREA_KEYS, *DESIGNATION_KEYS)


class CreditTotal(db.Model):
    __tablename__ = "credit_totals"

    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("officers.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    college: Mapped[bool] = mapped_column(primary_key=True)
    approved: Mapped[bool] = mapped_column(primary_key=True)
    computer_based: Mapped[bool] = mapped_column(primary_key=True)
    entries: Mapped[int] = mapped_column(default=0)
    value: Mapped[float] = mapped_column(TotalHours, default=0.0)  # credited CLEE hours
    semester: Mapped[float] = mapped_column(TotalHours, default=0.0)
    legal: Mapped[float] = mapped_column(TotalHours, default=0.0)
    technical: Mapped[float] = mapped_column(TotalHours, default=0.0)
    interpersonal: Mapped[float] = mapped_column(TotalHours, default=0.0)
    skill_development: Mapped[float] = mapped_column(TotalHours, default=0.0)
    firearms: Mapped[float] = mapped_column(TotalHours, default=0.0)
    # Hours that count toward each designation (see the module docstring).
    racial_profiling: Mapped[float] = mapped_column(TotalHours, default=0.0)
    implicit_bias: Mapped[float] = mapped_column(TotalHours, default=0.0)
    deescalation: Mapped[float] = mapped_column(TotalHours, default=0.0)


_totals = CreditTotal.__table__
_entries = CreditEntry.__table__


def entry_key_and_sums(entry: Any) -> tuple[tuple, dict[str, float]]:
    """The totals row an entry belongs to and what it adds to it."""
    cb = str(entry.delivery) == "computer_based"
    value = sum(getattr(entry, f"hours_{k}") or 0.0 for k in AREA_KEYS)
    counted = value - ((entry.hours_firearms or 0.0) if cb else 0.0)
    sums = {"value": value, "semester": entry.semester_hours or 0.0}
    for k in AREA_KEYS:
        sums[k] = getattr(entry, f"hours_{k}") or 0.0
    sums["firearms"] = entry.hours_firearms or 0.0
    for d in DESIGNATION_KEYS[1:]:
        sums[d] = min(getattr(entry, f"hours_{d}") or 0.0, counted)
    key = (entry.officer_id, entry.completed_on.year, str(entry.source) == "college",
           str(entry.provider) == "approved_provider", cb)
    return key, sums


def apply_deltas(conn: sa.Connection, deltas: dict[tuple, dict[str, float]]) -> None:
    """Add each delta to its totals row (creating it), atomically, in one
    executemany of a single cached upsert statement."""
    rows = []
    for (officer_id, year, college, approved, cb), sums in deltas.items():
        sums = dict(sums)
        rows.append({"officer_id": officer_id, "year": year, "college": college, "approved": approved,
                     "computer_based": cb, "entries": int(sums.pop("entries")),
                     **{c: sums.get(c, 0.0) for c in SUM_COLUMNS}})
    if rows:
        conn.execute(_upsert(conn.dialect.name), rows)


_UPSERTS: dict[str, Any] = {}


def _upsert(dialect: str) -> Any:
    # Built once per dialect: constructing ON CONFLICT clauses is costly, and
    # a roster adds thousands of rows in one flush.
    if dialect not in _UPSERTS:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(_totals)
        _UPSERTS[dialect] = stmt.on_conflict_do_update(
            index_elements=["officer_id", "year", "college", "approved", "computer_based"],
            set_={c: _totals.c[c] + stmt.excluded[c] for c in ("entries", *SUM_COLUMNS)},
        )
    return _UPSERTS[dialect]


def grouped_sums_select(where: sa.ColumnElement[bool] | None = None) -> sa.Select:
    """The totals computed from credit_entries in SQL (same columns as credit_totals)."""
    t = _entries
    cb = t.c.delivery == "computer_based"
    value = sum((t.c[f"hours_{k}"] for k in AREA_KEYS), sa.literal(0))
    counted = value - sa.case((cb, t.c.hours_firearms), else_=0)

    def total(expr: Any) -> sa.ColumnElement:
        return sa.func.coalesce(sa.func.sum(expr, type_=TotalHours), 0)

    college = sa.case((t.c.source == "college", True), else_=False)
    approved = sa.case((t.c.provider == "approved_provider", True), else_=False)
    computer_based = sa.case((cb, True), else_=False)
    year = sa.extract("year", t.c.completed_on)
    stmt = (
        sa.select(
            t.c.officer_id.label("officer_id"), sa.cast(year, sa.Integer).label("year"),
            college.label("college"), approved.label("approved"), computer_based.label("computer_based"),
            sa.func.count().label("entries"), total(value).label("value"), total(t.c.semester_hours).label("semester"),
            *(total(t.c[f"hours_{k}"]).label(k) for k in AREA_KEYS), total(t.c.hours_firearms).label("firearms"),
            *(total(sa.case((t.c[f"hours_{d}"] < counted, t.c[f"hours_{d}"]), else_=counted)).label(d)
              for d in DESIGNATION_KEYS[1:]),
        )
        .where(t.c.superseded_at.is_(None))
        .group_by(t.c.officer_id, year, college, approved, computer_based)
    )
    return stmt if where is None else stmt.where(where)


def rebuild_totals(conn: sa.Connection) -> int:
    """Recompute every totals row from the ledger; returns the row count."""
    conn.execute(sa.delete(_totals))
    select = grouped_sums_select()
    conn.execute(sa.insert(_totals).from_select([c.name for c in select.selected_columns], select))
    return conn.scalar(sa.select(sa.func.count()).select_from(_totals)) or 0


@event.listens_for(Session, "after_flush")
def _sync_totals(session: Session, _ctx: Any) -> None:
    deltas: dict[tuple, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for obj in session.new:
        if isinstance(obj, CreditEntry) and obj.superseded_at is None:
            _add(deltas, obj, 1)
    for obj in session.dirty:
        if isinstance(obj, CreditEntry):
            history = sa.inspect(obj).attrs.superseded_at.history
            if history.added and history.added[0] is not None and not any(history.deleted):
                _add(deltas, obj, -1)
    if deltas:
        apply_deltas(session.connection(), {k: dict(v) for k, v in deltas.items()})


def _add(deltas: dict, entry: CreditEntry, sign: int) -> None:
    key, sums = entry_key_and_sums(entry)
    target = deltas[key]
    target["entries"] += sign
    for name, value in sums.items():
        target[name] += sign * value
