"""Freezing an application into a revision snapshot, and comparing snapshots."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from approvals.models.application import AREAS, DESIGNATIONS, HOUR_FIELDS, Application, DeliveryMethod
from approvals.models.parts import DocumentKind

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


# --- comparing snapshots ----------------------------------------------------

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "title": ("Course", "Course title"),
    "synopsis": ("Course", "Synopsis"),
    "delivery_method": ("Course", "Delivery method"),
    "attendance_policy": ("Course", "Attendance policy"),
    "evaluation_method": ("Course", "Evaluation method"),
    "hours_total": ("Hours", "Total contact hours"),
    **{f"hours_{k}": ("Hours", f"{v} hours") for k, v in {**AREAS, **DESIGNATIONS}.items()},
    "contact_name": ("Contact & attestation", "Contact person"),
    "contact_email": ("Contact & attestation", "Contact e-mail"),
    "contact_phone": ("Contact & attestation", "Contact telephone"),
    "attestation_name": ("Contact & attestation", "Attesting official"),
    "attestation_title": ("Contact & attestation", "Official's title"),
    "attested": ("Contact & attestation", "Attestation signed"),
}
_INSTRUCTOR_LABELS = {"email": "e-mail", "license_number": "license number", "qualifications": "qualifications"}
EMPTY_SNAPSHOT: dict[str, Any] = {"fields": {}, "objectives": [], "instructors": [], "documents": []}


@dataclass(frozen=True)
class Change:
    """One difference between two snapshots; ``before``/``after`` None means added/removed."""

    part: str
    label: str
    before: str | None
    after: str | None

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"

    @property
    def words(self) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]] | None:
        """For a changed text of several words: (before, after) as runs of
        (text, differs), so a page can mark the words that changed."""
        if self.kind != "changed" or " " not in (self.before or "") + (self.after or ""):
            return None
        return word_diff(self.before or "", self.after or "")


def word_diff(before: str, after: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Runs of (text, differs) for each side, compared word by word."""
    a, b = re.split(r"(\s+)", before), re.split(r"(\s+)", after)
    old: list[tuple[str, bool]] = []
    new: list[tuple[str, bool]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if i2 > i1:
            old.append(("".join(a[i1:i2]), op != "equal"))
        if j2 > j1:
            new.append(("".join(b[j1:j2]), op != "equal"))
    return old, new


def display_value(name: str, value: Any) -> str:
    """A snapshot field value as a coordinator would read it."""
    if value is None or value == "":
        return ""
    if name == "delivery_method":
        return DeliveryMethod(value).label
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float | int):
        return f"{value:g}"
    return str(value)


def diff_snapshots(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Everything that differs from *old* to *new*: fields, objectives,
    instructors (matched by name) and documents (matched by kind and content)."""
    changes: list[Change] = []
    old_f, new_f = old.get("fields", {}), new.get("fields", {})
    for name, (part, label) in FIELD_LABELS.items():
        before, after = display_value(name, old_f.get(name)), display_value(name, new_f.get(name))
        if before != after:
            changes.append(Change(part, label, before, after))
    changes += _diff_objectives(old.get("objectives", []), new.get("objectives", []))
    changes += _diff_instructors(old.get("instructors", []), new.get("instructors", []))
    changes += _diff_documents(old.get("documents", []), new.get("documents", []))
    return changes


def _diff_objectives(old: list[str], new: list[str]) -> list[Change]:
    out: list[Change] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = list(zip(range(i1, i2), range(j1, j2))) if op == "replace" else []
        for i, j in pairs:
            out.append(Change("Learning objectives", f"Objective {j + 1}", old[i], new[j]))
        for i in range(i1 + len(pairs), i2):
            out.append(Change("Learning objectives", f"Objective {i + 1} (old numbering)", old[i], None))
        for j in range(j1 + len(pairs), j2):
            out.append(Change("Learning objectives", f"Objective {j + 1}", None, new[j]))
    return out


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _diff_instructors(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Change]:
    out: list[Change] = []
    before = {_key(i["name"]): i for i in old}
    after = {_key(i["name"]): i for i in new}
    for key, inst in after.items():
        name = inst["name"] or "(no name)"
        if key not in before:
            out.append(Change("Instructors", "Instructor", None, name))
            continue
        prev = before[key]
        for field, label in _INSTRUCTOR_LABELS.items():
            if (prev.get(field) or "") != (inst.get(field) or ""):
                out.append(Change("Instructors", f"{name}: {label}", prev.get(field) or "", inst.get(field) or ""))
        old_rec, new_rec = prev.get("record"), inst.get("record")
        if (old_rec or {}).get("sha256") != (new_rec or {}).get("sha256"):
            out.append(Change("Instructors", f"{name}: instructor's record",
                              old_rec["name"] if old_rec else None, new_rec["name"] if new_rec else None))
    for key, inst in before.items():
        if key not in after:
            out.append(Change("Instructors", "Instructor", inst["name"] or "(no name)", None))
    return out


def _diff_documents(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Change]:
    # Instructors' records are compared with their instructor above.
    def keyed(docs: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(d["kind"], d["sha256"]): d for d in docs if d["kind"] != DocumentKind.INSTRUCTOR_RECORD}

    before, after = keyed(old), keyed(new)
    out = [Change("Documents", DocumentKind(k[0]).label, None, d["name"]) for k, d in after.items() if k not in before]
    out += [Change("Documents", DocumentKind(k[0]).label, d["name"], None) for k, d in before.items() if k not in after]
    return out


def cited_document_ids(revisions: list[Any]) -> set[int]:
    """Ids of every document some frozen revision refers to (their files must stay)."""
    ids: set[int] = set()
    for revision in revisions:
        snap = revision.snapshot
        ids.update(d["id"] for d in snap.get("documents", []))
        ids.update(i["record"]["id"] for i in snap.get("instructors", []) if i.get("record"))
    return ids
