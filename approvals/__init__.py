"""CLEE Course Approvals: the Flask application factory."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app.

    *config_name* is development, testing or production (default: the
    ``APP_CONFIG`` environment variable, else development). Raises
    RuntimeError when the configuration is unsafe (e.g. production without
    SECRET_KEY).
    """
    from config import CONFIGS

    name = config_name or os.environ.get("APP_CONFIG", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"Unknown APP_CONFIG {name!r}; use one of {', '.join(CONFIGS)}.")
    config_cls = CONFIGS[name]

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_cls)
    app.config["CONFIG_NAME"] = name
    if overrides:
        app.config.update(overrides)
    config_cls.check(app.config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set; refusing to start.")

    proxies = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if proxies:
        # Behind N trusted proxies: take the client address and scheme from
        # their X-Forwarded-* headers (rate limits, audit, secure cookies).
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]

    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    _sqlite_engine_options(app)

    from approvals import models  # noqa: F401  (register every table on the metadata)
    from approvals.extensions import csrf, db, limiter, login_manager, migrate
    from approvals.redis_conn import redis_url

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", _limits_uri(redis_url(app)))
    # A Redis outage must not lock people out or lose a submission.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)

    from approvals import input_guards

    input_guards.init_app(app)  # before any blueprint: every <int:...> URL part is bounded

    from approvals import auth, web

    auth.init_login(app)
    web.init_app(app)

    from approvals.admin.routes import bp as admin_bp
    from approvals.agency.routes import bp as agency_bp
    from approvals.auth.routes import bp as auth_bp
    from approvals.main.routes import bp as main_bp
    import approvals.admin.outbox  # noqa: F401,I001  (adds the outbox page to admin_bp before it is registered)

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(agency_bp)

    from approvals.review.routes import bp as review_bp

    app.register_blueprint(review_bp)
    from approvals.dispatch import init_dispatch

    init_dispatch(app)

    from approvals.catalog.routes import bp as catalog_bp
    from approvals.scheduling.routes import bp as offerings_bp

    app.register_blueprint(catalog_bp)
    app.register_blueprint(offerings_bp)

    from approvals.letter.routes import bp as letters_bp
    from approvals.verify.routes import bp as verify_bp

    app.register_blueprint(letters_bp)
    app.register_blueprint(verify_bp)

    from approvals.credit.routes import bp as credit_bp

    app.register_blueprint(credit_bp)

    from approvals.api import init_api

    init_api(app)

    from approvals.cli import register_cli

    register_cli(app)
    return app


def _limits_uri(url: str) -> str:
    # The `limits` library spells a unix-socket Redis as redis+unix://.
    if url.startswith("unix://"):
        return "redis+unix://" + url[len("unix://"):]
    return url


def _sqlite_engine_options(app: Flask) -> None:
    uri: str = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        opts = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        opts.setdefault("connect_args", {"timeout": 30})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = opts
