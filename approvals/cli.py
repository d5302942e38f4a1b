"""Flask commands: create-user, demo, worker, up."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


def register_cli(app: Flask) -> None:
    app.cli.add_command(create_user)
    app.cli.add_command(demo)
    app.cli.add_command(worker)
    app.cli.add_command(up)


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["agency_staff", "agency_admin", "post_reviewer", "post_admin", "officer"]))
@click.option("--agency-ori", default=None, help="ORI of the agency (agency roles and officers).")
@click.password_option(help="Asked for when not given.")
@with_appcontext
def create_user(email: str, name: str, role: str, agency_ori: str | None, password: str) -> None:
    """Create an account."""
    from approvals.extensions import db
    from approvals.models import Agency, Role, User, record

    agency = None
    if agency_ori:
        agency = db.session.scalar(db.select(Agency).where(Agency.ori == agency_ori.upper()))
        if agency is None:
            raise click.BadParameter(f"No agency has ORI {agency_ori}.", param_hint="--agency-ori")
    if Role(role).is_agency and agency is None:
        raise click.BadParameter("Agency roles need --agency-ori.", param_hint="--agency-ori")
    if db.session.scalar(db.select(User).where(User.email == email.strip().lower())):
        raise click.BadParameter("An account with this e-mail already exists.", param_hint="--email")
    user = User(email=email, name=name, role=Role(role), agency_id=agency.id if agency and not Role(role).is_post else None)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record("user.created", actor=None, subject=user, agency_id=user.agency_id, summary="Created from the command line")
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.label}).")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo data into an empty database and print the demo logins."""
    from approvals.demo import load_demo

    logins = load_demo()
    if logins is None:
        click.echo("The database already has accounts; demo data not loaded again.")
        return
    print_logins(logins)


def print_logins(logins: list[tuple[str, str, str]]) -> None:
    click.echo("\nDemo sign-ins (all share one password):")
    for role, email, password in logins:
        click.echo(f"  {role:<38} {email:<36} {password}")
    click.echo("")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Work until the queue is empty, then exit.")
@with_appcontext
def worker(burst: bool) -> None:
    """Run the RQ worker (and the periodic outbox sweep) in this app's context."""
    from approvals.worker import run_worker

    run_worker(burst=burst)


@click.command("up")
@click.option("--port", default=5000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def up(port: int, host: str) -> None:
    """Migrate, load demo data once, then run Redis (embedded unless REDIS_URL),
    the worker and the web server until Ctrl-C."""
    from approvals.supervisor import run_all

    run_all(host=host, port=port)
