"""The POST review area (blueprint in routes.py)."""
