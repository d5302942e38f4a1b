"""The agency's side of course applications: dashboard, the sectioned form,
documents, submission and withdrawal, revisions and the application page.

One blueprint whose routes live in several modules (routes, edit, rows,
documents); importing them here registers them on ``bp``.
"""
from flask import Blueprint

bp = Blueprint("agency", __name__, url_prefix="/agency")

from approvals.agency import documents, edit, routes, rows  # noqa: E402,F401  (register the routes)
