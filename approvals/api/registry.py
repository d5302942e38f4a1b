"""The one registry of API operations: each route is declared once, with
its path, method, summary, who may call it, and its request and response
models; the URL rule, the input parsing and the OpenAPI document all come
from that declaration, so the document cannot drift from the routes.

    @operation("POST", "/applications/<int:app_id>/submit", tag="Applications",
               summary="Submit or resubmit", auth=perm.APPLICATIONS_WORK,
               response=ApplicationOut, errors=(404, 409, 422))
    def submit(app_id: int) -> ApplicationOut: ...

A handler gets the path values, plus ``query=``/``body=``/``form=`` (parsed
pydantic models) when declared, and returns a pydantic model (200 or the
declared status), a ``(model, status)`` or ``(model, status, headers)`` tuple,
or a ready Flask Response (files).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Blueprint, Response, abort, json, request
from pydantic import BaseModel, ValidationError
from werkzeug.wrappers import Response as BaseResponse

from approvals import permissions

# What an operation needs: a capability name, or None for public operations.
# ANY is the least: an account that may use the API at all.
ANY = permissions.API_TOKENS
PREFIX = "/api/v1"

bp = Blueprint("api", __name__, url_prefix=PREFIX)


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    endpoint: str
    summary: str
    tag: str
    auth: str | None
    description: str = ""
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    form: type[BaseModel] | None = None       # multipart/form-data text fields
    files: tuple[str, ...] = ()               # multipart/form-data file fields (required)
    response: type[BaseModel] | dict[str, Any] | None = None
    status: int = 200
    media_type: str | tuple[str, ...] = "application/json"  # of the success response (files: their types)
    errors: tuple[int, ...] = ()

    @property
    def path(self) -> str:
        """The OpenAPI path, e.g. /api/v1/applications/{app_id}."""
        return PREFIX + re.sub(r"<(?:[a-z]+:)?(\w+)>", r"{\1}", self.rule)

    def error_statuses(self) -> list[int]:
        codes = set(self.errors) | {401, 429}
        if self.auth is not None:
            codes |= {404}
        if self.query is not None:
            codes |= {422}
        if self.body is not None:
            codes |= {400, 413, 415, 422}
        if self.form is not None or self.files:
            codes |= {400, 413, 415, 422}
        return sorted(codes)


OPERATIONS: list[Operation] = []


class InputInvalid(Exception):
    """A request's query or body did not match its model (400/422 problem)."""

    def __init__(self, error: ValidationError, location: str):
        super().__init__(str(error))
        self.error = error
        self.location = location


class UnsupportedMediaType(Exception):
    """The body is not of the media type the operation takes (415)."""

    def __init__(self, expected: str):
        super().__init__(expected)
        self.expected = expected


def operation(method: str, rule: str, *, summary: str, tag: str, auth: str | None = ANY,
              **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an API operation (see the module docstring); *options* are
    the other fields of Operation."""

    def decorator(handler: Callable[..., Any]) -> Callable[..., Any]:
        op = Operation(method=method, rule=rule, endpoint=handler.__name__, summary=summary, tag=tag, auth=auth,
                       **options)

        @wraps(handler)
        def view(**path: Any) -> Response:
            _check_path(path)
            _authorize(op)
            kwargs: dict[str, Any] = dict(path)
            if op.query is not None:
                kwargs["query"] = _parse(op.query, request.args.to_dict(flat=True), "query")
            if op.body is not None:
                kwargs["body"] = _parse_json(op.body)
            if op.form is not None or op.files:
                kwargs["form"] = _parse_multipart(op)
            return _render(handler(**kwargs), op)

        bp.add_url_rule(rule, endpoint=op.endpoint, view_func=view, methods=[method])
        OPERATIONS.append(op)
        return view

    return decorator


MAX_ID = 2**31 - 1


def _check_path(values: dict[str, Any]) -> None:
    """404 for path values no row can have: ids past the database's integer
    range, text with NUL (which PostgreSQL cannot even compare)."""
    for value in values.values():
        if (isinstance(value, int) and value > MAX_ID) or (isinstance(value, str) and "\x00" in value):
            abort(404)


def _authorize(op: Operation) -> None:
    from approvals.api.auth import api_user

    from approvals.api.auth import bad_token_sent
    from approvals.api.errors import problem

    if bad_token_sent():
        # Also on public operations: a client whose token died should hear so.
        abort(problem(401, "This token does not work: it is unknown, it was revoked, or its account can no "
                           "longer use the API.", kind="invalid-token",
                      headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'}))
    if op.auth is None:
        return
    user = api_user()
    if user is None:
        abort(401)
    if not permissions.can(user, op.auth):
        abort(404)  # as on the pages: a capability one lacks is not confirmed to exist


def _parse(model: type[BaseModel], data: Any, location: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputInvalid(exc, location) from None


def _parse_json(model: type[BaseModel]) -> BaseModel:
    raw = request.get_data(cache=False)
    if not raw and not request.mimetype:
        raw = b"{}"  # no body at all: every field takes its default (or is reported missing)
    elif request.mimetype != "application/json":
        raise UnsupportedMediaType("application/json")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise InputInvalid(exc, "body") from None


def _parse_multipart(op: Operation) -> BaseModel | None:
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("multipart/form-data")
    return _parse(op.form, request.form.to_dict(flat=True), "body") if op.form is not None else None


def _render(result: Any, op: Operation) -> Response:
    if isinstance(result, BaseResponse):
        return result  # type: ignore[return-value]
    status, headers = op.status, {}
    if isinstance(result, tuple):
        result, status, *rest = result
        headers = rest[0] if rest else {}
    if isinstance(result, BaseModel):
        body = result.model_dump_json()
    elif result is None:
        return Response(status=204, headers=headers)
    else:
        body = json.dumps(result)
    return Response(body, status=status, mimetype="application/json", headers=headers)
