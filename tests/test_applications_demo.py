"""The demo applications: every agency-side state, with real, accepted files."""
from __future__ import annotations

import io
from pathlib import Path

import pypdf

from approvals import storage
from approvals.demo import accounts, applications
from approvals.extensions import db
from approvals.models import Application, ApplicationState, DocumentKind
from approvals.validation import submission_problems


def test_demo_applications_cover_the_agency_states(app):
    accounts.load()
    applications.load()
    db.session.commit()
    apps = {a.title: a for a in db.session.scalars(db.select(Application))}
    states = {a.state for a in apps.values()}
    assert {ApplicationState.DRAFT, ApplicationState.SUBMITTED, ApplicationState.CHANGES_REQUESTED,
            ApplicationState.IN_REVIEW} <= states
    for application in apps.values():
        if application.state != ApplicationState.DRAFT:
            assert application.revision_count == 1
            assert submission_problems(application) == []
        for doc in application.live_documents:
            data = storage.path_for(Path(app.config["UPLOAD_DIR"]), doc.stored_name).read_bytes()
            assert storage.inspect_upload(io.BytesIO(data), doc.original_name, max_bytes=1 << 20).sha256 == doc.sha256
            if doc.kind == DocumentKind.SAMPLE_CERTIFICATE:
                text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
                assert application.agency.name in text and application.title in text
                assert "Total contact hours" in text and "Legal Studies" in text
