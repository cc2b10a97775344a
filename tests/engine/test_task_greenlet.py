"""Outer tasks run in one long-lived, roomy task greenlet per thread: results, errors and threads behave as before."""

from __future__ import annotations

import threading

import pytest

from voxsim.engine.errors import JSThrow
from voxsim.engine.realm import Realm


def test_tasks_share_one_worker_and_propagate_results_and_errors() -> None:
    realm = Realm()
    ok = realm.compile_script("function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); } fib(15);", "a.js")
    bad = realm.compile_script("throw new TypeError('boom');", "b.js")
    assert realm.run_task(ok.run) == 610.0
    with pytest.raises(JSThrow, match="boom"):
        realm.run_task(bad.run)
    assert realm.run_task(ok.run) == 610.0
    with pytest.raises(ZeroDivisionError):  # a host bug is not swallowed by the worker
        realm.run_task(lambda: 1 / 0)
    assert realm.run_task(lambda: "after") == "after"


def test_generators_suspended_across_tasks_resume() -> None:
    realm = Realm()
    realm.run_task(realm.compile_script("function* g() { yield 1; yield 2; } var it = g(); it.next();", "a.js").run)
    assert realm.run_task(realm.compile_script("it.next().value", "b.js").run) == 2.0


def test_each_thread_gets_its_own_worker() -> None:
    out: list[object] = []

    def work() -> None:
        realm = Realm()
        out.append(realm.run_task(realm.compile_script("6 * 7", "t.js").run))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == [42.0, 42.0]
