"""``require(Modules.Cartesia)``: the ``Cartesia`` namespace, ``createAgentsClient`` and the JS ``AgentsClient``.

Where the client connects (``session.options.settings["cartesia"]``, set by ``voxsim run --cartesia`` and the pytest
plugin): ``mode`` "local" (default) starts the agent emulator on 127.0.0.1 once per session (``agent`` / ``line``
choose its brain), ``mode`` "live" uses wss://api.cartesia.ai, ``base_url`` overrides both. ``server`` may be an object
with ``async start() -> base_url`` and ``async stop()`` to share one emulator between sessions. ``input_format`` picks
the format the connector sends (default pcm_16000).

Events reach listeners as ``{client, data: {payload: <raw message>}}`` (AgentsEvents) or ``{client, tag?, encoding?,
mediaInfo?}`` (Cartesia.Events); every non-audio wire message is traced as an ``agent`` record, agent speech as
``media`` spans.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voxsim.engine.errors import JSErrorFromHost
from voxsim.engine.host import HostObject, js_method, make_enum, to_py
from voxsim.engine.values import UNDEFINED, JSFunction

from ...emitter import Emitter
from ...media.host import JSMediaSource
from . import protocol as p
from .client import LIVE_BASE_URL, AgentsClient, AgentsClientError, ClientOptions, CloseInfo
from .events import AGENTS_EVENTS, MEDIA_EVENTS, js_name

if TYPE_CHECKING:
    from ...session import Session

__all__ = ["install", "JSAgentsClient", "CartesiaService"]


def _settings(session: Session) -> dict[str, Any]:
    raw = session.options.settings.get("cartesia", {})
    return dict(raw) if isinstance(raw, Mapping) else {}


class CartesiaService:
    """Per session: where agents clients connect, and the local emulator when voxsim runs one."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.settings = _settings(session)
        self.clients: list[JSAgentsClient] = []
        self._server: Any = None
        self._own_server = False
        self._base: str | None = None
        self.transport: Any = None
        self._lock = asyncio.Lock()

    @property
    def live(self) -> bool:
        return self.settings.get("mode") == "live"

    async def base_url(self) -> str:
        """The HTTP base URL for tokens and streams (starting the local emulator on first use)."""
        async with self._lock:
            if self._base is not None:
                return self._base
            if self.settings.get("base_url"):
                self._base = str(self.settings["base_url"])
            elif self.live:
                self._base = LIVE_BASE_URL
            else:
                server = self.settings.get("server")
                if server is None:
                    # The one upward reference: the emulator lives in tools/, found by name so runtime imports stay clean.
                    agent = importlib.import_module("voxsim.tools.agent")
                    if self.settings.get("line"):
                        factory = importlib.import_module("voxsim.tools.agent.line_driver").line_brain_factory(
                            self.settings["line"])
                    else:
                        spec = self.settings.get("agent")
                        factory = agent.load_brain_factory(spec if spec is not None else self._script_agent())
                    server = agent.AgentEmulator(self.settings.get("emulator_config"), default_brain=factory)
                    self._own_server = True
                self._server = server
                self._base = str(await server.start())
                make_transport = getattr(server, "memory_transport", None)
                in_process = self.settings.get("in_process")  # absent: on virtual time only; true: always; false: never
                if make_transport is not None and (in_process is True or in_process is None and self.session.clock.virtual):
                    self.transport = make_transport()  # same frames, no sockets: deterministic on virtual time
            return self._base

    def _script_agent(self) -> str | None:
        """``agents/<scenario>.yaml`` beside the first scenario file that has one (the bundled scenarios do)."""
        for name in self.session.script_files:
            candidate = Path(name).parent / "agents" / f"{Path(name).stem}.yaml"
            if candidate.is_file():
                return str(candidate)
        return None

    async def close(self) -> None:
        for client in list(self.clients):
            await client.client.close()
        if self._server is not None and self._own_server:
            await self._server.stop()


def _service(session: Session) -> CartesiaService:
    service = session.extensions.get("cartesia")
    if service is None:
        service = session.extensions["cartesia"] = CartesiaService(session)
        session.add_closer(service.close)
    return service


