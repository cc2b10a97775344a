"""A pool of forked worker processes with a wall-clock watchdog per item.

Conformance tests are hostile input: one may loop in a regex, exhaust memory or crash the interpreter. Each worker
handles one item at a time; the parent kills and replaces a worker that overruns its time-out or dies, and records
that item as failed, so one bad test never stops the run.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

__all__ = ["run_pool"]

T = TypeVar("T")
R = TypeVar("R")

_STACK_SIZE = 512 * 1024 * 1024  # deep JS recursion uses many Python frames; give them a big C stack


def _worker_main(conn: Connection, fn: Callable[[Any], Any]) -> None:
    def loop() -> None:
        while True:
            try:
                item = conn.recv()
            except EOFError:
                return
            if item is None:
                return
            try:
                result = fn(item)
            except BaseException as exc:  # noqa: BLE001 - report anything, the parent decides
                result = exc.__class__.__name__ + ": " + str(exc)[:300]
                result = ("error", result)
            else:
                result = ("ok", result)
            conn.send(result)

    threading.stack_size(_STACK_SIZE)
    t = threading.Thread(target=loop)
    t.start()
    t.join()


class _Worker(Generic[T]):
    def __init__(self, ctx: Any, fn: Callable[[T], Any]) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, fn), daemon=True)
        self.proc.start()
        child.close()
        self.item: T | None = None
        self.deadline = 0.0

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()


def run_pool(items: Iterable[T], fn: Callable[[T], R], jobs: int, timeout: float,
             on_failure: Callable[[T, str], R]) -> Iterator[tuple[T, R]]:
    """Yield ``(item, fn(item))`` as results arrive (unordered); a crash or time-out yields ``on_failure(item, why)``.

    With ``jobs <= 1`` the items run in this process, in order, without a watchdog (for debugging).
    """
    import time

    if jobs <= 1:
        for item in items:
            try:
                yield item, fn(item)
            except Exception as exc:  # noqa: BLE001
                yield item, on_failure(item, f"{exc.__class__.__name__}: {exc}")
        return
    ctx = mp.get_context("fork")
    pending = iter(items)
    workers: list[_Worker[T]] = []
    exhausted = False

    def feed(w: _Worker[T]) -> bool:
        nonlocal exhausted
        if exhausted:
            return False
        try:
            item = next(pending)
        except StopIteration:
            exhausted = True
            return False
        w.item = item
        w.deadline = time.monotonic() + timeout
        w.conn.send(item)
        return True

    try:
        for _ in range(jobs):
            w: _Worker[T] = _Worker(ctx, fn)
            if feed(w):
                workers.append(w)
            else:
                w.conn.send(None)
                w.kill()
                break
        while workers:
            now = time.monotonic()
            next_deadline = min(w.deadline for w in workers)
            ready = wait([w.conn for w in workers], timeout=max(0.0, next_deadline - now))
            for w in list(workers):
                assert w.item is not None
                item = w.item
                if w.conn in ready:
                    try:
                        status, value = w.conn.recv()
                    except (EOFError, OSError):
                        code = w.proc.exitcode
                        w.kill()
                        workers.remove(w)
                        yield item, on_failure(item, f"worker died (exit code {code})")
                        nw: _Worker[T] = _Worker(ctx, fn)
                        if feed(nw):
                            workers.append(nw)
                        else:
                            nw.conn.send(None)
                            nw.kill()
                        continue
                    yield item, (value if status == "ok" else on_failure(item, value))
                    if not feed(w):
                        w.conn.send(None)
                        w.proc.join(5)
                        workers.remove(w)
                elif time.monotonic() >= w.deadline:
                    w.kill()
                    workers.remove(w)
                    yield item, on_failure(item, f"timed out after {timeout:g} s")
                    nw = _Worker(ctx, fn)
                    if feed(nw):
                        workers.append(nw)
                    else:
                        nw.conn.send(None)
                        nw.kill()
    finally:
        for w in workers:
            w.kill()
