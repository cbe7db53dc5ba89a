"""Start and stop the SPARQL servers compared over HTTP, all bound to 127.0.0.1.

Each ``*_server`` is a context manager yielding an :class:`Endpoint` (or one with
``reason`` set when the server could not run) and stopping exactly the processes it
started. Logs go to files in the benchmark's temp dir.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .httpclient import post

VENV_BIN = Path(sys.executable).parent
OXIGRAPH = shutil.which("oxigraph", path=str(VENV_BIN)) or shutil.which("oxigraph")
VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")
DEFAULT_GRAPH = "urn:x-policykg:default"     # where Virtuoso keeps the store's default graph
READY_S = float(os.environ.get("POLICYKG_BENCH_READY_S") or 600)   # how long policykg serve may take to start


@dataclass
class Endpoint:
    name: str
    url: str = ""
    params: dict[str, str] = field(default_factory=dict)   # extra protocol parameters
    reason: str | None = None                              # why it is not available
    note: str = ""                                         # how it was run
    load_s: float | None = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(ep: Endpoint, proc: subprocess.Popen, timeout: float) -> str | None:
    """None once the endpoint answers ``ASK {}`` with 200, else why not."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return f"exited with code {proc.returncode}"
        try:
            status, _ = post(ep.url, "ASK {}", ep.params, timeout=5)
            if status == 200:
                return None
            last = f"HTTP {status}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.3)
    return f"not ready after {timeout:.0f}s ({last})"


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _tail(path: Path, n: int = 5) -> str:
    try:
        return " | ".join(path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-n:])
    except OSError:
        return ""


def _loopback_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")}
    env["NO_PROXY"] = "127.0.0.1,localhost"
    env.update(extra)
    return env


# ------------------------------------------------------------------ policykg serve

@contextmanager
def policykg_server(store_dir: Path, workdir: Path, threads: int = 8, cap_s: float = 60,
                    cache: bool = True) -> Iterator[Endpoint]:
    """``policykg serve`` on a loopback port, its per-client rate limit off for the load test;
    ``cache=False``: its per-generation result cache off too (``POLICYKG_CACHE_ENTRIES=0``)."""
    port = free_port()
    name = "policykg" if cache else "policykg-uncached"
    extra = {} if cache else {"POLICYKG_CACHE_ENTRIES": "0"}
    ep = Endpoint(name, f"http://127.0.0.1:{port}/sparql",
                  note=f"policykg serve --threads {threads} --timeout {cap_s:g}, POLICYKG_RATE_LIMIT_PER_MIN=0, "
                  f"POLICYKG_MAX_IN_FLIGHT_PER_CLIENT={threads}"
                  + ("" if cache else ", POLICYKG_CACHE_ENTRIES=0 (result cache off)"))
    log = workdir / f"{name}-serve.log"
    env = _loopback_env(POLICYKG_RATE_LIMIT_PER_MIN="0", POLICYKG_MAX_IN_FLIGHT_PER_CLIENT=str(threads),
                        POLICYKG_STORE=str(store_dir), **extra)
    cmd = [str(VENV_BIN / "policykg"), "serve", "--store", str(store_dir), "--host", "127.0.0.1",
           "--port", str(port), "--threads", str(threads), "--timeout", f"{cap_s:g}"]
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        # each of its 3 query workers copies the generation into memory before answering (37 s each
        # at 101 regions on a loaded 2-core machine): 60 s was not enough on 2026-12-03
        why = _wait_ready(ep, proc, READY_S)
        if why:
            ep.reason = f"policykg serve: {why}: {_tail(log)}"
        yield ep
    finally:
        _stop(proc)


# ------------------------------------------------------------------ oxigraph server

@contextmanager
def oxigraph_server(nquads: Path, workdir: Path, cap_s: float = 60) -> Iterator[Endpoint]:
    """``oxigraph load`` into its own directory, then ``serve-read-only`` (default graph = the merge)."""
    ep = Endpoint("oxigraph-server")
    if not OXIGRAPH:
        ep.reason = "oxigraph binary not found (pip install oxigraph)"
        yield ep
        return
    loc = workdir / "oxigraph-server"
    shutil.rmtree(loc, ignore_errors=True)
    t = time.perf_counter()
    res = subprocess.run([OXIGRAPH, "load", "--location", str(loc), "--file", str(nquads)],
                         capture_output=True, text=True)
    ep.load_s = time.perf_counter() - t
    if res.returncode != 0:
        ep.reason = f"oxigraph load failed: {res.stderr.strip()[-300:]}"
        yield ep
        return
    port = free_port()
    ep.url = f"http://127.0.0.1:{port}/query"
    ep.note = f"oxigraph serve-read-only --timeout-s {cap_s:.0f} ({_oxigraph_version()})"
    log = workdir / "oxigraph-serve.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([OXIGRAPH, "serve-read-only", "--location", str(loc), "--bind", f"127.0.0.1:{port}",
                                 "--timeout-s", f"{cap_s:.0f}"],
                                stdout=fh, stderr=subprocess.STDOUT, env=_loopback_env(), start_new_session=True)
    try:
        why = _wait_ready(ep, proc, 60)
        if why:
            ep.reason = f"oxigraph serve-read-only: {why}: {_tail(log)}"
        yield ep
    finally:
        _stop(proc)


