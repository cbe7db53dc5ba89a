"""Shared fixtures: the real graph is built once per test session from data/.

``built_store`` is the store directory of ``policykg build`` over the source document
(all four regions); tests that need real data use it and never rebuild.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def pytest_configure(config):
    ARTIFACTS.mkdir(exist_ok=True)


@pytest.fixture(scope="session")
def built_store(tmp_path_factory) -> Path:
    """The store built from data/ by the real pipeline (once per session)."""
    from loaders.build import build

    root = tmp_path_factory.mktemp("store")
    build(root)
    return root


@pytest.fixture(scope="session")
def built_read_only(built_store):
    from policykg.graph.store import open_read_only

    return open_read_only(built_store)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    return ARTIFACTS


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    """Loopback only: make sure no test talks to a proxy or another host by accident."""
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    os.environ.setdefault("POLICYKG_TESTING", "1")
