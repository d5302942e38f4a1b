"""Freezing an application into a revision snapshot, and comparing snapshots."""
from __future__ import annotations

from typing import Any

from approvals.models.application import HOUR_FIELDS, Application

SNAPSHOT_FIELDS = (
    "title", "synopsis", "delivery_method", "attendance_policy", "evaluation_method",
    "contact_name", "contact_email", "contact_phone", "attestation_name", "attestation_title", "attested",
)


def snapshot_of(app: Application) -> dict[str, Any]:
    """A JSON-serialisable picture of everything the agency submitted."""
    fields: dict[str, Any] = {}
    for name in SNAPSHOT_FIELDS:
        value = getattr(app, name)
        fields[name] = value.value if hasattr(value, "value") else value
    for h in HOUR_FIELDS:
        fields[f"hours_{h}"] = getattr(app, f"hours_{h}")
    return {
        "fields": fields,
        "objectives": [o.text for o in app.objectives],
        "instructors": [
            {
                "name": i.name, "email": i.email, "license_number": i.license_number,
                "qualifications": i.qualifications,
                "record": _doc(i.record) if i.record else None,
            }
            for i in app.instructors
        ],
        "documents": [_doc(d) for d in app.live_documents],
    }


def _doc(d: Any) -> dict[str, Any]:
    return {"id": d.id, "kind": d.kind.value, "name": d.original_name, "sha256": d.sha256, "size": d.size}
