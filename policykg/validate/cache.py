"""Findings of a region's validation run kept on disk, keyed by what the run read.

A region's run (:mod:`policykg.validate.split`) depends only on the shapes, the code
that turns pySHACL's report into findings (and pySHACL, pyoxigraph, rdflib), the shared
graphs and that region's graph: after ``policykg load`` of one region, validating the
store again reruns that region alone and takes the others' findings from here.

On by default, in the store's own ``STORE/validation-cache/`` (``run_store(cache_dir=...)``
or ``POLICYKG_VALIDATION_CACHE`` name another directory; ``POLICYKG_VALIDATION_CACHE=off``
or ``run_store(cache=False)`` validate everything again): a whole-store validation after a
load reruns only the regions whose graph changed. Entries are JSON (nothing executable),
one file per key, written atomically; a broken entry is a miss. The oldest entries beyond
``MAX_ENTRIES`` are removed after each run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

from policykg.core.config import SHAPES_DIR

from .model import Finding

ENV = "POLICYKG_VALIDATION_CACHE"
DIR = "validation-cache"                 # under the store directory, beside its generations
OFF = frozenset({"0", "off", "no", "none", "false"})
FORMAT = "policykg-validation-2"
MAX_ENTRIES = 5000
_CODE = ("validate/shacl.py", "validate/checks.py", "validate/model.py", "validate/split.py", "validate/cache.py",
         "core/namespaces.py", "core/iris.py")


def cache_dir_from(value: Path | str | None, store_dir: Path | str | None = None) -> Path | None:
    """The directory asked for, else ``$POLICYKG_VALIDATION_CACHE`` (``off``: no cache), else
    the store's ``validation-cache`` directory (none without a store)."""
    if value is not None:
        return Path(value)
    env = (os.environ.get(ENV) or "").strip()
    if env:
        return None if env.lower() in OFF else Path(env)
    return Path(store_dir) / DIR if store_dir is not None else None


def stamp(shapes_dir: Path | str = SHAPES_DIR) -> bytes:
    """Everything besides the data that a run's findings depend on."""
    h = hashlib.sha256(FORMAT.encode())
    for path in sorted(Path(shapes_dir).glob("*.ttl")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    here = Path(__file__).resolve().parents[1]    # policykg/
    for name in _CODE:
        h.update(name.encode() + b"\0" + (here / name).read_bytes() + b"\0")
    for dist in ("pyshacl", "pyoxigraph", "rdflib"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            h.update(f"{dist}={metadata.version(dist)}\0".encode())
    return h.digest()


def content_digest(n_triples: bytes) -> bytes:
    """A graph's N-Triples, whatever order a store wrote them in."""
    lines = sorted(line for line in n_triples.split(b"\n") if line.strip())
    return hashlib.sha256(b"\n".join(lines)).digest()


class FindingsCache:
    """``get``/``put`` a run's result (findings and their top-level focus, described
    nodes, list codes: :class:`policykg.validate.split.JobResult`) by key."""

    def __init__(self, directory: Path, stamp: bytes) -> None:
        self.directory = directory
        self.stamp = stamp

    def key(self, *digests: bytes) -> str:
        return hashlib.sha256(self.stamp + b"".join(digests)).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            out = {"findings": [Finding(**f) for f in data["findings"]], "roots": tuple(data["roots"]),
                   "described": frozenset(data["described"]), "tables": tuple(data["tables"])}
            if len(out["roots"]) != len(out["findings"]):
                return None
        except (OSError, ValueError, TypeError, KeyError):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)                      # recently used: pruned last
        return out

    def put(self, key: str, result: Any) -> None:
        """Best effort: a cache that cannot be written is no cache, not an error."""
        path = self._path(key)
        text = json.dumps({"findings": [asdict(f) for f in result.findings], "roots": list(result.roots),
                           "described": sorted(result.described), "tables": list(result.tables)},
                          ensure_ascii=False)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)

    def prune(self, keep: int = MAX_ENTRIES) -> None:
        with contextlib.suppress(OSError):
            entries = sorted(self.directory.glob("*/*.json"), key=lambda p: p.stat().st_mtime)
            for path in entries[: max(0, len(entries) - keep)]:
                path.unlink(missing_ok=True)
