"""Demo agencies and one account per role."""
from __future__ import annotations

from approvals.demo import DEMO_PASSWORD
from approvals.extensions import db
from approvals.models import Agency, ReviewerConflict, Role, User

AGENCIES = [
    ("Columbia Police Department", "MO0100100", "Boone"),
    ("Boone County Sheriff's Office", "MO0100000", "Boone"),
    ("Springfield Police Department", "MO0390100", "Greene"),
    ("Kansas City Police Department", "MO0480100", "Jackson"),
    ("St. Charles County Police Department", "MO0920000", "St. Charles"),
]

ACCOUNTS = [
    ("coordinator@columbiapd.example.gov", "Dana Whitfield", Role.AGENCY_STAFF, "MO0100100"),
    ("chief@columbiapd.example.gov", "Marcus Reyes", Role.AGENCY_ADMIN, "MO0100100"),
    ("training@springfieldpd.example.gov", "Alicia Moreno", Role.AGENCY_STAFF, "MO0390100"),
    ("training@bcso.example.gov", "Tom Harlan", Role.AGENCY_STAFF, "MO0100000"),
    ("reviewer@post.example.gov", "Priya Natarajan", Role.POST_REVIEWER, None),
    ("reviewer2@post.example.gov", "Glen Okafor", Role.POST_REVIEWER, None),
    ("admin@post.example.gov", "Sandra Liu", Role.POST_ADMIN, None),
    ("officer@columbiapd.example.gov", "Jordan Ellis", Role.OFFICER, "MO0100100"),
]


def load() -> list[tuple[str, str, str]]:
    agencies = {}
    for name, ori, county in AGENCIES:
        agencies[ori] = Agency(name=name, ori=ori, county=county)
        db.session.add(agencies[ori])
    db.session.flush()
    logins = []
    for email, name, role, ori in ACCOUNTS:
        user = User(email=email, name=name, role=role, agency_id=agencies[ori].id if ori else None)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        logins.append((role.label, email, DEMO_PASSWORD))
    db.session.flush()
    # The second reviewer used to work at Springfield PD: never route its courses to him.
    glen = db.session.scalar(db.select(User).where(User.email == "reviewer2@post.example.gov"))
    db.session.add(ReviewerConflict(reviewer_id=glen.id, agency_id=agencies["MO0390100"].id,
                                    reason="Formerly a sergeant at Springfield PD"))
    return logins
