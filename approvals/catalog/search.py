"""Search the statewide catalog: one interface, whichever database is in use.

`search_courses(CatalogQuery) -> CatalogPage` is what the catalog pages, the
CSV export and the JSON API call; `iter_courses` streams every match (no
paging) for exports. Only approved courses whose approval has not run out
are found: revoked and expired ones have no catalog entry, and an entry past
its expiry date (not yet marked expired by the nightly job) is filtered out.

Full-text search uses SQLite FTS5 (bm25) or PostgreSQL full-text
(websearch_to_tsquery, ts_rank); the dialect is read from the session's bind.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import sqlalchemy as sa

from approvals.catalog import plan as planner
from approvals.extensions import db
from approvals.models.agency import Agency
from approvals.models.application import AREAS, DESIGNATIONS, HOUR_FIELDS, DeliveryMethod
from approvals.models.catalog import CatalogEntry, CatalogText
from approvals.validation import Problem

SORTS = {"relevance": "Best match", "newest": "Newest approval", "title": "Title (A–Z)"}
MAX_PER_PAGE = 100
MAX_TEXT = 200

_e = CatalogEntry.__table__
_t = CatalogText.__table__
_agencies = Agency.__table__


class InvalidCatalogQuery(ValueError):
    """The query has bad values; `.problems` names each field."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class CatalogQuery:
    text: str = ""
    area: str | None = None                 # a key of AREAS: has hours in that area
    designation: str | None = None          # a key of DESIGNATIONS: carries such hours
    min_hours: float | None = None          # approved total hours, inclusive
    max_hours: float | None = None
    delivery_method: str | None = None      # a DeliveryMethod value
    agency_id: int | None = None            # the approval-holding agency
    sort: str = "relevance"                 # relevance | newest | title
    page: int = 1
    per_page: int = 20
    today: date | None = None               # "current" is judged on this day

    def problems(self) -> list[Problem]:
        p: list[Problem] = []
        if len(self.text or "") > MAX_TEXT:
            p.append(Problem("text", f"Search words can be at most {MAX_TEXT} characters."))
        if self.area is not None and self.area not in AREAS:
            p.append(Problem("area", "Choose one of the listed core curriculum areas."))
        if self.designation is not None and self.designation not in DESIGNATIONS:
            p.append(Problem("designation", "Choose one of the listed designations."))
        if self.delivery_method is not None and self.delivery_method not in DeliveryMethod._value2member_map_:
            p.append(Problem("delivery_method", "Choose in person or computer-based."))
        for name in ("min_hours", "max_hours"):
            value = getattr(self, name)
            if value is not None and not (0 <= value <= 1000 and math.isfinite(value)):
                p.append(Problem(name, "Hours must be a number between 0 and 1000."))
        if self.min_hours is not None and self.max_hours is not None and self.min_hours > self.max_hours:
            p.append(Problem("max_hours", "The most hours cannot be fewer than the fewest hours."))
        if self.sort not in SORTS:
            p.append(Problem("sort", "Sort by best match, newest or title."))
        if self.page < 1:
            p.append(Problem("page", "Pages are numbered from 1."))
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            p.append(Problem("per_page", f"Show between 1 and {MAX_PER_PAGE} courses per page."))
        return p


@dataclass(frozen=True)
class CatalogCourse:
    """The public facts of one catalog course, as search results list them."""

    application_id: int
    approval_number: str
    title: str
    synopsis: str
    objectives: tuple[str, ...]
    agency_id: int
    agency_name: str
    delivery_method: DeliveryMethod | None
    approved_on: date
    expires_on: date
    hours: dict[str, float] = field(default_factory=dict)  # HOUR_FIELDS -> approved hours
    rank: float | None = None

    @property
    def area_hours(self) -> dict[str, float]:
        return {k: self.hours[k] for k in AREAS}

    @property
    def designation_hours(self) -> dict[str, float]:
        return {k: self.hours[k] for k in DESIGNATIONS if self.hours[k]}


