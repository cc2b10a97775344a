"""VoxEngine WebSockets: outgoing (``VoxEngine.createWebSocket``) and incoming (``AppEvents.WebSocket``), on aiohttp.

:class:`WebSocketLink` is the transport-independent state machine of one socket: ``readyState`` goes
``connecting → open → closing → closed`` through one setter, and every change is reported to a sink as a VoxEngine
event name plus payload (``WebSocket.Created``, ``.Open``, ``.Message`` ``{text}``, ``.Close`` ``{code, reason,
wasClean}``, ``.Error`` ``{error}``). The JS binding turns the sink into ``on*`` handlers (run first) and listeners.

Choices where the reference is silent [inferred]: ``send()`` while connecting queues the message until open;
``send()`` after close is ignored with a warning from the binding; binary frames arrive as ``text`` decoded as UTF-8;
a failed connect fires ``Error`` then ``Close`` with code 1006 and ``wasClean: false``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import aiohttp
import yarl
from aiohttp import WSMsgType, web

from voxsim.engine.errors import JSErrorFromHost
from voxsim.engine.host import HostObject, js_getter, js_method, js_setter, to_py
from voxsim.engine.operations import to_string
from voxsim.engine.values import UNDEFINED, JSFunction

__all__ = ["WebSocketLink", "WebSocketEvent", "CONNECTING", "OPEN", "CLOSING", "CLOSED", "ABNORMAL_CLOSURE"]

CONNECTING, OPEN, CLOSING, CLOSED = "connecting", "open", "closing", "closed"
ABNORMAL_CLOSURE = 1006


class WebSocketEvent:
    """The ``WebSocketEvents`` string values."""

    OPEN = "WebSocket.Open"
    CLOSE = "WebSocket.Close"
    MESSAGE = "WebSocket.Message"
    ERROR = "WebSocket.Error"
    CREATED = "WebSocket.Created"
    MEDIA_STARTED = "WebSocket.MediaEventStarted"
    MEDIA_ENDED = "WebSocket.MediaEventEnded"


Sink = Callable[[str, dict[str, Any]], None]
Socket = aiohttp.ClientWebSocketResponse | web.WebSocketResponse


class WebSocketLink:
    """One WebSocket as VoxEngine sees it; ``sink(event, payload)`` receives its events in order.

    Args:
        url: the URL (``ws.url`` in JS).
        sink: called with each VoxEngine event name and payload (without ``websocket``; the binding adds it).
        trace: optional hook called with ``("send"|"receive", text)`` for the session trace.
        hold_clock: while an outgoing connection is open on virtual time, run the clock at real pace (the server is
            outside the loop); False when the server runs in the same loop.
    """

    def __init__(self, url: str, sink: Sink, *, trace: Callable[[str, str], None] | None = None,
                 hold_clock: bool = True) -> None:
        self.url = url
        self.hold_clock = hold_clock  # outgoing: on virtual time, keep real pace while connected (see RealTimeHold)
        self.ready_state = CONNECTING
        self._sink = sink
        self._trace = trace
        self._socket: Socket | None = None
        self._pending: list[str] = []
        self._task: asyncio.Task[None] | None = None
        self._client: aiohttp.ClientSession | None = None
        self._close_request: tuple[int, str] | None = None

    def _set_state(self, state: str) -> None:
        self.ready_state = state

    def _emit(self, event: str, **payload: Any) -> None:
        self._sink(event, payload)

    # -- opening -------------------------------------------------------------------------------------------------

    def connect(self, *, headers: Sequence[tuple[str, str]] = (), protocols: Sequence[str] = (), ssl: Any = True) -> asyncio.Task[None]:
        """Open an outgoing connection in the background: Created on the next loop turn (after the creating code
        has attached its listeners), then Open, or Error + Close."""
        self._task = asyncio.get_running_loop().create_task(self._connect_and_read(list(headers), list(protocols), ssl))
        return self._task

    async def _connect_and_read(self, headers: list[tuple[str, str]], protocols: list[str], ssl: Any) -> None:
        self._emit(WebSocketEvent.CREATED)
        if not self.hold_clock:
            await self._connect_and_run(headers, protocols, ssl)
            return
        from .net import RealTimeHold

        with RealTimeHold(asyncio.get_running_loop()):  # the server is a real peer: virtual time must keep pace
            await self._connect_and_run(headers, protocols, ssl)

    async def _connect_and_run(self, headers: list[tuple[str, str]], protocols: list[str], ssl: Any) -> None:
        self._client = aiohttp.ClientSession()
        try:
            socket = await self._client.ws_connect(
                self.url, headers=headers, protocols=protocols, ssl=ssl, autoping=True, heartbeat=None,
                timeout=aiohttp.ClientWSTimeout(ws_close=5.0), max_msg_size=4 * 1024 * 1024,
            )
        except (aiohttp.ClientError, OSError, ValueError, asyncio.TimeoutError) as exc:
            await self._client.close()
            self._client = None
            self._set_state(CLOSED)
            self._emit(WebSocketEvent.ERROR, error=f"{type(exc).__name__}: {exc}".rstrip(": "))
            self._emit(WebSocketEvent.CLOSE, code=ABNORMAL_CLOSURE, reason="connection failed", wasClean=False)
            return
        await self._run(socket)

    async def serve(self, socket: web.WebSocketResponse) -> None:
        """Run an incoming, already accepted connection until it closes (the session fires ``AppEvents.WebSocket``
        with this link before calling it)."""
        await self._run(socket)

    async def _run(self, socket: Socket) -> None:
        self._socket = socket
        if self._close_request is not None:  # close() was called while connecting
            code, reason = self._close_request
            self._set_state(CLOSING)
            await socket.close(code=code, message=reason.encode())
            await self._finish(socket, clean=True)
            return
        self._set_state(OPEN)
        self._emit(WebSocketEvent.OPEN)
        for text in self._pending:
            await socket.send_str(text)
        self._pending.clear()
        clean = True
        reason = ""
        try:
            while True:
                msg = await socket.receive()
                if msg.type == WSMsgType.TEXT:
                    self._received(msg.data)
                elif msg.type == WSMsgType.BINARY:
                    self._received(bytes(msg.data).decode("utf-8", "replace"))
                elif msg.type == WSMsgType.CLOSE:
                    reason = msg.extra if isinstance(msg.extra, str) else ""
                    break
                elif msg.type == WSMsgType.ERROR:
                    clean = False
                    self._emit(WebSocketEvent.ERROR, error=str(msg.data or socket.exception() or "WebSocket error"))
                    break
                elif msg.type in (WSMsgType.CLOSING, WSMsgType.CLOSED):
                    break
        except (aiohttp.ClientError, OSError) as exc:
            clean = False
            self._emit(WebSocketEvent.ERROR, error=f"{type(exc).__name__}: {exc}")
        await self._finish(socket, clean=clean, reason=reason)

    def _received(self, text: str) -> None:
        if self._trace is not None:
            self._trace("receive", text)
        if self.ready_state == OPEN:
            self._emit(WebSocketEvent.MESSAGE, text=text)

    async def _finish(self, socket: Socket, *, clean: bool, reason: str = "") -> None:
        if not socket.closed:
            await socket.close()
        code = socket.close_code if socket.close_code is not None else ABNORMAL_CLOSURE
        if not reason and self._close_request is not None and self._close_request[0] == code:
            reason = self._close_request[1]
        if self._client is not None:
            await self._client.close()
            self._client = None
        self._set_state(CLOSED)
        self._emit(WebSocketEvent.CLOSE, code=code, reason=reason, wasClean=clean and code != ABNORMAL_CLOSURE)

    # -- scenario calls ------------------------------------------------------------------------------------------

    def send(self, text: str) -> bool:
        """``ws.send(text)``: queued while connecting; returns False (nothing sent) once closing or closed."""
        if self.ready_state == CONNECTING:
            self._pending.append(text)
            return True
        if self.ready_state != OPEN or self._socket is None:
            return False
        if self._trace is not None:
            self._trace("send", text)
        socket = self._socket
        asyncio.get_running_loop().create_task(_send_quietly(socket, text))
        return True

    def close(self, code: int = 1000, reason: str = "") -> None:
        """``ws.close()``: start the closing handshake; ``Close`` fires when it completes."""
        if self.ready_state in (CLOSING, CLOSED):
            return
        self._close_request = (int(code), str(reason))
        if self._socket is None:
            return  # still connecting: _run closes as soon as the socket exists
        self._set_state(CLOSING)
        socket = self._socket
        asyncio.get_running_loop().create_task(socket.close(code=int(code), message=str(reason).encode()))

    async def aclose(self) -> None:
        """Close at session end without waiting for listeners (the socket's task finishes the handshake)."""
        self.close()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), 5.0)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self._task.cancel()


