"""What the credit pages show, assembled from standings (no Flask request in here)."""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date

from approvals.compliance import Standing
from approvals.credit.charts import STATUS_LABELS, STATUSES, agency_bars, compliance_line
from approvals.credit.snapshots import counts_by_agency, year_series
from approvals.credit.statewide import OfficerStanding
from approvals.extensions import db
from approvals.models import Agency

# Requirement lines shown as dashboard columns: code -> (short header, full name).
COLUMNS = {
    "total": ("Total", "Total CLEE hours"),
    "approved_provider": ("Appr. Prov.", "Hours from an Approved Provider"),
    "legal": ("Legal", "Legal Studies"),
    "technical": ("Tech.", "Technical Studies"),
    "interpersonal": ("Interp.", "Interpersonal Perspectives"),
    "firearms_live": ("Firearms", "Skill Development - Firearms (live, hands-on)"),
    "racial_profiling": ("Rac. Prof.", "Racial Profiling"),
    "implicit_bias": ("Impl. Bias", "Implicit Bias"),
    "deescalation": ("De-esc.", "De-escalation"),
}
# Worst first when sorting by status.
STATUS_ORDER = {s: i for i, s in enumerate(("non_compliant", "grace", "in_progress", "extended", "compliant", "exempt"))}
SORTS = {"name": "Name", "license": "License number", "status": "Status", **{k: v[1] for k, v in COLUMNS.items()}}


def status_label(status: object) -> str:
    return STATUS_LABELS.get(str(status), str(status))


def remaining(standing: Standing) -> dict[str, float]:
    return {line.code: line.remaining for line in standing.requirements if line.code in COLUMNS}


@dataclass
class DashboardRow:
    officer_id: int
    license_number: str
    name: str
    status: str
    due_date: date
    remaining: dict[str, float]


def dashboard_rows(items: list[OfficerStanding], sort: str, descending: bool) -> list[DashboardRow]:
    """Rows for the agency dashboard, sorted by *sort* (a SORTS key); ties by name."""
    rows = [DashboardRow(i.officer_id, i.license_number, i.name, str(i.standing.status), i.standing.due_date,
                         remaining(i.standing)) for i in items]
    rows.sort(key=lambda r: (r.name.lower(), r.license_number))
    if sort == "license":
        rows.sort(key=lambda r: r.license_number, reverse=descending)
    elif sort == "status":
        rows.sort(key=lambda r: STATUS_ORDER.get(r.status, 9), reverse=descending)
    elif sort in COLUMNS:
        rows.sort(key=lambda r: r.remaining[sort], reverse=descending)
    elif descending:
        rows.reverse()
    return rows


def dashboard_csv(rows: list[DashboardRow], year: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["license_number", "name", "status", "due_date",
                     *(f"remaining_{code}_hours" for code in COLUMNS)])
    for r in rows:
        writer.writerow([_safe(r.license_number), _safe(r.name), r.status, r.due_date.isoformat(),
                         *(f"{r.remaining[c]:g}" for c in COLUMNS)])
    return out.getvalue()


def _safe(text: str) -> str:
    # A cell starting with = + - @ runs as a formula in spreadsheet programs
    # (so does one starting with a tab or carriage return before them).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dataclass
class AgencySummary:
    agency_id: int | None
    name: str
    counts: dict[str, int]
    total: int
    compliant_pct: float


def statewide_summary(items: list[OfficerStanding], year: int, today: date) -> dict:
    """Counts by status, by agency (with the bar chart) and over the year (with the line chart)."""
    by_agency = counts_by_agency(items)
    names = {agency_id: name for agency_id, name in db.session.execute(db.select(Agency.id, Agency.name))}
    agencies = []
    for key, counts in by_agency.items():
        agency_id = int(key) if key != "none" else None
        owed = sum(counts.values()) - counts.get("exempt", 0)
        pct = round(100 * counts.get("compliant", 0) / owed, 1) if owed else 100.0
        agencies.append(AgencySummary(agency_id, names.get(agency_id, "Not commissioned"), counts,
                                      sum(counts.values()), pct))
    agencies.sort(key=lambda a: (a.agency_id is None, a.name.lower()))
    totals = Counter(str(i.standing.status) for i in items)
    series = [(s.taken_on, _pct(s.totals())) for s in year_series(year) if s.taken_on != today]
    if date(year, 1, 1) <= today <= date(year + 1, 3, 31):
        series.append((today, _pct(totals)))
    return {
        "totals": {s: totals.get(s, 0) for s in STATUSES},
        "officers": len(items),
        "compliant_pct": _pct(totals),
        "agencies": agencies,
        "bars": agency_bars([(a.name, a.counts) for a in agencies]),
        "line": compliance_line(series, year),
        "series": series,
    }


def _pct(counts: Counter[str] | dict[str, int]) -> float:
    owed = sum(counts.values()) - counts.get("exempt", 0)
    return round(100 * counts.get("compliant", 0) / owed, 1) if owed else 100.0
