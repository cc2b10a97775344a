"""The ``VoxEngine`` global: session events, custom data, terminate, dialling, media bridges, easyProcess.

Other parts add their members (``getSecretValue``, ``createWebSocket``, ``createTTSPlayer``…) with :func:`extend`.
``easyProcess`` and the ``forwardCallTo*`` helpers follow the official easyprocess source (voximplant/easyprocess).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from voxsim.engine.errors import JSRangeError, JSTypeError
from voxsim.engine.host import HostObject, js_method, to_js, to_py
from voxsim.engine.lazy import LazyMember, defer_members
from voxsim.engine.values import UNDEFINED, JSFunction, JSObject

from .call import Call, add_event_listener, remove_event_listener
from .events import AppEvents, CallEvents

if TYPE_CHECKING:
    from .session import Session

__all__ = ["VoxEngine", "install", "extend", "easy_process", "CUSTOM_DATA_LIMIT"]

#: ``VoxEngine.customData`` limit in bytes (UTF-8).
CUSTOM_DATA_LIMIT = 200


def _opt_str(value: Any, default: str = "") -> str:
    if value is UNDEFINED or value is None:
        return default
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return str(to_py(value))


def _opt_headers(value: Any) -> dict[str, str]:
    if value is UNDEFINED or value is None:
        return {}
    data = value if isinstance(value, Mapping) else to_py(value)
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, Mapping) else {}


def _is_options(value: Any) -> bool:
    return isinstance(value, JSObject) and not isinstance(value, JSFunction)


def check_custom_data(data: str) -> str:
    """``data`` if it fits in 200 UTF-8 bytes, else RangeError (also used by ``voxsim run --custom-data``)."""
    size = len(data.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8"))
    if size > CUSTOM_DATA_LIMIT:
        raise JSRangeError(f"VoxEngine.customData is limited to {CUSTOM_DATA_LIMIT} bytes, got {size}")
    return data


class VoxEngine(HostObject):
    """The one VoxEngine object of a session."""

    js_class = "VoxEngine"

    def __init__(self, session: Session) -> None:
        self.session = session
        self.trace_id = "session"

    def _dial(self, kind: str, number: str, callerid: str, display_name: str = "",
              headers: Mapping[str, str] | None = None) -> Call:
        if not number:
            raise JSTypeError(f"{_DIALLERS[kind]}: the destination is required")
        call = Call.outgoing(self.session, kind=kind, number=number, callerid=callerid, display_name=display_name,
                             headers=headers)
        if self.session.state != "running":
            call.drop()
        return call

    # -- events and session ------------------------------------------------------------------------------------

    @js_method("addEventListener")
    def _js_add_event_listener(self, event: Any = UNDEFINED, callback: Any = UNDEFINED) -> Any:
        add_event_listener(self.session, self.session.events, event, callback, "VoxEngine.addEventListener")
        return UNDEFINED

    @js_method("removeEventListener")
    def _js_remove_event_listener(self, event: Any = UNDEFINED, callback: Any = UNDEFINED) -> Any:
        remove_event_listener(self.session.events, event, callback)
        return UNDEFINED

    @js_method("customData")
    def _js_custom_data(self, data: Any = UNDEFINED) -> Any:
        if data is not UNDEFINED:
            self.session.custom_data = check_custom_data(_opt_str(data))
        return self.session.custom_data

    @js_method("terminate")
    def _js_terminate(self) -> Any:
        self.session.terminate()
        return UNDEFINED

    # -- dialling ----------------------------------------------------------------------------------------------

    @js_method("callPSTN")
    def _js_call_pstn(self, number: Any = UNDEFINED, callerid: Any = UNDEFINED, parameters: Any = UNDEFINED) -> Call:
        call = self._dial("pstn", _opt_str(number), _opt_str(callerid))
        from .modules.amd import attach

        attach(self.session, call, parameters)  # {amd: AMD.create(...)}: the detector listens to this call
        return call

    @js_method("callSIP")
    def _js_call_sip(self, to: Any = UNDEFINED, parameters: Any = UNDEFINED, display_name: Any = UNDEFINED,
                     password: Any = UNDEFINED, auth_user: Any = UNDEFINED, extra_headers: Any = UNDEFINED,
                     video: Any = UNDEFINED, out_proxy: Any = UNDEFINED) -> Call:
        if _is_options(parameters):
            opts = to_py(parameters)
            return self._dial("sip", _opt_str(to), _opt_str(opts.get("callerid")), _opt_str(opts.get("displayName")),
                              _opt_headers(opts.get("headers", opts.get("extraHeaders"))))
        return self._dial("sip", _opt_str(to), _opt_str(parameters), _opt_str(display_name), _opt_headers(extra_headers))

    @js_method("callUser")
    def _js_call_user(self, parameters: Any = UNDEFINED, callerid: Any = UNDEFINED, display_name: Any = UNDEFINED,
                      headers: Any = UNDEFINED, video: Any = UNDEFINED, scheme: Any = UNDEFINED) -> Call:
        if _is_options(parameters):
            opts = to_py(parameters)
            return self._dial("user", _opt_str(opts.get("username")), _opt_str(opts.get("callerid")),
                              _opt_str(opts.get("displayName")),
                              _opt_headers(opts.get("extraHeaders", opts.get("headers"))))
        return self._dial("user", _opt_str(parameters), _opt_str(callerid), _opt_str(display_name), _opt_headers(headers))

    @js_method("callUserDirect")
    def _js_call_user_direct(self, incoming: Any = UNDEFINED, username: Any = UNDEFINED,
                             parameters: Any = UNDEFINED) -> Call:
        opts = to_py(parameters) if _is_options(parameters) else {}
        return self._dial("user", _opt_str(username), _opt_str(opts.get("callerid")), _opt_str(opts.get("displayName")),
                          _opt_headers(opts.get("extraHeaders")))

    @js_method("callConference")
    def _js_call_conference(self, conference_id: Any = UNDEFINED, callerid: Any = UNDEFINED,
                            display_name: Any = UNDEFINED, headers: Any = UNDEFINED, scheme: Any = UNDEFINED) -> Call:
        return self._dial("conference", _opt_str(conference_id), _opt_str(callerid), _opt_str(display_name),
                          _opt_headers(headers))

    @js_method("callWhatsappUser")
    def _js_call_whatsapp_user(self, parameters: Any = UNDEFINED) -> Call:
        opts = to_py(parameters) if _is_options(parameters) else {"number": _opt_str(parameters)}
        return self._dial("whatsapp", _opt_str(opts.get("number")), _opt_str(opts.get("callerid")),
                          _opt_str(opts.get("displayName")), _opt_headers(opts.get("extraHeaders")))

    # -- media bridges ------------------------------------------------------------------------------------------

    @js_method("sendMediaBetween")
    def _js_send_media_between(self, unit1: Any = UNDEFINED, unit2: Any = UNDEFINED) -> Any:
        a, b = _unit(unit1, "sendMediaBetween"), _unit(unit2, "sendMediaBetween")
        a.send_media_to(b, UNDEFINED)
        b.send_media_to(a, UNDEFINED)
        return UNDEFINED

    @js_method("stopMediaBetween")
    def _js_stop_media_between(self, unit1: Any = UNDEFINED, unit2: Any = UNDEFINED) -> Any:
        a, b = _unit(unit1, "stopMediaBetween"), _unit(unit2, "stopMediaBetween")
        a.stop_media_to(b)
        b.stop_media_to(a)
        return UNDEFINED

    # -- easyProcess and forwarding ------------------------------------------------------------------------------

    @js_method("easyProcess")
    def _js_easy_process(self, call1: Any = UNDEFINED, call2: Any = UNDEFINED, on_established: Any = UNDEFINED,
                         direct: Any = UNDEFINED) -> Any:
        c1, c2 = to_py(call1), to_py(call2)
        if not isinstance(c1, Call) or not isinstance(c2, Call):
            raise JSTypeError("VoxEngine.easyProcess: expected two calls")
        easy_process(self.session, c1, c2, on_established if isinstance(on_established, JSFunction) else None)
        return UNDEFINED

    def _forward(self, dial: Callable[[dict[str, Any]], Call], on_established: Any) -> None:
        callback = on_established if isinstance(on_established, JSFunction) else None

        def alerting(payload: dict[str, Any]) -> None:
            incoming = payload["call"]
            easy_process(self.session, incoming, dial(payload), callback)

        self.session.events.on(str(AppEvents["CallAlerting"]), alerting)

    @js_method("forwardCallToPSTN")
    def _js_forward_call_to_pstn(self, number_transform: Any = UNDEFINED, on_established: Any = UNDEFINED,
                                 options: Any = UNDEFINED) -> Any:
        opts = to_py(options) if _is_options(options) else {}

        def dial(e: dict[str, Any]) -> Call:
            number: Any = e["destination"]
            if isinstance(number_transform, JSFunction):
                number = self.session.call_js(number_transform, UNDEFINED, [number], where="forwardCallToPSTN",
                                              sync=True)  # its value is the number to dial: no time slicing
            return self._dial("pstn", _opt_str(number), _opt_str(opts.get("callerid"), e["callerid"]))

        self._forward(dial, on_established)
        return UNDEFINED

    @js_method("forwardCallToUser")
    def _js_forward_call_to_user(self, on_established: Any = UNDEFINED, video: Any = UNDEFINED) -> Any:
        self._forward(lambda e: self._dial("user", e["destination"], e["callerid"], e["displayName"]), on_established)
        return UNDEFINED

    @js_method("forwardCallToUserDirect")
    def _js_forward_call_to_user_direct(self, on_established: Any = UNDEFINED) -> Any:
        self._forward(lambda e: self._dial("user", e["destination"], e["callerid"], e["displayName"]), on_established)
        return UNDEFINED

    @js_method("forwardCallToSIP")
    def _js_forward_call_to_sip(self, on_established: Any = UNDEFINED, video: Any = UNDEFINED) -> Any:
        self._forward(lambda e: self._dial("sip", e["toURI"], e["callerid"], e["displayName"]), on_established)
        return UNDEFINED


    @js_method("playSoundAndHangup")
    def _js_play_sound_and_hangup(self, file_url: Any = UNDEFINED) -> Any:
        play_sound_and_hangup(self.session, file_url)
        return UNDEFINED


_DIALLERS = {
    "pstn": "VoxEngine.callPSTN",
    "sip": "VoxEngine.callSIP",
    "user": "VoxEngine.callUser",
    "conference": "VoxEngine.callConference",
    "whatsapp": "VoxEngine.callWhatsappUser",
}


def _unit(value: Any, where: str) -> Any:
    unit = to_py(value)
    if not hasattr(unit, "send_media_to"):
        raise JSTypeError(f"VoxEngine.{where}: expected media units (calls, players, clients…), got "
                          f"{type(unit).__name__ if isinstance(unit, HostObject) else 'a non-unit value'}")
    return unit


def easy_process(session: Session, call1: Call, call2: Call, on_established: JSFunction | None = None) -> None:
    """Bridge an inbound ``call1`` to an outbound ``call2`` as VoxEngine.easyProcess does (signalling + media);
    any Failed/Disconnected on either leg ends the session."""

    def connected(e: dict[str, Any]) -> None:
        call1.answer(e.get("headers") or {})

    call2.events.on(str(CallEvents["Connected"]), connected)
    try:
        call1.send_media_to(call2, UNDEFINED)
        call2.send_media_to(call1, UNDEFINED)
    except Exception as exc:  # media not wired yet: signalling still works
        session.warn(f"easyProcess: media bridge not available ({exc})", source="easyProcess")
    if on_established is not None:
        call1.events.on(str(CallEvents["Connected"]),
                        lambda e: session.call_js(on_established, UNDEFINED, [call1, call2], where="easyProcess"))
    call2.events.on(str(CallEvents["Ringing"]), lambda e: call1.ring())
    call2.events.on(str(CallEvents["AudioStarted"]), lambda e: call1.start_early_media())
    for leg in (call1, call2):
        leg.events.on(str(CallEvents["Failed"]), lambda e: session.terminate())
        leg.events.on(str(CallEvents["Disconnected"]), lambda e: session.terminate())


def play_sound_and_hangup(session: Session, file_url: Any) -> None:
    """VoxEngine.playSoundAndHangup: answer the inbound call (the current one, or the next to alert), play the file,
    hang up when it finishes [inferred: the typings give only "play then hang up"]."""

    def handle(call: Call) -> None:
        def connected(e: dict[str, Any]) -> None:
            try:
                call.media_call("startPlayback", (file_url, UNDEFINED))
            except Exception as exc:  # no media layer: nothing to play, hang up at once
                session.warn(f"playSoundAndHangup: {exc}", source="playSoundAndHangup")
                call.hangup()

        call.events.on(str(CallEvents["Connected"]), connected)
        call.events.on(str(CallEvents["PlaybackFinished"]), lambda e: call.hangup())
        call.answer()

    current = [c for c in session.calls.values() if c.is_incoming and c.state in ("ALERTING", "PROGRESSING")]
    if current:
        handle(current[0])
    else:
        session.events.on(str(AppEvents["CallAlerting"]), lambda e: handle(e["call"]))


def extend(session: Session, name: str, fn: Callable[..., Any], length: int = 0) -> None:
    """Add a JS method ``VoxEngine.<name>`` calling ``fn(*js_args)`` (JS values in, JS value/HostObject out)."""
    realm = session.realm
    obj = realm.wrap(session.extensions["voxengine"])
    obj.define(name, realm.new_host_function(name, fn, length), writable=True, enumerable=False, configurable=True)


def install(session: Session) -> None:
    """Define the ``VoxEngine`` global of the session."""
    from .globals import trap_missing_members

    vox = VoxEngine(session)
    session.extensions["voxengine"] = vox
    from .checker import API_GLOBALS

    trap_missing_members(session, VoxEngine, declared=frozenset(API_GLOBALS["VoxEngine"]))
    trap_missing_members(session, Call, "call")
    session.define_global("VoxEngine", vox)
    # VoxEngine's functions work detached (`call.addEventListener(CallEvents.Disconnected, VoxEngine.terminate)`
    # is common), so each member is also an own property bound to this session's object, made on its first read.
    defer_members(session.realm, session.realm.wrap(vox), _own_members(), per_key=True)


class _OwnMethod:
    """The body of a ``VoxEngine`` member as an own property: calls the method on the VoxEngine object of the
    calling realm's session, whatever ``this`` is. Realm-independent, so one per member serves every session."""

    __slots__ = ("fn", "limit")

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        params = list(inspect.signature(fn).parameters.values())[1:]
        self.limit: int | None = None if any(p.kind is p.VAR_POSITIONAL for p in params) else sum(
            1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))

    def __call__(self, realm: Any, this: Any, args: list[Any]) -> Any:
        limit = self.limit
        if limit is not None and len(args) > limit:
            args = args[:limit]
        return to_js(realm, self.fn(realm.host.extensions["voxengine"], *args))


@functools.cache
def _own_members() -> tuple[tuple[str, LazyMember], ...]:
    return tuple((name, LazyMember(_OwnMethod(kinds["method"][0]), name, kinds["method"][1]))
                 for name, kinds in VoxEngine.js_members.items() if "method" in kinds)