def _oxigraph_version() -> str:
    try:
        return subprocess.run([OXIGRAPH, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


# ------------------------------------------------------------------ virtuoso

VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{sql_port}
LiteMode                 = 0
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 20
CheckpointInterval       = 0
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
AllowOSCalls             = 0
DirsAllowed              = ., {d}/load
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize        = 100000
SingleCPU                = 0
PrefixResultNames        = 0
MaxMemPoolSize           = 200000000
MaxQueryMem              = 2G
VectorSize               = 1000
MaxVectorSize            = 1000000
AdjustVectorSize         = 0
ThreadsPerQuery          = 2
AsyncQueueMaxThreads     = 10
NumberOfBuffers          = {buffers}
MaxDirtyBuffers          = {dirty}

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = {d}/vsp
MaxClientConnections        = 20
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
ServerThreads               = 16
MaxKeepAlives               = 20
KeepAliveTimeout            = 10
HTTPThreadSize              = 280000
Charset                     = UTF-8
EnabledGzipContent          = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = {cap}
"""


def _isql(port: int, sql: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([ISQL, f"127.0.0.1:{port}", "dba", "dba", f"exec={sql}"],
                          capture_output=True, text=True, timeout=timeout)


@contextmanager
def virtuoso_server(nquads: Path, workdir: Path, cap_s: float = 60) -> Iterator[Endpoint]:
    """Debian's Virtuoso from a private ini in the temp dir; N-Quads bulk-loaded with ld_dir.

    The store's default graph (the merge) is loaded as ``urn:x-policykg:default`` and named
    as the default graph of every request (``default-graph-uri``): Virtuoso's own default
    is every graph at once, which would count the merge and the named graphs twice.
    """
    ep = Endpoint("virtuoso")
    if not (VIRTUOSO and ISQL):
        ep.reason = "virtuoso-t / isql-vt not installed (apt-get install virtuoso-opensource)"
        yield ep
        return
    d = workdir / "virtuoso"
    shutil.rmtree(d, ignore_errors=True)
    (d / "load").mkdir(parents=True)
    (d / "vsp").mkdir()
    os.link(nquads, d / "load" / "data.nq") if _same_fs(nquads, d) else shutil.copy(nquads, d / "load" / "data.nq")
    sql_port, http_port = free_port(), free_port()
    size_mb = nquads.stat().st_size / 2**20
    buffers = int(min(2_000_000, max(100_000, size_mb * 2000)))   # ~8 KB pages; generous for the data
    (d / "virtuoso.ini").write_text(VIRTUOSO_INI.format(d=d, sql_port=sql_port, http_port=http_port,
                                                        buffers=buffers, dirty=buffers * 3 // 4, cap=int(cap_s)), encoding="utf-8")
    proc = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(d / "virtuoso.ini")], cwd=d,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_loopback_env(),
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            if _isql(sql_port, "status();", timeout=10).returncode == 0:
                break
            time.sleep(1)
        if proc.poll() is not None or time.monotonic() >= deadline:
            ep.reason = f"virtuoso did not start: {_tail(d / 'virtuoso.log')}"
            yield ep
            return
        t = time.perf_counter()
        res = _isql(sql_port, f"ld_dir('{d / 'load'}', '*.nq', '{DEFAULT_GRAPH}'); rdf_loader_run(); checkpoint;",
                    timeout=3600)
        ep.load_s = time.perf_counter() - t
        errs = _isql(sql_port, "select ll_file, ll_error from DB.DBA.LOAD_LIST where ll_error is not null;")
        if res.returncode != 0 or "/data.nq" in errs.stdout:
            ep.reason = f"virtuoso load failed: {(res.stdout + res.stderr + errs.stdout).strip()[-400:]}"
            yield ep
            return
        ep.url = f"http://127.0.0.1:{http_port}/sparql"
        ep.params = {"default-graph-uri": DEFAULT_GRAPH}
        ep.note = f"virtuoso-t {_virtuoso_version()}, NumberOfBuffers={buffers}, MaxQueryExecutionTime={cap_s:.0f}"
        why = _wait_ready(ep, proc, 60)
        if why:
            ep.reason = f"virtuoso /sparql: {why}: {_tail(d / 'virtuoso.log')}"
        yield ep
    finally:
        _stop(proc)


def _same_fs(a: Path, b: Path) -> bool:
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False


def _virtuoso_version() -> str:
    try:
        out = subprocess.run([VIRTUOSO, "-?"], capture_output=True, text=True, timeout=10)
        for line in (out.stdout + out.stderr).splitlines():
            if "Version" in line:
                return line.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return "?"

