"""The schema comes from Alembic migrations, and they match the models."""
from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from approvals import create_app
from approvals.extensions import db
from tests.conftest import DATABASE_URL, IS_POSTGRES, _reset_postgres_schema


def _fresh_url(tmp_path) -> str:
    if IS_POSTGRES:
        _reset_postgres_schema(DATABASE_URL)
        return DATABASE_URL
    return f"sqlite:///{tmp_path / 'fresh.db'}"


def _diff(app) -> list:
    with db.engine.connect() as conn, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diffs = compare_metadata(ctx, db.metadata)
    # Functional indexes (lower(email)) and FTS shadow tables are not reflected alike on both backends.
    return [d for d in diffs if not _ignorable(d)]


def _ignorable(diff) -> bool:
    kind = diff[0] if isinstance(diff, tuple) else diff[0][0]
    obj = diff[1] if isinstance(diff, tuple) else diff[0][1]
    name = getattr(obj, "name", "") or ""
    functional_index = kind in ("remove_index", "add_index") and name == "uq_users_email_lower"
    fts_shadow_table = kind == "remove_table" and (name.endswith("_fts") or "_fts_" in name)
    return functional_index or fts_shadow_table


def test_upgrade_from_empty_matches_models_and_downgrades(tmp_path, redis_url, database_template):
    url = _fresh_url(tmp_path)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_url, "INSTANCE_DIR": tmp_path})
    try:
        with app.app_context():
            upgrade(revision="heads")
            tables = set(sa.inspect(db.engine).get_table_names())
            assert {"agencies", "users", "audit_events", "applications", "revisions", "outbox_messages"} <= tables
            assert _diff(app) == []
            downgrade(revision="base")
            left = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert not {t.name for t in db.metadata.sorted_tables} & left
    finally:
        with app.app_context():
            # On PostgreSQL the suite shares this schema: leave it whole even
            # when an assertion above failed half-way through.
            upgrade(revision="heads")
            db.engine.dispose()


def test_audit_events_are_append_only_in_the_database(app, make):
    from approvals.models import AuditEvent, AuditImmutableError, record

    user = make.user("post_admin")
    event = record("test.event", actor=user, summary="first")
    db.session.commit()
    event.summary = "rewritten"
    try:
        db.session.commit()
        raise AssertionError("ORM guard should refuse")
    except AuditImmutableError:
        db.session.rollback()
    for sql in ("UPDATE audit_events SET summary = 'x'", "DELETE FROM audit_events"):
        try:
            with db.engine.begin() as conn:
                conn.execute(sa.text(sql))
            raise AssertionError(f"trigger should refuse: {sql}")
        except sa.exc.DatabaseError as exc:
            assert "append-only" in str(exc)
    assert db.session.scalar(sa.select(AuditEvent.summary).where(AuditEvent.id == event.id)) == "first"
