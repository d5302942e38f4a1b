"""The demo catalog loads through the real workflow and shows in search."""
from __future__ import annotations

import sqlalchemy as sa

from approvals.catalog.search import CatalogQuery, search_courses
from approvals.extensions import db
from approvals.models import Offering


def test_demo_catalog_loads(app) -> None:
    from approvals.demo import accounts, catalog

    accounts.load()
    catalog.load()
    db.session.commit()
    page = search_courses(CatalogQuery(per_page=50))
    assert page.total == 6
    assert {c.agency_name for c in page.items} >= {"Columbia Police Department", "Springfield Police Department"}
    agencies = set(db.session.scalars(sa.select(Offering.agency_id)))
    assert len(agencies) == 3
    assert search_courses(CatalogQuery(text="vehicle pursuit")).total == 0  # revoked
