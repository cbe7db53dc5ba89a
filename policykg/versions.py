"""Versions of a region's list: every load, Graph Store write, build or revert appends one.

A version is immutable and lives outside the store's generations, so pruning generations
can never lose one::

    STORE/versions/{code}/{n}.nt.gz           the region graph's public triples (N-Triples, gzip)
    STORE/versions/{code}/{n}.restricted.nt.gz  its personal data (mode 0600, never served)
    STORE/versions/{code}/{n}.json            metadata, written last (id, load time, source,
                                              SHA-256, rows, note, date, token, ...)
    STORE/gen-…/versions.json                 {code: n}: the version each region's graph is

A version becomes part of history only when the generation that names it in its
``versions.json`` is published (the atomic switch of :mod:`policykg.store`). Files of a
version numbered above the current generation's entry were left by a writer that died
before publishing; the next writer (under the store's write lock) removes them and reuses
the number. The region's usual graph ``graph/region/{code}`` is always the current version;
``graph/region/{code}/v/{n}`` names version n. Version graphs are NOT in the store's
default (union) graph, nor in graph/statistics: nothing is counted twice. They are read by
name (:func:`version_triples`), through the change feed, or through ``--as-of``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import RdfFormat, Triple, parse, serialize

from .core import iris
from .core.errors import UsageError
from .graph.store import Generation, current, generation_name

DIR = "versions"
MAP = "versions.json"
SOURCE_ROW = "https://w3id.org/policykg/def#SourceRow"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass
class Version:
    region: str
    version: int
    loaded: str                  # ISO 8601 UTC, microseconds: when it became current
    sha256: str                  # of the source file (or the uploaded body)
    source: str                  # file name, or "HTTP PUT" etc.
    rows: int
    triples: int = 0
    content: str = ""            # SHA-256 of the graph's sorted N-Triples
    note: str | None = None
    date: str | None = None      # the list's own date (--date)
    token: str | None = None     # over HTTP, the name of the token that wrote it
    action: str = "load"         # build | load | put | post | delete | revert
    reverted_from: int | None = None
    previous: int | None = None

    @property
    def graph(self) -> str:
        return version_graph(self.region, self.version)

    def to_json(self) -> dict:
        return {"version": self.version, "loaded": self.loaded, "sha256": self.sha256, "source": self.source,
                "rows": self.rows, "note": self.note, "date": self.date, "token": self.token,
                "action": self.action, "triples": self.triples, "graph": self.graph,
                "reverted_from": self.reverted_from}


@dataclass
class Pending:
    """What a writer will record (see :func:`record`)."""

    source: str
    sha256: str
    note: str | None = None
    date: str | None = None
    token: str | None = None
    action: str = "load"
    reverted_from: int | None = None
    loaded: str | None = None        # one time for all regions of a build (they publish together)
    extra: dict = field(default_factory=dict)


def version_graph(code: str, n: int) -> str:
    return iris.graph(f"region/{code}/v/{n}")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def file_sha256(path: Path | str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _dir(root: Path | str, code: str) -> Path:
    return Path(root) / DIR / code


def committed(root: Path | str) -> dict[str, int]:
    """{code: current version number} as the current generation records it."""
    if generation_name(root) is None:
        return {}
    return _read_map(current(root).path)


def _read_map(path: Path) -> dict[str, int]:
    try:
        return {k: int(v) for k, v in json.loads((path / MAP).read_text(encoding="utf-8")).items()}
    except (OSError, ValueError):
        return {}


def _read(path: Path) -> Version | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Version(**{k: v for k, v in data.items() if k in Version.__dataclass_fields__})
    except (OSError, ValueError, TypeError):
        return None


def history(root: Path | str, code: str) -> list[Version]:
    """The region's versions, oldest first (only those a published generation made current)."""
    cmap = committed(root)
    d = _dir(root, code)
    if not d.is_dir():
        return []
    top = cmap.get(code)
    out = []
    for p in d.glob("*.json"):
        if not p.stem.isdigit() or (top is not None and int(p.stem) > top):
            continue
        v = _read(p)
        if v is not None:
            out.append(v)
    return sorted(out, key=lambda v: v.version)


def regions_with_history(root: Path | str) -> list[str]:
    d = Path(root) / DIR
    return sorted(p.name for p in d.iterdir() if p.is_dir()) if d.is_dir() else []


def get(root: Path | str, code: str, n: int | None = None) -> Version:
    """Version ``n`` of the region (the current one without ``n``); a UsageError if none."""
    hist = history(root, code)
    if not hist:
        raise UsageError(f"地区 {code} 没有任何版本", f"region {code} has no versions")
    if n is None:
        cur = committed(root).get(code)
        return next((v for v in hist if v.version == cur), hist[-1])
    for v in hist:
        if v.version == n:
            return v
    raise UsageError(f"地区 {code} 没有第 {n} 版（共 {len(hist)} 版）", f"region {code} has no version {n} "
                     f"(it has {len(hist)})")


def current_version(root: Path | str, code: str) -> Version | None:
    try:
        return get(root, code)
    except UsageError:
        return None


def version_ntriples(root: Path | str, code: str, n: int, restricted: bool = False) -> bytes:
    path = _dir(root, code) / (f"{n}.restricted.nt.gz" if restricted else f"{n}.nt.gz")
    return gzip.decompress(path.read_bytes()) if path.exists() else b""


def version_triples(root: Path | str, code: str, n: int) -> list[Triple]:
    data = version_ntriples(root, code, n)
    return [q.triple for q in parse(data, format=RdfFormat.N_TRIPLES)] if data else []


