"""Demo course applications, in every state an agency meets, with real documents."""
from __future__ import annotations

import io
from typing import Any

from flask import current_app

from approvals import storage, workflow
from approvals.agency.documents import PendingFiles, attach
from approvals.demo.pdf import tiny_pdf
from approvals.extensions import db
from approvals.models import (
    AREAS, DESIGNATIONS, Agency, Application, DeliveryMethod, DocumentKind, Instructor, Objective, User,
)

ATTENDANCE = ("Attendance is taken at the start of each block and after breaks. Officers must attend the whole "
              "course to receive credit; partial attendance is not credited.")

COURSES: list[dict[str, Any]] = [
    {
        "agency": "MO0100100", "by": "coordinator@columbiapd.example.gov", "state": "draft",
        "title": "Legal Update 2026: Search, Seizure and Consent",
        "synopsis": "A four-hour update on Fourth Amendment case law for patrol officers and detectives: "
                    "recent Missouri appellate and U.S. Supreme Court decisions on consent searches, vehicle "
                    "searches, the community-caretaking exception and digital evidence.",
        "hours": {"total": 4, "legal": 4},
        "objectives": ["Identify the limits of a valid consent search, including scope and withdrawal of consent.",
                       "Explain how recent decisions changed warrantless vehicle searches in Missouri."],
        "instructors": [],
    },
    {
        "agency": "MO0100100", "by": "coordinator@columbiapd.example.gov", "state": "submitted",
        "title": "Crisis Intervention and De-escalation for Patrol Officers",
        "synopsis": "An eight-hour, scenario-based course on recognising people in mental-health crisis and slowing "
                    "encounters down. Morning: signs of crisis, suicide risk, communication techniques, Missouri "
                    "law on protective custody (RSMo 632.305). Afternoon: six role-play scenarios with actors, "
                    "debriefed against the department's use-of-force policy. Officers leave with a field "
                    "reference card and the local crisis line and mobile-team contacts.",
        "delivery": DeliveryMethod.IN_PERSON,
        "hours": {"total": 8, "legal": 1, "technical": 0, "interpersonal": 5, "skill_development": 2,
                  "firearms": 0, "racial_profiling": 0, "implicit_bias": 1, "deescalation": 6},
        "evaluation": "Written test (20 questions, 80% to pass) and an observed role-play scored on a rubric.",
        "objectives": ["Recognise at least five behavioural signs of a mental-health crisis.",
                       "Demonstrate three verbal de-escalation techniques in a scenario.",
                       "Explain the criteria for a 96-hour protective custody under RSMo 632.305.",
                       "Identify local crisis resources and how to request the mobile crisis team."],
        "instructors": [("Sgt. Renee Holloway", "CIT coordinator; 40-hour CIT certified; POST-licensed instructor "
                         "since 2016; 11 years patrol.", "MO-21457"),
                        ("Dr. Aaron Pike, LPC", "Licensed professional counselor, Burrell Behavioral Health; "
                         "trains first responders in crisis response.", "")],
    },
    {
        "agency": "MO0100100", "by": "coordinator@columbiapd.example.gov", "state": "changes_requested",
        "title": "Low-Light Firearms Qualification and Decision-Making",
        "synopsis": "A six-hour live-fire course at the department range. Officers review use-of-force law and "
                    "low-light principles, then shoot a low-light qualification course with handheld and "
                    "weapon-mounted lights, followed by shoot/don't-shoot decision drills. Range safety briefing "
                    "and equipment inspection open the day; remedial training is offered to anyone who fails.",
        "delivery": DeliveryMethod.IN_PERSON,
        "hours": {"total": 6, "legal": 1, "technical": 0.5, "interpersonal": 0.5, "skill_development": 4,
                  "firearms": 4, "racial_profiling": 0, "implicit_bias": 0, "deescalation": 1},
        "evaluation": "Low-light qualification course of fire (pass: 80%), and instructor-scored decision drills.",
        "objectives": ["Qualify on the department low-light course of fire.",
                       "Demonstrate two handheld-light techniques while maintaining muzzle discipline.",
                       "Explain the legal standard for deadly force under Graham v. Connor and RSMo 563.046."],
        "instructors": [("Cpl. Luis Ortega", "Firearms instructor (POST-certified), armorer; range master "
                         "since 2019.", "MO-19833")],
        "change_request": "Please add the range safety officer as an instructor with their record, and state the "
                          "instructor-to-shooter ratio in the synopsis. The evaluation method should say what "
                          "happens to an officer who fails the qualification.",
    },
    {
        "agency": "MO0390100", "by": "training@springfieldpd.example.gov", "state": "in_review",
        "title": "Racial Profiling: Data, Law and Practice",
        "synopsis": "A two-hour computer-based course on Missouri's vehicle-stop reporting law (RSMo 590.650), how "
                    "the Attorney General's annual report is compiled and read, and how officers' stop "
                    "decisions shape the data. Includes three recorded traffic-stop case studies with knowledge "
                    "checks after each.",
        "delivery": DeliveryMethod.COMPUTER_BASED,
        "hours": {"total": 2, "legal": 1, "technical": 0.5, "interpersonal": 0.5, "skill_development": 0,
                  "firearms": 0, "racial_profiling": 2, "implicit_bias": 0, "deescalation": 0},
        "evaluation": "Online knowledge checks after each module and a 15-question final quiz (80% to pass).",
        "objectives": ["Explain what RSMo 590.650 requires officers to record at every vehicle stop.",
                       "Interpret the disparity index in the Attorney General's vehicle-stops report."],
        "instructors": [("Lt. Carla Jennings", "Professional Standards lieutenant; prepares the department's "
                         "annual vehicle-stop data review.", "MO-17002")],
    },
]


