"""Putting the hostile-input world back, and telling whether anything changed.

A Snapshot keeps the database and the file folders as they were: on SQLite a
copy of the database file (SQLite's backup API), on PostgreSQL every row,
re-inserted with triggers off after emptying the tables. Row ids stay the
same, so URLs and sessions stay valid across a restore. `fingerprint()`
hashes every row and every stored file name.
"""
from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import redis as redis_lib
import sqlalchemy as sa
from flask import Flask

from approvals.extensions import db

# Columns that change on reads by design (sign-in time, token last use).
VOLATILE = {("users", "last_login_at"), ("api_tokens", "last_used_at")}


def sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


class Snapshot:
    """The database and file folders as they were when taken."""

    def __init__(self, app: Flask, folder: Path):
        self.app, self.folder = app, folder
        self.dirs = [Path(app.config["UPLOAD_DIR"]), Path(app.config["INSTANCE_DIR"])]
        self.db_file = sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self._release()
        if self.db_file is not None:
            self._copy_sqlite(self.db_file, folder / "world.db")
        else:
            with db.engine.connect() as conn:
                for table in db.metadata.sorted_tables:
                    self.rows[table.name] = [dict(r._mapping) for r in conn.execute(sa.select(table))]
        for i, d in enumerate(self.dirs):
            shutil.copytree(d, folder / f"dir{i}")

    @staticmethod
    def _release() -> None:
        db.session.remove()
        db.engine.dispose()

    @staticmethod
    def _copy_sqlite(source: Path, target: Path) -> None:
        src, dst = sqlite3.connect(source), sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()

    def restore(self) -> None:
        self._release()
        if self.db_file is not None:
            self._copy_sqlite(self.folder / "world.db", self.db_file)
        else:
            tables = db.metadata.sorted_tables
            with db.engine.begin() as conn:
                _empty_postgres_tables(conn, tables)
                for table in tables:
                    if self.rows[table.name]:
                        conn.execute(table.insert(), self.rows[table.name])
                conn.execute(sa.text("; ".join(_reset_sequence_sql(t) for t in tables if _serial_key(t) is not None)))
        for i, d in enumerate(self.dirs):
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(self.folder / f"dir{i}", d)
        redis_lib.Redis.from_url(self.app.config["REDIS_URL"]).flushdb()


def _empty_postgres_tables(conn: sa.Connection, tables: list[sa.Table]) -> None:
    """DELETE with triggers off (the append-only guards would refuse it) is
    many times faster than TRUNCATE on a small database; TRUNCATE is the
    fallback for a role that may not switch triggers off."""
    try:
        with conn.begin_nested():
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            conn.execute(sa.text("; ".join(f'DELETE FROM "{t.name}"' for t in reversed(tables))))
    except sa.exc.DBAPIError:
        conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " CASCADE"))


def _serial_key(table: sa.Table) -> sa.Column | None:
    pk = list(table.primary_key.columns)
    if len(pk) == 1 and pk[0].autoincrement is not False and isinstance(pk[0].type, sa.Integer):
        return pk[0]
    return None


def _reset_sequence_sql(table: sa.Table) -> str:
    # The next id after the restored rows, as if they had just been inserted.
    key = _serial_key(table)
    assert key is not None
    return (f"SELECT setval(pg_get_serial_sequence('{table.name}', '{key.name}'), "
            f'COALESCE(MAX("{key.name}"), 0) + 1, false) FROM "{table.name}"')


_EVERY_ROW: list[sa.Select] = []


def _every_row() -> list[sa.Select]:
    """One SELECT per table, built once (the fingerprint runs hundreds of times)."""
    if not _EVERY_ROW:
        for table in db.metadata.sorted_tables:
            cols = [c for c in table.columns if (table.name, c.name) not in VOLATILE]
            _EVERY_ROW.append(sa.select(*cols).order_by(*(list(table.primary_key.columns) or cols)))
    return _EVERY_ROW


def fingerprint(app: Flask) -> str:
    """A hash of every row (volatile columns aside) and every stored file name."""
    digest = hashlib.sha256()
    db.session.remove()
    with db.engine.connect() as conn:
        for statement in _every_row():
            for row in conn.execute(statement):
                digest.update(repr(tuple(row)).encode())
    for folder in (app.config["UPLOAD_DIR"], app.config["INSTANCE_DIR"]):
        for path in sorted(Path(folder).rglob("*")):
            digest.update(str(path).encode())
    return digest.hexdigest()
