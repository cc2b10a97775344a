"""The conformance worker pool: results arrive, and a hung or crashing item fails alone."""

from __future__ import annotations

import os
import time

from voxsim.tools.conformance.pool import run_pool


def _work(x: int) -> str:
    if x == 3:
        time.sleep(30)  # hangs: the watchdog must kill it
    if x == 5:
        os._exit(9)  # dies: the pool must replace the worker
    if x == 7:
        raise ValueError("bad item")
    return f"ok {x}"


def test_pool_survives_hangs_crashes_and_errors() -> None:
    results = dict(run_pool(range(10), _work, jobs=2, timeout=1.0, on_failure=lambda i, why: f"failed: {why}"))
    assert set(results) == set(range(10))
    assert results[0] == "ok 0" and results[9] == "ok 9"
    assert results[3] == "failed: timed out after 1 s"
    assert results[5].startswith("failed: worker died")
    assert results[7] == "failed: ValueError: bad item"


def test_pool_inline_mode_keeps_order() -> None:
    results = list(run_pool([1, 2, 7], _work, jobs=1, timeout=1.0, on_failure=lambda i, why: "failed"))
    assert results == [(1, "ok 1"), (2, "ok 2"), (7, "failed")]
