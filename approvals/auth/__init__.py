"""Authentication: Flask-Login wiring (routes in auth/routes.py)."""
from __future__ import annotations

from flask import Flask

from approvals.extensions import db, login_manager


def init_login(app: Flask) -> None:
    from approvals.models.user import User

    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    # "strong" drops the session when the client's address or agent changes.
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        try:
            pk, nonce = (int(x) for x in user_id.split(":", 1))
        except ValueError:
            return None
        user = db.session.get(User, pk)
        if user is None or not user.active or (user.session_nonce or 0) != nonce:
            return None
        return user
