"""Event targets with VoxEngine listener semantics, on pyee.

Every JS-visible object that fires events (VoxEngine, Call, players, clients, WebSockets) owns an :class:`Emitter`.
JS listeners run each as its own JS task (so an exception in one is logged with its JS stack and the next listener
still runs); Python listeners (media, easyProcess, tests) get the Python payload dict. Each dispatch is traced as an
``event`` record whether or not anybody listens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pyee import EventEmitter

from voxsim.engine.errors import HostJSError, JSThrow

if TYPE_CHECKING:
    from .session import Session

__all__ = ["Emitter", "trace_value"]

PyListener = Callable[[dict[str, Any]], object]


def trace_value(value: Any) -> Any:
    """A JSON-safe copy of a payload value: host objects become their ``trace_id`` (or class name)."""
    if value is None or isinstance(value, (str, int, float, bool)):  # before the Mapping ABC check: most values
        return value
    if isinstance(value, Mapping):
        return {str(k): trace_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [trace_value(v) for v in value]
    ident = getattr(value, "trace_id", None)
    if isinstance(ident, str):
        return ident
    return type(value).__name__


class _JSListener:
    """A JS listener as pyee holds it: runs ``fn`` as its own JS task (one small object per listener, not a closure
    and its cells: a session registers a few dozen)."""

    __slots__ = ("emitter", "js_function", "event")

    def __init__(self, emitter: Emitter, fn: Any, event: str) -> None:
        self.emitter = emitter
        self.js_function = fn
        self.event = event

    def __call__(self, payload_js: Any) -> Any:
        emitter = self.emitter
        return emitter.session.call_js(self.js_function, emitter.this, [payload_js], where=self.event)


class _PyListener:
    """A Python listener as pyee holds it: called with the payload dict (the JS payload is ignored)."""

    __slots__ = ("listener",)
    js_function = None

    def __init__(self, listener: PyListener) -> None:
        self.listener = listener

    def __call__(self, payload_js: Any, payload: dict[str, Any]) -> object:
        return self.listener(payload)


class Emitter:
    """Listeners of one event target, keyed by the event's string value (``Call.Connected``).

    Args:
        session: the owning session (runs JS listeners, owns the trace).
        target: the id written as ``target`` in trace records (``session``, a call id, a client id).
        this: the host object passed as ``this`` to JS listeners (``None`` for ``undefined``).
    """

    def __init__(self, session: Session, target: str, this: object | None = None) -> None:
        self.session = session
        self.target = target
        self.this = this
        self._ee = EventEmitter()
        # Nothing a listener does may vanish: a Python error inside pyee's own dispatch is reported to the session.
        self._ee.on("error", self._pyee_error)
        self._js: dict[tuple[str, int], _JSListener] = {}

    def _pyee_error(self, exc: BaseException) -> None:
        self.session.internal_error(exc, where=f"listener on {self.target}")

    def add_js_listener(self, event: str, fn: Any) -> None:
        """``addEventListener(event, fn)``: the same function twice is registered once, like the DOM."""
        key = (event, id(fn))
        if key in self._js:
            return
        run = _JSListener(self, fn, event)
        self._js[key] = run
        self._ee.on(event, run)

    def remove_js_listener(self, event: str, fn: Any = None) -> None:
        """``removeEventListener(event, fn?)``: without ``fn`` every listener of ``event`` goes (Python ones stay)."""
        for key in [k for k in self._js if k[0] == event and (fn is None or k[1] == id(fn))]:
            self._ee.remove_listener(event, self._js.pop(key))

    def on(self, event: str, listener: PyListener) -> None:
        """Register a Python listener called with the payload dict (before JS listeners added later)."""
        self._ee.on(event, _PyListener(listener))

    def listener_count(self, event: str) -> int:
        """How many listeners (JS and Python) ``event`` has."""
        return len(self._ee.listeners(event))

    def emit(self, event: str, payload: dict[str, Any] | None = None, *, trace: bool = True,
             results: list[Any] | None = None) -> bool:
        """Fire ``event`` with ``payload`` (``name`` is added); returns False when the session no longer delivers it.
        ``results`` collects the JS listeners' return values (``AppEvents.HttpRequest`` answers with them)."""
        session = self.session
        if not session.delivers(event):
            return False
        payload = dict(payload or {})
        payload.setdefault("name", event)
        if trace:
            data = {k: trace_value(v) for k, v in payload.items() if k != "name"}
            call_id = getattr(payload.get("call"), "trace_id", None) if self.target == "session" else None
            extra = {"call": call_id} if isinstance(call_id, str) else {}
            session.trace.record("event", name=event, target=self.target, data=data, **extra)
        listeners = self._ee.listeners(event)
        if not listeners:
            return True
        payload_js = session.to_js(payload)
        for listener in listeners:
            if not session.delivers(event):
                break
            if getattr(listener, "js_function", None) is not None:
                if listener in self._ee.listeners(event):  # removed by an earlier listener: skip, like the DOM
                    value = listener(payload_js)
                    if results is not None:
                        results.append(value)
            else:
                try:
                    listener(payload_js, payload)
                except (JSThrow, HostJSError) as exc:  # JS called from a Python listener threw
                    session.script_error(exc, where=event)
                except Exception as exc:  # a bug in a Python listener must not stop the JS ones
                    session.internal_error(exc, where=f"Python listener for {event} on {self.target}")
        return True

    def clear(self) -> None:
        """Drop every listener (after the object's last event)."""
        self._ee.remove_all_listeners()
        self._ee.on("error", self._pyee_error)
        self._js.clear()