class JSAgentsClient(JSMediaSource, HostObject):
    """``Cartesia.AgentsClient``: the JS face of an AgentsClient, a media unit once the media layer is present."""

    js_class = "AgentsClient"

    def __init__(self, session: Session, client: AgentsClient, on_ws_close: Any) -> None:
        self.session = session
        self.client = client
        self.trace_id = session.new_id("agent")
        self.events = Emitter(session, self.trace_id, this=self)
        self._on_ws_close = on_ws_close
        self.media_unit: Any = None  # the AgentsMediaUnit, when the session has a media layer
        self._media_target: str | None = None
        graph = getattr(session.extensions.get("media"), "graph", None)
        if graph is not None:
            from .unit import AgentsMediaUnit

            self.media_unit = AgentsMediaUnit(graph, client, name=self.trace_id)
            self.media_unit.on_speech = self._speech_span

    # -- events from the client ---------------------------------------------------------------------------------------

    def on_event(self, member: str, data: dict[str, Any]) -> None:
        payload: dict[str, Any] = {"client": self}
        if member in AGENTS_EVENTS:
            payload["data"] = data
        else:
            payload.update(data)
        self.session.run_js(lambda: self.events.emit(js_name(member), payload), where=js_name(member))

    def on_wire(self, direction: str, message: dict[str, Any]) -> None:
        fields = {k: v for k, v in message.items() if k not in ("event", "media", "target", "direction", "type")}
        self.session.trace.record("agent", direction=direction, event=str(message.get("event", message.get("type"))),
                                  target=self.trace_id, **fields)

    def on_close(self, info: CloseInfo) -> None:
        if self.media_unit is not None:
            self.media_unit.close()
        fn = self._on_ws_close
        if isinstance(fn, JSFunction) and self.session.state == "running":
            event = {"code": info.code, "reason": info.reason, "wasClean": info.was_clean, "websocket": self}
            self.session.call_js(fn, UNDEFINED, [event], where="onWebSocketClose")

    def _speech_span(self, action: str, text: str | None, reason: str) -> None:
        fields: dict[str, Any] = {"action": action, "source": self.trace_id, "kind": "speech"}
        if self._media_target:
            fields["target"] = self._media_target
        if text:
            fields["text"] = text
        if action == "stop":
            fields["reason"] = reason
        self.session.trace.record("media", **fields)

    # -- media routing (Python side, used by VoxEngine.sendMediaBetween too) ----------------------------------------

    def send_media_to(self, target: Any, params: Any = UNDEFINED) -> None:
        layer = self.session.extensions.get("media")
        if self.media_unit is None or layer is None:
            raise JSErrorFromHost("AgentsClient.sendMediaTo: media is not emulated in this session")
        layer.connect(self.media_unit, target, params)
        self._media_target = getattr(target, "trace_id", None)

    def stop_media_to(self, target: Any) -> None:
        layer = self.session.extensions.get("media")
        if self.media_unit is not None and layer is not None:
            self.media_unit.stop_media_to(layer.unit_of(target))

    # -- JS members ---------------------------------------------------------------------------------------------------

    @js_method("id")
    def _js_id(self) -> str:
        return self.trace_id

    @js_method("webSocketId")
    def _js_web_socket_id(self) -> str:
        return self.client.websocket_id

    @js_method("start")
    def _js_start(self, parameters: Any = UNDEFINED) -> Any:
        params = to_py(parameters) if parameters is not UNDEFINED else {}
        self.client.start(params if isinstance(params, dict) else {})
        return UNDEFINED

    @js_method("dtmf")
    def _js_dtmf(self, parameters: Any = UNDEFINED) -> Any:
        params = to_py(parameters)
        digits = params.get("dtmf", params.get("digit")) if isinstance(params, dict) else params
        for digit in str(digits if digits is not None else ""):
            if digit in p.DTMF_DIGITS:
                self.client.dtmf(digit)
            else:
                self.session.warn(f"AgentsClient.dtmf: {digit!r} is not a DTMF digit", source="Cartesia", target=self.trace_id)
        return UNDEFINED

    @js_method("custom")
    def _js_custom(self, parameters: Any = UNDEFINED) -> Any:
        params = to_py(parameters)
        if not isinstance(params, dict):
            self.session.warn("AgentsClient.custom: expected an object", source="Cartesia", target=self.trace_id)
            return UNDEFINED
        inner = params.get("metadata")
        self.client.custom(inner if isinstance(inner, dict) else params)
        return UNDEFINED

    @js_method("clearMediaBuffer")
    def _js_clear_media_buffer(self, parameters: Any = UNDEFINED) -> Any:
        if self.media_unit is not None:
            self.media_unit.clear_media_buffer()
        else:
            self.client.clear_media_buffer()
        return UNDEFINED

    @js_method("close")
    def _js_close(self) -> Any:
        self.session.loop.create_task(self.client.close())
        return UNDEFINED

    @js_method("addEventListener")
    def _js_add_event_listener(self, event: Any = UNDEFINED, callback: Any = UNDEFINED) -> Any:
        from ...call import add_event_listener

        add_event_listener(self.session, self.events, event, callback, "AgentsClient.addEventListener")
        return UNDEFINED

    @js_method("removeEventListener")
    def _js_remove_event_listener(self, event: Any = UNDEFINED, callback: Any = UNDEFINED) -> Any:
        from ...call import remove_event_listener

        remove_event_listener(self.events, event, callback)
        return UNDEFINED


