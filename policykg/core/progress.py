"""Progress on stderr for long work; silent when not a terminal unless asked."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

Progress = Callable[[str], None]


def stderr_progress(enabled: bool = True) -> Progress:
    start = time.monotonic()

    def report(message: str) -> None:
        if enabled:
            print(f"[{time.monotonic() - start:6.1f}s] {message}", file=sys.stderr, flush=True)

    return report


def silent(message: str) -> None:  # noqa: ARG001 - same signature as a reporter
    return None