def version_restricted(root: Path | str, code: str, n: int) -> list[Triple]:
    data = version_ntriples(root, code, n, restricted=True)
    return [q.triple for q in parse(data, format=RdfFormat.N_TRIPLES)] if data else []


def content_hash(triples: list[Triple]) -> tuple[str, bytes]:
    """(SHA-256 of the sorted N-Triples, those N-Triples)."""
    data = serialize(triples, format=RdfFormat.N_TRIPLES) if triples else b""
    lines = sorted(set(data.splitlines()))
    body = b"\n".join(lines) + (b"\n" if lines else b"")
    return hashlib.sha256(body).hexdigest(), body


def count_rows(triples: list[Triple]) -> int:
    return len({t.subject for t in triples if t.predicate.value == RDF_TYPE and t.object.value == SOURCE_ROW})


def _write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def record(gen: Generation, code: str, triples: list[Triple], restricted: list[Triple], pending: Pending,
           *, rows: int | None = None, dedupe: bool = False) -> Version | None:
    """Write version files for ``code`` and name them in ``gen``'s versions.json.

    Call inside :func:`policykg.graph.store.new_generation` (the write lock is held): the version
    becomes history when ``gen`` is published, and stays an orphan (removed by the next
    writer) if it never is. With ``dedupe`` (a build) a graph identical to the current
    version makes no new version. Returns the new version, or None.
    """
    root = gen.root
    cmap = committed(root)
    gmap = _read_map(gen.path) or dict(cmap)
    d = _dir(root, code)
    d.mkdir(parents=True, exist_ok=True)
    top = cmap.get(code)
    existing = sorted(int(p.stem) for p in d.glob("*.json") if p.stem.isdigit())
    if top is None:
        top = existing[-1] if existing else 0
    for p in d.iterdir():                    # orphans of a writer that died before publishing
        stem = p.name.split(".", 1)[0]
        if (stem.isdigit() and int(stem) > top) or ".tmp-" in p.name:
            p.unlink(missing_ok=True)
    sha, body = content_hash(triples)
    prev = _read(d / f"{top}.json") if top else None
    if dedupe and prev is not None and prev.content == sha:
        gmap[code] = top
        _write_atomic(gen.path / MAP, json.dumps(gmap, sort_keys=True).encode())
        return None
    n = top + 1
    _write_atomic(d / f"{n}.nt.gz", gzip.compress(body, 6, mtime=0))
    _write_atomic(d / f"{n}.restricted.nt.gz",
                  gzip.compress(serialize(restricted, format=RdfFormat.N_TRIPLES) if restricted else b"", 6, mtime=0),
                  0o600)
    v = Version(region=code, version=n, loaded=pending.loaded or now(), sha256=pending.sha256, source=pending.source,
                rows=count_rows(triples) if rows is None else rows, triples=len(set(body.splitlines())),
                content=sha, note=pending.note, date=pending.date, token=pending.token, action=pending.action,
                reverted_from=pending.reverted_from, previous=top or None)
    _write_atomic(d / f"{n}.json", json.dumps(asdict(v), ensure_ascii=False, indent=1).encode())
    gmap[code] = n
    _write_atomic(gen.path / MAP, json.dumps(gmap, sort_keys=True).encode())
    return v


def carry(gen: Generation) -> None:
    """A generation written without ``record`` (a test helper, a benchmark) keeps the map."""
    if not (gen.path / MAP).exists():
        cmap = committed(gen.root)
        if cmap:
            _write_atomic(gen.path / MAP, json.dumps(cmap, sort_keys=True).encode())


def parse_when(text: str) -> datetime:
    """An ISO date or date-time; a date alone means the end of that day (UTC); no zone = UTC."""
    text = text.strip()
    try:
        if len(text) == 10:
            d = datetime.fromisoformat(text)
            return d.replace(hour=23, minute=59, second=59, microsecond=999999, tzinfo=UTC)
        d = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"无法识别的日期时间：{text!r}（应为 ISO 8601，如 2024-06-30 或 2024-06-30T12:00:00Z）",
                         f"not a date or date-time: {text!r} (ISO 8601, e.g. 2024-06-30 or 2024-06-30T12:00:00Z)"
                         ) from None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def as_of(root: Path | str, when: datetime) -> dict[str, Version]:
    """{code: the version that was current at ``when``} (regions without one then are left out;
    a region emptied by DELETE at that time too)."""
    out: dict[str, Version] = {}
    for code in regions_with_history(root):
        best = None
        for v in history(root, code):
            if datetime.fromisoformat(v.loaded) <= when:
                best = v
        if best is not None and best.action != "delete":
            out[code] = best
    return out


def list_date(v: Version) -> str:
    """The date a version's list speaks for: its own ``--date``, else the day it was loaded."""
    return v.date or v.loaded[:10]


def older_than(root: Path | str, when: str) -> list[Version]:
    """Current versions of the regions whose list is older than ``when`` (YYYY-MM-DD): the
    tip sheet asks every list to be updated by the end of June (6月底前完成更新)."""
    limit = parse_when(when).date().isoformat() if len(when.strip()) > 10 else when.strip()
    parse_when(limit)
    out = []
    for code in sorted(committed(root)) or regions_with_history(root):
        v = current_version(root, code)
        if v is not None and v.action != "delete" and list_date(v) < limit:
            out.append(v)
    return out


def changed_since(root: Path | str, code: str, since: str) -> int | None:
    """The version a report's "changed since" compares with: a version number (``v3`` or
    ``3``), or the version current at a date. None if there is nothing before."""
    since = since.strip()
    if since.lstrip("vV").isdigit():
        return get(root, code, int(since.lstrip("vV"))).version
    at = as_of(root, parse_when(since)).get(code)
    return at.version if at else None
