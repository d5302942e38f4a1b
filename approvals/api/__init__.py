"""The JSON API, /api/v1, for agencies' own records systems.

Token auth only (approvals/api/auth.py), the same permissions as the pages,
errors as application/problem+json (approvals/api/errors.py), every route
declared once in approvals/api/registry.py and described by the OpenAPI 3.1
document at /api/v1/openapi.json (approvals/api/openapi.py). Tokens are
made on the profile page (approvals/api/pages.py) or with
``flask --app approvals create-token``.
"""
from __future__ import annotations

from flask import Flask, Response
from pydantic import ValidationError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from approvals.api import errors
from approvals.api.registry import OPERATIONS, InputInvalid, UnsupportedMediaType, bp

__all__ = ["OPERATIONS", "bp", "init_api"]

STALE = ("Someone else changed this application while you were working on it. Nothing was saved; "
         "read it again (GET) and retry with its current version.")


def init_api(app: Flask) -> None:
    """Register the API and the token pages on *app*."""
    from approvals.api import pages
    from approvals.api.tokens import create_token_command

    load_routes()
    app.register_blueprint(bp)
    app.register_blueprint(pages.bp)
    app.cli.add_command(create_token_command)


_loaded = False


def load_routes() -> None:
    """Import the route modules once: each declares its operations on `bp`."""
    global _loaded
    if _loaded:
        return
    from approvals.api import (  # noqa: F401
        app_parts, applications, catalog, letters, meta, offerings, openapi, review,
    )
    from approvals.api.auth import rate_limit, rate_limit_key, sign_in_from_token
    from approvals.extensions import csrf, limiter

    csrf.exempt(bp)  # token auth only; the session cookie is never read here
    # One budget per token across the whole API, not one per route.
    limiter.shared_limit(rate_limit, scope="api", key_func=rate_limit_key)(bp)
    bp.before_request(sign_in_from_token)
    _loaded = True


@bp.errorhandler(HTTPException)
def _http(exc: HTTPException) -> Response:
    if exc.response is not None:  # abort(problem(...)) carries its own
        return exc.response  # type: ignore[return-value]
    return errors.http_problem(exc.code or 500, exc.description or "")


@bp.errorhandler(InputInvalid)
def _invalid(exc: InputInvalid) -> Response:
    return errors.validation_response(exc.error, exc.location)


@bp.errorhandler(ValidationError)
def _invalid_model(exc: ValidationError) -> Response:
    return errors.validation_response(exc)


@bp.errorhandler(UnsupportedMediaType)
def _media(exc: UnsupportedMediaType) -> Response:
    return errors.problem(415, f"Send the body as {exc.expected}.", kind="media-type")


def _conflict(exc: Exception) -> Response:
    from approvals.workflow import StaleVersion

    kind = "stale-version" if isinstance(exc, StaleVersion) else "conflict"
    return errors.problem(409, getattr(exc, "message", str(exc)), kind=kind)


def _not_permitted(_exc: Exception) -> Response:
    return errors.http_problem(404)


def _incomplete(exc: Exception) -> Response:
    return errors.problems_response(exc.problems)  # type: ignore[attr-defined]


def _stale(_exc: Exception) -> Response:
    from approvals.extensions import db

    db.session.rollback()
    return errors.problem(409, STALE, kind="stale-version")


def _upload_rejected(exc: Exception) -> Response:
    return errors.problem(422, "The file was not accepted; see errors.", kind="invalid",
                          errors=[("file", getattr(exc, "message", str(exc)))])


def _register_domain_handlers() -> None:
    from approvals.catalog.search import InvalidCatalogQuery
    from approvals.storage import UploadRejected
    from approvals.web import Conflict
    from approvals.workflow import Incomplete, NotPermitted

    bp.register_error_handler(Conflict, _conflict)
    bp.register_error_handler(NotPermitted, _not_permitted)
    bp.register_error_handler(Incomplete, _incomplete)
    bp.register_error_handler(InvalidCatalogQuery, _incomplete)
    bp.register_error_handler(StaleDataError, _stale)
    bp.register_error_handler(UploadRejected, _upload_rejected)


_register_domain_handlers()
