"""Every route × every role, in one table.

Each row is a request (method, URL over the seeded world of
tests/hostile_world.py, a valid body for the roles allowed to make it) and
what each of seven roles gets:

    anon   signed out (for /api/v1: no token)
    staff  agency A's training coordinator       admin   agency A's administrator
    other  agency B's staff, for A's objects     review  the POST reviewer assigned to A's application
    padmin POST administrator                    officer an officer (A commissions him)

Outcomes: a status code, ``login`` (302 to the sign-in page: refused), or
``out`` (allowed, and the answer is a redirect to the sign-in page: signing
out, resetting a password). A refusal must change nothing: every refused
request and every GET of a row runs first and the whole database and the
upload folder must be as before. Every allowed write then runs on a fresh
copy of the world. Pages a role may open must not show agency A's private
text to agency B or to an officer. A route of the app with no row here fails
the coverage test, so each new route gets its permissions decided.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests import hostile_bodies as bodies
from tests.hostile_world import PRIVATE_TITLES, PRIVATE_TO_AGENCY, ROLES, World, fill, hostile_world

SIGN_IN = "/auth/login"
ALL_200 = "200 200 200 200 200 200 200"
SIGNED_IN = "login 200 200 200 200 200 200"
AGENCY_A = "login 200 200 404 404 404 404"       # agency A's staff only
AGENCY_A_WRITE = "login 302 302 404 404 404 404"
ANY_AGENCY = "login 200 200 200 404 404 404"
A_AND_POST = "login 200 200 404 200 200 404"      # A's staff and POST (a submitted application)
POST_ADMIN = "login 404 404 404 404 200 404"
POST_ADMIN_WRITE = "login 404 404 404 404 302 404"
REVIEWERS = "login 404 404 404 200 200 404"
DECIDERS = "login 404 404 404 302 302 404"
ACCOUNT_MANAGERS = "login 404 200 404 404 200 404"
API_APPLICANT = "401 200 200 404 404 404 404"
API_CREATED = "401 201 201 404 404 404 404"
API_DECIDER = "401 404 404 404 200 200 404"
API_ADMIN = "401 404 404 404 404 200 404"
API_SEES = "401 200 200 404 200 200 404"
API_AGENCIES = "401 200 200 200 404 404 404"
API_ALL = ALL_200


APP = "/agency/applications"
REVIEW = "/review/applications/{in_review}"
API = "/api/v1"
NEW_PASSWORD = {"password": "Brand-New-Pass-2026", "confirm": "Brand-New-Pass-2026"}

# (method, URL, body, outcome for: anon staff admin other review padmin officer)
TABLE: list[tuple[str, str, Any, str]] = [
    ("GET", "/", None, ALL_200),
    ("GET", "/healthz", None, ALL_200),
    ("GET", "/static/css/site.css", None, ALL_200),
    ("GET", "/assets/uswds/css/uswds.min.css", None, ALL_200),
    ("GET", "/profile", None, SIGNED_IN),
    ("GET", "/notifications", None, SIGNED_IN),
    ("POST", "/notifications/read", None, "login 302 302 302 302 302 302"),
    # Signing in, out, passwords.
    ("GET", "/auth/login", None, "200 302 302 302 302 302 302"),
    ("POST", "/auth/login", bodies.form(email="rosa.resetter@example.gov", password="Correct-Horse-42"),
     "302 302 302 302 302 302 302"),
    ("POST", "/auth/logout", None, "out out out out out out out"),
    ("GET", "/auth/password", None, SIGNED_IN),
    ("POST", "/auth/password", bodies.form(current="Correct-Horse-42", **NEW_PASSWORD), "login 302 302 302 302 302 302"),
    ("GET", "/auth/forgot", None, ALL_200),
    ("POST", "/auth/forgot", bodies.form(email="rosa.resetter@example.gov"), "out out out out out out out"),
    ("GET", "/auth/reset/{reset_token}", None, ALL_200),
    ("POST", "/auth/reset/{reset_token}", bodies.form(**NEW_PASSWORD), "out out out out out out out"),
    ("GET", "/profile/api-tokens/", None, "login 200 200 200 200 200 404"),
    ("POST", "/profile/api-tokens/", bodies.form(name="Records system"), "login 200 200 200 200 200 404"),
    ("POST", "/profile/api-tokens/{spare_token}/revoke", None, "login 302 404 404 404 404 404"),
    # Administration.
    ("GET", "/admin/agencies", None, POST_ADMIN),
    ("GET", "/admin/agencies/new", None, POST_ADMIN),
    ("POST", "/admin/agencies/new", bodies.form(name="Cole County Sheriff", ori="MO0260000", county="Cole", active="y"),
     POST_ADMIN_WRITE),
    ("GET", "/admin/agencies/{agency_a}", None, POST_ADMIN),
    ("POST", "/admin/agencies/{agency_a}", bodies.form(name="Columbia PD", ori="MO0100100", active="y"), POST_ADMIN_WRITE),
    ("GET", "/admin/outbox", None, POST_ADMIN),
    ("POST", "/admin/outbox/{outbox}/retry", None, POST_ADMIN_WRITE),
    ("GET", "/admin/users", None, ACCOUNT_MANAGERS),
    ("GET", "/admin/users/new", None, ACCOUNT_MANAGERS),
    ("POST", "/admin/users/new", bodies.user_form("sam.newperson@example.gov"), "login 404 302 404 404 302 404"),
    ("GET", "/admin/users/{colleague}", None, ACCOUNT_MANAGERS),
    ("GET", "/admin/users/{reviewer_id}", None, POST_ADMIN),      # agency admins never manage POST staff
    ("POST", "/admin/users/{colleague}", bodies.user_form("colin.colleague@example.gov"), "login 404 302 404 404 302 404"),
    # Applications (agency area).
    ("GET", "/agency/", None, ANY_AGENCY),
    ("GET", APP + "/new", None, ANY_AGENCY),
    ("POST", APP + "/new", bodies.form(title="A new course", delivery_method="in_person"), "login 302 302 302 404 404 404"),
    ("GET", APP + "/{draft}", None, "login 200 200 404 404 200 404"),
    ("GET", APP + "/{in_review}", None, A_AND_POST),
    ("GET", APP + "/{changes}", None, A_AND_POST),
    ("GET", APP + "/{draft}/documents/{draft_doc}", None, "login 200 200 404 404 200 404"),
    ("GET", APP + "/{in_review}/documents/{in_review_doc}", None, A_AND_POST),
    ("GET", APP + "/{draft}/documents/{in_review_doc}", None, "login 404 404 404 404 404 404"),
    ("POST", APP + "/{draft}/documents/{draft_doc}/remove", None, AGENCY_A_WRITE),
    ("GET", APP + "/{draft}/edit", None, AGENCY_A),
    ("GET", APP + "/{in_review}/edit", None, "login 409 409 404 404 404 404"),
    ("GET", APP + "/{changes}/edit/hours", None, AGENCY_A),
    ("GET", APP + "/{draft}/edit/nonsense", None, "login 404 404 404 404 404 404"),
    ("POST", APP + "/{draft}/edit/course", bodies.form(title="Night Patrol Tactics, revised"), AGENCY_A_WRITE),
    ("POST", APP + "/{in_review}/edit/course", bodies.form(title="Too late"), "login 409 409 404 404 404 404"),
    ("GET", APP + "/{in_review}/revisions/1", None, A_AND_POST),
    ("GET", APP + "/{draft}/revisions/1", None, "login 404 404 404 404 404 404"),
    ("POST", APP + "/{draft}/submit", None, AGENCY_A_WRITE),
    ("GET", APP + "/{draft}/withdraw", None, AGENCY_A),
    ("POST", APP + "/{in_review}/withdraw", bodies.form(reason="Instructor left."), AGENCY_A_WRITE),
    # Review.
    ("GET", "/review/", None, REVIEWERS),
    ("GET", REVIEW, None, REVIEWERS),
    ("GET", "/review/applications/{draft}", None, "login 404 404 404 404 200 404"),
    ("POST", REVIEW + "/approve", bodies.approve_form, DECIDERS),
    ("POST", REVIEW + "/request-changes", bodies.form(seen_version="{version}", message="Add an objective."), DECIDERS),
    ("POST", REVIEW + "/deny", bodies.form(seen_version="{version}", codes="duplicate", reason="Already approved."),
     DECIDERS),
    ("POST", REVIEW + "/comments", bodies.form(body="Looks fine.", visibility="internal"), DECIDERS),
    ("POST", REVIEW + "/checklist", bodies.form(notes="Checked.", synopsis_adequate="y"), DECIDERS),
    ("POST", REVIEW + "/assign", bodies.form(reviewer_id="{reviewer_id}", note="Subject expert."), POST_ADMIN_WRITE),
    ("POST", "/review/leave", bodies.form(on_leave="1"), DECIDERS),
    # Letters and verification.
    ("GET", "/letters/{letter}/pdf", None, A_AND_POST),
    ("GET", "/letters/applications/{approved}", None, A_AND_POST),
    ("GET", "/letters/applications/{draft}", None, "login 200 200 404 404 200 404"),
    ("POST", "/letters/applications/{approved}/reissue", bodies.form(**{"letter-reissue-reason": "Typo in the title."}),
     POST_ADMIN_WRITE),
    ("POST", "/letters/applications/{approved}/revoke", bodies.form(**{"letter-revoke-reason": "Instructor decertified."}),
     POST_ADMIN_WRITE),
    ("GET", "/verify/", None, ALL_200),
    ("GET", "/verify/{number}?code={code}", None, ALL_200),
    ("GET", "/verify/{number}.json?code={code}", None, ALL_200),
    # Catalog and offerings.
    ("GET", "/catalog/?q=firearms", None, ALL_200),
    ("GET", "/catalog/courses/{number}", None, ALL_200),
    ("GET", "/catalog/export.csv", None, ALL_200),
    ("GET", "/offerings/", None, ANY_AGENCY),
    ("GET", "/offerings/new/{number}", None, ANY_AGENCY),
    ("POST", "/offerings/new/{number}", bodies.offering_form, "login 302 302 302 404 404 404"),
    ("GET", "/offerings/{offering}/edit", None, AGENCY_A),
    ("POST", "/offerings/{offering}/edit", bodies.offering_form, AGENCY_A_WRITE),
    ("POST", "/offerings/{offering}/cancel", bodies.form(reason="Instructor ill."), AGENCY_A_WRITE),
    # Credit.
    ("GET", "/credit/transcript", None, "login 404 404 404 404 404 200"),
    ("GET", "/credit/officers/{officer}", None, "login 200 200 404 404 200 200"),
    ("GET", "/credit/officers/{officer2}", None, "login 200 200 404 404 200 404"),
    ("GET", "/credit/officers", None, POST_ADMIN),
    ("GET", "/credit/agency?agency={agency_a}", None, "login 200 200 200 404 200 404"),
    ("GET", "/credit/agency.csv?agency={agency_a}", None, "login 200 200 200 404 200 404"),
    ("GET", "/credit/statewide", None, POST_ADMIN),
    ("GET", "/credit/evidence/{evidence}", None, "login 404 404 404 404 200 200"),
    ("GET", "/credit/offerings/{past_offering}/roster", None, "login 200 200 404 404 200 404"),
    ("POST", "/credit/offerings/{past_offering}/roster", bodies.form(**{"rows-0-license_number": "{license}",
                                                                 "rows-0-hours": "8"}), AGENCY_A_WRITE),
    ("GET", "/credit/offerings/{rostered_offering}/roster", None, "login 200 200 404 404 200 404"),
    ("GET", "/credit/offerings/{rostered_offering}/roster/amend", None, AGENCY_A),
    ("POST", "/credit/offerings/{rostered_offering}/roster/amend",
     bodies.form(**{"rows-0-license_number": "{license}", "rows-0-hours": "4", "reason": "Left at noon."}), AGENCY_A_WRITE),
    ("GET", "/credit/officers/{officer}/credit/approved_provider", None, POST_ADMIN),
    ("POST", "/credit/officers/{officer}/credit/approved_provider", bodies.credit_form, POST_ADMIN_WRITE),
    ("GET", "/credit/import", None, POST_ADMIN),
    ("POST", "/credit/import", bodies.import_form, POST_ADMIN_WRITE),
    ("GET", "/credit/entries/{entry}/withdraw", None, POST_ADMIN),
    ("POST", "/credit/entries/{entry}/withdraw", bodies.form(reason="Entered twice."), POST_ADMIN_WRITE),
    ("GET", "/credit/officers/{officer}/extension", None, AGENCY_A),
    ("POST", "/credit/officers/{officer}/extension",
     bodies.form(year="{year}", kind="medical", new_due_date=f"{date.today().year + 1}-06-30", reason="Surgery."),
     AGENCY_A_WRITE),
    ("GET", "/credit/extensions", None, POST_ADMIN),
    ("POST", "/credit/extensions/{extension}", bodies.form(decision="grant", note="Letter on file."), POST_ADMIN_WRITE),
    # The JSON API: bearer tokens only; another agency's objects and missing capabilities are 404.
    ("GET", API + "/openapi.json", None, API_ALL),
    ("GET", API + "/me", None, "401 200 200 200 200 200 404"),
    ("GET", API + "/applications", None, API_AGENCIES),
    ("POST", API + "/applications", bodies.json(title="New course"), "401 201 201 201 404 404 404"),
    ("GET", API + "/applications/{draft}", None, "401 200 200 404 404 200 404"),
    ("GET", API + "/applications/{in_review}", None, API_SEES),
    ("PATCH", API + "/applications/{draft}", bodies.json(title="Renamed"), API_APPLICANT),
    ("PATCH", API + "/applications/{in_review}", bodies.json(title="Renamed"), "401 409 409 404 404 404 404"),
    ("POST", API + "/applications/{draft}/submit", None, API_APPLICANT),
    ("POST", API + "/applications/{draft}/withdraw", bodies.json(reason="Not now"), API_APPLICANT),
    ("GET", API + "/applications/{in_review}/revisions/1", None, API_SEES),
    ("PUT", API + "/applications/{draft}/objectives", bodies.json(objectives=["Explain it."]), API_APPLICANT),
    ("PUT", API + "/applications/{draft}/instructors",
     lambda ids: {"json": {"instructors": [{"id": ids["instructor"], "name": "Sgt. Lee Park",
                                            "qualifications": "CIT."}]}},
     API_APPLICANT),
    ("POST", API + "/applications/{draft}/instructors/{instructor}/record", lambda ids: {"data": {"file": bodies.pdf()}},
     API_CREATED),
    ("POST", API + "/applications/{draft}/documents", lambda ids: {"data": {"file": bodies.pdf(), "kind": "other"}},
     API_CREATED),
    ("DELETE", API + "/applications/{draft}/documents/{draft_doc}", None, API_APPLICANT),
    ("GET", API + "/applications/{draft}/documents/{draft_doc}", None, "401 200 200 404 404 200 404"),
    ("GET", API + "/review/queue", None, API_DECIDER),
    ("POST", API + "/applications/{in_review}/assign", bodies.json(reviewer_id="{reviewer_id}"), API_ADMIN),
    ("POST", API + "/applications/{in_review}/comments", bodies.json(body="A note."), "401 404 404 404 201 201 404"),
    ("POST", API + "/applications/{in_review}/approve", bodies.json(version="{version}"), API_DECIDER),
    ("POST", API + "/applications/{in_review}/request-changes", bodies.json(version="{version}", message="Add one."),
     API_DECIDER),
    ("POST", API + "/applications/{in_review}/deny",
     bodies.json(version="{version}", codes=["duplicate"], reason="Already approved."), API_DECIDER),
    ("POST", API + "/applications/{approved}/revoke", bodies.json(reason="Instructor decertified."), API_ADMIN),
    ("GET", API + "/applications/{approved}/letters", None, API_SEES),
    ("POST", API + "/applications/{approved}/letters/reissue", bodies.json(reason="Typo."), "401 404 404 404 404 202 404"),
    ("GET", API + "/letters/{letter}", None, API_SEES),
    ("GET", API + "/letters/{letter}/pdf", None, API_SEES),
    ("GET", API + "/catalog/courses?text=firearms", None, API_ALL),
    ("GET", API + "/catalog/courses/{number}", None, API_ALL),
    ("GET", API + "/verify/{number}?code={code}", None, API_ALL),
    ("GET", API + "/offerings", None, API_AGENCIES),
    ("POST", API + "/offerings", bodies.api_offering, "401 201 201 201 404 404 404"),
    ("GET", API + "/offerings/{offering}", None, API_APPLICANT),
    ("PATCH", API + "/offerings/{offering}", bodies.json(seats=30), API_APPLICANT),
    ("POST", API + "/offerings/{offering}/cancel", bodies.json(reason="Instructor ill."), API_APPLICANT),
]

REFUSALS = {"404", "401", "405", "login"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module")
def world(tmp_path_factory, database_template, redis_url):  # type: ignore[no-untyped-def]
    with hostile_world(tmp_path_factory.mktemp("hostile-routes"), database_template, redis_url) as w:
        yield w


def call(world: World, role: str, method: str, url: str, body: Any) -> Any:
    """Make the request as *role*; return the response, read and closed (downloads hold their file open)."""
    kwargs = body(world.ids) if body is not None else {}
    headers = world.headers(role) if url.startswith(API) else {}
    client = world.client("anonymous" if url.startswith(API) else role)
    response = client.open(fill(url, world.ids), method=method, headers=headers, **kwargs)
    response.get_data()
    response.close()
    return response


def outcome(response: Any) -> str:
    if response.status_code == 302:
        return "login" if response.headers["Location"].startswith(SIGN_IN) else "302"
    return str(response.status_code)


def _must_not_leak(role: str, response: Any) -> None:
    if response.status_code != 200 or role not in ("other_staff", "officer") or not response.mimetype.startswith(
            ("text/", "application/json", "application/problem+json")):
        return
    text = response.get_data(as_text=True)
    private = PRIVATE_TITLES + (PRIVATE_TO_AGENCY if role == "other_staff" else PRIVATE_TO_AGENCY[1:])
    leaked = [p for p in private if p in text or p.replace("'", "&#39;") in text]
    assert not leaked, (role, leaked)


def _order(method: str, expected: dict[str, str]) -> tuple[list[str], list[str]]:
    """Roles whose request must change nothing, then those whose request may."""
    harmless = [r for r in ROLES if method not in WRITES or expected[r] in REFUSALS]
    return harmless, [r for r in ROLES if r not in harmless]


@pytest.mark.parametrize(("method", "url", "body", "expected"),
                         [pytest.param(*row, id=f"{row[0]} {row[1]}") for row in TABLE])
def test_route_by_role(world, method, url, body, expected):  # type: ignore[no-untyped-def]
    wanted = dict(zip(ROLES, expected.split(), strict=True))
    harmless, writers = _order(method, wanted)
    world.clean()
    before = world.fingerprint()
    got = {}
    for role in harmless:
        response = call(world, role, method, url, body)
        got[role] = outcome(response)
        _must_not_leak(role, response)
    assert world.fingerprint() == before, f"a refused request or a GET changed something: {got}"
    for role in writers:
        world.clean()
        world.dirty = True
        got[role] = outcome(call(world, role, method, url, body))
    assert got == {role: "login" if want == "out" else want for role, want in wanted.items()}


def _rule_of(world: World, method: str, url: str):  # type: ignore[no-untyped-def]
    adapter = world.app.url_map.bind("localhost")
    path = fill(url, world.ids).split("?")[0]
    rule, _ = adapter.match(path, method=method, return_rule=True)
    return rule


def test_every_route_is_in_the_table(world):  # type: ignore[no-untyped-def]
    """A new route (or a new method on one) needs a row above: decide who may use it."""
    covered = {(_rule_of(world, m, u).rule, m) for m, u, _, _ in TABLE}
    routes = {(rule.rule, m) for rule in world.app.url_map.iter_rules()
              for m in rule.methods - {"HEAD", "OPTIONS"}}
    missing = sorted(routes - covered)
    assert not missing, f"classify these routes in TABLE: {missing}"


def test_other_methods_are_405(world):  # type: ignore[no-untyped-def]
    """A method no rule of the URL takes is 405. Routing answers it before any
    view or sign-in check runs, so one (signed-out) caller is enough."""
    adapter = world.app.url_map.bind("localhost")
    checked = 0
    for url in sorted({u for _, u, _, _ in TABLE}):
        path = fill(url, world.ids).split("?")[0]
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            try:
                adapter.match(path, method=method)
                continue
            except MethodNotAllowed:
                pass
            except NotFound:  # pragma: no cover - every row names a real route
                pytest.fail(f"{path} matches no route")
            response = call(world, "anonymous", method, url, None)
            assert response.status_code == 405, (method, url, response.status_code)
            if url.startswith(API):
                assert response.mimetype == "application/problem+json"
            checked += 1
    assert checked > 100


def test_an_agency_admin_cannot_hand_out_more_than_their_own_agency(world):  # type: ignore[no-untyped-def]
    """The account form refuses POST roles and other agencies to an agency admin, whatever is posted."""
    from approvals.extensions import db
    from approvals.models import User

    world.clean()
    before = world.fingerprint()
    admin = world.client("agency_admin")
    made = admin.post("/admin/users/new", data={"name": "Eve", "email": "eve@example.gov", "role": "post_admin",
                                                "agency_id": 0, "active": "y"})
    assert made.status_code == 200 and "Not a valid choice" in made.get_data(as_text=True)
    assert world.fingerprint() == before
    world.dirty = True
    moved = admin.post(fill("/admin/users/{colleague}", world.ids), data={
        "name": "Colin", "email": "colin.colleague@example.gov", "role": "agency_admin",
        "agency_id": world.ids["agency_b"], "active": "y"})
    assert moved.status_code in (200, 302)
    db.session.remove()
    colin = db.session.get(User, world.ids["colleague"])
    assert colin.agency_id == world.ids["agency_a"]
