"""Cross-cutting web concerns: security headers, error pages, assets, template helpers."""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, render_template, request, send_from_directory, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class Conflict(Exception):
    """An action that the object's current state does not allow (HTTP 409)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the worker read while the web server writes; SQLite ignores
    # foreign keys unless asked.
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()


# The primary navigation, by capability. Entries whose blueprint is not
# registered are skipped, so each area appears as it lands.
NAV: list[tuple[str, str, str | None]] = [
    ("Applications", "agency.dashboard", "agency.dashboard"),
    ("Offerings", "offerings.index", "offerings.schedule"),
    ("Officers", "credit.agency_officers", "agency.dashboard"),
    ("Review queue", "review.queue", "review.queue"),
    ("Statewide report", "credit.statewide", "reports.statewide"),
    ("My transcript", "credit.transcript", "transcript.own"),
    ("Course catalog", "catalog.search", None),
    ("Verify a letter", "verify.lookup", None),
    ("Agencies", "admin.agencies", "admin.agencies"),
    ("Accounts", "admin.users", "agency.manage_users"),
    ("Outbox", "admin.outbox", "outbox.view"),
]


def nav_items() -> list[dict[str, Any]]:
    from approvals import permissions

    items = []
    for label, endpoint, capability in NAV:
        if endpoint not in current_app.view_functions:
            continue
        if capability is not None and not permissions.can(current_user, capability):
            continue
        active = request.endpoint is not None and request.endpoint.split(".")[0] == endpoint.split(".")[0]
        items.append({"label": label, "url": url_for(endpoint), "active": active and request.endpoint == endpoint})
    return items


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if current_user and getattr(current_user, "is_authenticated", False):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.route("/assets/uswds/<path:filename>")
    def uswds_asset(filename: str):  # type: ignore[no-untyped-def]
        return send_from_directory(current_app.config["USWDS_DIR"], filename, max_age=86400)

    def _error(status: int, title: str, message: str):  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/"):
            from approvals.api.errors import http_problem

            return http_problem(status, message)
        return render_template("errors/error.html", status=status, title=title, message=message), status

    @app.errorhandler(404)
    def not_found(_e):  # type: ignore[no-untyped-def]
        return _error(404, "Page not found", "We could not find that page. It may have moved, or you may not have access to it.")

    @app.errorhandler(405)
    def not_allowed(_e):  # type: ignore[no-untyped-def]
        return _error(405, "Not allowed", "That action is not available here.")

    @app.errorhandler(413)
    def too_large(_e):  # type: ignore[no-untyped-def]
        mb = current_app.config["MAX_UPLOAD_MB"]
        return _error(
            413,
            "File too large",
            f"What you sent is larger than this service accepts. Each document may be at most {mb} MB; "
            "go back and choose a smaller file. Nothing was saved from this request.",
        )

    @app.errorhandler(429)
    def too_many(e):  # type: ignore[no-untyped-def]
        return _error(429, "Too many attempts", "Too many attempts. Please wait a few minutes and try again.")

    @app.errorhandler(CSRFError)
    def csrf_error(e):  # type: ignore[no-untyped-def]
        return _error(
            400,
            "Form expired",
            "This form has expired or was not sent from this site. Go back, reload the page and try again.",
        )

    @app.errorhandler(Conflict)
    def conflict(e: Conflict):  # type: ignore[no-untyped-def]
        return _error(409, "This cannot be done now", e.message)

    @app.errorhandler(500)
    def server_error(_e):  # type: ignore[no-untyped-def]
        return _error(500, "Something went wrong", "Something went wrong on our side. Nothing you saved has been lost; please try again.")

    from approvals import permissions

    @app.context_processor
    def template_helpers() -> dict[str, Any]:
        return {
            "can": lambda capability: permissions.can(current_user, capability),
            "perm": permissions,
            "program_name": current_app.config["PROGRAM_NAME"],
            "nav_items": nav_items,
            "url_rules": current_app.view_functions,
        }

    @app.template_filter("hours")
    def hours_filter(value: float | None) -> str:
        if value is None:
            return "—"
        return f"{value:g}"

    @app.template_filter("datetime")
    def datetime_filter(value: Any, fmt: str = "%b %-d, %Y %-I:%M %p") -> str:
        return value.strftime(fmt) if value else "—"

    @app.template_filter("date")
    def date_filter(value: Any) -> str:
        return value.strftime("%b %-d, %Y") if value else "—"
