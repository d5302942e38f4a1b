"""Input no page can use, refused at the door with a 4xx instead of failing
deep inside with a 500.

- Integer URL parts (``<int:app_id>``) past PostgreSQL's INTEGER range match
  no route (404): no row can have such an id, and SQLite cannot even bind a
  number past 2**63.
- A NUL character in the path is a 404; in a query-string or form value it is
  a 400 with a page that says what to do. PostgreSQL cannot store or compare
  text holding NUL, and no form field has a use for it.
- A query-string number (``?page=``, ``?agency=``, ``?year=``) past the same
  range is a 400: pagination and lookups would overflow the database's
  integers.
- Any other 400 (a button form sent without its fields) gets the site's error
  page rather than the bare server page.

The JSON API (/api/v1) validates its own input and answers problem+json; it
only shares the bounded URL integers.
"""
from __future__ import annotations

import re

from flask import Flask, render_template, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` limited to 1 .. MAX_ID unless a rule asks for other bounds."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 (werkzeug's names)
                 max: int | None = MAX_ID, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class UnusableInput(BadRequest):
    """A query-string or form value the application cannot process."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _out_of_range(value: str) -> bool:
    return len(value) > 9 and _INTEGER.fullmatch(value) is not None and abs(int(value)) > MAX_ID


def check_request() -> None:
    """Runs before every page request. Raises NotFound (NUL in the path) or
    UnusableInput (NUL in a value, an out-of-range number in the query string)."""
    if request.path.startswith("/api/"):
        return
    if "\x00" in request.path:
        from flask import abort

        abort(404)
    for value in request.args.values():
        if "\x00" in value:
            raise UnusableInput("The address contains a character that cannot be used (NUL). "
                                "Remove it and try again.")
        if _out_of_range(value):
            raise UnusableInput("A number in the address is far too large. Go back and try again.")
    if request.method in ("POST", "PUT", "PATCH") and any("\x00" in v for v in request.form.values()):
        raise UnusableInput("The form contains a character that cannot be saved (NUL), perhaps pasted in "
                            "from another program. Remove it and send the form again.")


def init_app(app: Flask) -> None:
    """Install the guards. Must run before any blueprint is registered, so
    every ``<int:...>`` rule is built with the bounded converter."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(check_request)

    @app.errorhandler(400)
    def bad_request(e: BadRequest):  # type: ignore[no-untyped-def]
        message = getattr(e, "message", None) or (
            "Something in what was sent could not be used. Go back, reload the page and try again.")
        if request.path.startswith("/api/"):
            from approvals.api.errors import http_problem

            return http_problem(400)
        return render_template("errors/error.html", status=400, title="Something was wrong with that request",
                               message=message), 400
