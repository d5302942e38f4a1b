"""Extensions: the commissioning agency requests, POST grants or denies, the standing follows."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from approvals.credit import extensions as domain
from approvals.credit.standing import transcript
from approvals.credit.statewide import standings
from approvals.extensions import db
from approvals.models import AuditEvent, Extension
from approvals.web import Conflict
from tests.credit_helpers import officer

YEAR = date.today().year


@pytest.fixture
def people(make):
    a, b = make.agency("Alpha PD"), make.agency("Bravo SO")
    return {"pat": officer("L-1", a, name="Pat", licensed_on=date(2015, 1, 1)),
            "staff_a": make.user("agency_staff", a), "staff_b": make.user("agency_staff", b),
            "admin": make.user("post_admin"), "reviewer": make.user("post_reviewer")}


def _request(client, people, **overrides):
    data = {"year": str(YEAR), "kind": "medical", "new_due_date": f"{YEAR + 1}-06-30",
            "reason": "Surgery and leave, August to December.", **overrides}
    return client.post(f"/credit/officers/{people['pat'].id}/extension", data=data)


def test_request_then_grant_extends_the_deadline(people, client, auth):
    auth.login(people["staff_a"])
    assert _request(client, people).status_code == 302
    assert _request(client, people).status_code == 409  # one open request per officer and year
    auth.logout()

    as_of = date(YEAR + 1, 4, 1)  # past the grace date
    assert transcript(people["pat"], YEAR, as_of).standing.status == "non_compliant"
    extension = db.session.scalar(sa.select(Extension))
    auth.login(people["admin"])
    assert "Surgery and leave" in client.get("/credit/extensions").get_data(as_text=True)
    assert client.post(f"/credit/extensions/{extension.id}", data={"decision": "grant", "note": "Letter on file"}
                       ).status_code == 302
    db.session.expire_all()

    standing = transcript(people["pat"], YEAR, as_of).standing
    assert (standing.status, standing.due_date) == ("extended", date(YEAR + 1, 6, 30))
    assert standings(YEAR, as_of)[0].standing.status == "extended"
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("extension.%"))
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["extension.requested", "extension.granted"]
    assert client.post(f"/credit/extensions/{extension.id}", data={"decision": "deny", "note": "x"}).status_code == 409


def test_denial_needs_a_note_and_changes_nothing(people, client, auth):
    extension = domain.request_extension(people["pat"], year=YEAR, kind="military", new_due_date=date(YEAR + 1, 5, 1),
                                         reason="Deployed", actor=people["staff_a"])
    db.session.commit()
    auth.login(people["admin"])

    missing = client.post(f"/credit/extensions/{extension.id}", data={"decision": "deny", "note": ""})
    assert missing.status_code == 400 and "Say why the extension is denied" in missing.get_data(as_text=True)
    assert client.post(f"/credit/extensions/{extension.id}", data={"decision": "deny", "note": "No orders"}
                       ).status_code == 302
    db.session.refresh(extension)
    assert extension.status == "denied" and extension.decision_note == "No orders"
    assert transcript(people["pat"], YEAR, date(YEAR + 1, 4, 1)).standing.status == "non_compliant"


@pytest.mark.parametrize("field,value,message", [
    ("new_due_date", f"{YEAR}-12-31", "The new due date must be after"),
    ("kind", "", "Choose medical leave or military leave of absence."),
    ("reason", "", "Describe the leave."),
])
def test_request_form_says_what_is_wrong(people, client, auth, field, value, message):
    auth.login(people["staff_a"])
    response = _request(client, people, **{field: value})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Extension.id)) is None


@pytest.mark.parametrize("who", ["staff_b", "reviewer", "admin"])
def test_only_the_commissioning_agency_requests(people, client, auth, who):
    auth.login(people[who])
    assert _request(client, people).status_code == 404
    with pytest.raises(domain.NotPermitted):
        domain.request_extension(people["pat"], year=YEAR, kind="medical", new_due_date=date(YEAR + 1, 6, 30),
                                 reason="x", actor=people[who])


@pytest.mark.parametrize("who", ["staff_a", "reviewer"])
def test_only_post_admins_decide(people, client, auth, who):
    extension = domain.request_extension(people["pat"], year=YEAR, kind="medical", new_due_date=date(YEAR + 1, 6, 30),
                                         reason="x", actor=people["staff_a"])
    db.session.commit()
    auth.login(people[who])
    assert client.get("/credit/extensions").status_code == 404
    assert client.post(f"/credit/extensions/{extension.id}", data={"decision": "grant"}).status_code == 404
    with pytest.raises(domain.NotPermitted):
        domain.decide_extension(extension, grant=True, actor=people[who])
    with pytest.raises(Conflict):
        domain.decide_extension(extension, grant=True, actor=people["admin"])
        db.session.flush()
        domain.decide_extension(extension, grant=False, actor=people["admin"], note="again")
