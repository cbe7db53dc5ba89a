"""The embedded store: pyoxigraph on disk, one named graph per source, swapped atomically.

Only this module imports pyoxigraph's ``Store``. A store directory holds generations::

    STORE/current -> gen-20241127T101500-1234/      (a symlink, replaced atomically)
    STORE/gen-…/oxigraph/                            the RocksDB store (public graphs only,
                                                     graph/statistics derived from the others)
    STORE/gen-…/restricted.nq                        personal data (mode 0600), never served

A build or a load writes a *new* generation and then points ``current`` at it with one
``rename``; a build that fails or is killed leaves ``current`` where it was. Readers
open ``current`` read-only and notice a new generation by its name.

Default-graph rule: queries see the RDF merge (set union) of all public named graphs as
their default graph, materialized in the store's default graph at every build or load
(:func:`merge_default_graph`), unless a request names graphs (``default-graph-uri``).
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, Triple, parse, serialize

from policykg.core.errors import StoreError

from .locking import write_lock

CURRENT = "current"
KEEP_GENERATIONS = 3
MANIFEST = "manifest.json"     # written last: a generation without it is partial (see _prune)


@dataclass(frozen=True)
class Generation:
    root: Path            # the store directory
    path: Path            # the generation directory

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def oxigraph_dir(self) -> Path:
        return self.path / "oxigraph"

    @property
    def restricted_file(self) -> Path:
        return self.path / "restricted.nq"


def current(root: Path | str) -> Generation:
    root = Path(root)
    link = root / CURRENT
    if not link.exists():
        raise StoreError(
            f"找不到图谱存储 {root}：请先运行 `policykg build`",
            f"no store at {root}: run `policykg build` first",
        )
    return Generation(root, (root / os.readlink(link)).resolve() if link.is_symlink() else link)


def generation_name(root: Path | str) -> str | None:
    """The current generation's name, cheap enough to check on every request."""
    try:
        return os.readlink(Path(root) / CURRENT)
    except OSError:
        return None


def open_read_only(root: Path | str) -> Store:
    gen = current(root)
    try:
        return Store.read_only(str(gen.oxigraph_dir))
    except OSError as exc:
        raise StoreError(f"无法打开图谱存储 {gen.path}：{exc}", f"cannot open store {gen.path}: {exc}") from exc


QUERY_STORE_MODES = ("auto", "memory", "disk")
MEMORY_LIMIT_BYTES = 1 << 30   # auto: copy into memory when the generation's RocksDB is at most 1 GiB


def query_store_mode(mode: str | None = None) -> str:
    """``memory``, ``disk`` or ``auto`` (the default; ``POLICYKG_QUERY_STORE`` sets it)."""
    mode = (mode or os.environ.get("POLICYKG_QUERY_STORE") or "auto").strip().lower()
    if mode not in QUERY_STORE_MODES:
        raise StoreError(f"POLICYKG_QUERY_STORE 只能是 auto、memory 或 disk，而不是 {mode!r}",
                         f"POLICYKG_QUERY_STORE must be auto, memory or disk, not {mode!r}")
    return mode


def open_for_queries(root: Path | str, mode: str | None = None) -> tuple[Store, str]:
    """The store a long-lived reader (the server's query workers) should query, and which it is.

    RocksDB answers a query 1.5-3x slower than Oxigraph's in-memory store on the same data
    (each term met is decoded through RocksDB reads; benchmarks/README.md has the figures).
    A server process lives long and the data change only with the generation, so it copies the
    generation into memory once (about 5 s and 0.4 GB for 390,000 triples) unless the copy would
    be too large: ``auto`` copies generations whose RocksDB files take at most 1 GiB.
    A one-shot ``policykg query`` keeps reading the disk, where opening is instant.
    """
    disk = open_read_only(root)
    if not wants_memory(root, mode):
        return disk, "disk"
    return copy_to_memory(disk), "memory"


def wants_memory(root: Path | str, mode: str | None = None) -> bool:
    """Whether a long-lived reader should copy the current generation into memory."""
    mode = query_store_mode(mode)
    return mode == "memory" or (mode == "auto" and _rocksdb_bytes(current(root)) <= MEMORY_LIMIT_BYTES)


