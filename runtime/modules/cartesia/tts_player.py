"""``Cartesia.createRealtimeTTSPlayer``: streaming TTS (Cartesia's TTS WebSocket) played as a media source.

The player connects to ``{base}/tts/websocket`` (the emulator's route, or Cartesia's in live mode), sends the first
generation request with the text it was created with, and plays each ``chunk`` as it arrives (16-bit PCM, 16 kHz).
Events are PlayerEvents: ``Player.Created`` (next loop turn), ``Player.PlaybackReady`` (first audio), ``Player.Started``
(first frame played), ``Player.PlaybackFinished`` (every context done and the queue played out; with ``error`` when the
service answers an error — then the player is destroyed, as observed on the platform for "Invalid context ID"),
``Player.Stopped`` after ``stop()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import aiohttp

from voxsim.engine.errors import JSErrorFromHost
from voxsim.engine.host import HostObject, js_method, to_py
from voxsim.engine.values import UNDEFINED
from voxsim.runtime.media.formats import b64_decode, pcm_from_bytes
from voxsim.runtime.media.frames import Frame, FrameQueue, split_frames
from voxsim.runtime.media.host import JSMediaSource
from voxsim.runtime.media.units import MediaGraph, MediaUnit

from ...emitter import Emitter

if TYPE_CHECKING:
    from ...session import Session

__all__ = ["StreamingTTSUnit", "RealtimeTTSPlayer", "create_realtime_tts_player"]

RATE = 16000
_utterances = itertools.count(1 << 50)


class StreamingTTSUnit(MediaUnit):
    """Plays audio chunks as they arrive; ``finished`` once the stream said it is done and the queue is empty."""

    kind = "cartesia-tts"

    def __init__(self, graph: MediaGraph, name: str, on_event: Callable[[str, dict[str, Any]], None]) -> None:
        super().__init__(graph, RATE, name)
        self.queue = FrameQueue()
        self.on_event = on_event
        self.pending_contexts: set[str] = set()
        self.state = "loading"  # loading → playing ⇄ paused → finished | stopped
        self.paused = False
        self._started = False
        self._ready = False

    def feed(self, pcm: Any, text: str | None) -> None:
        if self.state in ("stopped",):
            return
        if not self._ready:
            self._ready = True
            self.on_event("Player.PlaybackReady", {})
        self.queue.extend(split_frames(pcm, RATE, text, next(_utterances)) if text else split_frames(pcm, RATE))
        if self.state in ("loading", "finished"):
            self.state = "playing"
        self.changed()

    @property
    def ticking(self) -> bool:
        return self.state == "playing" and not self.paused

    def pull(self) -> Frame | None:
        frame = self.queue.get()
        if frame is None:
            if not self.pending_contexts and self.state == "playing" and self._started:
                self.state = "finished"
                self._started = False
                self.on_event("Player.PlaybackFinished", {})
            return None
        if not self._started:
            self._started = True
            self.on_event("Player.Started", {})
        return frame


class RealtimeTTSPlayer(JSMediaSource, HostObject):
    """The JS ``Cartesia.RealtimeTTSPlayer``."""

    js_class = "RealtimeTTSPlayer"

    def __init__(self, session: Session, text: str, params: dict[str, Any], base_url: Callable[[], Any],
                 transport: Callable[[], Any]) -> None:
        self.session = session
        self.trace_id = session.new_id("player")
        self.events = Emitter(session, self.trace_id, this=self)
        layer = session.extensions.get("media")
        if layer is None:
            raise JSErrorFromHost("Cartesia.createRealtimeTTSPlayer: media is not emulated in this session")
        self.layer = layer
        self.unit = StreamingTTSUnit(layer.graph, self.trace_id, self._emit)
        self.media_unit: MediaUnit = self.unit
        self.params = params
        self.context_id = f"{self.trace_id}-ctx"
        self._outbox: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._base_url = base_url
        self._transport = transport
        self._task = session.loop.create_task(self._run())
        self._closed = False
        session.add_closer(self._close)
        session.loop.call_soon(self._emit, "Player.Created", {})
        if text:
            self._generation({"transcript": text, "continue": False})

    def _emit(self, name: str, payload: dict[str, Any]) -> None:
        self.session.run_js(lambda: self.events.emit(name, {"player": self, **payload}), where=name)

    def _generation(self, request: dict[str, Any]) -> None:
        base = dict(self.params.get("generationRequestParameters") or {})
        message = {"model_id": "sonic-2", "context_id": self.context_id, **base, **request}
        message["output_format"] = {"container": "raw", "encoding": "pcm_s16le", "sample_rate": RATE}
        self.unit.pending_contexts.add(str(message["context_id"]))
        self._outbox.put_nowait(message)

    async def _run(self) -> None:
        try:
            base = await self._base_url()
            transport = self._transport()
            query = urlencode({"api_key": str(self.params.get("apiKey") or ""), "cartesia_version": "2025-04-16"})
            scheme_base = base.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
            url = f"{scheme_base}/tts/websocket?{query}"
            if transport is not None:
                ws = await transport.ws_connect(url, {}, {})
                await self._pump(ws)
            else:
                async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
                    await self._pump(ws)
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            self._failed(f"Cartesia TTS connection failed: {exc}")

    async def _pump(self, ws: Any) -> None:
        async def writer() -> None:
            while (message := await self._outbox.get()) is not None:
                await ws.send_str(json.dumps(message))

        task = asyncio.create_task(writer())
        try:
            while True:
                msg = await ws.receive()
                if msg.type != aiohttp.WSMsgType.TEXT:
                    if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                        break
                    continue
                self._on_message(json.loads(msg.data))
                if self._closed:
                    break
        finally:
            task.cancel()
            with contextlib.suppress(Exception):
                await ws.close()

    def _on_message(self, message: Any) -> None:
        if not isinstance(message, dict):
            return
        kind = message.get("type")
        if kind == "chunk" and isinstance(message.get("data"), str):
            ext = message.get("voxsim")
            text = ext.get("text") if isinstance(ext, dict) else None
            self.unit.feed(pcm_from_bytes(b64_decode(message["data"])), text)
        elif kind == "done":
            self.unit.pending_contexts.discard(str(message.get("context_id")))
            self.unit.changed()
        elif kind == "error":
            self._failed(str(message.get("error") or message.get("message") or "error"))

    def _failed(self, error: str) -> None:
        if self._closed:
            return
        self._emit("Player.PlaybackFinished", {"error": error})
        self._destroy()

    def _destroy(self) -> None:
        self._closed = True
        self.unit.state = "stopped"
        self.unit.close()
        self._outbox.put_nowait(None)

    async def _close(self) -> None:
        if not self._closed:
            self._destroy()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task

    # -- JS members ---------------------------------------------------------------------------------------------------

    @js_method("id")
    def _js_id(self) -> str:
        return self.trace_id

    @js_method("generationRequest")
    def _js_generation_request(self, parameters: Any = UNDEFINED) -> Any:
        params = to_py(parameters)
        if isinstance(params, dict) and not self._closed:
            self._generation(params)
        return UNDEFINED

    @js_method("cancelContextRequest")
    def _js_cancel_context_request(self, parameters: Any = UNDEFINED) -> Any:
        params = to_py(parameters)
        context = params.get("context_id", self.context_id) if isinstance(params, dict) else self.context_id
        if not self._closed:
            self.unit.pending_contexts.discard(str(context))
            self._outbox.put_nowait({"context_id": context, "cancel": True})
        return UNDEFINED

    @js_method("clearBuffer")
    def _js_clear_buffer(self) -> Any:
        self.unit.queue.clear()
        return UNDEFINED

    @js_method("pause")
    def _js_pause(self) -> Any:
        self.unit.paused = True
        return UNDEFINED

    @js_method("resume")
    def _js_resume(self) -> Any:
        self.unit.paused = False
        self.unit.changed()
        return UNDEFINED

    @js_method("stop")
    def _js_stop(self) -> Any:
        if not self._closed:
            self._destroy()
            self._emit("Player.Stopped", {})
        return UNDEFINED

    def send_media_to(self, target: Any, parameters: Any = UNDEFINED) -> None:
        self.layer.connect(self.unit, target, parameters)

    def stop_media_to(self, target: Any) -> None:
        self.unit.stop_media_to(self.layer.unit_of(target))

    @js_method("addEventListener")
    def _js_add_event_listener(self, event: Any = UNDEFINED, callback: Any = UNDEFINED) -> Any:
        from ...call import add_event_listener

        add_event_listener(self.session, self.events, event, callback, "RealtimeTTSPlayer.addEventListener",
                           functions_only=True)
        return UNDEFINED

    @js_method("removeEventListener")
    def _js_remove_event_listener(self, event: Any = UNDEFINED, callback: Any = UNDEFINED) -> Any:
        from ...call import remove_event_listener

        remove_event_listener(self.events, event, callback)
        return UNDEFINED


def create_realtime_tts_player(session: Session, service: Any, text: Any, parameters: Any) -> RealtimeTTSPlayer:
    """``Cartesia.createRealtimeTTSPlayer(text, parameters?)`` (synchronous, as in VoxEngine)."""
    params = to_py(parameters) if parameters is not UNDEFINED else {}
    spoken = to_py(text) if isinstance(to_py(text), str) else ""
    return RealtimeTTSPlayer(session, spoken, params if isinstance(params, dict) else {}, service.base_url,
                             lambda: service.transport)
