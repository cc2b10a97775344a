"""The Call object: one leg on the simulated network, its state machine and its events.

States ALERTING (inbound, not answered), PROGRESSING (outbound dialling, or inbound early media), CONNECTED,
TERMINATED change only through :meth:`Call._set_state`, which fires ``Call.StateChanged``. The far end's behaviour
comes from the session's :class:`~voxsim.runtime.network.Network`. Every event is fired as its own loop callback, so
code after ``answer()``/``hangup()`` in the same handler runs first, as on the platform.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from voxsim.engine.errors import JSErrorFromHost, JSTypeError
from voxsim.engine.host import HostObject, js_method, to_py
from voxsim.engine.values import UNDEFINED, JSFunction

from .call_extras import CallExtras
from .emitter import Emitter
from .events import CallEvents, CallState, is_event_name
from .network import NO_ANSWER_TIMEOUT, REASONS, Callee, Caller

if TYPE_CHECKING:
    import asyncio

    from .session import Session

__all__ = ["Call", "MEDIA_MEMBERS", "event_name", "add_event_listener", "remove_event_listener"]

#: Call members the media layer provides (JS name → Python method name on ``call.media``).
MEDIA_MEMBERS: dict[str, str] = {
    "say": "say",
    "startPlayback": "start_playback",
    "stopPlayback": "stop_playback",
    "playProgressTone": "play_progress_tone",
    "record": "record",
    "stopRecording": "stop_recording",
    "sendMediaTo": "send_media_to",
    "stopMediaTo": "stop_media_to",
}

_DIGITS = re.compile(r"[0-9*#A-Da-dpP]*")
_SIP_DOMAIN = "voxsim.local"


def event_name(session: Session, value: Any, where: str) -> str | None:
    """The event string of an ``addEventListener`` argument (an enum member is already its string value).

    ``undefined`` (e.g. a misspelt ``CallEvents.Conected``) records a warning and returns ``None``.
    """
    if isinstance(value, str):
        if value.startswith(("Call.", "Application.")) and not is_event_name(value):
            session.warn(f"{where}: {value!r} is not a VoxEngine event; the listener is never called", source=where)
        return value
    session.warn(f"{where}: event is {session.realm.display(value)}; the listener is never called", source=where)
    return None


def add_event_listener(session: Session, events: Emitter, event: Any, callback: Any, where: str, *,
                       type_error: str | None = None, functions_only: bool = False) -> None:
    """``addEventListener(event, callback)`` as every VoxEngine object takes it from JS (one place for all of them).

    A bad ``event`` warns (:func:`event_name`). A ``callback`` that is not a function throws
    ``TypeError("<type_error>: the listener must be a function")`` when ``type_error`` is given, is ignored with
    ``functions_only``, and is otherwise registered (the objects differ here as they do on the platform).
    """
    name = event_name(session, event, where)
    if name is None:
        return
    if not isinstance(callback, JSFunction):
        if type_error is not None:
            raise JSTypeError(f"{type_error}: the listener must be a function")
        if functions_only:
            return
    events.add_js_listener(name, callback)


def remove_event_listener(events: Emitter, event: Any, callback: Any) -> None:
    """``removeEventListener(event, callback?)`` from JS: a non-string event does nothing; no callback removes all."""
    if isinstance(event, str):
        events.remove_js_listener(event, None if callback is UNDEFINED else callback)


def _headers(value: Any) -> dict[str, str]:
    if value is UNDEFINED or value is None:
        return {}
    data = to_py(value)
    if not isinstance(data, Mapping):
        raise JSTypeError("headers must be an object of header names to values")
    return {str(k): str(v) for k, v in data.items()}


def _str(value: Any, default: str = "") -> str:
    if value is UNDEFINED or value is None:
        return default
    return value if isinstance(value, str) else str(to_py(value)) if not isinstance(value, float) else (
        str(int(value)) if value.is_integer() else str(value))


class Call(HostObject, CallExtras):
    """One call leg. Create with :meth:`incoming` or :meth:`outgoing`; Python code uses the snake_case methods."""

    js_class = "Call"

    def __init__(self, session: Session, *, incoming: bool, number: str, callerid: str, display_name: str = "",
                 client_type: str = "pstn", headers: Mapping[str, str] | None = None,
                 custom_data: str | None = None) -> None:
        self.session = session
        self.trace_id = session.new_id("call")
        self.events = Emitter(session, self.trace_id, this=self)
        self.is_incoming = incoming
        self.number = number
        self.callerid = callerid
        self.display_name = display_name
        self.client_type = client_type
        self.headers = dict(headers or {})
        self.custom_data = custom_data
        self.state = CallState.ALERTING if incoming else CallState.PROGRESSING
        self.connected_at: float | None = None
        self.handle_tones = False
        self.caller: Caller | None = None
        self.callee: Callee | None = None
        self._handles: list[asyncio.Handle] = []
        self._answer_pending = False
        session.register_call(self)
        media_layer = session.extensions.get("media")
        self.media: Any = media_layer.attach_call(self) if media_layer is not None else None

    # -- construction ------------------------------------------------------------------------------------------

    @classmethod
    def incoming(cls, session: Session, caller: Caller) -> Call:
        """The inbound call of a session (before ``CallAlerting``)."""
        call = cls(session, incoming=True, number=caller.destination, callerid=caller.callerid,
                   display_name=caller.display_name, client_type=caller.scheme, headers=caller.headers,
                   custom_data=caller.custom_data)
        call.caller = caller
        return call

    @classmethod
    def outgoing(cls, session: Session, *, kind: str, number: str, callerid: str = "", display_name: str = "",
                 headers: Mapping[str, str] | None = None, lookup: str | None = None) -> Call:
        """Dial ``number`` (``kind`` = pstn/sip/user/whatsapp/conference) and play its network behaviour."""
        client_type = {"whatsapp": "wab", "conference": "sip"}.get(kind, kind)
        call = cls(session, incoming=False, number=number, callerid=callerid, display_name=display_name,
                   client_type=client_type, headers=headers)
        call.callee = session.network.lookup(lookup or number, kind=kind)
        if kind == "user" and session.extensions.get("pushservice"):
            from .modules.pushservice import PUSH_RESULT

            call._soon(lambda: call._fire("PushSent", {"result": PUSH_RESULT}))
        call._dial(call.callee, conference=kind == "conference")
        return call

    def alerting_payload(self) -> dict[str, Any]:
        """The ``AppEvents.CallAlerting`` payload for this inbound call."""
        payload: dict[str, Any] = {
            "call": self,
            "callerid": self.callerid,
            "destination": self.number,
            "displayName": self.display_name,
            "toURI": f"sip:{self.number}@{_SIP_DOMAIN}",
            "fromURI": f"sip:{self.callerid}@{_SIP_DOMAIN}",
            "headers": {"VI-Client-Type": self.client_type, **self.headers},
            "scheme": self.client_type,
        }
        if self.custom_data is not None:
            payload["customData"] = self.custom_data
        return payload

    def arm_alerting(self) -> None:
        """Start the inbound call's clocks: 60 s unanswered → dropped (408), or the caller gives up earlier."""
        self._later(NO_ANSWER_TIMEOUT, self._unanswered)
        if self.caller is not None and self.caller.abandon_after is not None:
            self._later(self.caller.abandon_after, lambda: self._remote_gone_before_answer(487))

    # -- the state door ----------------------------------------------------------------------------------------

    def _set_state(self, new: str) -> None:
        old = self.state
        if old == new:
            return
        self.state = new
        self._fire("StateChanged", {"oldState": old, "newState": new})

    def _fire(self, member: str, extra: Mapping[str, Any] | None = None) -> None:
        payload: dict[str, Any] = {"call": self, "id": self.trace_id}
        payload.update(extra or {})
        self.events.emit(str(CallEvents[member]), payload)

    def _later(self, delay: float, callback: Callable[[], None]) -> None:
        self._handles.append(self.session.clock.call_later(delay, self._guard(callback)))

    def _soon(self, callback: Callable[[], None]) -> None:
        # call_soon, not call_later(0): the ready queue is FIFO, so answer() then hangup() keep their order.
        self._handles.append(self.session.clock.call_soon(self._guard(callback)))

    def _guard(self, callback: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                callback()
            except Exception as exc:
                self.session.internal_error(exc, where=f"{self.trace_id} network event")

        return run

    def _end(self) -> None:
        for handle in self._handles:
            handle.cancel()
        self._handles.clear()
        self.session.call_gone(self)

    # -- far-end behaviour ---------------------------------------------------------------------------------------

    def _dial(self, callee: Callee, conference: bool) -> None:
        if conference:
            self._soon(lambda: self._remote_answered({}))
            return
        if callee.fail is not None:
            if callee.ring and callee.ring_after < callee.after:
                self._later(callee.ring_after, self._remote_ringing)
            self._later(callee.after, lambda: self._failed(int(callee.fail or 0)))
            return
        if callee.answer_after is None or callee.answer_after >= NO_ANSWER_TIMEOUT:
            if callee.ring:
                self._later(callee.ring_after, self._remote_ringing)
            self._later(NO_ANSWER_TIMEOUT, lambda: self._failed(408))
            return
        if callee.ring and callee.ring_after < callee.answer_after:
            self._later(callee.ring_after, self._remote_ringing)
        self._later(callee.answer_after, lambda: self._remote_answered(callee.headers))

    def _remote_ringing(self) -> None:
        if self.state != CallState.PROGRESSING:
            return
        self._fire("Ringing", {"headers": {}})
        if self.callee is not None and self.callee.early_media:
            self._fire("AudioStarted", {"headers": {}})

    def _remote_answered(self, headers: Mapping[str, str]) -> None:
        if self.state != CallState.PROGRESSING:
            return
        self._connect(dict(headers))
        if not (self.callee is not None and self.callee.early_media):
            self._fire("AudioStarted", {"headers": {}})
        if self.callee is not None:
            self._schedule_party(self.callee.hangup_after, self.callee.dtmf)

    def _connect(self, headers: dict[str, str]) -> None:
        self.connected_at = self.session.clock.now()
        self._set_state(CallState.CONNECTED)
        payload: dict[str, Any] = {"headers": headers}
        if self.custom_data is not None:
            payload["customData"] = self.custom_data
        self._fire("Connected", payload)

    def _schedule_party(self, hangup_after: float | None, dtmf: tuple[tuple[float, str], ...]) -> None:
        for at, digits in dtmf:
            self._later(at, functools.partial(self._remote_digits, digits))
        if hangup_after is not None:
            self._later(hangup_after, lambda: self._disconnect(200, "Normal call clearing", remote=True))

    def _remote_digits(self, digits: str) -> None:
        for i, digit in enumerate(digits):
            self._later(i * 0.2, functools.partial(self.receive_tone, digit))

    def _failed(self, code: int) -> None:
        if self.state not in (CallState.PROGRESSING, CallState.ALERTING):
            return
        self._set_state(CallState.TERMINATED)
        self._fire("Failed", {"headers": {}, "code": code, "reason": REASONS.get(code, "Failed")})
        self._end()

    def _unanswered(self) -> None:
        if self.is_incoming and self.state in (CallState.ALERTING, CallState.PROGRESSING):
            self._remote_gone_before_answer(408)

    def _remote_gone_before_answer(self, code: int) -> None:
        if self.state in (CallState.ALERTING, CallState.PROGRESSING):
            self._disconnect(code, REASONS.get(code, "Request Terminated"), remote=True)

    def _disconnect(self, code: int, reason: str, remote: bool, headers: Mapping[str, str] | None = None) -> None:
        if self.state == CallState.TERMINATED:
            return
        duration = 0.0 if self.connected_at is None else round(self.session.clock.now() - self.connected_at, 3)
        self._set_state(CallState.TERMINATED)
        self._fire("Disconnected", {
            "headers": dict(headers or {}),
            "internalCode": code,
            "reason": reason,
            "duration": duration,
            "cost": 0,
            "direction": "incoming" if self.is_incoming else "outgoing",
        })
        self._end()

    def remote_hangup(self) -> None:
        """The far end hangs up a connected call (a caller script's ``hangup``): ``Disconnected`` 200."""
        if self.state == CallState.CONNECTED:
            self._disconnect(200, "Normal call clearing", remote=True)

    def emit(self, name: str, payload: Mapping[str, Any] | None = None) -> None:
        """Fire a call event by its string value (``Call.PlaybackFinished``) from another layer (media);
        ``call`` and ``id`` are added to the payload."""
        full: dict[str, Any] = {"call": self, "id": self.trace_id}
        full.update(payload or {})
        self.events.emit(name, full)

    def receive_tone(self, digit: str, tone_type: int = 1) -> None:
        """A DTMF digit from the far end: ``Call.ToneReceived`` when ``handleTones(true)`` is on."""
        if self.state == CallState.CONNECTED and self.handle_tones:
            self._fire("ToneReceived", {"tone": digit, "type": str(tone_type)})

    def drop(self) -> None:
        """End the call silently (the session is terminating: no events reach the scenario any more)."""
        if self.state != CallState.TERMINATED:
            self.state = CallState.TERMINATED
            self._end()

    # -- Python API (what the JS members do) --------------------------------------------------------------------

    def answer(self, headers: Mapping[str, str] | None = None) -> None:
        """Answer an inbound call: ``Connected`` on the next turn; the caller's scripted actions start then."""
        if not self.is_incoming or self.state not in (CallState.ALERTING, CallState.PROGRESSING):
            if self.state != CallState.CONNECTED:  # answering a connected call again is harmless (easyProcess does)
                self.session.warn(f"{self.trace_id}.answer() ignored in state {self.state}", target=self.trace_id)
            return

        self._answer_pending = True

        def connect() -> None:
            self._answer_pending = False
            if self.state in (CallState.ALERTING, CallState.PROGRESSING):
                self._connect(dict(headers or {}))
                if self.caller is not None:
                    self._schedule_party(self.caller.hangup_after, self.caller.dtmf)

        self._soon(connect)

    def reject(self, code: int = 603, headers: Mapping[str, str] | None = None) -> None:
        """Reject an inbound call before it is answered: ``Disconnected`` with that code."""
        if not self.is_incoming or self.state not in (CallState.ALERTING, CallState.PROGRESSING):
            self.session.warn(f"{self.trace_id}.reject() ignored in state {self.state}", target=self.trace_id)
            return
        self._soon(lambda: self._disconnect(code, REASONS.get(code, "Rejected"), remote=False, headers=headers))

    def hangup(self, headers: Mapping[str, str] | None = None) -> None:
        """Hang up: connected (or being answered) → ``Disconnected``; outbound still dialling → ``Failed`` 487;
        inbound not answered → rejected (603)."""
        if self.state == CallState.TERMINATED:
            return
        if self.state == CallState.CONNECTED or self._answer_pending:
            self._soon(lambda: self._disconnect(200, "Normal call clearing", remote=False, headers=headers))
        elif self.is_incoming:
            self.reject(603, headers)
        else:
            self._soon(lambda: self._failed(487))

    def ring(self) -> None:
        """Send 180 Ringing to an inbound caller (no event)."""
        # The simulated caller hears ringback; nothing observable changes for the scenario.

    def start_early_media(self) -> None:
        """Inbound early media: the call goes PROGRESSING [inferred]."""
        if self.is_incoming and self.state == CallState.ALERTING:
            self._set_state(CallState.PROGRESSING)

    def send_digits(self, digits: str) -> None:
        """Send DTMF to the far end (traced as a tone span, 200 ms a digit, 1 s per ``p`` pause)."""
        if not _DIGITS.fullmatch(digits):
            raise JSTypeError(f"sendDigits: expected digits 0-9 * # A-D p, got {digits!r}")
        if self.state != CallState.CONNECTED or not digits:
            return
        hook = getattr(self.media, "send_digits", None)
        if hook is not None:
            hook(digits)
        seconds = sum(1.0 if d in "pP" else 0.2 for d in digits)
        self.session.trace.record("media", action="start", source=self.trace_id, kind="tone", text=digits)
        # not a call handle: the span must close even if the call ends meanwhile
        self.session.clock.call_later(seconds, lambda: self.session.trace.record(
            "media", action="stop", source=self.trace_id, kind="tone", reason="end"))

    def transfer_to(self, to: str, headers: Mapping[str, str] | None = None) -> None:
        """SIP REFER to ``to``: ``TransferComplete`` when the target answers (then this leg ends), else
        ``TransferFailed`` with the target's failure code."""
        if self.state != CallState.CONNECTED:
            self._soon(lambda: self._fire("TransferFailed", {"code": 481, "reason": "Call is not connected"}))
            return
        target = self.session.network.lookup(to)
        if target.fail is not None:
            code = target.fail
            self._later(target.after, lambda: self._fire("TransferFailed", {"code": code, "reason": REASONS.get(code, "Failed")}))
        elif target.answer_after is None:
            self._later(NO_ANSWER_TIMEOUT, lambda: self._fire("TransferFailed", {"code": 408, "reason": REASONS[408]}))
        else:
            def complete() -> None:
                if self.state == CallState.CONNECTED:
                    self._fire("TransferComplete", {"role": "transferor"})
                    self._disconnect(200, "Transferred", remote=False)

            self._later(target.answer_after, complete)

    # -- JS members --------------------------------------------------------------------------------------------

    @js_method("id")
    def _js_id(self) -> str:
        return self.trace_id

    @js_method("state")
    def _js_state(self) -> str:
        return self.state

    @js_method("incoming")
    def _js_incoming(self) -> bool:
        return self.is_incoming

    @js_method("callerid")
    def _js_callerid(self) -> str:
        return self.callerid

    @js_method("displayName")
    def _js_display_name(self) -> str:
        return self.display_name

    @js_method("number")
    def _js_number(self) -> str:
        return self.number

    @js_method("clientType")
    def _js_client_type(self) -> str:
        return self.client_type

    @js_method("customData")
    def _js_custom_data(self, data: Any = UNDEFINED) -> Any:
        if data is not UNDEFINED:
            self.custom_data = _str(data)
        return UNDEFINED if self.custom_data is None else self.custom_data

    @js_method("toString")
    def _js_to_string(self) -> str:
        return f"Call {self.trace_id} ({self.state})"

    @js_method("addEventListener")
    def _js_add_event_listener(self, event: Any = UNDEFINED, callback: Any = UNDEFINED) -> Any:
        add_event_listener(self.session, self.events, event, callback, "call.addEventListener")
        return UNDEFINED

    @js_method("removeEventListener")
    def _js_remove_event_listener(self, event: Any = UNDEFINED, callback: Any = UNDEFINED) -> Any:
        remove_event_listener(self.events, event, callback)
        return UNDEFINED

    @js_method("answer")
    def _js_answer(self, headers: Any = UNDEFINED, parameters: Any = UNDEFINED) -> Any:
        self.answer(_headers(headers))
        return UNDEFINED

    @js_method("answerDirect")
    def _js_answer_direct(self, peer: Any = UNDEFINED, headers: Any = UNDEFINED, parameters: Any = UNDEFINED) -> Any:
        self.answer(_headers(headers))
        return UNDEFINED

    @js_method("reject")
    def _js_reject(self, code: Any = UNDEFINED, headers: Any = UNDEFINED) -> Any:
        self.reject(int(code) if isinstance(code, float) and code.is_integer() else 603, _headers(headers))
        return UNDEFINED

    @js_method("decline")
    def _js_decline(self, code: Any = UNDEFINED, headers: Any = UNDEFINED) -> Any:
        return self._js_reject(code, headers)

    @js_method("hangup")
    def _js_hangup(self, headers: Any = UNDEFINED) -> Any:
        self.hangup(_headers(headers))
        return UNDEFINED

    @js_method("ring")
    def _js_ring(self, headers: Any = UNDEFINED) -> Any:
        self.ring()
        return UNDEFINED

    @js_method("startEarlyMedia")
    def _js_start_early_media(self, headers: Any = UNDEFINED, scheme: Any = UNDEFINED) -> Any:
        self.start_early_media()
        return UNDEFINED

    @js_method("handleTones")
    def _js_handle_tones(self, do_handle: Any = UNDEFINED, types: Any = UNDEFINED) -> Any:
        self.handle_tones = bool(do_handle) and do_handle is not UNDEFINED
        hook = getattr(self.media, "handle_tones", None)
        if hook is not None:
            hook(self.handle_tones)
        return UNDEFINED

    @js_method("sendDigits")
    def _js_send_digits(self, digits: Any = UNDEFINED) -> Any:
        self.send_digits(_str(digits))
        return UNDEFINED

    @js_method("transferTo")
    def _js_transfer_to(self, parameters: Any = UNDEFINED) -> Any:
        data = to_py(parameters) if parameters is not UNDEFINED else {}
        if isinstance(data, str):
            data = {"to": data}
        if not isinstance(data, Mapping) or not data.get("to"):
            raise JSTypeError("transferTo: expected {to, call?, headers?}")
        self.transfer_to(str(data["to"]), data.get("headers") if isinstance(data.get("headers"), Mapping) else None)
        return UNDEFINED

    @js_method("sendMessage")
    def _js_send_message(self, text: Any = UNDEFINED) -> Any:
        return UNDEFINED  # the simulated far end has no messaging client

    @js_method("sendInfo")
    def _js_send_info(self, mime_type: Any = UNDEFINED, body: Any = UNDEFINED, headers: Any = UNDEFINED) -> Any:
        return UNDEFINED  # SIP INFO to the simulated far end: accepted, nobody reads it

    def media_call(self, js_name: str, args: tuple[Any, ...]) -> Any:
        """Call the media layer's implementation of a JS media member (``"startPlayback"``) with JS arguments."""
        return self._media_member(js_name, args)

    def _media_member(self, js_name: str, args: tuple[Any, ...]) -> Any:
        handler = getattr(self.media, MEDIA_MEMBERS[js_name], None) if self.media is not None else None
        if handler is None:
            raise JSErrorFromHost(f"call.{js_name} is not emulated yet")
        if self.session.state not in ("new", "running"):
            return UNDEFINED
        result = handler(*args)
        return UNDEFINED if result is None else result

    @js_method("say")
    def _js_say(self, text: Any = UNDEFINED, parameters: Any = UNDEFINED) -> Any:
        return self._media_member("say", (text, parameters))

    @js_method("startPlayback")
    def _js_start_playback(self, url: Any = UNDEFINED, parameters: Any = UNDEFINED) -> Any:
        return self._media_member("startPlayback", (url, parameters))

    @js_method("stopPlayback")
    def _js_stop_playback(self) -> Any:
        return self._media_member("stopPlayback", ())

    @js_method("playProgressTone")
    def _js_play_progress_tone(self, country: Any = UNDEFINED) -> Any:
        return self._media_member("playProgressTone", (country,))

    @js_method("record")
    def _js_record(self, parameters: Any = UNDEFINED) -> Any:
        return self._media_member("record", (parameters,))

    @js_method("stopRecording")
    def _js_stop_recording(self) -> Any:
        return self._media_member("stopRecording", ())

    @js_method("sendMediaTo")
    def _js_send_media_to(self, unit: Any = UNDEFINED, parameters: Any = UNDEFINED) -> Any:
        return self._media_member("sendMediaTo", (to_py(unit), parameters))

    @js_method("stopMediaTo")
    def _js_stop_media_to(self, unit: Any = UNDEFINED) -> Any:
        return self._media_member("stopMediaTo", (to_py(unit),))

    # The Python side of media routing used by VoxEngine.sendMediaBetween and other units.
    def send_media_to(self, unit: Any, parameters: Any = UNDEFINED) -> None:
        """Route this call's audio to ``unit`` (delegates to the media layer)."""
        self._media_member("sendMediaTo", (unit, parameters))

    def stop_media_to(self, unit: Any) -> None:
        """Stop routing this call's audio to ``unit``."""
        self._media_member("stopMediaTo", (unit,))
