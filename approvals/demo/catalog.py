"""Demo catalog: approved courses (taken through the real workflow) and
offerings of them by several agencies, plus one revoked and one expired approval."""
from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from flask import current_app

from approvals import storage, workflow
from approvals.extensions import db
from approvals.models import (
    AREAS, DESIGNATIONS, Agency, Application, DeliveryMethod, Document, DocumentKind, Instructor, Objective, User,
)
from approvals.offerings import OfferingDetails, schedule_offering

IN_PERSON, ONLINE = DeliveryMethod.IN_PERSON, DeliveryMethod.COMPUTER_BASED
# title, holder ORI, delivery, hours (total, legal, technical, interpersonal, skill, firearms, racial profiling,
# implicit bias, de-escalation), days ago approved, synopsis, objectives
COURSES: list[tuple[Any, ...]] = [
    ("Patrol Rifle Qualification and Tactics", "MO0100000", IN_PERSON, (8, 1, 1, 0, 6, 6, 0, 0, 0), 20,
     "A full day on the range with the patrol rifle: zeroing, malfunction clearance, shooting from cover and "
     "vehicles, and the department qualification course. Opens with use-of-force law for long guns and a "
     "range safety briefing; closes with a low-light stage.",
     ["Qualify on the agency patrol-rifle course of fire.", "Clear three common rifle malfunctions under time.",
      "Explain when deadly force is justified under RSMo 563.046."]),
    ("Implicit Bias and Procedural Justice", "MO0390100", ONLINE, (3, 0, 0, 3, 0, 0, 1, 2, 0), 45,
     "A computer-based course on how implicit associations shape split-second decisions and how the four "
     "pillars of procedural justice build legitimacy. Includes recorded encounters, reflection prompts and "
     "knowledge checks after each module.",
     ["Describe how implicit bias can affect officer perception.", "Apply the four pillars of procedural "
      "justice to a recorded stop."]),
    ("Crisis Intervention Team Refresher", "MO0100100", IN_PERSON, (4, 1, 0, 2, 1, 0, 0, 0, 3), 70,
     "A four-hour refresher for CIT-certified officers: updates to Missouri protective-custody law, two "
     "scenario role-plays with professional actors, and a debrief on de-escalation choices against the "
     "department's use-of-force policy.",
     ["Demonstrate three verbal de-escalation techniques.", "Explain the criteria for 96-hour protective "
      "custody."]),
    ("Legal Update: Search and Seizure", "MO0100100", IN_PERSON, (4, 4, 0, 0, 0, 0, 0, 0, 0), 110,
     "Four hours on recent Fourth Amendment decisions from Missouri appellate courts and the U.S. Supreme "
     "Court: consent, vehicle searches, community caretaking and digital evidence, with short case problems "
     "worked in small groups.",
     ["Identify the limits of a valid consent search.", "Explain warrant requirements for cell-phone data."]),
    ("Racial Profiling: Vehicle Stop Data", "MO0390100", ONLINE, (2, 1, 0.5, 0.5, 0, 0, 2, 0, 0), 150,
     "A two-hour computer-based course on Missouri's vehicle-stop reporting law, how the Attorney General's "
     "annual report is compiled and read, and how officers' stop decisions shape the data, with three "
     "recorded traffic-stop case studies.",
     ["Explain what RSMo 590.650 requires at every vehicle stop.", "Interpret the disparity index."]),
    ("Defensive Tactics: Ground Control", "MO0100000", IN_PERSON, (6, 0.5, 0, 0.5, 5, 0, 0, 0, 1), 200,
     "Six hours on the mat: positional control, escapes from the bottom, handcuffing from the ground and "
     "weapon retention, with a closing scenario that requires officers to de-escalate once control is "
     "gained. Mouthguards and gloves provided.",
     ["Demonstrate two escapes from a mounted position.", "Handcuff a resisting subject from the ground."]),
]
REVOKED = ("Vehicle Pursuit Policy Review", "MO0100000", ONLINE, (2, 1, 1, 0, 0, 0, 0, 0, 0), 300,
           "A computer-based review of the agency's vehicle pursuit policy, the balancing test for initiating "
           "and terminating pursuits, and liability cases from Missouri courts, with a scenario quiz at the end "
           "of each module.", ["Apply the pursuit balancing test to three scenarios."])
EXPIRED = ("Report Writing for Patrol", "MO0390100", IN_PERSON, (4, 1, 2, 1, 0, 0, 0, 0, 0), 800,
           "Four hours on clear, complete incident reports: the elements prosecutors look for, writing use-of-"
           "force narratives, common mistakes that lose cases, and peer review of reports written in class "
           "from a recorded incident.", ["Write an incident narrative that states each element of the offense."])