def copy_to_memory(disk: Store) -> Store:
    """Every quad of ``disk`` in a new in-memory Store (N-Quads through Rust, no Python objects)."""
    mem = Store()
    load_keeping_labels(mem, disk.dump(format=RdfFormat.N_QUADS))
    return mem


def load_keeping_labels(store: Store | WriteHandle, data: bytes,
                        to_graph: NamedNode | DefaultGraph | None = None) -> None:
    """Bulk-load N-Quads (or, with ``to_graph``, N-Triples into that graph) keeping blank node
    labels as written.

    ``bulk_load`` gives every blank node a new label; a generation copied through it would
    differ, label by label, from the one it copies (the ontology's qb component
    specifications and lists are blank nodes), and a graph loaded apart from the default
    graph would no longer share its blank nodes. The few lines that may hold one (``_:``
    anywhere) go through :func:`pyoxigraph.parse`, which keeps labels; the rest through
    ``bulk_load``, in Rust.
    """
    if not data:
        return
    fmt = RdfFormat.N_QUADS if to_graph is None else RdfFormat.N_TRIPLES
    extra = {} if to_graph is None else {"to_graph": to_graph}
    if b"_:" not in data:
        store.bulk_load(data, format=fmt, **extra)
        return
    plain, blank = [], []
    for line in data.splitlines(keepends=True):
        (blank if b"_:" in line else plain).append(line)
    if plain:
        store.bulk_load(b"".join(plain), format=fmt, **extra)
    parsed = parse(b"".join(blank), format=fmt)
    store.bulk_extend(parsed if to_graph is None else (Quad(q.subject, q.predicate, q.object, to_graph) for q in parsed))


def _dump_graphs(store: Store, graphs: Iterable[NamedNode | DefaultGraph]) -> list[tuple[NamedNode | DefaultGraph, bytes]]:
    return [(g, store.dump(format=RdfFormat.N_TRIPLES, from_graph=g)) for g in graphs]


class _Writer(threading.Thread):
    """Bulk-loads graphs' N-Triples into a RocksDB store in the background (``bulk_load``
    releases the GIL): a staged generation's named graphs are written while ``finish``
    derives the default and statistics graphs."""

    def __init__(self, disk: Store, chunks: list[tuple[NamedNode | DefaultGraph, bytes]]) -> None:
        super().__init__(name="policykg-generation-writer", daemon=True)
        self.disk, self.chunks = disk, chunks
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.chunks.reverse()
            while self.chunks:                   # each dump freed once written: a lower peak
                graph, data = self.chunks.pop()
                load_keeping_labels(self.disk, data, graph)
                del data
        except BaseException as exc:  # noqa: BLE001 - re-raised by the thread that joins
            self.error = exc


def _rocksdb_bytes(gen: Generation) -> int:
    return sum(p.stat().st_size for p in gen.oxigraph_dir.rglob("*") if p.is_file())


def _new_generation(root: Path) -> Generation:
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    path = root / f"gen-{stamp}-{os.getpid()}-{time.monotonic_ns() % 1_000_000:06d}"
    path.mkdir()
    return Generation(root, path)


def _publish(gen: Generation) -> None:
    """Point ``current`` at ``gen`` atomically (symlink + rename), then prune old ones."""
    tmp = gen.root / f".current-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(gen.path.name, tmp)
    os.replace(tmp, gen.root / CURRENT)
    _prune(gen.root)


def _prune(root: Path) -> None:
    """Keep the newest ``KEEP_GENERATIONS`` complete generations (a server may still be reading
    an older one); remove partial ones.

    Called under the write lock, so a generation without a manifest that is not the current
    one was left by a writer that died (kill -9): it is removed. Complete ones are ordered
    by the sequence number in their manifest, not by modification time (a copy or a touch
    changes that).
    """
    live = generation_name(root)
    complete: list[tuple[int, Path]] = []
    for p in root.glob("gen-*"):
        if not p.is_dir() or p.name == live:
            continue
        seq = _manifest_seq(p)
        if seq is None:
            shutil.rmtree(p, ignore_errors=True)
        else:
            complete.append((seq, p))
    complete.sort()
    for _, p in complete[: max(0, len(complete) + 1 - KEEP_GENERATIONS)]:
        shutil.rmtree(p, ignore_errors=True)
    for p in root.glob(".building-*"):
        shutil.rmtree(p, ignore_errors=True)


