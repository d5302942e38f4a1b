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


# --- In-app notifications (written by the notify job, approvals/notifications.py) ---

@bp.route("/notifications")
@login_required
def notifications() -> str:
    from approvals.extensions import db
    from approvals.models import Notification

    stmt = (db.select(Notification).where(Notification.user_id == current_user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return render_template("main/notifications.html", page=db.paginate(stmt, per_page=25))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def notifications_read():  # type: ignore[no-untyped-def]
    from flask import redirect, url_for

    from approvals.extensions import db
    from approvals.models import Notification
    from approvals.models._types import utcnow

    db.session.execute(db.update(Notification).where(Notification.user_id == current_user.id,
                                                     Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()
    return redirect(url_for("main.notifications"))


@bp.app_context_processor
def notification_helpers() -> dict:
    def unread_notifications() -> int:
        from approvals.extensions import db
        from approvals.models import Notification

        if not current_user.is_authenticated:
            return 0
        return db.session.scalar(db.select(db.func.count()).select_from(Notification).where(
            Notification.user_id == current_user.id, Notification.read_at.is_(None))) or 0

    def notification_link(n) -> str | None:  # type: ignore[no-untyped-def]
        from flask import current_app, url_for

        if n.application_id is None:
            return None
        if current_user.role.is_post:
            return url_for("review.application", app_id=n.application_id)
        if "agency.application" in current_app.view_functions:
            return url_for("agency.application", app_id=n.application_id)
        return None

    return {"unread_notifications": unread_notifications, "notification_link": notification_link}
