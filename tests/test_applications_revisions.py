"""Revisions: frozen at submission (ORM guard and database trigger), compared
field by field."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from approvals import workflow
from approvals.extensions import db
from approvals.models import Revision, RevisionImmutableError
from approvals.revisions import EMPTY_SNAPSHOT, diff_snapshots, snapshot_of
from tests.applications_support import complete_application


@pytest.fixture
def revision(make):
    agency = make.agency()
    author = make.user("agency_staff", agency=agency)
    app = complete_application(agency, author)
    rev = workflow.submit(app, author)
    db.session.commit()
    return rev


def test_the_orm_refuses_to_change_a_revision(revision):
    revision.snapshot = {**revision.snapshot, "fields": {**revision.snapshot["fields"], "title": "Rewritten"}}
    with pytest.raises(RevisionImmutableError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Revision, revision.id).snapshot["fields"]["title"] == "Crisis Intervention Basics"


@pytest.mark.parametrize("statement", [
    "UPDATE revisions SET snapshot = '{}'",
    "UPDATE revisions SET number = 7",
    "DELETE FROM revisions",
])
def test_the_database_refuses_raw_sql_rewrites(revision, statement):
    with pytest.raises(sa.exc.DBAPIError, match="cannot be changed"):
        db.session.execute(sa.text(statement))
    db.session.rollback()
    assert db.session.get(Revision, revision.id).snapshot["fields"]["title"] == "Crisis Intervention Basics"


def test_the_revision_page_shows_what_was_submitted_not_what_changed_later(client, auth, make, revision):
    app = revision.application
    reviewer, admin = make.user("post_reviewer"), make.user("post_admin")
    workflow.assign(app, reviewer, admin)
    workflow.request_changes(app, reviewer, "Rename it.")
    app.title = "A new title"
    db.session.commit()
    auth.login(app.created_by)
    page = client.get(f"/agency/applications/{app.id}/revisions/1").get_data(as_text=True)
    assert "Crisis Intervention Basics" in page and "A new title" not in page.split("<main")[1].split("Revision 1 as submitted")[1]


def _snap(**fields) -> dict:  # type: ignore[no-untyped-def]
    base = {"fields": {"title": "Course", "hours_total": 4.0, "delivery_method": "in_person", "attested": True},
            "objectives": ["Explain A.", "Demonstrate B.", "Identify C."],
            "instructors": [{"name": "Jane Trainer", "email": "", "license_number": "", "qualifications": "CIT",
                             "record": {"id": 1, "kind": "instructor_record", "name": "jane.pdf", "sha256": "aa", "size": 1}}],
            "documents": [{"id": 2, "kind": "sample_certificate", "name": "cert.pdf", "sha256": "bb", "size": 1}]}
    for key, value in fields.items():
        if key in base:
            base[key] = value
        else:
            base["fields"][key] = value
    return base


DIFFS = [
    ("no change", _snap(), []),
    ("title", _snap(title="Better course"), [("Course", "Course title", "Course", "Better course")]),
    ("hours", _snap(hours_total=4.5), [("Hours", "Total contact hours", "4", "4.5")]),
    ("hours cleared", _snap(hours_total=None), [("Hours", "Total contact hours", "4", "")]),
    ("delivery", _snap(delivery_method="computer_based"),
     [("Course", "Delivery method", "In person (live, hands-on)", "Computer-based")]),
    ("attestation", _snap(attested=False), [("Contact & attestation", "Attestation signed", "Yes", "No")]),
    ("objective edited", _snap(objectives=["Explain A.", "Demonstrate B well.", "Identify C."]),
     [("Learning objectives", "Objective 2", "Demonstrate B.", "Demonstrate B well.")]),
    ("objective added", _snap(objectives=["Explain A.", "Demonstrate B.", "Identify C.", "Apply D."]),
     [("Learning objectives", "Objective 4", None, "Apply D.")]),
    ("objective removed", _snap(objectives=["Explain A.", "Identify C."]),
     [("Learning objectives", "Objective 2 (old numbering)", "Demonstrate B.", None)]),
    ("instructor qualifications", _snap(instructors=[{**_snap()["instructors"][0], "qualifications": "CIT, FTO"}]),
     [("Instructors", "Jane Trainer: qualifications", "CIT", "CIT, FTO")]),
    ("instructor record replaced", _snap(instructors=[{**_snap()["instructors"][0], "record": {
        "id": 3, "kind": "instructor_record", "name": "jane-2026.pdf", "sha256": "cc", "size": 1}}]),
     [("Instructors", "Jane Trainer: instructor's record", "jane.pdf", "jane-2026.pdf")]),
    ("instructor added and removed", _snap(instructors=[{**_snap()["instructors"][0], "name": "Sam Second"}]),
     [("Instructors", "Instructor", None, "Sam Second"), ("Instructors", "Instructor", "Jane Trainer", None)]),
    ("certificate replaced", _snap(documents=[{"id": 4, "kind": "sample_certificate", "name": "cert-v2.pdf",
                                              "sha256": "dd", "size": 1}]),
     [("Documents", "Sample certificate", None, "cert-v2.pdf"), ("Documents", "Sample certificate", "cert.pdf", None)]),
    ("same file uploaded again is no change", _snap(documents=[{"id": 9, "kind": "sample_certificate",
                                                               "name": "cert.pdf", "sha256": "bb", "size": 1}]), []),
]


@pytest.mark.parametrize(("case", "new", "expected"), DIFFS, ids=[d[0] for d in DIFFS])
def test_diff_snapshots(case, new, expected):
    changes = diff_snapshots(_snap(), new)
    assert [(c.part, c.label, c.before, c.after) for c in changes] == expected


def test_a_first_revision_diffs_against_nothing(revision):
    changes = diff_snapshots(EMPTY_SNAPSHOT, revision.snapshot)
    assert {c.kind for c in changes} == {"changed", "added"}
    assert ("Course title", "", "Crisis Intervention Basics") in [(c.label, c.before, c.after) for c in changes]


def test_snapshot_round_trips_through_the_database(revision):
    db.session.expire_all()
    stored = db.session.get(Revision, revision.id)
    assert diff_snapshots(stored.snapshot, snapshot_of(stored.application)) == []


def test_changed_text_marks_the_words_that_changed():
    change = diff_snapshots(_snap(title="A short course"), _snap(title="A shorter course"))[0]
    before, after = change.words
    assert before == [("A ", False), ("short", True), (" course", False)]
    assert after == [("A ", False), ("shorter", True), (" course", False)]
    assert diff_snapshots(_snap(hours_total=4.0), _snap(hours_total=5.0))[0].words is None