def _create_agents_client(session: Session, parameters: Any) -> Any:
    realm = session.realm
    promise, resolve, reject = realm.new_promise()
    params = to_py(parameters) if parameters is not UNDEFINED else {}
    if not isinstance(params, dict):
        params = {}
    missing = [k for k in ("apiKey", "agentId") if not isinstance(params.get(k), str) or not params.get(k)]
    if missing:
        reject(realm.new_error("TypeError", f"Cartesia.createAgentsClient: {' and '.join(missing)} required"))
        return promise
    service = _service(session)
    settings = service.settings
    given = params.get("cartesiaVersion")
    version: str = given if isinstance(given, str) else p.DEFAULT_VERSION
    if not isinstance(given, str):
        session.warn("Cartesia.createAgentsClient: cartesiaVersion missing; using " + p.DEFAULT_VERSION, source="Cartesia")
    holder: dict[str, JSAgentsClient] = {}

    async def connect() -> None:
        try:
            base = await service.base_url()
        except Exception as exc:  # the emulator could not start: the scenario sees a rejection, not a crash
            session.run_js(lambda: reject(realm.new_error("Error", f"Cartesia: cannot start the agent emulator: {exc}")))
            return
        options = ClientOptions(
            api_key=params["apiKey"],
            agent_id=params["agentId"],
            cartesia_version=version,
            base_url=base,
            input_format=str(settings.get("input_format", "pcm_16000")),
            send_transcripts=not service.live,
            transport=service.transport,
        )
        client = AgentsClient(
            options,
            on_event=lambda member, data: holder["js"].on_event(member, data),
            on_close=lambda info: holder["js"].on_close(info),
            on_wire=lambda direction, message: holder["js"].on_wire(direction, message),
        )
        js = holder["js"] = JSAgentsClient(session, client, params.get("onWebSocketClose"))
        client.id = js.trace_id
        try:
            await client.connect()
        except AgentsClientError as exc:
            session.run_js(lambda: reject(realm.new_error("Error", f"Cartesia.createAgentsClient: {exc}")))
            return
        service.clients.append(js)
        session.run_js(lambda: resolve(session.to_js(js)))

    def done(task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            session.internal_error(task.exception(), where="Cartesia.createAgentsClient")  # type: ignore[arg-type]

    session.loop.create_task(connect()).add_done_callback(done)
    return promise


def install(session: Session) -> None:
    """Define the ``Cartesia`` global (``require(Modules.Cartesia)``)."""
    realm = session.realm
    namespace = realm.new_object()
    namespace.define("createAgentsClient",
                     realm.new_host_function("createAgentsClient", lambda params=UNDEFINED: _create_agents_client(
                         session, params), 1),
                     writable=True, enumerable=False, configurable=True)
    def create_tts_player(text: Any = UNDEFINED, parameters: Any = UNDEFINED) -> Any:
        from .tts_player import create_realtime_tts_player

        return create_realtime_tts_player(session, _service(session), text, parameters)

    namespace.define("createRealtimeTTSPlayer", realm.new_host_function("createRealtimeTTSPlayer", create_tts_player, 2),
                     writable=True, enumerable=False, configurable=True)
    namespace.define("AgentsEvents", make_enum(realm, AGENTS_EVENTS), writable=False, enumerable=True, configurable=False)
    namespace.define("Events", make_enum(realm, MEDIA_EVENTS), writable=False, enumerable=True, configurable=False)
    session.define_global("Cartesia", namespace)
