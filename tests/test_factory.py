"""The factory and configuration."""
from __future__ import annotations

import pytest

from approvals import create_app


def test_testing_config(app):
    assert app.testing
    assert app.config["CONFIG_NAME"] == "testing"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "LETTER_SIGNING_KEY"])
def test_production_refuses_without_secrets(monkeypatch, app_config, missing):
    import config

    monkeypatch.setenv("DATABASE_URL", app_config["SQLALCHEMY_DATABASE_URI"])
    values = {"SECRET_KEY": "a-real-secret", "LETTER_SIGNING_KEY": "another-secret"}
    values[missing] = None
    for key, value in values.items():
        monkeypatch.setattr(config.ProductionConfig, key, value)
    with pytest.raises(RuntimeError, match=missing):
        create_app("production", {k: v for k, v in app_config.items() if k != "SQLALCHEMY_DATABASE_URI"})


def test_production_refuses_without_database_url(monkeypatch, app_config):
    import config

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "a-real-secret")
    monkeypatch.setattr(config.ProductionConfig, "LETTER_SIGNING_KEY", "another-secret")
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app("production", app_config)


def test_production_starts_with_its_secrets(monkeypatch, app_config):
    import config

    monkeypatch.setenv("DATABASE_URL", app_config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "a-real-secret")
    monkeypatch.setattr(config.ProductionConfig, "LETTER_SIGNING_KEY", "another-secret")
    app = create_app("production", app_config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not app.debug


def test_unknown_config_name():
    with pytest.raises(RuntimeError, match="Unknown APP_CONFIG"):
        create_app("staging")


def test_security_headers(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_inline_script_in_pages(client):
    import re

    html = client.get("/auth/login").get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts, "the page loads USWDS"
    for attrs, body in scripts:
        assert "src=" in attrs and not body.strip()
    assert "style=" not in html


def test_uswds_assets_are_served(client):
    with client.get("/assets/uswds/css/uswds.min.css") as response:
        assert response.status_code == 200
        assert b".usa-button" in response.data
    assert client.get("/assets/uswds/../../package.json").status_code == 404


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_session_cookie_flags(app_config, monkeypatch):
    import config

    monkeypatch.setenv("DATABASE_URL", app_config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "a-real-secret")
    monkeypatch.setattr(config.ProductionConfig, "LETTER_SIGNING_KEY", "another-secret")
    app = create_app("production", app_config)
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_proxy_fix_trusts_the_configured_proxies(app_config):
    from flask import request

    app = create_app("testing", {**app_config, "PROXY_FIX_X_FOR": 1})

    @app.route("/_whoami")
    def whoami():
        return {"addr": request.remote_addr, "scheme": request.scheme}

    with app.app_context():
        response = app.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
        assert response.get_json() == {"addr": "203.0.113.9", "scheme": "https"}
    plain = create_app("testing", app_config)

    @plain.route("/_whoami")
    def whoami2():
        return {"addr": request.remote_addr}

    with plain.app_context():
        assert plain.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.9"}).get_json()["addr"] == "127.0.0.1"
