"""Hypothesis against the real routes: generated form values, query strings
and uploads never cause a server error.

Forms are posted by the role that may use them, over the seeded world of
tests/hostile_world.py (built once per module: no function-scoped fixture
inside @given). A form whose success changes what the next example sees (a
decision, a posted roster) puts the world back after each success. Uploads
go through the document, instructor-record, credit-evidence and API routes;
a refused upload leaves nothing in the upload folder, an accepted one is
stored under a clean name.
"""
from __future__ import annotations

import io
import unicodedata
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from approvals import storage
from approvals.extensions import db
from approvals.models import CreditDocument, Document
from tests.hostile_values import (
    DAY_EXTREMES, NUMBER_EXTREMES, SAMPLES, SWEEP, contents, day, file_names, flag, form, number, text,
)
from tests.hostile_world import fill, hostile_world

FUZZ = settings(max_examples=50, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ACCEPTABLE = {200, 201, 302, 400, 404, 409, 422, 429}
HOURS = ("total", "legal", "technical", "interpersonal", "skill_development", "firearms", "racial_profiling",
         "implicit_bias", "deescalation")
DRAFT = "/agency/applications/{draft}"
REVIEW = "/review/applications/{in_review}"


@pytest.fixture(scope="module")
def world(tmp_path_factory, database_template, redis_url):  # type: ignore[no-untyped-def]
    with hostile_world(tmp_path_factory.mktemp("hostile-fuzz"), database_template, redis_url) as w:
        yield w


def _rows(prefix: str, n: int, **fields: st.SearchStrategy) -> dict[str, st.SearchStrategy]:
    return {f"{prefix}-{i}-{name}": s for i in range(n) for name, s in fields.items()}


COURSE = dict(title=text, synopsis=text, delivery_method=st.one_of(st.sampled_from(["in_person", "computer_based"]),
              text), attendance_policy=text, evaluation_method=text, version=number, action=text)
OFFERING = dict(starts_on=day, ends_on=day, online=flag, location=text, online_url=text, instructors=text,
                instructor_licenses=text, seats=number, contact_name=text, contact_email=text, contact_phone=text)
CREDIT = dict(title=text, provider_name=text, completed_on=day, provider=text, delivery=text, hours=number,
              semester_hours=number, college_area=text, note=text,
              **{f"area_{k}": number for k in HOURS[1:5]}, **{f"designation_{k}": number for k in HOURS[5:]})
IN_A_WEEK = "{in_a_week}"
VALID_OFFERING = dict(starts_on=IN_A_WEEK, ends_on=IN_A_WEEK, location="Academy, Jefferson City",
                      instructors="Sgt. Ana Ruiz", instructor_licenses="MO-ZQ0002", seats="20",
                      contact_name="Dana Staff", contact_email="dana@example.gov", contact_phone="(573) 555-0100")
PDF_FILE = "<a PDF, sent fresh with each request>"
VALID_CREDIT = dict(title="Legal update", provider_name="MSA", completed_on="{past_day}", hours="2", area_legal="2",
                    delivery="in_person", semester_hours="1", college_area="legal", note="Checked.",
                    evidence=PDF_FILE)
APPROVED = {f"approved_{k}": v for k, v in zip(HOURS, ("8", "2", "1", "3", "2", "0", "1", "1", "4"), strict=True)}

# (name, role, URL, a valid body, hostile values by field, put the world back after a success?
#  Only where a success changes what the next example meets: a decision, a posted roster, a password.)
# Each example sends the valid body with one to three fields replaced by a
# hostile value or left out, or (one time in four) hostile values throughout.
FORMS: list[tuple[str, str, str, dict[str, str], dict[str, st.SearchStrategy], bool]] = [
    ("new application", "staff", "/agency/applications/new", {"title": "A course"}, COURSE, False),
    ("course section", "staff", DRAFT + "/edit/course",
     dict(title="Night Patrol", synopsis="S" * 250, delivery_method="in_person", attendance_policy="All.",
          evaluation_method="Test."), COURSE, False),
    ("hours section", "staff", DRAFT + "/edit/hours", {f"hours_{k}": v for k, v in zip(
        HOURS, ("8", "2", "1", "3", "2", "0", "1", "1", "4"), strict=True)},
     dict(version=number, **{f"hours_{k}": number for k in HOURS}), False),
    ("objectives", "staff", DRAFT + "/edit/objectives", {"objectives-0": "Explain it.", "action": "save"},
     dict(version=number, action=st.one_of(st.sampled_from(["add", "save", "remove-0", "remove-9", "continue"]),
                                           text), **{f"objectives-{i}": text for i in range(3)}), False),
    ("instructors", "staff", DRAFT + "/edit/instructors",
     {"instructors-0-id": "{instructor}", "instructors-0-name": "Sgt. Lee Park", "instructors-0-email": "lee@x.gov",
      "instructors-0-license_number": "MO-1", "instructors-0-qualifications": "CIT."},
     dict(version=number, action=text, **_rows("instructors", 2, id=number, name=text, email=text,
                                               license_number=text, qualifications=text)), True),
    ("contact and attestation", "agency_admin", DRAFT + "/edit/contact",
     dict(contact_name="Dana", contact_email="dana@x.gov", contact_phone="573-555-0100", attestation_name="Chief",
          attestation_title="Chief of Police", attested="y"),
     dict(version=number, contact_name=text, contact_email=text, contact_phone=text, attestation_name=text,
          attestation_title=text, attested=flag), False),
    ("withdraw", "staff", "/agency/applications/{in_review}/withdraw", {"reason": "Gone."}, dict(reason=text), True),
    ("schedule offering", "other_staff", "/offerings/new/{number}", VALID_OFFERING, OFFERING, False),
    ("change offering", "staff", "/offerings/{offering}/edit", VALID_OFFERING, OFFERING, False),
    ("cancel offering", "staff", "/offerings/{offering}/cancel", {"reason": "Ill."}, dict(reason=text), True),
    ("post roster", "staff", "/credit/offerings/{past_offering}/roster",
     {"rows-0-license_number": "{license}", "rows-0-hours": "8"},
     _rows("rows", 3, license_number=text, hours=number), True),
    ("amend roster", "staff", "/credit/offerings/{rostered_offering}/roster/amend",
     {"rows-0-license_number": "{license}", "rows-0-hours": "4", "reason": "Left early."},
     dict(reason=text, **_rows("rows", 2, license_number=text, hours=number)), True),
    ("request extension", "staff", "/credit/officers/{officer}/extension",
     dict(year="{year}", kind="medical", new_due_date="{next_summer}", reason="Surgery."),
     dict(year=number, kind=text, new_due_date=day, reason=text), True),
    ("approve", "reviewer", REVIEW + "/approve", dict(seen_version="{version}", **APPROVED),
     dict(seen_version=number, note=text, **{f"approved_{k}": number for k in HOURS}), True),
    ("request changes", "reviewer", REVIEW + "/request-changes", dict(seen_version="{version}", message="Fix."),
     dict(seen_version=number, message=text), True),
    ("deny", "reviewer", REVIEW + "/deny", dict(seen_version="{version}", codes="duplicate", reason="Dup."),
     dict(seen_version=number, reason=text, codes=st.one_of(st.sampled_from(["duplicate", "other"]), text)), True),
    ("comment", "reviewer", REVIEW + "/comments", dict(body="Fine.", visibility="agency"),
     dict(body=text, visibility=text), False),
    ("checklist", "reviewer", REVIEW + "/checklist", dict(notes="Checked.", synopsis_adequate="y"),
     dict(notes=text, synopsis_adequate=flag, hours_consistent=flag), False),
    ("assign", "post_admin", REVIEW + "/assign", dict(reviewer_id="{reviewer_id}", note="Expert."),
     dict(reviewer_id=number, note=text), True),
    ("leave", "reviewer", "/review/leave", {"on_leave": "1"}, dict(on_leave=number), False),
    ("credit entry", "post_admin", "/credit/officers/{officer}/credit/approved_provider", VALID_CREDIT, CREDIT, False),
    ("college credit", "post_admin", "/credit/officers/{officer}/credit/college", VALID_CREDIT, CREDIT, False),
    ("withdraw credit", "post_admin", "/credit/entries/{entry}/withdraw", {"reason": "Twice."}, dict(reason=text),
     True),
    ("decide extension", "post_admin", "/credit/extensions/{extension}", {"decision": "deny", "note": "No proof."},
     dict(decision=text, note=text), True),
    ("revoke approval", "post_admin", "/letters/applications/{approved}/revoke",
     {"letter-revoke-reason": "Decertified."}, {"letter-revoke-reason": text}, True),
    ("reissue letter", "post_admin", "/letters/applications/{approved}/reissue",
     {"letter-reissue-reason": "Typo."}, {"letter-reissue-reason": text}, True),
    ("agency", "post_admin", "/admin/agencies/new",
     dict(name="Cole County", ori="MO0260000", county="Cole", active="y"),
     dict(name=text, ori=text, county=text, active=flag), False),
    ("account", "agency_admin", "/admin/users/new",
     dict(name="Sam New", email="sam.new@example.gov", role="agency_staff", agency_id="{agency_a}", active="y"),
     dict(name=text, email=text, role=st.one_of(st.sampled_from(["agency_staff", "post_admin"]), text),
          agency_id=number, active=flag), False),
    ("edit account", "post_admin", "/admin/users/{colleague}",
     dict(name="Colin", email="colin.colleague@example.gov", role="agency_staff", agency_id="{agency_a}", active="y"),
     dict(name=text, email=text, role=text, agency_id=number, active=flag), False),
    ("api token", "staff", "/profile/api-tokens/", {"name": "Records"}, dict(name=text), False),
    ("sign in", "anonymous", "/auth/login", dict(email="rosa.resetter@example.gov", password="wrong"),
     dict(email=text, password=text, remember=flag), False),
    ("forgot password", "anonymous", "/auth/forgot", {"email": "rosa.resetter@example.gov"}, dict(email=text),
     False),
    ("reset password", "anonymous", "/auth/reset/{reset_token}",
     dict(password="Brand-New-Pass-2026", confirm="Brand-New-Pass-2026"), dict(password=text, confirm=text), True),
    ("change password", "staff", "/auth/password",
     dict(current="Correct-Horse-42", password="Brand-New-Pass-2026", confirm="Brand-New-Pass-2026"),
     dict(current=text, password=text, confirm=text), True),
]


def bodies(base: dict[str, str], fields: dict[str, st.SearchStrategy], ids: dict[str, Any]) -> st.SearchStrategy:
    """The valid *base* with a few fields made hostile (or dropped), or hostile values throughout."""
    valid = {k: v if v == PDF_FILE else fill(v, ids) for k, v in base.items()}
    names = sorted(fields)
    near_valid = st.tuples(st.sets(st.sampled_from(names), min_size=1, max_size=3), form(**fields)).map(
        lambda t: {**{k: v for k, v in valid.items() if k not in t[0]},
                   **{k: v for k, v in t[1].items() if k in t[0]}})
    return st.one_of(near_valid, near_valid, near_valid, form(**fields))


# (name, role, URL, query strategy)
QUERIES: list[tuple[str, str, str, st.SearchStrategy]] = [
    ("catalog search", "anonymous", "/catalog/",
     form(q=text, area=text, designation=text, min_hours=number, max_hours=number, delivery=text, agency=number,
          sort=text, page=number)),
    ("catalog export", "anonymous", "/catalog/export.csv",
     form(q=text, area=text, min_hours=number, max_hours=number, agency=number, sort=text)),
    ("review queue", "reviewer", "/review/",
     form(tab=text, state=text, area=text, designation=text, agency=number, age=text, page=number)),
    ("agency dashboard", "staff", "/agency/", form(state=text, sort=text, page=number)),
    ("officers of an agency", "post_admin", "/credit/agency",
     form(agency=number, year=number, sort=text, dir=text, status=text)),
    ("transcript", "staff", "/credit/officers/{officer}", form(year=number)),
    ("accounts", "post_admin", "/admin/users", form(q=text, role=text, page=number)),
    ("agencies", "post_admin", "/admin/agencies", form(q=text, page=number)),
    ("offerings", "staff", "/offerings/", form(show=text, page=number)),
    ("outbox", "post_admin", "/admin/outbox", form(show=text, page=number)),
    ("verify", "anonymous", "/verify/", form(number=text, code=text)),
    ("verify a number", "anonymous", "/verify/{number}", form(code=text)),
    ("notifications", "staff", "/notifications", form(page=number)),
]


def _check(response: Any, what: str) -> None:
    body = response.get_data()
    response.close()
    assert response.status_code < 500, (what, response.status_code, body[:300])
    assert response.status_code in ACCEPTABLE, (what, response.status_code)


@pytest.mark.parametrize(("name", "role", "url", "base", "fields", "restore"),
                         [pytest.param(*row, id=row[0]) for row in FORMS])
def test_form_values_never_cause_a_server_error(  # type: ignore[no-untyped-def]
        world, name, role, url, base, fields, restore):
    world.clean()
    ids = {**world.ids, "in_a_week": (date.today() + timedelta(days=7)).isoformat(),
           "next_summer": date(date.today().year + 1, 6, 30).isoformat()}

    valid = {k: v if v == PDF_FILE else fill(v, ids) for k, v in base.items()}

    def post(data: dict[str, Any]) -> None:
        world.clean()
        sent = {k: (io.BytesIO(SAMPLES["pdf"]), "evidence.pdf") if v == PDF_FILE else v for k, v in data.items()}
        response = world.client(role).post(fill(url, world.ids), data=sent)
        _check(response, f"{name}: {sorted(data)}")
        if restore and response.status_code == 302:
            world.dirty = True

    for field in sorted(fields):  # every field past every limit, one at a time
        extremes = DAY_EXTREMES if fields[field] is day else NUMBER_EXTREMES if fields[field] is number else ()
        for value in SWEEP + extremes:
            post({**valid, field: value})
    given(data=bodies(base, fields, ids))(FUZZ(post))()
    world.dirty = True


@pytest.mark.parametrize(("name", "role", "url", "query"), [pytest.param(*row, id=row[0]) for row in QUERIES])
def test_query_strings_never_cause_a_server_error(world, name, role, url, query):  # type: ignore[no-untyped-def]
    world.clean()
    before = world.fingerprint()

    @FUZZ
    @given(args=query)
    def get(args: dict[str, Any]) -> None:
        _check(world.client(role).get(fill(url, world.ids), query_string=args), name)

    get()
    assert world.fingerprint() == before  # reading changes nothing


cell = st.one_of(text, number, day).map(lambda v: v.replace("\x00", ""))
csv_rows = st.lists(st.lists(cell, min_size=1, max_size=6), max_size=6)
# (name, role, URL, header line, the other fields of the form)
CSV_UPLOADS = [
    ("credit import", "post_admin", "/credit/import", "license_number,title,completed_on,hours,legal,firearms,delivery",
     {"evidence": PDF_FILE}),
    ("roster CSV", "staff", "/credit/offerings/{past_offering}/roster", "license_number,hours", {}),
]


@pytest.mark.parametrize(("name", "role", "url", "header", "extra"), [pytest.param(*r, id=r[0]) for r in CSV_UPLOADS])
def test_csv_contents_never_cause_a_server_error(world, name, role, url, header, extra):  # type: ignore[no-untyped-def]
    world.clean()
    valid_row = [world.ids["license"], "Legal update", world.ids["past_day"], "2", "2", "0", "in_person"]
    valid_row = valid_row[:len(header.split(","))] if name == "credit import" else [world.ids["license"], "8"]

    def post(lines: list[str], raw: bytes = b"") -> None:
        world.clean()
        body = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass") + raw
        data = {"csv_file": (io.BytesIO(body), "rows.csv"),
                **{k: (io.BytesIO(SAMPLES["pdf"]), "evidence.pdf") for k in extra}}
        response = world.client(role).post(fill(url, world.ids), data=data)
        _check(response, name)
        if response.status_code == 302:
            world.dirty = True

    for column in range(len(valid_row)):  # each cell of a valid row at every edge, one at a time
        for value in SWEEP + NUMBER_EXTREMES + DAY_EXTREMES:
            post([header, ",".join(valid_row[:column] + [value] + valid_row[column + 1:])])

    @FUZZ
    @given(rows=csv_rows, keep_header=st.booleans(), valid_first=st.booleans(), raw=st.binary(max_size=200))
    def upload(rows: list[list[str]], keep_header: bool, valid_first: bool, raw: bytes) -> None:
        lines = ([header] if keep_header else []) + ([",".join(valid_row)] if valid_first else [])
        post(lines + [",".join(r) for r in rows], raw)

    upload()
    world.dirty = True


def _clean_name(name: str) -> bool:
    return bool(name) and "/" not in name and "\\" not in name and not any(
        unicodedata.category(ch).startswith("C") for ch in name)


def _latest(model: type) -> tuple[str, str]:
    """(original name, stored name) of the newest row of *model*."""
    db.session.remove()
    row = db.session.execute(sa.select(model.original_name, model.stored_name).order_by(model.id.desc()).limit(1))
    return tuple(row.one())  # type: ignore[return-value]


# (route, role, URL, how the file is sent, model that records it, status of an accepted file)
UPLOADS: list[tuple[str, str, str, Any, type, int]] = [
    ("sample certificate", "staff", DRAFT + "/edit/documents",
     lambda f, ids: {"data": {"sample_certificate": f}}, Document, 302),
    ("other documents", "staff", DRAFT + "/edit/documents",
     lambda f, ids: {"data": {"other_documents": [f, (io.BytesIO(f[0].getvalue()), "copy-" + f[1])]}}, Document, 302),
    ("instructor record", "staff", DRAFT + "/edit/instructors",
     lambda f, ids: {"data": {"instructors-0-id": str(ids["instructor"]), "instructors-0-name": "Sgt. Lee Park",
                              "instructors-0-record": f}}, Document, 302),
    ("credit evidence", "post_admin", "/credit/officers/{officer}/credit/approved_provider",
     lambda f, ids: {"data": {"title": "Legal update", "completed_on": ids["past_day"], "hours": "2",
                              "area_legal": "2", "delivery": "in_person", "evidence": f}}, CreditDocument, 302),
    ("API document", "staff", "/api/v1/applications/{draft}/documents",
     lambda f, ids: {"data": {"kind": "other", "file": f}}, Document, 201),
]


@pytest.mark.parametrize(("name", "role", "url", "send", "model", "accepted"),
                         [pytest.param(*row, id=row[0]) for row in UPLOADS])
def test_uploads_never_cause_a_server_error(  # type: ignore[no-untyped-def]
        world, name, role, url, send, model, accepted):
    world.clean()

    @settings(FUZZ, max_examples=60)
    @given(data=contents, filename=file_names)
    def upload(data: bytes, filename: str) -> None:
        before = world.uploads()
        headers = world.headers(role) if url.startswith("/api/") else {}
        client = world.client("anonymous" if url.startswith("/api/") else role)
        response = client.post(fill(url, world.ids), headers=headers,
                               **send((io.BytesIO(data), filename), world.ids))
        _check(response, name)
        if response.status_code == accepted:
            original, stored = _latest(model)
            assert _clean_name(original), original
            assert any(p.endswith("/" + stored) for p in world.uploads()), "the accepted file is stored"
        else:
            assert world.uploads() == before, f"a refused upload left files behind ({response.status_code})"
            assert not any(".incoming-" in p for p in world.uploads())

    upload()
    world.dirty = True


def test_the_sample_files_are_accepted_whole() -> None:
    """The strategies start from files the checks accept, so they probe near the line, not only noise."""
    for data in SAMPLES.values():
        storage.inspect_upload(io.BytesIO(data), "sample", max_bytes=1 << 20)
