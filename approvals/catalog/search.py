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
from sqlalchemy.dialects import postgresql

from approvals.catalog import fts
from approvals.extensions import db
from approvals.models.agency import Agency
from approvals.models.application import AREAS, DESIGNATIONS, HOUR_FIELDS, DeliveryMethod
from approvals.models.catalog import CatalogEntry
from approvals.validation import Problem

SORTS = {"relevance": "Best match", "newest": "Newest approval", "title": "Title (A–Z)"}
MAX_PER_PAGE = 100
MAX_TEXT = 200

_e = CatalogEntry.__table__
_agencies = Agency.__table__
_fts = sa.table("catalog_fts", sa.column("rowid", sa.Integer))
_RESULT_COLUMNS = [c for c in _e.c if c.name != "search_vector"]
# bm25 weights, in the FTS5 table's column order: title, objectives, synopsis.
_BM25 = (10.0, 3.0, 1.0)


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
    conditions, joins, rank = _conditions(query, db.session.get_bind().dialect.name)
    count = sa.select(sa.func.count()).select_from(joins(_e)).where(*conditions)
    total = db.session.execute(count).scalar_one()
    stmt = _select(query, conditions, joins, rank).limit(query.per_page).offset((query.page - 1) * query.per_page)
    items = [_course(row) for row in db.session.execute(stmt)] if total else []
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
    conditions, joins, rank = _conditions(query, dialect)
    stmt = _select(query, conditions, joins, rank).execution_options(yield_per=500)
    for row in executor.execute(stmt):
        yield _course(row)


def _conditions(query: CatalogQuery, dialect: str) -> tuple[list[Any], Any, Any]:
    assert query.today is not None
    conditions: list[Any] = [_e.c.expires_on >= query.today]
    if query.area:
        conditions.append(_e.c[f"hours_{query.area}"] > 0)
    if query.designation:
        conditions.append(_e.c[f"hours_{query.designation}"] > 0)
    if query.min_hours is not None:
        conditions.append(_e.c.hours_total >= query.min_hours)
    if query.max_hours is not None:
        conditions.append(_e.c.hours_total <= query.max_hours)
    if query.delivery_method:
        conditions.append(_e.c.delivery_method == query.delivery_method)
    if query.agency_id is not None:
        conditions.append(_e.c.agency_id == query.agency_id)

    terms = fts.parse(query.text)

    def no_join(from_: Any) -> Any:
        return from_

    if not terms:
        return conditions, no_join, None
    if dialect == "postgresql":
        tsquery = sa.func.websearch_to_tsquery(
            sa.literal_column("'english'", type_=postgresql.REGCONFIG), sa.literal(fts.to_websearch(terms))
        )
        conditions.append(_e.c.search_vector.bool_op("@@")(tsquery))
        # Higher is better; weights for D, C, B, A (synopsis is C, objectives B, title A).
        rank = sa.func.ts_rank(sa.literal_column("'{0.05, 0.2, 0.4, 1.0}'::real[]"), _e.c.search_vector, tsquery)
        return conditions, no_join, rank.desc()

    def fts_join(from_: Any) -> Any:
        return from_.join(_fts, _fts.c.rowid == _e.c.application_id)

    conditions.append(sa.literal_column("catalog_fts").op("MATCH")(sa.literal(fts.to_fts5(terms))))
    # bm25 is lower-is-better.
    rank = sa.func.bm25(sa.literal_column("catalog_fts"), *_BM25)
    return conditions, fts_join, rank.asc()


def _select(query: CatalogQuery, conditions: list[Any], joins: Any, rank: Any) -> sa.Select:
    rank_col = (rank.element if rank is not None else sa.null()).label("rank")
    stmt = (
        sa.select(*_RESULT_COLUMNS, _agencies.c.name.label("agency_name"), rank_col)
        .select_from(joins(_e).join(_agencies, _agencies.c.id == _e.c.agency_id))
        .where(*conditions)
    )
    newest = (_e.c.approved_on.desc(), _e.c.application_id.desc())
    if query.sort == "title":
        return stmt.order_by(_e.c.title, _e.c.application_id)
    if query.sort == "relevance" and rank is not None:
        return stmt.order_by(rank, *newest)
    return stmt.order_by(*newest)


def _course(row: Any) -> CatalogCourse:
    return CatalogCourse(
        application_id=row.application_id, approval_number=row.approval_number, title=row.title,
        synopsis=row.synopsis, objectives=tuple(o for o in row.objectives.split("\n") if o),
        agency_id=row.agency_id, agency_name=row.agency_name,
        delivery_method=DeliveryMethod(row.delivery_method) if row.delivery_method else None,
        approved_on=row.approved_on, expires_on=row.expires_on,
        hours={k: float(row._mapping[f"hours_{k}"] or 0) for k in HOUR_FIELDS},
        rank=float(row.rank) if row.rank is not None else None,
    )
