"""policykg.pool.background: one call in a forked child while the caller goes on (a load's
structural validation runs beside its alignment and its new generation)."""

from __future__ import annotations

import os
import time

import pytest

from policykg import pool
from policykg.core.errors import PolicyKGError, UsageError


def _pid_and_double(n: int) -> tuple[int, int]:
    if n == 13:
        raise UsageError("十三不行", "not thirteen", where="第13行")
    if n == 99:
        os._exit(3)
    if n == 7:
        time.sleep(60)
    return os.getpid(), 2 * n


def test_background_runs_in_a_child_and_returns_its_result(monkeypatch):
    monkeypatch.setattr(pool, "cpu_count", lambda: 2)
    with pool.background(_pid_and_double, 21) as result:
        pid, value = result()
    assert value == 42 and pid != os.getpid()


def test_background_raises_the_childs_error_as_its_class(monkeypatch):
    monkeypatch.setattr(pool, "cpu_count", lambda: 2)
    with pytest.raises(UsageError) as err, pool.background(_pid_and_double, 13) as result:
        result()
    assert (err.value.zh, err.value.en, err.value.where) == ("十三不行", "not thirteen", "第13行")
    assert str(err.value) == "第13行: 十三不行 / not thirteen"


def test_background_reports_a_child_that_died(monkeypatch):
    monkeypatch.setattr(pool, "cpu_count", lambda: 2)
    with pytest.raises(PolicyKGError, match="background worker process died"), \
            pool.background(_pid_and_double, 99) as result:
        result()


def test_leaving_the_block_kills_a_child_not_waited_for(monkeypatch):
    monkeypatch.setattr(pool, "cpu_count", lambda: 2)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="caller failed"), pool.background(_pid_and_double, 7):
        raise RuntimeError("caller failed")
    assert time.monotonic() - t0 < 30          # not the child's 60 s: it was killed


def test_one_cpu_runs_the_call_here(monkeypatch):
    monkeypatch.setattr(pool, "cpu_count", lambda: 1)
    with pool.background(_pid_and_double, 4) as result:
        assert result() == (os.getpid(), 8)
