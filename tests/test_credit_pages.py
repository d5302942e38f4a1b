"""Who sees which transcript and dashboard, and what the pages say."""
from __future__ import annotations

from datetime import date

import pytest

from approvals.credit import ledger
from approvals.extensions import db
from tests.credit_helpers import YEAR, officer


@pytest.fixture
def people(make):
    a, b = make.agency("Alpha PD"), make.agency("Bravo SO")
    own_user = make.user("officer", email="pat@officers.example.gov")
    other_user = make.user("officer", email="lee@officers.example.gov")
    pat = officer("L-1", a, name="Pat Own", user=own_user)
    lee = officer("L-2", b, name="Lee Other", user=other_user)
    admin = make.user("post_admin")
    ledger.add_credit(pat.id, ledger.CreditInput(
        title="Night Driving Online", hours=2, completed_on=date(YEAR, 1, 1), source="in_service",
        provider="approved_provider", delivery="computer_based", areas={"skill_development": 2},
        designations={"firearms": 1}), actor=admin)
    db.session.commit()
    return {"a": a, "b": b, "pat": pat, "lee": lee, "own_user": own_user, "other_user": other_user,
            "staff_a": make.user("agency_staff", a), "staff_b": make.user("agency_staff", b),
            "reviewer": make.user("post_reviewer"), "admin": admin}


WHO_SEES_PAT = [
    ("own_user", 200), ("other_user", 404), ("staff_a", 200), ("staff_b", 404), ("reviewer", 404), ("admin", 200),
]


@pytest.mark.parametrize("who,status", WHO_SEES_PAT)
def test_transcript_visibility(people, client, auth, who, status):
    auth.login(people[who])
    assert client.get(f"/credit/officers/{people['pat'].id}").status_code == status


def test_officer_sees_own_transcript_with_what_is_missing_and_why(people, client, auth):
    auth.login(people["own_user"])
    page = client.get(f"/credit/transcript?year={YEAR}").get_data(as_text=True)

    assert "My CLEE transcript" in page and "Pat Own" in page and "Lee Other" not in page
    assert "Still needed" in page and "Skill Development - Firearms (live, hands-on)" in page
    assert "Firearms hours from computer-based delivery do not count" in page
    assert "Night Driving Online" in page


def test_officer_without_a_linked_license_gets_an_explanation(make, client, auth):
    auth.login(make.user("officer"))
    assert "not yet linked" in client.get("/credit/transcript").get_data(as_text=True)


def test_agency_staff_cannot_use_the_own_transcript_page(people, client, auth):
    auth.login(people["staff_a"])
    assert client.get("/credit/transcript").status_code == 404


def test_dashboard_lists_only_commissioned_officers_of_the_agency(people, client, auth, make):
    former = officer("L-3", people["a"], name="Gone Away")
    former.commissions[0].ended_on = date(YEAR - 1, 12, 31)
    db.session.commit()
    auth.login(people["staff_a"])

    page = client.get("/credit/agency").get_data(as_text=True)

    assert "Pat Own" in page and "Lee Other" not in page and "Gone Away" not in page
    assert client.get(f"/credit/officers/{former.id}").status_code == 404  # no longer theirs


def test_dashboard_sorts_and_filters_and_exports_csv(people, client, auth, make):
    officer("L-9", people["a"], name="Aaron Early", licensed_on=date(YEAR, 1, 5))  # exempt this year
    auth.login(people["staff_a"])

    by_name = client.get(f"/credit/agency?year={YEAR}&sort=name").get_data(as_text=True)
    by_name_desc = client.get(f"/credit/agency?year={YEAR}&sort=name&dir=desc").get_data(as_text=True)
    exempt_only = client.get(f"/credit/agency?year={YEAR}&status=exempt").get_data(as_text=True)
    csv_response = client.get(f"/credit/agency.csv?year={YEAR}&sort=total&dir=desc")

    assert by_name.index("Aaron Early") < by_name.index("Pat Own")
    assert by_name_desc.index("Pat Own") < by_name_desc.index("Aaron Early")
    assert "Aaron Early" in exempt_only and "Pat Own" not in exempt_only.split("<tbody>")[1]
    assert csv_response.headers["Content-Disposition"].startswith("attachment;")
    lines = csv_response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("license_number,name,status,due_date,remaining_total_hours")
    assert lines[1].startswith("L-1,Pat Own,in_progress") and lines[2].startswith("L-9,Aaron Early,exempt")


def test_dashboard_needs_an_agency_role_or_the_statewide_report(people, client, auth):
    auth.login(people["own_user"])
    assert client.get("/credit/agency").status_code == 404
    auth.logout()
    auth.login(people["reviewer"])
    assert client.get("/credit/agency").status_code == 404
    auth.logout()
    auth.login(people["admin"])
    page = client.get(f"/credit/agency?agency={people['b'].id}").get_data(as_text=True)
    assert "Lee Other" in page


@pytest.mark.parametrize("who,status", [("admin", 200), ("reviewer", 404), ("staff_a", 404), ("own_user", 404)])
def test_statewide_report_is_for_post_admins(people, client, auth, who, status):
    auth.login(people[who])
    assert client.get("/credit/statewide").status_code == status


def test_statewide_report_draws_charts_without_inline_script_or_style(people, client, auth):
    from approvals.credit.snapshots import record_snapshot

    record_snapshot(YEAR, date(YEAR, 1, 1))
    db.session.commit()
    auth.login(people["admin"])
    page = client.get(f"/credit/statewide?year={YEAR}").get_data(as_text=True)

    assert page.count("<svg") == 2 and "clee-bar--in_progress" in page and "<polyline" in page
    assert "Alpha PD" in page and "Bravo SO" in page
    assert "style=" not in page and "<script>" not in page.replace("<script src=", "")


def test_unknown_year_is_404(people, client, auth):
    auth.login(people["own_user"])
    assert client.get("/credit/transcript?year=1999").status_code == 404


def test_evidence_is_served_to_post_and_the_officer_only(people, client, auth, app):
    from tests.credit_helpers import pdf_bytes

    auth.login(people["admin"])
    response = client.post(f"/credit/officers/{people['pat'].id}/credit/military", data={
        "title": "MP course", "provider_name": "Army", "completed_on": f"{YEAR}-01-01", "delivery": "in_person",
        "hours": "2", "area_technical": "2", "evidence": (pdf_bytes(), "cert.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    from approvals.models import CreditDocument

    document = db.session.scalar(db.select(CreditDocument))
    url = f"/credit/evidence/{document.id}"
    with client.get(url) as served:
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Content-Disposition"].startswith("attachment;")
        assert served.get_data().startswith(b"%PDF")
    for who, status in (("own_user", 200), ("other_user", 404), ("staff_a", 404)):
        auth.logout()
        auth.login(people[who])
        with client.get(url) as served:
            assert served.status_code == status, who
