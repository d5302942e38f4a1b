"""Errors of the JSON API as `application/problem+json` (RFC 9457).

Every error the API returns has the same shape: ``type``, ``title``,
``status``, ``detail``, ``instance`` (the request path), and for invalid input
``errors: [{field, message}]``, where ``field`` names the request body or query
key (dotted for nested values: ``hours.total``, ``instructors.0.name``).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import Response, json, request
from pydantic import ValidationError

from approvals.validation import Problem

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "urn:clee-approvals:problem:"

# Titles of the plain HTTP errors, with a detail a client developer can act on.
STATUS_TEXT: dict[int, tuple[str, str]] = {
    400: ("Bad request", "The request could not be read."),
    401: ("Not signed in", "Send a personal API token as 'Authorization: Bearer <token>'. "
                           "Create one on your profile page."),
    404: ("Not found", "There is nothing here, or you may not see it."),
    405: ("Method not allowed", "This resource does not support that method."),
    409: ("Conflict", "This cannot be done in the object's current state."),
    413: ("Too large", "The request is larger than this service accepts."),
    415: ("Unsupported media type", "Send the body as application/json."),
    422: ("Invalid input", "Some values are missing or not valid; see errors."),
    429: ("Too many requests", "Too many requests. Wait a little and try again."),
    500: ("Server error", "Something went wrong on our side. Please try again."),
}


def problem(status: int, detail: str | None = None, *, title: str | None = None, kind: str | None = None,
            errors: Iterable[tuple[str, str]] | None = None, headers: dict[str, str] | None = None) -> Response:
    """An RFC 9457 problem response. *kind* names a specific problem type
    (a URN under PROBLEM_BASE); without it the type is about:blank."""
    default_title, default_detail = STATUS_TEXT.get(status, ("Error", ""))
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + kind if kind else "about:blank",
        "title": title or default_title,
        "status": status,
        "detail": detail or default_detail,
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = [{"field": f, "message": m} for f, m in errors]
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


_NUMBERED = re.compile(r"^(instructors|objectives)-(\d+)(?:-(\w+))?$")
_PREFIXED = re.compile(r"^(?:hours|approved)_(\w+)$")


def api_field(field: str) -> str:
    """The API's name for a field a domain Problem names.

    approvals.validation numbers rows from 1 as people do (``instructors-1-name``);
    the API, like JSON arrays, from 0 (``instructors.0.name``). Hours are
    nested: ``hours_total`` and ``approved_total`` are ``hours.total``.
    """
    m = _NUMBERED.match(field)
    if m:
        return ".".join(x for x in (m.group(1), str(int(m.group(2)) - 1), m.group(3)) if x is not None)
    m = _PREFIXED.match(field)
    if m:
        return f"hours.{m.group(1)}"
    return field


def problems_response(problems: list[Problem], detail: str | None = None) -> Response:
    """422 with the domain's problems, each by field."""
    return problem(422, detail or "Some values are missing or not valid; see errors.", kind="invalid",
                   errors=[(api_field(p.field), p.message) for p in problems])


def validation_response(exc: ValidationError, location: str = "body") -> Response:
    """400 for a body that is not JSON at all, 422 with every field error otherwise."""
    errs = exc.errors(include_url=False, include_context=False, include_input=False)
    if any(e["type"] == "json_invalid" for e in errs):
        return problem(400, "The body is not valid JSON.", kind="malformed")
    fields = []
    for e in errs:
        loc = ".".join(str(part) for part in e["loc"]) or location
        fields.append((loc, _message(e)))
    what = "query parameters" if location == "query" else "request body"
    return problem(422, f"The {what} has values that are missing or not valid; see errors.", kind="invalid",
                   errors=fields)


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "This value is required."
    if kind == "extra_forbidden":
        return "This field is not recognised here."
    return str(error["msg"]).removeprefix("Value error, ")


def http_problem(status: int, message: str = "") -> Response:
    """The problem form of an HTTP error under /api/ (approvals.web's error
    handlers call this for /api/ paths, the API blueprint's handlers too).
    *message* is used where the page's text says what to do (a 409's reason)."""
    headers: dict[str, str] = {}
    detail = None
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    elif status == 405:
        valid = getattr(request.routing_exception, "valid_methods", None)
        if valid:
            headers["Allow"] = ", ".join(valid)
    elif status == 409:
        detail = message or None
    elif status == 413:
        from flask import current_app

        detail = (f"The request is larger than this service accepts: each document may be at most "
                  f"{current_app.config['MAX_UPLOAD_MB']} MB, and the whole request a little more.")
    return problem(status, detail, kind="conflict" if status == 409 else None, headers=headers)
