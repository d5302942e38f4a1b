"""Catalog API requests per second under gunicorn, beside hello-world Flask under the same gunicorn.

Builds a migrated SQLite database with 10,000 approved courses (the generator
of bench/catalog.py: 20,000 objectives, the full-text index), then serves

* the app: ``gunicorn -w 4 wsgi:app`` with APP_CONFIG=production (SECRET_KEY,
  LETTER_SIGNING_KEY and DATABASE_URL from the environment, the SQLite file),
  an embedded Redis for the rate limiter;
* the baseline: ``gunicorn -w 4 hello_wsgi:app`` (bench/hello_wsgi.py),

one after the other on loopback, and drives each with wrk (2 threads, 8
connections, 10 s after a 2 s warm-up). wrk asks the app for six catalog
searches in turn (GET /api/v1/catalog/courses with words, filters, sorts,
pages), the baseline for "/". Every answer must be a 200.

API_RATE_LIMIT is raised for the run: the real limit is per address and the
load comes from one address; the limiter still counts every request in Redis.
Target: at least 100 catalog requests a second on this machine (a state's
public catalog traffic is a few requests a second at peak).

Needs wrk (Debian package ``wrk``; scripts/system-deps.sh installs it).
Run: ``.venv/bin/python bench/catalog_api.py [--courses N] [--seconds S] [--workers W]``
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from _report import emit  # noqa: E402
from _services import embedded_redis, free_port  # noqa: E402

TARGET_PER_S = 100.0
SEARCHES = (
    "/api/v1/catalog/courses?text=firearms",
    "/api/v1/catalog/courses?text=patrol+tactics",
    "/api/v1/catalog/courses?area=legal&min_hours=2",
    "/api/v1/catalog/courses?designation=deescalation&sort=newest",
    "/api/v1/catalog/courses?text=crisis&delivery_method=computer_based",
    "/api/v1/catalog/courses?sort=title&page=5",
)
LUA = """local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def build(database: Path, courses: int, instance: Path, redis_url: str) -> None:
    """A migrated database holding *courses* approved courses in the catalog."""
    from flask_migrate import upgrade

    import catalog as catalog_bench  # bench/catalog.py: its course generator
    from approvals import create_app
    from approvals.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "INSTANCE_DIR": instance,
                                 "UPLOAD_DIR": instance / "uploads", "REDIS_URL": redis_url})
    with app.app_context():
        upgrade(revision="heads")
        catalog_bench.populate(courses)
        db.engine.dispose()


