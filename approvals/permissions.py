"""The one place that says what each role may do.

Page-level capabilities live in ROLE_CAPABILITIES; object-level questions
("may this user edit *this* application?") are predicates on the models, which
start from these capabilities and add the agency/state checks.
"""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import abort
from flask_login import current_user

from approvals.models.user import Role

# Capabilities, named <area>.<verb>.
APPLICATIONS_WORK = "applications.work"          # draft, submit, revise own agency's
AGENCY_DASHBOARD = "agency.dashboard"
AGENCY_MANAGE_USERS = "agency.manage_users"      # only within own agency
OFFERINGS_SCHEDULE = "offerings.schedule"
ROSTERS_POST = "rosters.post"
EXTENSIONS_REQUEST = "extensions.request"
REVIEW_QUEUE = "review.queue"
REVIEW_DECIDE = "review.decide"
REVIEW_ASSIGN = "review.assign"
ADMIN_AGENCIES = "admin.agencies"
ADMIN_USERS = "admin.users"                      # any agency, any role
APPROVALS_REVOKE = "approvals.revoke"
LETTERS_REISSUE = "letters.reissue"
CREDITS_ENTER = "credits.enter"
EXTENSIONS_GRANT = "extensions.grant"
REPORTS_STATEWIDE = "reports.statewide"
OUTBOX_VIEW = "outbox.view"
TRANSCRIPT_OWN = "transcript.own"
API_TOKENS = "api.tokens"

_AGENCY_STAFF = {
    APPLICATIONS_WORK, AGENCY_DASHBOARD, OFFERINGS_SCHEDULE, ROSTERS_POST,
    EXTENSIONS_REQUEST, API_TOKENS,
}
_POST_REVIEWER = {REVIEW_QUEUE, REVIEW_DECIDE, API_TOKENS}

ROLE_CAPABILITIES: dict[Role, frozenset[str]] = {
    Role.AGENCY_STAFF: frozenset(_AGENCY_STAFF),
    Role.AGENCY_ADMIN: frozenset(_AGENCY_STAFF | {AGENCY_MANAGE_USERS}),
    Role.POST_REVIEWER: frozenset(_POST_REVIEWER),
    Role.POST_ADMIN: frozenset(
        _POST_REVIEWER
        | {
            REVIEW_ASSIGN, ADMIN_AGENCIES, ADMIN_USERS, AGENCY_MANAGE_USERS, APPROVALS_REVOKE,
            LETTERS_REISSUE, CREDITS_ENTER, EXTENSIONS_GRANT, REPORTS_STATEWIDE, OUTBOX_VIEW,
        }
    ),
    Role.OFFICER: frozenset({TRANSCRIPT_OWN}),
}

# Roles an account manager may hand out.
ASSIGNABLE_ROLES: dict[Role, tuple[Role, ...]] = {
    Role.POST_ADMIN: tuple(Role),
    Role.AGENCY_ADMIN: (Role.AGENCY_STAFF, Role.AGENCY_ADMIN),
}


def can(user: Any, capability: str) -> bool:
    """True when *user* (possibly anonymous) holds *capability*."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return capability in ROLE_CAPABILITIES.get(user.role, frozenset())


def can_manage_user(manager: Any, target: Any) -> bool:
    """POST admins manage everyone; agency admins only their own agency's accounts."""
    if can(manager, ADMIN_USERS):
        return True
    return (
        can(manager, AGENCY_MANAGE_USERS)
        and target.agency_id is not None
        and target.agency_id == manager.agency_id
        and target.role in ASSIGNABLE_ROLES[Role.AGENCY_ADMIN]
    )


def require(capability: str) -> Callable:
    """Route decorator: login required, then 404 for a missing capability.

    404 rather than 403, so a page's existence is not confirmed to those who
    may not use it.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            from approvals.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not can(current_user, capability):
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator
