"""Flask application factory (the flaskr pattern): config, blueprints, one error shape.

Blueprints: ``sparql`` (SPARQL 1.1 protocol), ``graphstore`` (graph store protocol), ``api`` (catalogue JSON,
validation findings), ``entities`` (linked-data pages under /id/), ``pages`` (the web page).
Config keys: STORE_PATH, QUERY_DIR, QUERY_TIMEOUT_S, MAX_ROWS, MAX_QUERY_BYTES,
RATE_LIMIT_PER_MIN, ENDPOINT (remote SPARQL instead of the store), WRITE_TOKEN; each is
also read from the environment as POLICYKG_<KEY>.
"""

from __future__ import annotations

import importlib
from typing import Any

from flask import Flask

from policykg.core.config import DEFAULT_STORE, QUERY_DIR

BLUEPRINTS = ("server.sparql", "server.graphstore", "server.api", "server.entities", "server.pages",
              "server.lists",
              "server.handling",
              "server.changes", "server.history",
              "server.landing")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.from_mapping(
        STORE_PATH=str(DEFAULT_STORE),
        QUERY_DIR=str(QUERY_DIR),
        QUERY_TIMEOUT_S=10.0,
        MAX_ROWS=10000,
        MAX_QUERY_BYTES=64 * 1024,
        RATE_LIMIT_PER_MIN=600,
        ENDPOINT=None,
        WRITE_TOKEN=None,
        WRITE_TOKEN_NAME="write-token",      # the name versions record for writes with WRITE_TOKEN
        JSON_AS_ASCII=False,
    )
    app.config.from_prefixed_env("POLICYKG")
    if config:
        app.config.from_mapping(config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    for name in BLUEPRINTS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        app.register_blueprint(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)
    return app
