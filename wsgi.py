"""Entry point for gunicorn: `gunicorn wsgi:app` (APP_CONFIG=production)."""
from approvals import create_app

app = create_app()
