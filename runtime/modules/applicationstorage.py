"""``require(Modules.ApplicationStorage)``: the ``ApplicationStorage`` global over :mod:`voxsim.runtime.storage`.

Each operation runs on sqlite at once and its Promise settles on the next loop turn, as a network round trip would.
On real time the file is opened in an executor thread (WAL + schema is disk-bound, 5–40 ms, and would stall the
media ticks of every other session on the loop); operations issued meanwhile run, in order, once it is open. Virtual
time opens it at once, so runs stay reproducible.
The store is the file ``SessionOptions.storage_path`` (persistent) or a fresh temporary file per session, keyed by
the application id so sessions of one application share it; expiry follows the session clock (``unix_time``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from voxsim.engine.host import to_py
from voxsim.engine.operations import to_number, to_string
from voxsim.engine.values import UNDEFINED

from ..storage import ApplicationStorage, StorageError

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["install"]


def install(session: Session) -> None:
    """Define the ``ApplicationStorage`` global for this session."""
    realm = session.realm
    storage = ApplicationStorage(session.options.storage_path, now=session.clock.unix_time,
                                 application=str(session.options.application_id), connect=False)
    session.extensions["storage"] = storage
    opening: asyncio.Future[None] | None = None
    if session.clock.virtual:
        storage.connect()
    else:
        opening = session.loop.run_in_executor(None, storage.connect)

    async def close() -> None:
        if opening is not None:
            with contextlib.suppress(Exception):  # a failed open was reported as an internal error
                await opening
        storage.close()

    session.add_closer(close)

    def run(op: Callable[[], Any], resolve: Any, reject: Any) -> None:
        if session.state == "terminated":
            return
        try:
            value = op()
        except StorageError as exc:
            error = realm.new_error("Error", str(exc))
            session.loop.call_soon(lambda: session.run_js(lambda: reject(error), where="ApplicationStorage"))
            return
        result = session.to_js(value)
        session.loop.call_soon(lambda: session.run_js(lambda: resolve(result), where="ApplicationStorage"))

    failed: list[BaseException] = []
    pending: deque[tuple[Callable[[], Any], Any, Any]] = deque()  # operations issued while the file opens

    def opened(future: asyncio.Future[None]) -> None:
        nonlocal opening
        exc = future.exception() if not future.cancelled() else asyncio.CancelledError()
        opening = None
        if exc is not None:  # the file cannot be opened: voxsim's (or the disk's) failure, not the scenario's
            failed.append(exc)
            pending.clear()
            if session.state in ("new", "running"):
                session.internal_error(exc, where="ApplicationStorage")
            return
        while pending:
            run(*pending.popleft())

    if opening is not None:
        opening.add_done_callback(opened)

    def settle(op: Callable[[], Any]) -> Any:
        promise, resolve, reject = realm.new_promise()
        if session.state == "terminated" or failed:
            return promise  # after Terminated the call is ignored: the promise never settles
        if opening is not None:
            pending.append((op, resolve, reject))  # run in the scenario's order once the file is open
        else:
            run(op, resolve, reject)
        return promise

    def text(value: Any) -> Any:
        return to_py(value) if isinstance(value, str) else value  # non-strings are rejected by the store

    def number(value: Any) -> float | None:
        return None if value is UNDEFINED else to_number(value)

    def get(key: Any = UNDEFINED) -> Any:
        return settle(lambda: _js(storage.get(text(key))))

    def put(key: Any = UNDEFINED, value: Any = UNDEFINED, ttl: Any = UNDEFINED) -> Any:
        stored = to_py(to_string(value)) if isinstance(value, (float, bool)) else text(value)
        return settle(lambda: storage.put(text(key), stored, number(ttl)).to_js())

    def remove(key: Any = UNDEFINED) -> Any:
        return settle(lambda: storage.remove(text(key)).to_js())

    def keys(pattern: Any = UNDEFINED, count: Any = UNDEFINED) -> Any:
        pat = None if pattern is UNDEFINED or pattern is None else to_py(to_string(pattern))
        return settle(lambda: {"keys": storage.keys(pat, number(count))})

    namespace = realm.new_object()
    for name, fn, length in (("get", get, 1), ("put", put, 3), ("remove", remove, 1), ("keys", keys, 2)):
        namespace.define(name, realm.new_host_function(name, fn, length))
    session.define_global("ApplicationStorage", namespace)


def _js(entry: Any) -> Any:
    return None if entry is None else entry.to_js()
