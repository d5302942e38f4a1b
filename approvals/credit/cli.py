"""Commands of the credit area (top-level: ``flask --app approvals import-officers FILE`` …)."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from approvals.credit.routes import bp


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2024-01-15.") from None


@bp.cli.command("import-officers")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_officers_command(path: Path) -> None:
    """Import officers (and their commissions) from a CSV file: every row or none."""
    from tqdm import tqdm

    from approvals.credit.officer_import import ImportRejected, import_officers
    from approvals.extensions import db
    from approvals.models import record

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not a UTF-8 text file.") from None

    def progress(rows):  # type: ignore[no-untyped-def]
        return tqdm(rows, desc="Checking officers", unit=" rows", file=sys.stderr, leave=False)

    try:
        count = import_officers(text, progress=progress)
    except ImportRejected as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(exc.problems)} problem(s) in {path.name}; nothing was imported.") from None
    record("officers.imported", actor=None, summary=f"{count} officers imported from {path.name}", count=count)
    db.session.commit()
    click.echo(f"Imported {count} officer(s) from {path.name}.")


@bp.cli.command("send-reminders")
@click.option("--as-of", default=None, help="Send as if on this date (YYYY-MM-DD); default today.")
def send_reminders_command(as_of: str | None) -> None:
    """Send the CLEE reminder rounds that are due and not yet sent."""
    from approvals.credit.reminders import send_reminders

    sent = send_reminders(_day(as_of))
    click.echo(f"Reminders sent: {sent['officers']} officer(s), {sent['agencies']} agency(ies).")


@bp.cli.command("compliance-snapshot")
@click.option("--year", type=int, default=None, help="Reporting year (default: that of --as-of).")
@click.option("--as-of", default=None, help="Evaluate as of this date (YYYY-MM-DD); default today.")
def compliance_snapshot_command(year: int | None, as_of: str | None) -> None:
    """Record the statewide counts by status for the year chart."""
    from approvals.credit.snapshots import record_snapshot
    from approvals.extensions import db

    day = _day(as_of) or date.today()
    snapshot = record_snapshot(year or day.year, day)
    db.session.commit()
    click.echo(f"Snapshot {snapshot.year} as of {day}: {snapshot.totals()}")


@bp.cli.command("rebuild-credit-totals")
def rebuild_credit_totals_command() -> None:
    """Recompute credit_totals from the ledger (after loading entries outside the app)."""
    from approvals.extensions import db
    from approvals.models.credit_totals import rebuild_totals

    rows = rebuild_totals(db.session.connection())
    db.session.commit()
    click.echo(f"credit_totals rebuilt: {rows} row(s).")
