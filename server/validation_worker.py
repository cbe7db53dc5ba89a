"""One long-lived process that runs ``policykg.validate`` for ``/api/validation``.

Before, each request spawned a new interpreter (imports, shapes, pySHACL: seconds of both
cores) under one global lock, with no rate limit: a loop over bad region codes kept the
machine busy. Now the route checks the code first (404), takes a rate-limit token, and
sends the job to this process, started once and reused (killed and started again only
after a timeout). Jobs run one at a time; answers are cached per generation by the caller.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from policykg import pool, validate
from policykg.core.errors import PolicyKGError, QueryError


def _serve(conn: Any) -> None:
    for job in pool.jobs(conn):
        store_dir, region = job
        try:
            report = validate.run_store(store_dir, region=region)
            data = json.loads(validate.render(report, "json"))
            data["seconds"] = round(report.seconds, 2)
            data["regions"] = list(report.regions)
            conn.send(("ok", data))
        except PolicyKGError as exc:
            conn.send(("error", {"zh": exc.zh, "en": exc.en, "status": getattr(exc, "status", 400)}))
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            conn.send(("error", {"zh": f"校验失败：{exc}", "en": f"validation failed: {exc}", "status": 500}))


class ValidationWorker:
    def __init__(self) -> None:
        self._proc: Any = None
        self._conn: Any = None
        self.lock = threading.Lock()
        self.started = 0

    def _ensure(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            return
        self._proc, self._conn = pool.spawn(_serve, name="policykg-validate")
        self.started += 1

    def _stop(self) -> None:
        if self._proc is not None:
            pool.stop(self._proc)
        self._proc = self._conn = None

    def run(self, store_dir: str, region: str | None, timeout: float) -> dict[str, Any]:
        """Call with ``lock`` held. Raises QueryError (503 on timeout or death)."""
        self._ensure()
        try:
            self._conn.send((store_dir, region))
            if not self._conn.poll(timeout):
                self._stop()
                raise QueryError(f"校验超时（{timeout:g} 秒）", f"validation timed out ({timeout:g} s)", status=503)
            tag, data = self._conn.recv()
        except (EOFError, OSError) as exc:
            self._stop()
            raise QueryError("校验进程意外退出，已重启", "validation process died; it was restarted", status=503) from exc
        if tag == "error":
            raise QueryError(data["zh"], data["en"], status=int(data.get("status") or 500))
        return data

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.send(None)
            except OSError:
                pass
        self._stop()