@contextmanager
def gunicorn(target: str, chdir: Path, workers: int, env: dict[str, str], log: Path) -> Iterator[str]:
    """gunicorn serving *target* on a free loopback port; yields the base URL once it answers."""
    port = free_port()
    cmd = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--worker-class", "sync",
           "--bind", f"127.0.0.1:{port}", "--chdir", str(chdir), "--log-level", "warning", target]
    with open(log, "ab") as out:
        server = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn {target} exited with {server.returncode}; see {log}")
            try:
                with urllib.request.urlopen(base + "/", timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # it answers (the app has no "/" for anonymous callers, say): it is up
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn {target} did not answer within 60 s; see {log}") from None
                time.sleep(0.2)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wrk(url: str, seconds: int, script: Path | None) -> dict[str, float]:
    """Run wrk; returns requests/s, requests, non-2xx/3xx answers and socket errors. Raises on a wrk failure."""
    cmd = ["wrk", "--threads", "2", "--connections", "8", "--duration", f"{seconds}s", "--latency"]
    if script is not None:
        cmd += ["--script", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    found = {
        "rps": re.search(r"Requests/sec:\s+([\d.]+)", out),
        "requests": re.search(r"(\d+) requests in", out),
        "p50": re.search(r"50%\s+([\d.]+)(us|ms|s)", out),
        "p99": re.search(r"99%\s+([\d.]+)(us|ms|s)", out),
    }
    if not all(found.values()):
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(found["rps"].group(1)), "requests": int(found["requests"].group(1)),
        "p50_ms": float(found["p50"].group(1)) * scale[found["p50"].group(2)],
        "p99_ms": float(found["p99"].group(1)) * scale[found["p99"].group(2)],
        "non_2xx": int(bad.group(1)) if bad else 0,
        # Reads ending at the close gunicorn's sync workers make after every answer are not errors.
        "socket_errors": sum(int(g) for i, g in enumerate(errors.groups()) if i != 1) if errors else 0,
    }


def check_searches(base: str) -> int:
    """GET every search once; returns the courses they list. Raises unless each answers 200 with JSON."""
    listed = 0
    for path in SEARCHES:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            listed += len(json.load(response)["items"])
    return listed


def measure(base: str, path: str, seconds: int, script: Path | None) -> dict[str, float]:
    wrk(base + path, 2, script)  # warm-up: every worker imported, templates and caches filled
    return wrk(base + path, seconds, script)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: run scripts/system-deps.sh (Debian package wrk)", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="bench-catalog-api-"))
    log = tmp / "gunicorn.log"
    try:
        with embedded_redis(tmp) as redis_url:
            started = time.perf_counter()
            database = tmp / "catalog.db"
            build(database, args.courses, tmp / "instance", redis_url)
            print(f"# {args.courses:,} approved courses in the catalog; built in {time.perf_counter() - started:.1f} s",
                  flush=True)
            script = tmp / "searches.lua"
            script.write_text(LUA % ", ".join(f'"{p}"' for p in SEARCHES))
            env = {"APP_CONFIG": "production", "SECRET_KEY": secrets.token_hex(32),
                   "LETTER_SIGNING_KEY": secrets.token_hex(32), "DATABASE_URL": f"sqlite:///{database}",
                   "REDIS_URL": redis_url, "INSTANCE_DIR": str(tmp / "instance"), "UPLOAD_DIR": str(tmp / "uploads"),
                   "API_RATE_LIMIT": "1000000 per minute"}
            with gunicorn("wsgi:app", ROOT, args.workers, env, log) as base:
                listed = check_searches(base)
                api = measure(base, SEARCHES[0], args.seconds, script)
            with gunicorn("hello_wsgi:app", BENCH, args.workers, {}, log) as base:
                hello = measure(base, "/", args.seconds, None)
    except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        if log.exists():
            print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"# gunicorn --workers {args.workers} (sync) on loopback; wrk 2 threads, 8 connections, {args.seconds} s; "
          f"the six searches list {listed} courses on their first pages")
    for name, r in (("catalog API", api), ("hello world", hello)):
        print(f"# {name}: {r['requests']:,} requests, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
              f"non-2xx {r['non_2xx']}, socket errors {r['socket_errors']}")
    clean = api["non_2xx"] == 0 and hello["non_2xx"] == 0 and api["socket_errors"] == 0
    print(f"{'metric':<38} {'value':>9} {'baseline':>9} {'ratio':>7}  target")
    print(f"{'catalog API requests per second':<38} {api['rps']:9.1f} {hello['rps']:9.1f} "
          f"{api['rps'] / hello['rps']:7.3f}  >= {TARGET_PER_S:g}/s "
          f"{'met' if api['rps'] >= TARGET_PER_S and clean else 'MISSED'}")
    print(f"{'catalog API p99 latency (ms)':<38} {api['p99_ms']:9.1f} {hello['p99_ms']:9.1f} "
          f"{api['p99_ms'] / hello['p99_ms']:7.1f}  -")
    if not clean:
        print("ERRORS: some answers were not 2xx or sockets failed", file=sys.stderr)
    emit(f"catalog API requests/s (gunicorn -w {args.workers})", api["rps"], hello["rps"],
         baseline_is=f"hello-world Flask, gunicorn -w {args.workers}", target=f">= {TARGET_PER_S:g}/s",
         met=clean and api["rps"] >= TARGET_PER_S)
    emit("catalog API p99 latency under load (ms)", api["p99_ms"], hello["p99_ms"],
         baseline_is=f"hello-world Flask, gunicorn -w {args.workers}")
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
