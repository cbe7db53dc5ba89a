"""The one home of the project's worker processes.

* :func:`spawn` / :func:`stop`: one daemonic child in a fresh interpreter (``spawn``) with a
  pipe to it: the server's query workers (:mod:`server.executor`) and its validation child
  (:mod:`server.api`); such a child can be killed at a timeout.
* :class:`ForkPool`: a few forked worker processes that run validation jobs one at a time.
* :func:`background`: one call in a forked child while the caller goes on (a load's
  structural validation runs beside its alignment and its new generation).

ForkPool is not ``multiprocessing.Pool``: ``run_store`` also runs inside daemonic processes (the
server's and the benchmark's validation child), which multiprocessing forbids to have
children. Workers are forked, so they inherit what the parent prepared (parsed shapes,
the shared graphs), take one job at a time over a pipe, and exit when the pipe closes:
a parent that dies or is killed stops its workers (at once on Linux, where a worker asks
for SIGKILL when its parent goes; elsewhere after their current job).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, Pipe, wait
from multiprocessing.process import BaseProcess
from typing import Any

from policykg.core import errors
from policykg.core.errors import PolicyKGError

SPAWN = multiprocessing.get_context("spawn")


def spawn(target: Callable[..., Any], *args: Any, name: str) -> tuple[BaseProcess, Connection]:
    """Start ``target(conn, *args)`` in a daemonic child started with ``spawn`` (a fresh
    interpreter: no inherited threads, locks or open store). Returns the child and the
    parent's end of the pipe whose other end is ``conn``."""
    parent, child = SPAWN.Pipe()
    proc = SPAWN.Process(target=target, args=(child, *args), daemon=True, name=name)
    proc.start()
    child.close()
    return proc, parent


def stop(proc: BaseProcess, conn: Connection | None = None, *, kill: bool = True, timeout: float = 5.0) -> None:
    """Kill (or, with ``kill=False``, only wait for) a child of :func:`spawn`; best effort."""
    with contextlib.suppress(OSError, ValueError, AssertionError):
        if kill:
            proc.kill()
        proc.join(timeout=timeout)
    if conn is not None:
        with contextlib.suppress(OSError):
            conn.close()


def cpu_count() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class ForkPool:
    """``workers`` forked processes running ``func(job)``; jobs and results are pickled."""

    def __init__(self, func: Callable[[Any], Any], workers: int) -> None:
        self._conns: list[Connection] = []
        self._pids: list[int] = []
        parent_pid = os.getpid()
        # what the workers inherit stays out of their garbage collections, which would
        # otherwise touch (and so copy) every page of it: 2x slower jobs at first
        gc.freeze()
        try:
            self._fork(func, workers, parent_pid)
        finally:
            gc.unfreeze()

    def _fork(self, func: Callable[[Any], Any], workers: int, parent_pid: int) -> None:
        for _ in range(workers):
            mine, theirs = Pipe(duplex=True)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:                                  # the worker: never returns
                code = 1
                try:
                    mine.close()
                    for c in self._conns:                 # other workers' parent ends
                        c.close()
                    _die_with(parent_pid)
                    _serve(theirs, func)
                    code = 0
                finally:
                    os._exit(code)
            theirs.close()
            self._conns.append(mine)
            self._pids.append(pid)

    def map_unordered(self, jobs: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """(job, result) as workers finish them; a failed job raises its error here."""
        pending = list(jobs)
        pending.reverse()
        idle = list(self._conns)
        busy: dict[Connection, Any] = {}
        while pending or busy:
            while idle and pending:
                conn, job = idle.pop(), pending.pop()
                conn.send(job)
                busy[conn] = job
            for conn in wait(list(busy)):
                job = busy.pop(conn)        # type: ignore[call-overload]
                value = _receive(conn, ("校验工作进程意外退出", "a validation worker process died"))  # type: ignore[arg-type]
                idle.append(conn)           # type: ignore[arg-type]
                yield job, value

    def close(self, *, kill: bool = False) -> None:
        for conn in self._conns:
            with contextlib.suppress(OSError):
                if not kill:
                    conn.send(None)
            conn.close()
        for pid in self._pids:
            if kill:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self._conns, self._pids = [], []

    def __enter__(self) -> ForkPool:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(kill=exc_type is not None)


@contextlib.contextmanager
def background(func: Callable[..., Any], *args: Any) -> Iterator[Callable[[], Any]]:
    """Run ``func(*args)`` in one forked child while the block goes on.

    The block gets a callable that waits for the child and returns its result (or raises
    its error, as :class:`ForkPool` does); leaving the block kills a child not yet waited
    for. The child inherits ``args`` as they are (nothing is pickled but the result). With
    one CPU there is nothing to overlap: ``func`` runs at once, in this process.
    """
    if cpu_count() < 2 or not hasattr(os, "fork"):
        value = func(*args)
        yield lambda: value
        return
    pool = ForkPool(lambda _job: func(*args), 1)
    conn = pool._conns[0]
    conn.send(0)
    waited = False

    def result() -> Any:
        nonlocal waited
        waited = True
        return _receive(conn, ("后台工作进程意外退出", "a background worker process died"))

    try:
        yield result
    finally:
        pool.close(kill=not waited)


def jobs(conn: Connection) -> Iterator[Any]:
    """A worker's jobs, as they arrive: ends when the parent sends ``None`` or goes away."""
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        yield job


def _serve(conn: Connection, func: Callable[[Any], Any]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # Ctrl-C is the parent's to handle
    for job in jobs(conn):
        try:
            out: tuple[str, Any] = ("ok", func(job))
        except PolicyKGError as exc:
            out = ("error", (type(exc).__name__, exc.zh, exc.en, exc.where))
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
            out = ("error", ("PolicyKGError", f"校验工作进程出错：{exc!r}", f"validation worker failed: {exc!r}"))
        try:
            conn.send(out)
        except OSError:
            return


def _receive(conn: Connection, died: tuple[str, str]) -> Any:
    """A worker's answer to one job: its result, or its error raised here."""
    try:
        tag, value = conn.recv()
    except (EOFError, OSError) as exc:
        raise PolicyKGError(*died) from exc
    if tag == "error":
        raise _error(*value)
    return value


def _error(name: str, zh: str, en: str, where: str | None = None) -> PolicyKGError:
    """A worker's error again, as its own class when that takes (zh, en, where=…)."""
    cls = getattr(errors, name, PolicyKGError)
    if not (isinstance(cls, type) and issubclass(cls, PolicyKGError)):
        cls = PolicyKGError
    return cls(zh, en, where=where)


def _die_with(parent_pid: int) -> None:
    """Linux: SIGKILL this worker when its parent dies (PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    if os.getppid() != parent_pid:                    # the parent died before prctl
        os._exit(1)
