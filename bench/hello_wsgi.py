"""The baseline for bench/catalog_api.py: hello world in Flask, served by the same gunicorn settings."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
