"""The store-wide write lock: one read-modify-publish at a time, across processes.

Two loads started together each copied the current generation, changed their region and
published; the second publish dropped the first one's change (issue 19.5). Every writer
(build, load, revert, Graph Store writes) now holds an exclusive ``flock`` on
``STORE/.write.lock`` from before it copies the current generation until after it has
published. A second writer waits its turn and says so. The lock is re-entrant within a
process (a Graph Store write holds it around its own read and ``new_generation``), and the
kernel releases it when a holder dies, even by SIGKILL.
"""

from __future__ import annotations

import fcntl
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = ".write.lock"
_local = threading.RLock()
_held: dict[str, tuple[int, int]] = {}       # store dir -> (fd, depth), guarded by _local


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def write_lock(root: Path | str, notify: Callable[[str], None] = _say) -> Iterator[None]:
    """Hold the store's write lock for the block (waiting, with a message, if another holds it)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    key = str(root.resolve())
    with _local:
        if key in _held:                     # re-entered by this process: already ours
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
            try:
                yield
            finally:
                fd, depth = _held[key]
                _held[key] = (fd, depth - 1)
            return
        fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                notify(f"另一个写入正在进行，等待其完成… / another write to {root} is in progress; waiting for it")
                fcntl.flock(fd, fcntl.LOCK_EX)
            _held[key] = (fd, 1)
            try:
                yield
            finally:
                del _held[key]
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