STAFF = {"MO0100100": "coordinator@columbiapd.example.gov", "MO0390100": "training@springfieldpd.example.gov",
         "MO0100000": "training@bcso.example.gov"}


def _pdf_document(app: Application, kind: DocumentKind, title: str, by: User, instructor: Instructor | None) -> None:
    text = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode()
    data = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
            b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
            + b"4 0 obj<</Length " + str(len(text)).encode() + b">>stream\n" + text
            + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    inspected = storage.inspect_upload(io.BytesIO(data), f"{title}.pdf",
                                       max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)
    stored = storage.store(inspected, current_app.config["UPLOAD_DIR"])
    db.session.add(Document(application_id=app.id, instructor_id=instructor.id if instructor else None, kind=kind,
                            original_name=stored.original_name, stored_name=stored.stored_name,
                            content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
                            uploaded_by_id=by.id))


def _approve(spec: tuple[Any, ...], agencies: dict[str, Agency], users: dict[str, User],
             reviewer: User, admin: User) -> Application:
    title, ori, delivery, hours, days_ago, synopsis, objectives = spec
    author = users[STAFF[ori]]
    app = Application(agency_id=agencies[ori].id, created_by_id=author.id, title=title, synopsis=synopsis,
                      delivery_method=delivery, evaluation_method="Written test (80% to pass) and observed skills.",
                      attendance_policy="Full attendance is required for credit.", contact_name=author.name,
                      contact_email=author.email, attestation_name="Chief of Police", attestation_title="Chief",
                      attested=True)
    for key, value in zip(("total", *AREAS, *DESIGNATIONS), hours, strict=True):
        setattr(app, f"hours_{key}", float(value))
    app.objectives = [Objective(position=i, text=t) for i, t in enumerate(objectives)]
    instructor = Instructor(position=0, name="Sgt. Morgan Tate", qualifications="POST-licensed instructor, 9 years.",
                            license_number="MO-20417")
    app.instructors = [instructor]
    db.session.add(app)
    db.session.flush()
    _pdf_document(app, DocumentKind.INSTRUCTOR_RECORD, "Instructor record", author, instructor)
    _pdf_document(app, DocumentKind.SAMPLE_CERTIFICATE, "Sample certificate", author, None)
    db.session.flush()
    db.session.refresh(instructor)
    workflow.submit(app, author)
    workflow.assign(app, reviewer, admin, note="Demo assignment")
    workflow.approve(app, reviewer, app.requested_hours(), today=date.today() - timedelta(days=days_ago))
    return app


def load() -> None:
    """Approve the demo catalog and schedule offerings by several agencies."""
    users = {u.email: u for u in db.session.scalars(db.select(User))}
    agencies = {a.ori: a for a in db.session.scalars(db.select(Agency))}
    reviewer, admin = users["reviewer@post.example.gov"], users["admin@post.example.gov"]
    approved = [_approve(spec, agencies, users, reviewer, admin) for spec in COURSES]
    workflow.revoke(_approve(REVOKED, agencies, users, reviewer, admin), admin,
                    "The policy it teaches was replaced in 2026.")
    workflow.expire(_approve(EXPIRED, agencies, users, reviewer, admin))
    soon = date.today() + timedelta(days=14)
    plans = [  # (course index, delivering agency, days from `soon`, length in days, online, location, seats)
        (0, "MO0100000", 0, 1, False, "BCSO Range, 2121 County Dr., Columbia", 16),
        (0, "MO0100100", 21, 1, False, "Columbia PD Training Center, 600 E. Walnut St.", 12),
        (1, "MO0100100", 7, 1, True, "", 60),
        (2, "MO0390100", 10, 1, False, "Springfield PD, 321 E. Chestnut Expy., Springfield", 24),
        (3, "MO0100000", 30, 1, False, "Boone County Government Center, Columbia", 40),
        (5, "MO0390100", 3, 2, False, "Springfield PD Gym, Springfield", 18),
    ]
    for index, ori, offset, days, online, location, seats in plans:
        staff = users[STAFF[ori]]
        start = soon + timedelta(days=offset)
        schedule_offering(approved[index], staff, OfferingDetails(
            starts_on=start, ends_on=start + timedelta(days=days - 1), online=online, location=location,
            online_url="https://meet.example.gov/clee-demo" if online else "", instructors="Sgt. Morgan Tate",
            instructor_licenses="MO-20417", seats=seats, contact_name=staff.name, contact_email=staff.email,
            contact_phone="(573) 555-0100"))
