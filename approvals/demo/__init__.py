"""Demo data for `make run`: loaded once, into an empty database."""
from __future__ import annotations

from approvals.extensions import db
from approvals.models import User

DEMO_PASSWORD = "Demo-Password-2026"


def load_demo() -> list[tuple[str, str, str]] | None:
    """Load every demo step; return the demo logins, or None if data existed."""
    if db.session.scalar(db.select(User.id).limit(1)) is not None:
        return None
    from approvals.demo import accounts

    logins = accounts.load()
    for step in _later_steps():
        step()
    db.session.commit()
    return logins


def _later_steps() -> list:
    # Each feature adds its demo data here, after the accounts exist.
    from approvals.demo import applications, catalog
    from approvals.demo import credit  # after catalog: rosters of its approved courses
    from approvals.demo import letters  # last: letters for whatever the steps above approved

    return [applications.load, catalog.load, credit.load, letters.load]
