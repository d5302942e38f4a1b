"""Valid request bodies for the route table (tests/test_hostile_routes.py):
each a function of the world's ids returning the client's keyword arguments."""
from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from tests.hostile_world import fill
from tests.letters_support import APPROVED_HOURS
from tests.workflow_helpers import tiny_pdf


def pdf(name: str = "upload.pdf") -> tuple[io.BytesIO, str]:
    return io.BytesIO(tiny_pdf("hostile")), name


def later(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def offering_form(ids: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"starts_on": later(14), "ends_on": later(14), "location": "Academy, Jefferson City",
                     "instructors": "Sgt. Ana Ruiz", "seats": "20", "contact_name": "Dana Staff",
                     "contact_email": "dana@example.gov"}}


def approve_form(ids: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"seen_version": ids["version"], **{f"approved_{k}": f"{v:g}" for k, v in APPROVED_HOURS.items()}}}


def user_form(email: str) -> Any:
    return lambda ids: {"data": {"name": "Sam Newperson", "email": email, "role": "agency_staff",
                                 "agency_id": ids["agency_a"], "active": "y"}}


def form(**data: Any) -> Any:
    """A form body; "{placeholders}" in values are filled from the world's ids."""
    return lambda ids: {"data": {k: fill(v, ids) if isinstance(v, str) else v for k, v in data.items()}}


def json(**body: Any) -> Any:
    """A JSON body; a "{placeholder}" value becomes the id itself (an int)."""
    return lambda ids: {"json": {k: (ids[v[1:-1]] if isinstance(v, str) and v.startswith("{") else v)
                                 for k, v in body.items()}}


def credit_form(ids: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"title": "Legal update", "completed_on": ids["past_day"], "hours": "2", "area_legal": "2",
                     "delivery": "in_person", "evidence": pdf()}}


def import_form(ids: dict[str, Any]) -> dict[str, Any]:
    csv = f"license_number,title,completed_on,hours,legal\n{ids['license']},Legal update,{ids['past_day']},2,2\n"
    return {"data": {"csv_file": (io.BytesIO(csv.encode()), "credit.csv"), "evidence": pdf()}}


def api_offering(ids: dict[str, Any]) -> dict[str, Any]:
    return {"json": {"approval_number": ids["number"], "starts_on": later(14), "ends_on": later(14),
                     "location": "Academy, Jefferson City", "instructors": ["Sgt. Ana Ruiz"], "seats": 20,
                     "contact_name": "Dana Whitfield", "contact_email": "dana@example.gov"}}
