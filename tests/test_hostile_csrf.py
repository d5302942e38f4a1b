"""Every form refuses a POST without its CSRF token, and nothing changes.

With WTF_CSRF_ENABLED on (as in production), each POST route of the app
(enumerated from app.url_map; the JSON API aside, which never reads the
session cookie) is sent the valid body of its row in the route table
(tests/test_hostile_routes.py) by a role allowed to use it: without a token,
and with a forged one, the answer is 400 with the site's "Form expired" page
and the database and upload folder are as before; with the page's real
token the same request goes through, so the refusal was the token's doing.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.hostile_world import ROLES, World, csrf_token_in, fill, hostile_world
from tests.test_hostile_routes import TABLE

API = "/api/"
# One row per POST route: the first whose allowed role succeeds (a redirect or a page).
FORM_ROWS: dict[str, tuple[str, Any, str]] = {}
for _method, _url, _body, _expected in TABLE:
    if _method != "POST" or _url.startswith(API):
        continue
    _wanted = dict(zip(ROLES, _expected.split(), strict=True))
    _role = next((r for r in ROLES if _wanted[r] in ("302", "200", "out")), None)
    if _role is not None:
        FORM_ROWS.setdefault(_url, (_role, _body, _wanted[_role]))


@pytest.fixture(scope="module")
def world(tmp_path_factory, database_template, redis_url):  # type: ignore[no-untyped-def]
    with hostile_world(tmp_path_factory.mktemp("hostile-csrf"), database_template, redis_url,
                       WTF_CSRF_ENABLED=True) as w:
        yield w


def _post(world: World, role: str, url: str, body: Any, token: str | None) -> Any:
    client = world.client(role)
    kwargs = body(world.ids) if body is not None else {"data": {}}
    if token == "real":
        page = client.get("/auth/login" if role == "anonymous" else "/profile").get_data(as_text=True)
        token = csrf_token_in(page)
        assert token
    if token is not None:
        kwargs["data"] = {**kwargs["data"], "csrf_token": token}
    response = client.post(fill(url, world.ids), **kwargs)
    response.get_data()
    response.close()
    return response


@pytest.mark.parametrize(("url", "role", "body", "allowed"),
                         [pytest.param(url, *row, id=url) for url, row in FORM_ROWS.items()])
def test_a_form_without_its_token_is_refused(world, url, role, body, allowed):  # type: ignore[no-untyped-def]
    world.clean()
    before = world.fingerprint()
    for token in (None, "forged-token"):
        response = _post(world, role, url, body, token)
        assert response.status_code == 400, (token, response.status_code)
        assert "Form expired" in response.get_data(as_text=True)
    assert world.fingerprint() == before, "a refused form changed something"
    world.dirty = True
    response = _post(world, role, url, body, "real")
    assert response.status_code == (200 if allowed == "200" else 302)


def test_every_post_route_is_checked(world):  # type: ignore[no-untyped-def]
    """Enumerated from the app: a new form route needs its row in the route table."""
    adapter = world.app.url_map.bind("localhost")
    checked = {adapter.match(fill(url, world.ids), method="POST", return_rule=True)[0].rule for url in FORM_ROWS}
    posts = {rule.rule for rule in world.app.url_map.iter_rules()
             if "POST" in rule.methods and not rule.rule.startswith("/api/")}
    assert posts - checked == set()


def test_the_api_needs_no_token_because_it_never_reads_the_cookie(world):  # type: ignore[no-untyped-def]
    world.clean()
    world.dirty = True
    by_token = world.app.test_client().post("/api/v1/applications", json={"title": "From a records system"},
                                            headers=world.headers("staff"))
    assert by_token.status_code == 201
    before = world.fingerprint()
    by_cookie = world.client("staff").post("/api/v1/applications", json={"title": "From a forged page"})
    assert by_cookie.status_code == 401
    assert world.fingerprint() == before
