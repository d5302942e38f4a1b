"""Landing page and the signed-in user's own pages."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

bp = Blueprint("main", __name__)


@bp.route("/")
def home() -> str:
    return render_template("main/home.html", user=current_user)


@bp.route("/profile")
@login_required
def profile() -> str:
    return render_template("main/profile.html", user=current_user)


@bp.route("/healthz")
def healthz() -> tuple[dict, int]:
    """Liveness for the proxy: the database answers."""
    from approvals.extensions import db

    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}, 200
