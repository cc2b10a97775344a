"""``require(Modules.ACD)``: ``VoxEngine.enqueueACDRequest`` and ``ACDRequest`` on the simulated network.

Call-centre scenarios queue the caller and bridge whoever the ACD reaches. The platform's queues and agents live in
the control panel; here a queue has one agent [inferred]: the network's user callee named like the queue
(``callees: {"user:helpers": {answer_after: 3}}`` or ``helpers``; the network default otherwise). The request is
``Queued`` on the next loop turn, the agent is dialled as a user call (``OperatorCallAttempt`` with ``operatorCall``),
and when it answers ``OperatorReached`` carries the connected ``operatorCall``. An agent call that fails gives
``OperatorFailed`` (``operatorUserName``, ``statusCode``) and the request is retried after ``RETRY_SECONDS``, as a
queued request waits for the next free agent. A callee with ``offline: true`` makes the queue ``Offline`` (the request
is not queued). ``getStatus()`` fires ``Waiting`` (``position`` 1, ``ewt`` 0) while queued; ``cancel()`` leaves the
queue and hangs up an agent call that has not been reached yet. ``QueueFull`` and ``Error`` never fire.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from voxsim.engine.host import HostObject, js_method, to_py
from voxsim.engine.values import UNDEFINED

from ..call import Call, add_event_listener, remove_event_listener
from ..emitter import Emitter

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["ACDRequest", "install", "RETRY_SECONDS"]

RETRY_SECONDS = 10.0


class ACDRequest(HostObject):
    """JS ``ACDRequest``: one caller waiting in a queue."""

    js_class = "ACDRequest"

    def __init__(self, session: Session, queue: str, callerid: str, headers: Mapping[str, str]) -> None:
        self.session = session
        self.trace_id = session.new_id("acd")
        self.events = Emitter(session, self.trace_id, this=self)
        self.queue = queue
        self.callerid = callerid
        self.headers = dict(headers)
        self.state = "new"  # new → queued → calling → reached | offline | cancelled
        self.operator_call: Call | None = None
        self._timer: Any = None

    def _emit(self, name: str, **payload: Any) -> None:
        self.events.emit(f"ACD.{name}", {"request": self, **payload})

    def start(self) -> None:
        """Join the queue (on the loop turn after ``enqueueACDRequest``)."""
        if self.state != "new":
            return
        if self.session.network.lookup(self.queue, kind="user").extra.get("offline"):
            self.state = "offline"
            self._emit("Offline")
            return
        self.state = "queued"
        self._emit("Queued")
        self._dial()

    def _dial(self) -> None:
        self._timer = None
        if self.state != "queued" or self.session.state != "running":
            return
        self.state = "calling"
        call = Call.outgoing(self.session, kind="user", number=self.queue, callerid=self.callerid,
                             headers=self.headers)
        self.operator_call = call
        call.events.on("Call.Connected", lambda _e: self._reached(call))
        call.events.on("Call.Failed", lambda e: self._failed(call, e))
        self._emit("OperatorCallAttempt", operatorCall=call)

    def _reached(self, call: Call) -> None:
        if self.state == "calling" and call is self.operator_call:
            self.state = "reached"
            self._emit("OperatorReached", operatorCall=call)

    def _failed(self, call: Call, event: Mapping[str, Any]) -> None:
        if self.state != "calling" or call is not self.operator_call:
            return
        self.state = "queued"
        self.operator_call = None
        self._emit("OperatorFailed", operatorUserName=self.queue, statusCode=event.get("code", 480))
        self._timer = self.session.clock.call_later(RETRY_SECONDS, self._dial)

    @js_method("id")
    def _js_id(self) -> Any:
        return self.trace_id

    @js_method("getStatus")
    def _js_get_status(self) -> Any:
        if self.state in ("queued", "calling"):
            self.session.loop.call_soon(lambda: self._emit("Waiting", position=1, ewt=0))
        return UNDEFINED

    @js_method("cancel")
    def _js_cancel(self) -> Any:
        if self.state in ("new", "queued", "calling"):
            if self.state == "calling" and self.operator_call is not None:
                self.operator_call.hangup()
            self.state = "cancelled"
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        return UNDEFINED

    @js_method("addEventListener")
    def _js_add_event_listener(self, event: Any = UNDEFINED, callback: Any = UNDEFINED) -> Any:
        add_event_listener(self.session, self.events, event, callback, "ACDRequest.addEventListener",
                           type_error="ACDRequest.addEventListener")
        return UNDEFINED

    @js_method("removeEventListener")
    def _js_remove_event_listener(self, event: Any = UNDEFINED, callback: Any = UNDEFINED) -> Any:
        remove_event_listener(self.events, event, callback)
        return UNDEFINED


def install(session: Session) -> None:
    """``require(Modules.ACD)``: adds ``VoxEngine.enqueueACDRequest(queueName, callerid, {headers, …})``."""
    from ..voxengine import extend

    def enqueue(queue: Any = UNDEFINED, callerid: Any = UNDEFINED, parameters: Any = UNDEFINED) -> Any:
        opts = to_py(parameters) if parameters is not UNDEFINED else None
        headers = opts.get("headers") if isinstance(opts, Mapping) else None
        request = ACDRequest(session, "" if queue is UNDEFINED else str(to_py(queue)),
                             "" if callerid is UNDEFINED else str(to_py(callerid)),
                             {str(k): str(v) for k, v in headers.items()} if isinstance(headers, Mapping) else {})
        session.loop.call_soon(lambda: session.run_js(request.start, where="ACD"))
        return request

    from ..globals import trap_missing_members

    trap_missing_members(session, ACDRequest)
    extend(session, "enqueueACDRequest", enqueue, 3)
