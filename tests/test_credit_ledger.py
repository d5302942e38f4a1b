"""Credit entered by POST: college, military, out-of-state and Approved-Provider credit,
the CSV import, withdrawal, and the ledger's guards."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from approvals.credit import ledger
from approvals.credit.standing import transcript
from approvals.credit.statewide import standings
from approvals.extensions import db
from approvals.models import AuditEvent, CreditEntry
from approvals.models.credit import LedgerImmutableError
from approvals.models.credit_totals import CreditTotal, rebuild_totals
from tests.credit_helpers import YEAR, csv_bytes, officer, pdf_bytes


@pytest.fixture
def admin(make):
    return make.user("post_admin")


@pytest.fixture
def pat(make):
    return officer("L-1", make.agency("Alpha PD"), name="Pat")


def _college(client, officer_id: int, semester_hours: str):
    return client.post(f"/credit/officers/{officer_id}/credit/college", data={
        "title": "CJ 3310 Criminal Procedure", "provider_name": "University of Missouri",
        "completed_on": f"{YEAR}-01-01", "semester_hours": semester_hours, "college_area": "legal",
        "designation_racial_profiling": "", "evidence": (pdf_bytes(), "transcript.pdf")},
        content_type="multipart/form-data")


@pytest.mark.parametrize("semester_hours,credited,counted,excluded", [("4", 8, 8, 0), ("5", 10, 8, 2)])
def test_college_semester_hours_through_the_pages_and_the_database(pat, admin, client, auth,
                                                                     semester_hours, credited, counted, excluded):
    auth.login(admin)
    assert _college(client, pat.id, semester_hours).status_code == 302

    entry = db.session.scalar(sa.select(CreditEntry))
    assert (entry.hours, entry.semester_hours, entry.source.value, entry.provider.value) == (
        credited, float(semester_hours), "college", "approved_provider")
    assert entry.areas() == {"legal": credited}
    standing = transcript(pat, YEAR).standing
    assert standing.requirement("total").earned == counted
    assert standing.requirement("approved_provider").earned == counted
    assert standing.requirement("college_cap").earned == counted
    assert [(e.hours, e.code) for e in standing.exclusions] == ([(excluded, "college_cap")] if excluded else [])
    (state,) = standings(YEAR)
    assert state.standing.requirements == standing.requirements
    page = client.get(f"/credit/officers/{pat.id}?year={YEAR}").get_data(as_text=True)
    assert ("College credit over the 8-hour yearly cap" in page) == bool(excluded)


def test_entry_needs_evidence_and_sane_hours(pat, admin, client, auth):
    auth.login(admin)
    url = f"/credit/officers/{pat.id}/credit/out_of_state"
    base = {"title": "Kansas CLEE day", "completed_on": f"{YEAR}-01-01", "provider": "licensed_provider",
            "delivery": "in_person", "hours": "4", "area_legal": "4"}

    no_evidence = client.post(url, data=base, content_type="multipart/form-data").get_data(as_text=True)
    mismatch = client.post(url, data={**base, "area_legal": "3", "evidence": (pdf_bytes(), "c.pdf")},
                           content_type="multipart/form-data").get_data(as_text=True)
    not_pdf = client.post(url, data={**base, "evidence": (csv_bytes("a,b"), "c.pdf")},
                          content_type="multipart/form-data").get_data(as_text=True)
    future = client.post(url, data={**base, "completed_on": f"{YEAR + 1}-12-31", "evidence": (pdf_bytes(), "c.pdf")},
                         content_type="multipart/form-data").get_data(as_text=True)

    assert "Attach the evidence" in no_evidence
    assert "Core-area hours add up to 3, the entry is worth 4." in mismatch
    assert "PDF, Word (.docx), PNG or JPEG" in not_pdf
    assert "The completion date cannot be in the future." in future
    assert db.session.scalar(sa.select(sa.func.count(CreditEntry.id))) == 0


def test_military_credit_is_licensed_provider_credit(pat, admin, client, auth):
    auth.login(admin)
    response = client.post(f"/credit/officers/{pat.id}/credit/military", data={
        "title": "MP Investigations", "completed_on": f"{YEAR}-01-01", "delivery": "in_person", "hours": "6",
        "area_technical": "6", "evidence": (pdf_bytes(), "army.pdf")}, content_type="multipart/form-data")

    assert response.status_code == 302
    standing = transcript(pat, YEAR).standing
    assert standing.requirement("total").earned == 6 and standing.requirement("approved_provider").earned == 0
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == "credit.entered"))


def test_credit_entry_is_for_post_admins_only(pat, make, client, auth):
    auth.login(make.user("agency_staff"))
    assert client.get(f"/credit/officers/{pat.id}/credit/college").status_code == 404


def test_csv_import_enters_all_rows_or_none(pat, make, admin, client, auth):
    officer("L-2", None, name="Lee")
    auth.login(admin)
    header = "license_number,title,completed_on,hours,legal,technical,interpersonal,skill_development,racial_profiling,delivery"
    bad = csv_bytes(header, f"L-1,Legal Update,{YEAR}-01-01,4,4,,,,1,in_person",
                    f"L-404,Legal Update,{YEAR}-01-01,4,4,,,,,in_person",
                    f"L-2,Legal Update,{YEAR}-01-01,4,3,,,,,in_person",
                    f"L-2,Legal Update,{YEAR}-13-01,4,4,,,,,video")
    page = client.post("/credit/import", data={"csv_file": (bad, "ap.csv"), "evidence": (pdf_bytes(), "roster.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)

    for expected in ("Row 3: No officer has license number L-404.", "Row 4: Core-area hours add up to 3",
                     "Row 5: The date “2", "Row 5: Delivery “video” must be"):
        assert expected in page
    assert db.session.scalar(sa.select(sa.func.count(CreditEntry.id))) == 0

    good = csv_bytes(header, f"L-1,Legal Update,{YEAR}-01-01,4,4,,,,1,in_person",
                     f"L-2,Ethics Online,{YEAR}-01-01,2,,,2,,,computer_based")
    response = client.post("/credit/import", data={"csv_file": (good, "ap.csv"), "evidence": (pdf_bytes(), "r.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    entries = db.session.scalars(sa.select(CreditEntry).order_by(CreditEntry.id)).all()
    assert [(e.officer.license_number, e.hours, e.provider.value, e.delivery.value) for e in entries] == [
        ("L-1", 4, "approved_provider", "in_person"), ("L-2", 2, "approved_provider", "computer_based")]
    assert entries[0].evidence_id == entries[1].evidence_id is not None
    assert transcript(pat, YEAR).standing.requirement("racial_profiling").earned == 1


def test_withdrawing_an_entry_keeps_it_on_record_and_stops_it_counting(pat, admin, client, auth):
    entry = ledger.add_credit(pat.id, ledger.CreditInput(
        title="Duplicate", hours=4, completed_on=date(YEAR, 1, 1), source="in_service",
        provider="approved_provider", areas={"legal": 4}), actor=admin)
    db.session.commit()
    auth.login(admin)

    assert "Say why" in client.post(f"/credit/entries/{entry.id}/withdraw", data={"reason": ""}).get_data(as_text=True)
    assert client.post(f"/credit/entries/{entry.id}/withdraw", data={"reason": "Entered twice"}).status_code == 302

    db.session.refresh(entry)
    assert entry.superseded_at is not None and entry.supersede_reason == "Entered twice"
    assert transcript(pat, YEAR).standing.requirement("total").earned == 0
    assert standings(YEAR)[0].standing.requirement("total").earned == 0


def test_ledger_entries_are_never_edited_or_deleted(pat, admin):
    entry = ledger.add_credit(pat.id, ledger.CreditInput(
        title="Course", hours=4, completed_on=date(YEAR, 1, 1), source="in_service", provider="in_service",
        areas={"legal": 4}), actor=admin)
    db.session.commit()

    entry.hours = 8
    with pytest.raises(LedgerImmutableError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(entry)
    with pytest.raises(LedgerImmutableError):
        db.session.commit()
    db.session.rollback()
    ledger.supersede(entry, actor=admin, reason="wrong officer")
    db.session.commit()
    entry.superseded_at = None
    with pytest.raises(LedgerImmutableError):
        db.session.commit()
    db.session.rollback()


def test_credit_totals_follow_the_ledger(pat, admin):
    def totals() -> list[tuple]:
        return [tuple(r) for r in db.session.execute(sa.select(CreditTotal.__table__).order_by(
            *CreditTotal.__table__.primary_key.columns)).all()]

    entries = [ledger.add_credit(pat.id, ledger.CreditInput(
        title=f"C{i}", hours=h, completed_on=date(YEAR, 1, 1), source="in_service", provider=p, delivery=d,
        areas={"skill_development": h}, designations=ds), actor=admin)
        for i, (h, p, d, ds) in enumerate([
            (2, "approved_provider", "computer_based", {"firearms": 1, "deescalation": 2}),
            (3, "in_service", "in_person", {"firearms": 3}), (1.5, "approved_provider", "computer_based", {})])]
    db.session.commit()
    ledger.supersede(entries[2], actor=admin, reason="x")
    db.session.commit()
    incremental = totals()

    rebuild_totals(db.session.connection())
    db.session.commit()

    assert totals() == incremental
    online = [r for r in incremental if r[4]]  # computer_based
    assert online[0][5] == 1  # one current entry
    assert online[0][-1] == 1  # De-escalation that counts: 2 designated, 1 hour left after Firearms online
