"""The ``CallList`` global: a call-list task reports its outcome (``reportResult``/``reportError``/``reportProgress``/
``requestNextAttempt`` and their ``…Async`` forms, per the voximplant/voxengine-ci typings).

On the platform each report is an HTTP request to the call-list service, answered with a ``Net.HttpRequestResult``.
voxsim has no call-list service, so a report is answered locally [inferred]: it is traced as an outgoing ``http``
exchange to ``https://calllist.voxsim.local/<method>`` (body: the report as JSON), kept in
``session.extensions["calllist"]`` (a list of ``(method, report)`` for tests), and answered on the next loop turn with
``{code: 200, text: '{"result":true}', headers: []}``: the callback is called, the ``…Async`` promise resolves.
``CallList`` needs no ``require`` (the typings' ``Modules`` has no ``CallList``; ``require(Modules.CallList)`` is a
warned no-op as for every undefined module).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from voxsim.engine.host import HostObject, to_py
from voxsim.engine.values import UNDEFINED, JSFunction

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["install", "METHODS", "SERVICE_URL", "report_json"]

#: The callback forms (the ``…Async`` form of each returns a Promise instead).
METHODS: tuple[str, ...] = ("reportResult", "reportError", "reportProgress", "requestNextAttempt")

#: Where the trace says the reports went [inferred].
SERVICE_URL = "https://calllist.voxsim.local/"

_ANSWER = '{"result":true}'


def _plain(value: Any) -> Any:
    if isinstance(value, HostObject):
        return getattr(value, "trace_id", None) or type(value).__name__
    return str(value)


def report_json(value: Any) -> str:
    """A report as the JSON text the service would get (a string stays as it is)."""
    data = to_py(value)
    if isinstance(data, str):
        return data
    return json.dumps(data, default=_plain, ensure_ascii=False)


def install(session: Session) -> None:
    """Define the ``CallList`` global."""
    realm = session.realm
    reports: list[tuple[str, Any]] = session.extensions.setdefault("calllist", [])

    def send(method: str, value: Any) -> dict[str, Any] | None:
        if session.state == "terminated":
            return None
        body = report_json(value)
        reports.append((method, body if isinstance(to_py(value), str) else json.loads(body)))
        url = SERVICE_URL + method
        session.trace.record("http", direction="out", phase="request", method="POST", url=url, body=body,
                             target="session")
        session.trace.record("http", direction="out", phase="response", method="POST", url=url, status=200,
                             body=_ANSWER, target="session")
        return {"code": 200, "text": _ANSWER, "headers": []}

    def with_callback(method: str) -> Any:
        def fn(value: Any = UNDEFINED, callback: Any = UNDEFINED) -> Any:
            result = send(method, value)
            if result is not None and isinstance(callback, JSFunction):
                session.loop.call_soon(lambda: session.call_js(callback, UNDEFINED, [result], where=f"CallList.{method}"))
            return UNDEFINED

        return fn

    def with_promise(method: str) -> Any:
        def fn(value: Any = UNDEFINED) -> Any:
            promise, resolve, _reject = realm.new_promise()
            result = send(method, value)
            if result is not None:
                answer = session.to_js(result)
                session.loop.call_soon(lambda: session.run_js(lambda: resolve(answer), where=f"CallList.{method}Async"))
            return promise

        return fn

    namespace = realm.new_object()
    for method in METHODS:
        namespace.define(method, realm.new_host_function(method, with_callback(method), 2))
        namespace.define(method + "Async", realm.new_host_function(method + "Async", with_promise(method), 1))
    session.define_global("CallList", namespace)
