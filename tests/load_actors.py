"""The people of the load test, as HTTP clients of the real pages.

Coordinators sign in through the login form (CSRF on, as in production),
draft complete applications section by section — real multipart uploads —
and submit them; when a reviewer sends one back they edit and resubmit it.
Reviewers sign in, take what routing gave them from their queue and decide
it (approve, request changes, deny) with the version their page showed.

Every response is recorded in the shared Ledger; nothing here asserts, the
test reads the ledger afterwards. Each actor stops at a deadline and after a
fixed number of actions, so a run is bounded in time and in work.
"""
from __future__ import annotations

import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import requests

from tests.workflow_helpers import SYNOPSIS, tiny_pdf

HOURS = {"total": "8", "legal": "2", "technical": "1", "interpersonal": "3", "skill_development": "2",
         "firearms": "0", "racial_profiling": "1", "implicit_bias": "1", "deescalation": "4"}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SEEN = re.compile(r'name="seen_version"[^>]*value="(\d+)"')
QUEUE_LINK = re.compile(r'href="/review/applications/(\d+)"')


class Unexpected(Exception):
    pass


@dataclass
class Hit:
    route: str
    status: int
    seconds: float
    at: float  # time.monotonic() when the response arrived


@dataclass
class Ledger:
    """What the actors did, shared by their threads."""

    hits: list[Hit] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    submissions: Counter = field(default_factory=Counter)  # application id -> successful submits
    submitted_at: list[tuple[float, int]] = field(default_factory=list)
    titles: dict[int, str] = field(default_factory=dict)
    decisions: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    sent_back: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # coordinator -> ids
    lock: threading.Lock = field(default_factory=threading.Lock)

    def submitted(self, app_id: int) -> None:
        with self.lock:
            self.submissions[app_id] += 1
            self.submitted_at.append((time.monotonic(), app_id))

    def decided(self, app_id: int, decision: str, owner: str) -> None:
        with self.lock:
            self.decisions[app_id].append(decision)
            if decision == "changes":
                self.sent_back[owner].append(app_id)

    def take_sent_back(self, owner: str) -> int | None:
        with self.lock:
            return self.sent_back[owner].pop(0) if self.sent_back[owner] else None

    def owner_of(self, app_id: int) -> str:
        return self.titles[app_id].split(" ", 2)[1]


class Browser:
    """One signed-in person: a cookie session against the live server."""

    def __init__(self, base_url: str, ledger: Ledger, email: str):
        self.base_url, self.ledger, self.email = base_url, ledger, email
        self.http = requests.Session()
        self.token = ""

    def call(self, method: str, path: str, route: str, expect: int, **kw) -> requests.Response:  # type: ignore[no-untyped-def]
        started = time.monotonic()
        try:
            response = self.http.request(method, self.base_url + path, allow_redirects=False, timeout=90, **kw)
        except requests.RequestException as exc:
            self.ledger.hits.append(Hit(route, 0, time.monotonic() - started, time.monotonic()))
            raise Unexpected(f"{self.email} {method} {path}: {exc!r}") from exc
        self.ledger.hits.append(Hit(route, response.status_code, time.monotonic() - started, time.monotonic()))
        for cookie in self.http.cookies:
            # The production app's cookies are Secure; over plain http to 127.0.0.1
            # send them anyway, as the TLS-terminating proxy in front of it would.
            cookie.secure = False
        if response.status_code != expect:
            raise Unexpected(f"{self.email} {method} {path}: {response.status_code}, expected {expect}")
        if "text/html" in response.headers.get("Content-Type", ""):
            found = CSRF.search(response.text)
            if found:
                self.token = found.group(1)
        return response

    def post(self, path: str, route: str, data: dict, files: dict | None = None) -> requests.Response:
        return self.call("POST", path, route, 302, data={**data, "csrf_token": self.token}, files=files)

    def login(self, password: str) -> None:
        self.call("GET", "/auth/login", "GET /auth/login", 200)
        self.post("/auth/login", "POST /auth/login", {"email": self.email, "password": password})


class Actor(threading.Thread):
    def __init__(self, browser: Browser, password: str, deadline: float, limit: int):
        super().__init__(daemon=True)
        self.browser, self.password, self.deadline, self.limit = browser, password, deadline, limit
        self.done = 0

    def run(self) -> None:
        try:
            self.browser.login(self.password)
        except Unexpected as exc:
            self.browser.ledger.unexpected.append(str(exc))
            return
        while time.monotonic() < self.deadline and self.done < self.limit:
            try:
                self.step()
            except Unexpected as exc:
                self.browser.ledger.unexpected.append(str(exc))
                time.sleep(0.2)

    def step(self) -> None:
        raise NotImplementedError