def _manifest_seq(path: Path) -> int | None:
    """The generation's sequence number from its manifest, or None if it has none (partial)."""
    try:
        return int(json.loads((path / MANIFEST).read_text(encoding="utf-8"))["sequence"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_manifest(gen: Generation) -> None:
    """Mark ``gen`` complete: its manifest, written (and synced) after everything else."""
    live = generation_name(gen.root)
    seq = (_manifest_seq(gen.root / live) or 0) + 1 if live else 1
    files = {str(p.relative_to(gen.path)): p.stat().st_size for p in sorted(gen.path.rglob("*")) if p.is_file()}
    data = json.dumps({"sequence": seq, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                       "files": len(files), "bytes": sum(files.values())}, ensure_ascii=False).encode()
    tmp = gen.path / (MANIFEST + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, gen.path / MANIFEST)


class WriteHandle:
    """The writable store of a generation being built, usable only inside its block.

    pyoxigraph closes RocksDB only when the last reference goes; a caller's ``as (st, gen)``
    would keep the writer open after the block while readers open the same directory (and
    a background compaction can delete files under them). The handle drops its store at
    the end of the block, so the writer is really closed before the generation is published.
    """

    def __init__(self, store: Store) -> None:
        self._store: Store | None = store

    def __getattr__(self, name: str):
        if self._store is None:
            raise StoreError("该代存储已关闭", "this store generation is closed for writing")
        return getattr(self._store, name)

    def _close(self) -> Store | None:
        store, self._store = self._store, None
        return store


@contextmanager
def new_generation(root: Path | str, *, copy_current: bool = False,
                   finish: Callable[[Store], object] | None = None,
                   in_memory: bool = False, derived: Collection[str] = (),
                   gate: Callable[[], object] | None = None) -> Iterator[tuple[WriteHandle, Generation]]:
    """Yield a writable store in a fresh generation; publish it only if the block succeeds.

    With ``copy_current`` the new generation starts as a copy of the current one (used by
    ``load`` to replace one region's graph and keep the rest). Before publishing, ``finish``
    runs on the store: by default the default graph becomes the merge of the named graphs;
    the write pipelines pass :func:`policykg.graph.derive.refresh`, which also recounts the
    statistics graph (the store knows nothing of derived data).
    The whole block runs under the store's write lock (:mod:`policykg.graph.locking`), and the
    generation's manifest is written last.

    ``in_memory`` stages the generation in an in-memory store (for writers that rewrite
    whole graphs and the default graph, as build and load do): the block and ``finish`` run
    there, and the RocksDB store is written once, by bulk loads: the named graphs but
    ``derived`` (those ``finish`` rewrites, e.g. graph/statistics) in a background thread
    while ``finish`` runs, then the default graph, ``derived`` and any graph ``finish``
    added (``finish`` must change no other named graph). RocksDB writes cost
    about 10 µs a quad and removals 36 µs; a 10,000-row load wrote, removed and re-read the
    same 330,000 quads several times (benchmarks/bigload.py).
    A current generation over :data:`MEMORY_LIMIT_BYTES` is staged on disk, as without it.

    ``gate`` runs once the generation is written, before it is marked complete: if it
    raises, the generation is dropped (a load's structural validation, run beside the
    writing, refuses the load there).
    """
    root = Path(root)
    with write_lock(root):
        yield from _write_generation(root, copy_current, finish, in_memory, frozenset(derived), gate)


def _write_generation(root: Path, copy_current: bool, finish: Callable[[Store], object] | None,
                      in_memory: bool, derived: frozenset[str], gate: Callable[[], object] | None,
                      ) -> Iterator[tuple[WriteHandle, Generation]]:
    gen = _new_generation(root)
    ok = False
    handle: WriteHandle | None = None
    try:
        cur = current(root) if copy_current and generation_name(root) else None
        staged = in_memory and (cur is None or _rocksdb_bytes(cur) <= MEMORY_LIMIT_BYTES)
        if cur is not None:
            if staged:
                work = copy_to_memory(Store.read_only(str(cur.oxigraph_dir)))
            else:
                Store.read_only(str(cur.oxigraph_dir)).backup(str(gen.oxigraph_dir))
            if cur.restricted_file.exists():
                shutil.copy2(cur.restricted_file, gen.restricted_file)
            if (cur.path / "versions.json").exists():      # which version each region is (policykg.versions)
                shutil.copy2(cur.path / "versions.json", gen.path / "versions.json")
        elif staged:
            work = Store()
        handle = WriteHandle(work if staged else Store(str(gen.oxigraph_dir)))
        yield handle, gen
        store = handle._close()
        assert store is not None
        writer = None
        if staged:
            disk = Store(str(gen.oxigraph_dir))
            kept = [g for g in store.named_graphs() if g.value not in derived]
            writer = _Writer(disk, _dump_graphs(store, kept))
            writer.start()
        try:
            (finish or merge_default_graph)(store)
        finally:
            if writer is not None:
                writer.join()
        if writer is not None:
            if writer.error is not None:
                raise writer.error
            written = set(kept)
            rest = [DefaultGraph(), *(g for g in store.named_graphs() if g.value in derived or g not in written)]
            for graph in rest:
                load_keeping_labels(disk, store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph), graph)
            del store, work, writer
            store = disk
        store.flush()
        del store
        gc.collect()
        if gate is not None:
            gate()
        _write_manifest(gen)
        ok = True
    finally:
        if handle is not None:
            handle._close()
        if ok:
            _publish(gen)
        else:
            gc.collect()
            shutil.rmtree(gen.path, ignore_errors=True)


def put_graph(store: Store | WriteHandle, graph_iri: str, triples: Iterable[Triple] | bytes) -> int:
    """Replace one named graph's content: triples, or their N-Triples (as a child process's
    result arrives). Returns the number of triples written.

    Triples go through N-Triples too: serialized and bulk-loaded in Rust, 330,000 of them take
    0.9 s, against 1.8 s as Python quads."""
    g = NamedNode(graph_iri)
    if store.contains_named_graph(g):
        store.remove_graph(g)
    data = triples if isinstance(triples, bytes) else serialize(triples, format=RdfFormat.N_TRIPLES)
    load_keeping_labels(store, data, g)
    return data.count(b"\n")


def merge_default_graph(store: Store) -> None:
    """Make the default graph the RDF merge (a set) of all named graphs.

    Oxigraph's union-default-graph mode is a bag: a triple present in two graphs (the
    source document's description, a shared service category) would match twice and
    skew COUNTs. A materialized merge gives researchers set semantics, as Jena's union
    graph does, at the cost of storing each triple once more.
    """
    store.clear_graph(DefaultGraph())
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


def write_restricted(gen: Generation, graph_iri: str, triples: list[Triple]) -> None:
    """Personal data: kept out of the public store, in a file only its owner can read."""
    keep: list[Quad] = []
    g = NamedNode(graph_iri)
    if gen.restricted_file.exists():
        keep = [q for q in parse(path=str(gen.restricted_file), format=RdfFormat.N_QUADS)
                if q.graph_name != g]
    keep += [Quad(t.subject, t.predicate, t.object, g) for t in triples]
    data = serialize(keep, format=RdfFormat.N_QUADS) if keep else b""
    fd = os.open(gen.restricted_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def graph_sizes(store: Store) -> dict[str, int]:
    """Triples per named graph (the default graph is their merge and not listed)."""
    sizes: dict[str, int] = {}
    for sol in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        sizes[sol["g"].value] = int(sol["n"].value)
    return sizes


def disk_size(root: Path | str) -> int:
    gen = current(root)
    return sum(p.stat().st_size for p in gen.path.rglob("*") if p.is_file())
