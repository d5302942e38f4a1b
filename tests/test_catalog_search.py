"""Catalog search: relevance, filters, sorting, paging, what is excluded, and
query safety — on whichever database the suite runs against (SQLite FTS5 by
default, PostgreSQL full-text with DATABASE_URL)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from approvals import workflow
from approvals.catalog import fts
from approvals.catalog.search import CatalogQuery, InvalidCatalogQuery, iter_courses, search_courses
from approvals.extensions import db
from approvals.models import CatalogEntry, Objective
from approvals.models.catalog import rebuild_entries
from tests.catalog_support import Courses


@pytest.fixture
def courses(make) -> Courses:  # type: ignore[no-untyped-def]
    return Courses(make)


def numbers(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.approval_number for c in page.items]


def titles(query: CatalogQuery) -> list[str]:
    return [c.title for c in search_courses(query).items]


def test_title_match_outranks_synopsis_only_match(courses) -> None:
    synopsis_only = courses.approved(title="Report Writing for Patrol",
                                     synopsis="Officers write reports after a firearms qualification and other incidents, "
                                              "covering what the report must say and how supervisors review it.")
    title_match = courses.approved(title="Firearms Qualification Night Course")
    objective_match = courses.approved(title="Range Safety Officer",
                                       objectives=("Supervise a firearms range safely.",))
    courses.approved(title="Crisis Intervention")
    page = search_courses(CatalogQuery(text="firearms"))
    assert numbers(page) == [title_match.approval_number, objective_match.approval_number,
                             synopsis_only.approval_number]
    assert page.total == 3
    assert page.items[0].rank is not None


def test_words_are_stemmed_and_all_required(courses) -> None:
    courses.approved(title="Instructing Defensive Tactics")
    courses.approved(title="Defensive Driving")
    assert titles(CatalogQuery(text="instructs defensive")) == ["Instructing Defensive Tactics"]


def test_phrase_or_and_exclusion(courses) -> None:
    courses.approved(title="Use of Force Review")
    courses.approved(title="Force Options and Use of Cover")
    courses.approved(title="Taser Use of Force")
    assert set(titles(CatalogQuery(text='"use of force" -taser'))) == {"Use of Force Review"}
    assert set(titles(CatalogQuery(text="taser or cover"))) == {"Taser Use of Force", "Force Options and Use of Cover"}


@pytest.mark.parametrize("text", [
    '"', '""', 'title:firearms', 'NEAR(firearms range)', 'fire*', '^firearms', 'firearms AND', 'AND OR NOT',
    '(firearms', 'firearms)', "'; DROP TABLE catalog_entries; --", '-', '-firearms', 'firearms -', '{title}: x',
    'a:b:c', '\\', '\x00', 'ünïcödé', '🔫', 'or', 'firearms or', '" OR 1=1 --', '<script>', 'x' * 200,
])
def test_any_text_is_safe(courses, text: str) -> None:
    courses.approved(title="Firearms Range Day")
    page = search_courses(CatalogQuery(text=text))  # never a syntax error
    assert page.total in (0, 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CatalogEntry)) == 1


def test_fts_expressions_quote_every_term() -> None:
    assert fts.to_fts5(fts.parse('title:x NEAR(a b) "c d" -e or f*')) == '"title x" "near a" "b" "c d" NOT "e" OR "f"'
    assert fts.to_websearch(fts.parse('title:x "c d" -e or f*')) == '"title x" "c d" -e or f'
    assert fts.parse("-only -negatives") == []


FILTERS = [
    ({"area": "legal"}, {"Legal Heavy"}),
    ({"designation": "firearms"}, {"Firearms Live Fire"}),
    ({"designation": "deescalation"}, {"Online De-escalation"}),
    ({"min_hours": 8}, {"Legal Heavy", "Firearms Live Fire"}),
    ({"max_hours": 4}, {"Online De-escalation"}),
    ({"min_hours": 5, "max_hours": 8}, {"Firearms Live Fire"}),
    ({"delivery_method": "computer_based"}, {"Online De-escalation"}),
    ({"delivery_method": "in_person", "designation": "firearms"}, {"Firearms Live Fire"}),
]


@pytest.fixture
def filter_courses(courses, make):  # type: ignore[no-untyped-def]
    agency = make.agency("Holt County Sheriff")
    courses.approved(title="Legal Heavy", hours={"total": 10, "legal": 10, "technical": 0, "interpersonal": 0,
                                                 "skill_development": 0})
    courses.approved(title="Firearms Live Fire", agency=agency,
                     hours={"total": 8, "legal": 0, "technical": 0, "interpersonal": 0, "skill_development": 8,
                            "firearms": 6})
    courses.approved(title="Online De-escalation", delivery="computer_based",
                     hours={"total": 3, "legal": 0, "technical": 0, "interpersonal": 3, "skill_development": 0,
                            "deescalation": 3})
    return agency


@pytest.mark.parametrize(("filters", "expected"), FILTERS)
def test_each_filter(filter_courses, filters: dict, expected: set) -> None:
    assert set(titles(CatalogQuery(**filters))) == expected


def test_agency_filter_and_text_combine(filter_courses) -> None:
    assert titles(CatalogQuery(agency_id=filter_courses.id)) == ["Firearms Live Fire"]
    assert titles(CatalogQuery(agency_id=filter_courses.id, text="legal")) == []
    assert titles(CatalogQuery(text="fire", designation="firearms")) == ["Firearms Live Fire"]


def test_sort_orders(courses) -> None:
    today = date.today()
    courses.approved(title="Bravo Tactics", approved_on=today - timedelta(days=3))
    courses.approved(title="Alpha Tactics", approved_on=today - timedelta(days=1))
    courses.approved(title="Charlie Tactics Tactics", approved_on=today - timedelta(days=2),
                     synopsis="Tactics, tactics and more tactics for the tactical officer.")
    assert titles(CatalogQuery(sort="title")) == ["Alpha Tactics", "Bravo Tactics", "Charlie Tactics Tactics"]
    assert titles(CatalogQuery(sort="newest")) == ["Alpha Tactics", "Charlie Tactics Tactics", "Bravo Tactics"]
    # Without words, "best match" falls back to newest.
    assert titles(CatalogQuery(sort="relevance")) == titles(CatalogQuery(sort="newest"))
    assert titles(CatalogQuery(text="tactics", sort="relevance"))[0] == "Charlie Tactics Tactics"
    assert titles(CatalogQuery(text="tactics", sort="title"))[0] == "Alpha Tactics"


def test_pagination(courses) -> None:
    for i in range(23):
        courses.approved(title=f"Course {i:02d}", commit=False)
    db.session.commit()
    first = search_courses(CatalogQuery(sort="title", per_page=10))
    assert (first.total, first.pages, first.has_prev, first.has_next, first.next_num) == (23, 3, False, True, 2)
    last = search_courses(CatalogQuery(sort="title", per_page=10, page=3))
    assert [c.title for c in last.items] == ["Course 20", "Course 21", "Course 22"]
    assert (last.has_next, last.prev_num) == (False, 2)
    assert list(last.iter_pages()) == [1, 2, 3]
    beyond = search_courses(CatalogQuery(sort="title", per_page=10, page=9))
    assert beyond.items == [] and beyond.total == 23
    assert len(list(iter_courses(CatalogQuery(per_page=10)))) == 23


def test_revoked_and_expired_are_excluded(courses, make) -> None:
    admin = make.user("post_admin")
    keep = courses.approved(title="Patrol Tactics Current")
    revoked = courses.approved(title="Patrol Tactics Revoked")
    expired = courses.approved(title="Patrol Tactics Expired", approved_on=date.today() - timedelta(days=800),
                               expires_on=date.today() - timedelta(days=70))
    lapsed = courses.approved(title="Patrol Tactics Lapsed", approved_on=date.today() - timedelta(days=731),
                              expires_on=date.today() - timedelta(days=1))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CatalogEntry)) == 4
    workflow.revoke(revoked, admin, "Instructor no longer qualified.")
    workflow.expire(expired)
    db.session.commit()
    # The lapsed one is still "approved" until the nightly job; the date alone hides it.
    assert {c.title for c in iter_courses(CatalogQuery(text="patrol"))} == {keep.title}
    assert search_courses(CatalogQuery()).total == 1
    for sort in ("relevance", "newest", "title"):  # each query shape leaves the lapsed one out
        assert titles(CatalogQuery(text="patrol tactics", sort=sort)) == [keep.title]
        assert titles(CatalogQuery(text="patrol", sort=sort, delivery_method="in_person")) == [keep.title]
    assert db.session.get(CatalogEntry, revoked.id) is None
    assert db.session.get(CatalogEntry, lapsed.id) is not None


def test_entries_follow_the_workflow_and_objective_edits(courses, make) -> None:
    app = courses.approved(title="Radar Operation")
    app.objectives.append(Objective(position=5, text="Calibrate a lidar unit with a tuning fork."))
    db.session.commit()
    assert titles(CatalogQuery(text="lidar")) == ["Radar Operation"]
    app.approved_total, app.approved_technical = 6.0, 3.0
    db.session.commit()
    assert search_courses(CatalogQuery(min_hours=6)).items[0].hours["total"] == 6.0


def test_rebuild_after_bulk_writes(courses) -> None:
    app = courses.approved(title="Bulk Loaded Course")
    db.session.execute(sa.delete(CatalogEntry))
    db.session.commit()
    assert search_courses(CatalogQuery(text="bulk")).total == 0
    with db.engine.begin() as conn:
        assert rebuild_entries(conn) == 1
    assert numbers(search_courses(CatalogQuery(text="bulk"))) == [app.approval_number]


@pytest.mark.parametrize(("changes", "field"), [
    ({"area": "cooking"}, "area"), ({"designation": "x"}, "designation"), ({"delivery_method": "mail"}, "delivery_method"),
    ({"min_hours": -1}, "min_hours"), ({"max_hours": float("inf")}, "max_hours"),
    ({"min_hours": 8, "max_hours": 4}, "max_hours"), ({"sort": "price"}, "sort"), ({"page": 0}, "page"),
    ({"per_page": 500}, "per_page"), ({"text": "x" * 201}, "text"),
])
def test_bad_queries_name_the_field(app, changes: dict, field: str) -> None:
    with pytest.raises(InvalidCatalogQuery) as e:
        search_courses(CatalogQuery(**changes))
    assert [p.field for p in e.value.problems] == [field]


def test_reindex_command(courses, runner) -> None:
    courses.approved(title="Reindexed Course")
    db.session.execute(sa.delete(CatalogEntry))
    db.session.commit()
    result = runner.invoke(args=["catalog", "reindex"])
    assert result.exit_code == 0 and "1 current course" in result.output
    assert titles(CatalogQuery(text="reindexed")) == ["Reindexed Course"]