def _pdf(title: str, lines: list[str]) -> storage.InspectedFile:
    data = tiny_pdf(title, lines)
    max_bytes = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    return storage.inspect_upload(io.BytesIO(data), f"{title}.pdf", max_bytes=max_bytes)


def _build(spec: dict[str, Any], agency: Agency, author: User, admin_name: str) -> Application:
    app = Application(agency_id=agency.id, created_by_id=author.id, title=spec["title"], synopsis=spec["synopsis"],
                      delivery_method=spec.get("delivery"), attendance_policy=ATTENDANCE if "delivery" in spec else "",
                      evaluation_method=spec.get("evaluation", ""), contact_name=author.name,
                      contact_email=author.email, contact_phone="(573) 555-0140")
    for key in ("total", *AREAS, *DESIGNATIONS):
        setattr(app, f"hours_{key}", spec["hours"].get(key))
    app.objectives = [Objective(text=t, position=i) for i, t in enumerate(spec["objectives"])]
    app.instructors = [Instructor(name=n, qualifications=q, license_number=lic, position=i)
                       for i, (n, q, lic) in enumerate(spec["instructors"])]
    if spec["state"] != "draft":
        app.attestation_name, app.attestation_title, app.attested = admin_name, "Chief of Police", True
    db.session.add(app)
    db.session.flush()
    files = PendingFiles()
    for inst in app.instructors:
        record = _pdf(f"Instructor record - {inst.name}", [inst.name, agency.name, "", *_wrap(inst.qualifications)])
        attach(app, record, DocumentKind.INSTRUCTOR_RECORD, author, files, instructor=inst)
    if spec["state"] != "draft":
        hours = spec["hours"]
        lines = [agency.name, f"Course: {app.title}", f"Total contact hours: {hours['total']:g}"]
        lines += [f"{label}: {hours.get(key, 0):g} hours" for key, label in AREAS.items()]
        lines += ["", "Officer: ______________________   DSN: __________   Date completed: __________"]
        attach(app, _pdf("Certificate of Completion", lines), DocumentKind.SAMPLE_CERTIFICATE, author, files)
    return app


def _wrap(text: str, width: int = 90) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def load() -> None:
    """Create the demo applications and move them through the workflow."""
    users = {u.email: u for u in db.session.scalars(db.select(User))}
    agencies = {a.ori: a for a in db.session.scalars(db.select(Agency))}
    post_admin, reviewer = users["admin@post.example.gov"], users["reviewer@post.example.gov"]
    admins = {"MO0100100": "Marcus Reyes", "MO0390100": "Paul Whitaker"}
    for spec in COURSES:
        author = users[spec["by"]]
        app = _build(spec, agencies[spec["agency"]], author, admins.get(spec["agency"], "Chief of Police"))
        if spec["state"] == "draft":
            continue
        workflow.submit(app, author)
        if spec["state"] in ("in_review", "changes_requested"):
            workflow.assign(app, reviewer, post_admin, note="Demo assignment")
        if spec["state"] == "changes_requested":
            workflow.request_changes(app, reviewer, spec["change_request"])
