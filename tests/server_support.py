"""Shared by tests/test_server_*.py: apps over test stores (one per configuration and
process), a small store for the W3C protocol tests, a waitress thread on a free port.

Apps are cached per process so each configuration starts its query workers once; the
executor closes its workers at exit.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from policykg.core import iris
from policykg.core.namespaces import PREFIXES
from policykg.graph.derive import refresh
from policykg.graph.store import new_generation, put_graph

RDF_TYPE = NamedNode(PREFIXES["rdf"] + "type")
KASEI = "http://kasei.us/2009/09/sparql/data/"
W3C_DIR = Path(__file__).resolve().parent / "data" / "w3c-sparql11-protocol"
XSS_LABEL = "<script>alert('x')</script>测试事项"
XSS_IRI = iris.service_item("330800", 9999)

_APPS: dict[tuple, Any] = {}


def app_for(store: Path | str | None, **config: Any) -> Any:
    """A Flask app over ``store`` (or a remote ENDPOINT in ``config``), cached per config."""
    from server.app import create_app

    key = (str(store), tuple(sorted((k, str(v)) for k, v in config.items())))
    if key not in _APPS:
        cfg = {"TESTING": True, "RATE_LIMIT_PER_MIN": 0, **config}
        if store is not None:
            cfg["STORE_PATH"] = str(store)
        _APPS[key] = create_app(cfg)
    return _APPS[key]


def make_protocol_store(root: Path) -> Path:
    """The W3C protocol tests' graphs (data1–3.nt as kasei.us/…/dataN.rdf), plus a planted literal."""
    from pyoxigraph import RdfFormat, parse

    with new_generation(root, finish=refresh, in_memory=True) as (store, _gen):
        for n in (1, 2, 3):
            path = W3C_DIR / f"data{n}.nt"
            put_graph(store, f"{KASEI}data{n}.rdf", [q.triple for q in parse(path=str(path), format=RdfFormat.N_TRIPLES)])
        item = NamedNode(XSS_IRI)
        put_graph(store, iris.graph("test/xss"), [
            Triple(item, RDF_TYPE, NamedNode(PREFIXES["pk"] + "ServiceItem")),
            Triple(item, NamedNode(PREFIXES["rdfs"] + "label"), Literal(XSS_LABEL, language="zh")),
        ])
    return root


def copy_store(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst, symlinks=True)
    return dst


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Waitress:
    """The app under waitress (as ``policykg serve`` runs it) on a free loopback port."""

    def __init__(self, app: Any, threads: int = 6) -> None:
        from waitress.server import create_server

        self.server = create_server(app, host="127.0.0.1", port=0, threads=threads, ident="policykg-test")
        self.port = self.server.effective_port
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Waitress:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.close()
        self.thread.join(timeout=5)


class Listener:
    """A loopback TCP listener that records every connection (to prove none is made)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits: list[Any] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, addr = self.sock.accept()
            except OSError:
                continue
            self.hits.append(addr)
            conn.close()

    def __enter__(self) -> Listener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.thread.join(timeout=2)
        self.sock.close()
