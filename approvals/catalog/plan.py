"""How a CatalogQuery becomes SQL on each database (used by search.py only).

SQLite: full-text matches come from the FTS5 table catalog_fts, ranked by its
configured rank (bm25 with title 10, objectives 3, synopsis 1; see migration
0005). For a text search, entries past their expiry date are excluded with
``NOT IN`` the few lapsed ones (index on expires_on) rather than by testing
every match, and catalog_entries is joined only when a filter or sort needs
its columns: a common word can match half the catalog, and per-match lookups
dominated the time.

PostgreSQL: websearch_to_tsquery over catalog_texts.search_vector (GIN),
ranked by ts_rank with weights A title, B objectives, C synopsis, with the
same joins-only-when-needed shape.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from approvals.catalog import fts
from approvals.models.catalog import CatalogEntry, CatalogText

E = CatalogEntry.__table__
T = CatalogText.__table__
FTS = sa.table("catalog_fts", sa.column("rowid", sa.Integer), sa.column("rank", sa.Float))


@dataclass
class Plan:
    conditions: list[Any]
    from_: Any                  # what to select from; joined as the conditions need
    id_column: Any              # the application id in from_
    rank: Any = None            # None without search words
    rank_ascending: bool = False
    entries_joined: bool = True
    texts_joined: bool = False
    # PostgreSQL counts the matches in the ranking pass (a window count) instead
    # of running the text match twice; SQLite cannot window over bm25.
    window_total: bool = False

    def rank_column(self, sort: str) -> Any:
        """The rank as a result column; NULL unless sorting by it (on
        PostgreSQL every ts_rank reads a whole tsvector)."""
        return (self.rank if self.rank is not None and sort == "relevance" else sa.null()).label("rank")

    def order(self, sort: str) -> list[Any]:
        """ORDER BY for *sort*; ties always broken by id, so pages never overlap."""
        if sort == "relevance" and self.rank is not None:
            best = self.rank.asc() if self.rank_ascending else self.rank.desc()
            if self.entries_joined:
                return [best, E.c.approved_on.desc(), self.id_column.desc()]
            return [best, self.id_column.desc()]
        if sort == "title":
            return [E.c.title, E.c.application_id]
        return [E.c.approved_on.desc(), E.c.application_id.desc()]


def entry_filters(query: Any) -> list[Any]:
    """The conditions on catalog_entries other than being current."""
    conditions: list[Any] = []
    if query.area:
        conditions.append(E.c[f"hours_{query.area}"] > 0)
    if query.designation:
        conditions.append(E.c[f"hours_{query.designation}"] > 0)
    if query.min_hours is not None:
        conditions.append(E.c.hours_total >= query.min_hours)
    if query.max_hours is not None:
        conditions.append(E.c.hours_total <= query.max_hours)
    if query.delivery_method:
        conditions.append(E.c.delivery_method == query.delivery_method)
    if query.agency_id is not None:
        conditions.append(E.c.agency_id == query.agency_id)
    return conditions


def plan(query: Any, dialect: str, *, need_entries: bool = False) -> Plan:
    """The plan for *query* (a CatalogQuery with `today` set). *need_entries*:
    the caller will select catalog_entries columns from `from_`."""
    filters = entry_filters(query)
    terms = fts.parse(query.text)
    lapsed = sa.select(E.c.application_id).where(E.c.expires_on < query.today)
    if not terms:
        if dialect == "postgresql":
            return Plan([E.c.expires_on >= query.today, *filters], E, E.c.application_id)
        return Plan([E.c.application_id.not_in(lapsed), *filters], E, E.c.application_id)
    if dialect == "postgresql":
        tsquery = sa.func.websearch_to_tsquery(
            sa.literal_column("'english'", type_=postgresql.REGCONFIG), sa.literal(fts.to_websearch(terms)))
        match = T.c.search_vector.bool_op("@@")(tsquery)
        # Weights are listed D, C, B, A; higher rank is better.
        rank = sa.func.ts_rank(sa.literal_column("'{0.05, 0.2, 0.4, 1.0}'::real[]"), T.c.search_vector, tsquery)
        text_table, text_id, ascending = T, T.c.application_id, False
    else:
        match = sa.literal_column("catalog_fts").op("MATCH")(sa.literal(fts.to_fts5(terms)))
        rank, text_table, text_id, ascending = FTS.c.rank, FTS, FTS.c.rowid, True
    # Only a relevance sort must rank every match anyway; the others can stop early.
    window = text_table is T and query.sort == "relevance"
    if filters or need_entries or query.sort != "relevance":
        return Plan([match, E.c.application_id.not_in(lapsed), *filters],
                    E.join(text_table, text_id == E.c.application_id), E.c.application_id, rank,
                    rank_ascending=ascending, texts_joined=text_table is T, window_total=window)
    return Plan([match, text_id.not_in(lapsed)], text_table, text_id, rank, rank_ascending=ascending,
                entries_joined=False, texts_joined=text_table is T, window_total=window)
