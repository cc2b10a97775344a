"""``require(Modules.ApplicationStorage)``: the ``ApplicationStorage`` global over :mod:`voxsim.runtime.storage`.

Each operation runs on sqlite at once and its Promise settles on the next loop turn, as a network round trip would.
The store is the file ``SessionOptions.storage_path`` (persistent) or a fresh temporary file per session, keyed by
the application id so sessions of one application share it; expiry follows the session clock (``unix_time``).
"""

from __future__ import annotations

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
                                 application=str(session.options.application_id))
    session.extensions["storage"] = storage
    session.add_closer(storage.close)

    def settle(op: Callable[[], Any]) -> Any:
        promise, resolve, reject = realm.new_promise()
        if session.state == "terminated":
            return promise  # after Terminated the call is ignored: the promise never settles
        try:
            value = op()
        except StorageError as exc:
            error = realm.new_error("Error", str(exc))
            session.loop.call_soon(lambda: session.run_js(lambda: reject(error), where="ApplicationStorage"))
            return promise
        result = session.to_js(value)
        session.loop.call_soon(lambda: session.run_js(lambda: resolve(result), where="ApplicationStorage"))
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