async def _send_quietly(socket: Socket, text: str) -> None:
    try:
        await socket.send_str(text)
    except (ConnectionError, RuntimeError, aiohttp.ClientError):
        pass  # the read loop reports the broken connection as Error + Close


def header_pairs(headers: Any) -> list[tuple[str, str]]:
    """``createWebSocket`` headers: ``[{name, value}]`` per the typings, also an object map."""
    pairs: list[tuple[str, str]] = []
    if isinstance(headers, Mapping):
        pairs.extend((str(k), str(v)) for k, v in headers.items())
    elif isinstance(headers, Sequence) and not isinstance(headers, str):
        for item in headers:
            if isinstance(item, Mapping) and ("name" in item or "key" in item):
                pairs.append((str(item.get("name", item.get("key"))), str(item.get("value", ""))))
    return pairs


__all__ += ["header_pairs"]


# -- the JS binding ---------------------------------------------------------------------------------------------

_HANDLER_PROPS = {
    "onopen": WebSocketEvent.OPEN,
    "onmessage": WebSocketEvent.MESSAGE,
    "onclose": WebSocketEvent.CLOSE,
    "onerror": WebSocketEvent.ERROR,
    "oncreated": WebSocketEvent.CREATED,
    "onmediastarted": WebSocketEvent.MEDIA_STARTED,
    "onmediaended": WebSocketEvent.MEDIA_ENDED,
}