@dataclass
class CatalogPage:
    items: list[CatalogCourse]
    total: int
    query: CatalogQuery

    @property
    def page(self) -> int:
        return self.query.page

    @property
    def per_page(self) -> int:
        return self.query.per_page

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def iter_pages(self, *, left_edge: int = 2, left_current: int = 2, right_current: int = 4,
                   right_edge: int = 2) -> Iterator[int | None]:
        """Page numbers for a pager, None where numbers are skipped (as Flask-SQLAlchemy does)."""
        last = 0
        for num in range(1, self.pages + 1):
            if (num <= left_edge or self.page - left_current - 1 < num < self.page + right_current
                    or num > self.pages - right_edge):
                if last + 1 != num:
                    yield None
                yield num
                last = num


def search_courses(query: CatalogQuery) -> CatalogPage:
    """One page of catalog courses matching *query*. Raises InvalidCatalogQuery."""
    problems = query.problems()
    if problems:
        raise InvalidCatalogQuery(problems)
    query = replace(query, today=query.today or date.today())
    plan = planner.plan(query, db.session.get_bind().dialect.name)
    count = sa.select(sa.func.count()).select_from(plan.from_).where(*plan.conditions)
    total = None if plan.window_total else db.session.execute(count).scalar_one()
    if total == 0:
        return CatalogPage(items=[], total=0, query=query)
    # Rank and page over narrow rows first, then read the texts of just this page.
    columns = [plan.id_column.label("application_id"), plan.rank_column(query.sort)]
    if plan.window_total:
        columns.append(sa.func.count().over().label("total"))
    ranked = db.session.execute(
        sa.select(*columns).select_from(plan.from_).where(*plan.conditions)
        .order_by(*plan.order(query.sort)).limit(query.per_page).offset((query.page - 1) * query.per_page)
    ).all()
    if total is None:
        total = ranked[0].total if ranked else db.session.execute(count).scalar_one()
    ids = [row.application_id for row in ranked]
    if not ids:
        return CatalogPage(items=[], total=total, query=query)
    rows = {row.application_id: row for row in db.session.execute(
        _full_select(_e.join(_t, _t.c.application_id == _e.c.application_id), sa.null().label("rank"))
        .where(_e.c.application_id.in_(ids)))}
    items = [_course(rows[row.application_id], row.rank) for row in ranked if row.application_id in rows]
    return CatalogPage(items=items, total=total, query=query)


def iter_courses(query: CatalogQuery, connection: sa.Connection | None = None) -> Iterator[CatalogCourse]:
    """Every course matching *query* in its sort order, streamed (page and
    per_page are ignored), read through *connection* (default: the app's
    session) so a streamed response needs no app context. Raises
    InvalidCatalogQuery."""
    problems = [p for p in query.problems() if p.field not in ("page", "per_page")]
    if problems:
        raise InvalidCatalogQuery(problems)
    query = replace(query, today=query.today or date.today())
    executor: Any = connection if connection is not None else db.session
    dialect = (connection.dialect if connection is not None else db.session.get_bind().dialect).name
    plan = planner.plan(query, dialect, need_entries=True)
    from_ = plan.from_ if plan.texts_joined else plan.from_.join(_t, _t.c.application_id == _e.c.application_id)
    stmt = (_full_select(from_, plan.rank_column(query.sort)).where(*plan.conditions).order_by(*plan.order(query.sort))
            .execution_options(yield_per=500))
    for row in executor.execute(stmt):
        yield _course(row, row.rank)


def _full_select(from_: Any, rank_column: Any) -> sa.Select:
    return (sa.select(*_e.c, _t.c.synopsis, _t.c.objectives, _agencies.c.name.label("agency_name"),
                      rank_column)
            .select_from(from_.join(_agencies, _agencies.c.id == _e.c.agency_id)))


def _course(row: Any, rank: float | None) -> CatalogCourse:
    return CatalogCourse(
        application_id=row.application_id, approval_number=row.approval_number, title=row.title,
        synopsis=row.synopsis, objectives=tuple(o for o in row.objectives.split("\n") if o),
        agency_id=row.agency_id, agency_name=row.agency_name,
        delivery_method=DeliveryMethod(row.delivery_method) if row.delivery_method else None,
        approved_on=row.approved_on, expires_on=row.expires_on,
        hours={k: float(row._mapping[f"hours_{k}"] or 0) for k in HOUR_FIELDS},
        rank=float(rank) if rank is not None else None,
    )
