"""Run test262 runs by forking a prepared realm: build the realm and evaluate the harness once, fork per run.

A run's own work is small (parse, compile and run one test file); creating a realm and compiling and running
``assert.js``/``sta.js`` and the includes cost several times more. A worker keeps a few prepared realms, one per
(harness files, strictness), and forks one for each run; the child judges the test, sends the outcome over a pipe
and exits, so the prepared realm never sees what a test did to its globals. The child arms ``SIGALRM`` (whose
default action ends the process), so a hung test dies even if the worker that forked it was killed by the pool.
"""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
from collections import OrderedDict
from pathlib import Path

from .test262_exec import Outcome, Prepared, judge, prepare
from .test262_suite import Test262Run

__all__ = ["execute_forked", "CAN_FORK"]

CAN_FORK = hasattr(os, "fork")
_PREPARED: OrderedDict[tuple[tuple[str, ...], bool], Prepared] = OrderedDict()
_KEEP = 12  # prepared realms per worker (distinct harness sets are few: assert+sta plus one or two includes)


def _prepared(suite: Path, run: Test262Run) -> Prepared:
    key = (run.prelude, run.strict)
    hit = _PREPARED.get(key)
    if hit is not None:
        _PREPARED.move_to_end(key)
        return hit
    prepared = _PREPARED[key] = prepare(suite, run)
    if len(_PREPARED) > _KEEP:
        _PREPARED.popitem(last=False)
    gc.collect()
    gc.freeze()  # children would otherwise copy every page the collector touches
    return prepared


def execute_forked(suite: Path, run: Test262Run, timeout: float) -> Outcome:
    """Judge ``run`` in a fork of its prepared realm; a child that crashes or overruns ``timeout`` fails the run."""
    prepared = _prepared(suite, run)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: judge, report, leave without running any cleanup of the parent's state
        os.close(read_end)
        status = 0
        try:
            signal.alarm(max(1, int(timeout + 0.999)))
            outcome = judge(prepared, suite, run)
            data = pickle.dumps((outcome.passed, outcome.detail))
            view = memoryview(data)
            while view:
                view = view[os.write(write_end, view):]
        except BaseException:  # noqa: BLE001 - the parent reports a child that sent nothing
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    chunks: list[bytes] = []
    try:
        while True:
            ready, _, _ = select.select([read_end], [], [], timeout + 5.0)
            if not ready:
                os.kill(pid, signal.SIGKILL)
                break
            chunk = os.read(read_end, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        _, wait_status = os.waitpid(pid, 0)
    if chunks:
        passed, detail = pickle.loads(b"".join(chunks))
        return Outcome(passed, detail)
    if os.WIFSIGNALED(wait_status):
        sig = os.WTERMSIG(wait_status)
        if sig in (signal.SIGALRM, signal.SIGKILL):
            return Outcome(False, f"timed out after {timeout:g} s")
        return Outcome(False, f"the run crashed ({signal.Signals(sig).name})")
    return Outcome(False, f"the run ended without an outcome (exit status {os.waitstatus_to_exitcode(wait_status)})")