def _handler_property(prop: str) -> tuple[Callable[[Any], Any], Callable[[Any, Any], None]]:
    def get(self: WebSocket) -> Any:
        return self._handlers.get(prop, None)

    def set_(self: WebSocket, value: Any) -> None:
        if isinstance(value, JSFunction):
            self._handlers[prop] = value
        else:
            self._handlers.pop(prop, None)

    return js_getter(prop)(get), js_setter(prop)(set_)


class WebSocket(HostObject):
    """The JS ``WebSocket`` object over a :class:`WebSocketLink`; ``on*`` handlers run before listeners."""

    js_class = "WebSocket"

    def __init__(self, session: Any, url: str) -> None:
        from .emitter import Emitter

        self.session = session
        self.trace_id: str = session.new_id("ws")
        self.events = Emitter(session, self.trace_id, this=self)
        self._handlers: dict[str, Any] = {}
        self.link = WebSocketLink(url, self._sink)
        session.add_closer(self.link.aclose)

    def _sink(self, event: str, payload: dict[str, Any]) -> None:
        session = self.session
        if not session.delivers(event):
            return
        full = {"websocket": self, **payload}
        prop = next((p for p, e in _HANDLER_PROPS.items() if e == event), None)
        handler = self._handlers.get(prop) if prop else None
        if handler is not None:
            session.call_js(handler, self, [{**full, "name": event}], where=f"websocket.{prop}")
        self.events.emit(event, full)
        if event == WebSocketEvent.CLOSE:
            self.events.clear()

    @js_method("id")
    def _js_id(self) -> Any:
        return self.trace_id

    @js_getter("readyState")
    def _js_ready_state(self) -> Any:
        return self.link.ready_state

    @js_getter("url")
    def _js_url(self) -> Any:
        return self.link.url

    @js_method("send")
    def _js_send(self, data: Any = UNDEFINED) -> Any:
        if not self.link.send(to_py(to_string(data))):
            self.session.warn(f"websocket.send on a {self.link.ready_state} WebSocket is ignored", target=self.trace_id)
        return UNDEFINED

    @js_method("close")
    def _js_close(self, code: Any = UNDEFINED, reason: Any = UNDEFINED) -> Any:
        self.link.close(int(code) if isinstance(code, float) else 1000, "" if reason is UNDEFINED else to_py(to_string(reason)))
        return UNDEFINED

    @js_method("addEventListener")
    def _js_add_event_listener(self, event: Any = UNDEFINED, callback: Any = UNDEFINED) -> Any:
        from .call import add_event_listener

        add_event_listener(self.session, self.events, event, callback, "websocket.addEventListener",
                           type_error="websocket.addEventListener")
        return UNDEFINED

    @js_method("removeEventListener")
    def _js_remove_event_listener(self, event: Any = UNDEFINED, callback: Any = UNDEFINED) -> Any:
        from .call import remove_event_listener

        remove_event_listener(self.events, event, callback)
        return UNDEFINED

    def _media(self, member: str) -> Any:
        media = self.session.extensions.get("media")
        if media is None:
            raise JSErrorFromHost(f"websocket.{member} is not emulated yet")
        return media

    @js_method("sendMediaTo")
    def _js_send_media_to(self, unit: Any = UNDEFINED, parameters: Any = UNDEFINED) -> Any:
        self._media("sendMediaTo").websocket_send_media_to(self, to_py(unit), parameters)
        return UNDEFINED

    @js_method("stopMediaTo")
    def _js_stop_media_to(self, unit: Any = UNDEFINED, parameters: Any = UNDEFINED) -> Any:
        self._media("stopMediaTo").websocket_stop_media_to(self, to_py(unit))
        return UNDEFINED

    @js_method("clearMediaBuffer")
    def _js_clear_media_buffer(self, parameters: Any = UNDEFINED) -> Any:
        self._media("clearMediaBuffer").websocket_clear_media_buffer(self, parameters)
        return UNDEFINED

    def send_media_to(self, unit: Any, parameters: Any = UNDEFINED) -> None:
        """``VoxEngine.sendMediaBetween`` with a WebSocket (delegates to the media layer)."""
        self._media("sendMediaTo").websocket_send_media_to(self, unit, parameters)

    def stop_media_to(self, unit: Any) -> None:
        """``VoxEngine.stopMediaBetween`` with a WebSocket."""
        self._media("stopMediaTo").websocket_stop_media_to(self, unit)

    onopen_get, onopen_set = _handler_property("onopen")
    onmessage_get, onmessage_set = _handler_property("onmessage")
    onclose_get, onclose_set = _handler_property("onclose")
    onerror_get, onerror_set = _handler_property("onerror")
    oncreated_get, oncreated_set = _handler_property("oncreated")
    onmediastarted_get, onmediastarted_set = _handler_property("onmediastarted")
    onmediaended_get, onmediaended_set = _handler_property("onmediaended")


