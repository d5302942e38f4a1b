"""Demo credit ledger: officers of five agencies, two posted rosters (one amended), Approved-Provider,
college, military and online credit, extensions, last year's records and this year's daily snapshots.

Standings that result (as of the day the demo is loaded, in the current year):
compliant officers, officers missing only Firearms (the demo officer account among them: his college
credit is over the 8-hour cap and his online Firearms hour does not count), officers part-way, one
licensed this year (exempt), one with a granted medical extension, one whose extension awaits POST,
and a non-commissioned officer who still owes training. Last year's period is past its grace date, so
its unfinished officers show as non-compliant (between 1 January and 15 March they show "grace").
"""
from __future__ import annotations

import io
from datetime import date, timedelta

from flask import current_app

from approvals import storage
from approvals.credit import extensions, ledger, rosters
from approvals.credit.snapshots import record_snapshot
from approvals.demo.pdf import tiny_pdf
from approvals.extensions import db
from approvals.models import Agency, Application, ApplicationState, Commission, Offering, Officer, User

# name, license, years licensed (0 = this year), agency ORI (None: commission ended), profile
OFFICERS = [
    ("Jordan Ellis", "MO-21350", 6, "MO0100100", "no_firearms"),
    ("Morgan Tate", "MO-20417", 14, "MO0100100", "complete"),
    ("Avery Brooks", "MO-22811", 3, "MO0100100", "complete"),
    ("Casey Nguyen", "MO-23094", 2, "MO0100100", "partial"),
    ("Riley Ortiz", "MO-24102", 0, "MO0100100", "exempt"),
    ("Sam Whitaker", "MO-19876", 11, "MO0100000", "complete"),
    ("Devon Price", "MO-20933", 8, "MO0100000", "extended"),
    ("Jamie Carter", "MO-22150", 4, "MO0100000", "no_firearms"),
    ("Taylor Reed", "MO-18804", 16, "MO0390100", "pending_extension"),
    ("Quinn Patel", "MO-21777", 5, "MO0390100", "complete"),
    ("Harper Lewis", "MO-23510", 2, "MO0390100", "partial"),
    ("Rowan Mitchell", "MO-20066", 9, "MO0480100", "complete"),
    ("Emerson Hayes", "MO-22404", 3, "MO0480100", "no_firearms"),
    ("Blake Turner", "MO-21029", 7, "MO0920000", "partial"),
    ("Skyler Ramos", "MO-17555", 20, None, "partial"),
]
AP_LEGAL = ("Missouri Sheriffs' Association: Legal Update", "Missouri Sheriffs' Association", 8.0, "in_person",
            {"legal": 3, "technical": 2, "interpersonal": 3}, {"racial_profiling": 1, "implicit_bias": 1})
ONLINE = ("Crisis Communication Online (approved provider)", "Law Enforcement Training Network", 4.0,
          "computer_based", {"interpersonal": 2, "technical": 2}, {"deescalation": 1})
ONLINE_FIREARMS = ("Firearms Safety Refresher (online)", "Law Enforcement Training Network", 1.0, "computer_based",
                   {"skill_development": 1}, {"firearms": 1})


def _day(days_ago: int) -> date:
    """*days_ago* before today, but not before 1 January of this year."""
    today = date.today()
    return max(today - timedelta(days=days_ago), date(today.year, 1, 1))


def _evidence(title: str, admin: User) -> object:
    data = tiny_pdf(title, ["Certificate of completion", "Demo evidence document"])
    inspected = storage.inspect_upload(io.BytesIO(data), f"{title}.pdf",
                                       max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)
    return ledger.store_evidence(inspected, current_app.config["UPLOAD_DIR"], admin)


def _course_credit(officer: Officer, spec: tuple, on: date, admin: User) -> None:
    title, provider_name, hours, delivery, areas, designations = spec
    values = ledger.CreditInput(title=title, hours=hours, completed_on=on, source="in_service",
                                provider="approved_provider", delivery=delivery, areas=areas,
                                designations=designations, provider_name=provider_name)
    ledger.add_credit(officer.id, values, actor=admin, evidence=_evidence(title, admin), today=date.today())


def _past_offering(title: str, ori: str, ends_on: date, agencies: dict, users: dict, *, online: bool = False,
                   instructors: str = "") -> Offering | None:
    course = db.session.scalar(db.select(Application).where(Application.title == title,
                                                            Application.state == ApplicationState.APPROVED))
    if course is None or course.approved_on is None or course.approved_on > ends_on:
        return None
    staff = users[{"MO0100100": "coordinator@columbiapd.example.gov", "MO0100000": "training@bcso.example.gov"}[ori]]
    offering = Offering(application_id=course.id, agency_id=agencies[ori].id, starts_on=ends_on, ends_on=ends_on,
                        online=online, location="" if online else "Training center", seats=30,
                        online_url="https://meet.example.gov/clee-demo" if online else "",
                        instructors="Sgt. Morgan Tate" if instructors else "", instructor_licenses=instructors,
                        contact_name=staff.name, contact_email=staff.email, created_by_id=staff.id)
    db.session.add(offering)
    db.session.flush()
    return offering