class Coordinator(Actor):
    """Drafts and submits applications; resubmits the ones sent back."""

    def __init__(self, browser: Browser, password: str, deadline: float, limit: int, tag: str):
        super().__init__(browser, password, deadline, limit)
        self.tag, self.drafted = tag, 0

    def course(self, title: str, synopsis: str) -> dict[str, str]:
        return {"title": title, "synopsis": synopsis, "delivery_method": "in_person",
                "attendance_policy": "100% attendance required.",
                "evaluation_method": "Written test (80% to pass) and scenario evaluation.", "action": "save"}

    def step(self) -> None:
        app_id = self.browser.ledger.take_sent_back(self.tag)
        if app_id is not None:
            self.resubmit(app_id)
        else:
            self.draft_and_submit()
        self.done += 1

    def draft_and_submit(self) -> None:
        b, ledger = self.browser, self.browser.ledger
        self.drafted += 1
        title = f"Load {self.tag} {self.drafted}: Crisis Intervention for Patrol"
        b.call("GET", "/agency/applications/new", "GET new", 200)
        r = b.post("/agency/applications/new", "POST new", self.course(title, SYNOPSIS))
        found = re.search(r"/applications/(\d+)/edit", r.headers.get("Location", ""))
        if not found:
            raise Unexpected(f"{b.email}: no application id in {r.headers.get('Location')!r}")
        app_id = int(found.group(1))
        with ledger.lock:
            ledger.titles[app_id] = title
        edit = f"/agency/applications/{app_id}/edit"
        b.post(f"{edit}/hours", "POST hours", {f"hours_{k}": v for k, v in HOURS.items()} | {"action": "save"})
        b.post(f"{edit}/objectives", "POST objectives", {
            "objectives-0": "Identify five signs of behavioural crisis.",
            "objectives-1": "Demonstrate two de-escalation techniques in a scenario.", "action": "save"})
        b.post(f"{edit}/instructors", "POST instructors", {
            "instructors-0-name": "Sgt. Lee Park", "instructors-0-email": "lee.park@example.gov",
            "instructors-0-qualifications": "CIT coordinator, 12 years.", "action": "save",
        }, files={"instructors-0-record": ("record.pdf", tiny_pdf("record"), "application/pdf")})
        b.post(f"{edit}/documents", "POST documents", {},
               files={"sample_certificate": ("certificate.pdf", tiny_pdf("certificate"), "application/pdf")})
        b.post(f"{edit}/contact", "POST contact", {
            "contact_name": "Dana Whitfield", "contact_email": b.email, "contact_phone": "573-555-0100",
            "attestation_name": "Chief Marcus Reyes", "attestation_title": "Chief of Police", "attested": "y",
            "action": "save"})
        b.post(f"/agency/applications/{app_id}/submit", "POST submit", {})
        ledger.submitted(app_id)

    def resubmit(self, app_id: int) -> None:
        b = self.browser
        b.call("GET", f"/agency/applications/{app_id}/edit/course", "GET edit course", 200)
        title = b.ledger.titles[app_id]
        b.post(f"/agency/applications/{app_id}/edit/course", "POST course",
               self.course(title, SYNOPSIS + " Revised: the scenario evaluation now uses a scored rubric."))
        b.post(f"/agency/applications/{app_id}/submit", "POST resubmit", {})
        b.ledger.submitted(app_id)


class Reviewer(Actor):
    """Decides what routing assigned to them, oldest first."""

    def step(self) -> None:
        b, ledger = self.browser, self.browser.ledger
        r = b.call("GET", "/review/?tab=mine&state=in_review", "GET queue", 200)
        # Only this phase's applications: an earlier phase may leave some in
        # the queue, and this phase's ledger knows nothing of them.
        with ledger.lock:
            ids = sorted({int(i) for i in QUEUE_LINK.findall(r.text)} & ledger.titles.keys())
        if not ids:
            time.sleep(0.3)  # nothing routed to me yet
            return
        app_id = ids[0]
        page = b.call("GET", f"/review/applications/{app_id}", "GET review page", 200)
        seen = SEEN.search(page.text)
        if seen is None:
            raise Unexpected(f"{b.email}: no decision form on application {app_id}")
        with ledger.lock:
            revision = ledger.submissions[app_id]
        choices = ["approve", "changes", "deny"] if revision == 1 else ["approve", "deny"]
        decision = choices[(app_id * 7 + revision) % len(choices)]
        base = f"/review/applications/{app_id}"
        version = {"seen_version": seen.group(1)}
        if decision == "approve":
            b.post(f"{base}/approve", "POST approve", version | {f"approved_{k}": v for k, v in HOURS.items()})
        elif decision == "changes":
            b.post(f"{base}/request-changes", "POST request changes",
                   version | {"message": "Please describe how the scenario evaluation is scored."})
        else:
            b.post(f"{base}/deny", "POST deny", version | {
                "codes": "duplicate", "reason": "An approved course of this agency already covers this content."})
        ledger.decided(app_id, decision, ledger.owner_of(app_id))
        self.done += 1