def _is_wss_to_ip(url: str) -> bool:
    import ipaddress

    try:
        parsed = yarl.URL(url)
        ipaddress.ip_address(parsed.host or "")
    except ValueError:
        return False
    return parsed.scheme == "wss"


def create_websocket(session: Any, url: Any = UNDEFINED, parameters: Any = UNDEFINED) -> Any:
    """``VoxEngine.createWebSocket(url, {protocols?, headers?: [{name, value}]})``."""
    if session.state == "terminated":
        return UNDEFINED
    text = to_py(to_string(url))
    params = to_py(parameters) if parameters is not UNDEFINED else {}
    if not isinstance(params, dict):
        params = {}
    ws = WebSocket(session, text)
    ws.link.hold_clock = bool(session.options.settings.get("websocket_hold_clock", True))
    if _is_wss_to_ip(text):
        session.warn("createWebSocket: wss:// to an IP address fails on VoxEngine (it needs a domain name)",
                     target=ws.trace_id)
    protocols = params.get("protocols") or []
    if isinstance(protocols, str):
        protocols = [protocols]
    ssl_context = session.options.settings.get("websocket_ssl")
    ws.link.connect(headers=header_pairs(params.get("headers")), protocols=[str(p) for p in protocols],
                    ssl=ssl_context if ssl_context is not None else True)
    return ws


def install(session: Any) -> None:
    """Add ``VoxEngine.createWebSocket`` (``allowWebSocketConnections`` comes with the control URL, in http.py)."""
    try:
        from .voxengine import extend
    except ImportError:
        return
    if "voxengine" in session.extensions:
        extend(session, "createWebSocket", lambda url=UNDEFINED, params=UNDEFINED: create_websocket(session, url, params), 2)


__all__ += ["WebSocket", "create_websocket", "install"]
