"""``policykg serve``: the app under waitress (several threads), or one request with ``--get``.

Query work happens in worker processes (:mod:`server.executor`), so waitress threads only
parse, wait and write; a runaway query never blocks the server.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import waitress

from loaders.build import build
from policykg.core.errors import StoreError
from policykg.core.progress import stderr_progress
from policykg.graph import store as pkstore

from . import executor
from .app import create_app


def make_config(store_dir: Path | str, timeout: float, endpoint: str | None) -> dict[str, Any]:
    cfg: dict[str, Any] = {"STORE_PATH": str(store_dir), "QUERY_TIMEOUT_S": float(timeout)}
    if endpoint:
        cfg["ENDPOINT"] = endpoint
    return cfg


def serve(*, store_dir: Path | str, host: str = "127.0.0.1", port: int = 8000, timeout: float = 10.0,
          endpoint: str | None = None, threads: int = 8, build_first: bool = False,
          get_path: str | None = None) -> int:
    if not endpoint and pkstore.generation_name(store_dir) is None:
        if not build_first:
            raise StoreError(f"找不到图谱存储 {store_dir}：请先运行 `policykg build`，或加 --build",
                             f"no store at {store_dir}: run `policykg build` first, or pass --build")
        build(store_dir, progress=stderr_progress(True))
    app = create_app(make_config(store_dir, timeout, endpoint))
    try:
        if get_path is not None:
            return get_once(app, get_path)
        def warm_up() -> None:         # start the query workers before the first visitor
            try:
                executor.get(app).run(executor.Job("ASK {}", kind="ask"))
            except Exception:  # noqa: BLE001 - the first real request will report it
                pass

        threading.Thread(target=warm_up, daemon=True).start()

        where = endpoint or str(store_dir)
        print(f"policykg: http://{host}:{port}/ （SPARQL: /sparql，数据 / data: {where}；Ctrl-C 停止 / to stop）",
              file=sys.stderr, flush=True)
        waitress.serve(app, host=host, port=port, threads=max(1, threads), ident="policykg",
                       max_request_body_size=64 << 20)
        return 0
    finally:
        ex = app.extensions.get("policykg", {}).get("executor")
        if ex is not None:
            ex.close()


def get_once(app: Any, path: str) -> int:
    """Datasette's ``--get``: one request in-process; print the body; 0 only on HTTP 200."""
    client = app.test_client()
    resp = client.get(path)
    sys.stdout.buffer.write(resp.get_data())
    if not resp.get_data().endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()
    if resp.status_code != 200:
        print(f"HTTP {resp.status_code}", file=sys.stderr)
    return 0 if resp.status_code == 200 else 1