def load() -> None:
    """Officers, rosters, credit and extensions for the demo (the caller commits)."""
    today = date.today()
    users = {u.email: u for u in db.session.scalars(db.select(User))}
    agencies = {a.ori: a for a in db.session.scalars(db.select(Agency))}
    admin = users["admin@post.example.gov"]
    officers: dict[str, tuple[Officer, str]] = {}
    for name, number, years, ori, profile in OFFICERS:
        licensed = date(today.year, 1, 15) if years == 0 else date(today.year - years, 6, 1)
        officer = Officer(license_number=number, name=name, licensed_on=licensed,
                          email=f"{name.split()[0].lower()}.{name.split()[1].lower()}@officers.example.gov")
        if ori:
            officer.commissions.append(Commission(agency_id=agencies[ori].id, started_on=licensed))
        else:  # left Kansas City PD last year; still licensed, still owes training
            officer.commissions.append(Commission(agency_id=agencies["MO0480100"].id, started_on=licensed,
                                                  ended_on=date(today.year - 1, 9, 30)))
        db.session.add(officer)
        officers[number] = (officer, profile)
    jordan = officers["MO-21350"][0]
    jordan.user_id = users["officer@columbiapd.example.gov"].id
    jordan.email = "officer@columbiapd.example.gov"
    db.session.flush()

    by_profile = lambda *ps: [o for o, p in officers.values() if p in ps]  # noqa: E731
    # Rosters of two past offerings: officers of several agencies, Sgt. Tate instructing the first.
    cit = _past_offering("Crisis Intervention Team Refresher", "MO0100100", _day(30), agencies, users,
                         instructors="MO-20417")
    if cit is not None:
        attendees = by_profile("complete", "no_firearms", "partial", "extended", "pending_extension")
        lines = [rosters.RosterLine(i + 2, o.license_number, "3" if o.license_number == "MO-22811" else "4")
                 for i, o in enumerate(a for a in attendees if a.license_number != "MO-20417")]
        roster = rosters.post(cit, lines, users["coordinator@columbiapd.example.gov"], via="csv")
        db.session.flush()
        fixed = [rosters.RosterLine(l.row, l.license_number, "4") for l in lines]
        rosters.amend(roster, fixed, "Avery Brooks stayed for the whole course; the sign-in sheet was misread.",
                      users["coordinator@columbiapd.example.gov"])
    rifle = _past_offering("Patrol Rifle Qualification and Tactics", "MO0100000", _day(10), agencies, users)
    if rifle is not None:
        shooters = by_profile("complete")
        rosters.post(rifle, [rosters.RosterLine(i + 1, o.license_number, "8") for i, o in enumerate(shooters)],
                     users["training@bcso.example.gov"])
    for officer in by_profile("complete", "no_firearms"):
        _course_credit(officer, AP_LEGAL, _day(120), admin)
        _course_credit(officer, ONLINE, _day(90), admin)
    for officer in by_profile("partial", "extended", "pending_extension"):
        _course_credit(officer, ONLINE, _day(60), admin)
    jamie, emerson = officers["MO-22150"][0], officers["MO-22404"][0]
    for officer in (jamie, emerson):  # eight more online hours: everything but Firearms
        _course_credit(officer, ("Report Writing and Evidence (online)", "Law Enforcement Training Network", 8.0,
                                 "computer_based", {"technical": 4, "legal": 4}, {}), _day(45), admin)
    # The demo officer: a five-semester-hour college course (10 h, 8 count) and an online Firearms hour.
    ledger.add_credit(jordan.id, ledger.college_input(
        "CJ 3310 Criminal Procedure", 5, "legal", _day(100), institution="University of Missouri",
        note="Transcript and syllabus reviewed; awarded in Legal Studies."), actor=admin,
        evidence=_evidence("University of Missouri transcript", admin), today=today)
    _course_credit(jordan, ONLINE_FIREARMS, _day(20), admin)
    sam = officers["MO-19876"][0]
    ledger.add_credit(sam.id, ledger.CreditInput(
        title="Military Police Investigations Course", hours=6.0, completed_on=_day(150), source="military",
        provider="licensed_provider", areas={"technical": 4, "legal": 2}, provider_name="U.S. Army MP School"),
        actor=admin, evidence=_evidence("Army certificate of completion", admin), today=today)
    _last_year(officers, admin)
    _extensions(officers, users, admin, today)
    db.session.flush()
    for month in range(1, today.month + 1):  # this year's chart, from the same ledger
        day = min(date(today.year, month, 28), today)
        record_snapshot(today.year, day)


def _last_year(officers: dict[str, tuple[Officer, str]], admin: User) -> None:
    year = date.today().year - 1
    for number, (officer, profile) in officers.items():
        if officer.licensed_on.year >= year or profile == "partial":
            continue  # licensed last year (exempt) or left unfinished: non-compliant for last year
        for title, areas, designations, hours in (
            ("Annual In-Service Block", {"legal": 4, "technical": 4, "interpersonal": 4, "skill_development": 4},
             {"firearms": 4, "racial_profiling": 1, "implicit_bias": 1, "deescalation": 2}, 16.0),
            ("Approved Provider Leadership Seminar", {"interpersonal": 4, "technical": 4}, {}, 8.0),
        ):
            ledger.add_credit(officer.id, ledger.CreditInput(
                title=title, hours=hours, completed_on=date(year, 10, 15), source="in_service",
                provider="approved_provider" if "Seminar" in title else "in_service", areas=areas,
                designations=designations, provider_name="Regional training center"), actor=admin,
                today=date.today())


def _extensions(officers: dict[str, tuple[Officer, str]], users: dict[str, User], admin: User, today: date) -> None:
    devon, taylor = officers["MO-20933"][0], officers["MO-18804"][0]
    granted = extensions.request_extension(
        devon, year=today.year, kind="medical", new_due_date=date(today.year + 1, 6, 30),
        reason="Surgery and medical leave from August to December.", actor=users["training@bcso.example.gov"],
        today=today)
    extensions.decide_extension(granted, grant=True, actor=admin, note="Physician's letter on file.")
    extensions.request_extension(
        taylor, year=today.year, kind="military", new_due_date=date(today.year + 1, 4, 30),
        reason="Deployed with the Missouri National Guard from September.",
        actor=users["training@springfieldpd.example.gov"], today=today)

