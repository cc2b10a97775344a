"""One Calls API stream on the emulator: start gate, ack, hearing, speaking at speaking pace, barge-in, events, close.

Three tasks per connection: the reader (frames in, VAD, idle timer), the brain worker (input events → brain) and
the speaker (actions → frames out, paced on the loop clock so virtual time works). Every frame in and out is logged
in ``log`` for assertions; media frames are counted rather than stored. On the in-memory transport a ``media_input``
frame that reaches an idle reader is heard synchronously, inside the sender's call (``_fast_receive``): the same
work in the same order, one task wake per frame fewer; a turn boundary it finds is left to the reader.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlsplit

import aiohttp
from aiohttp import WSMessage, WSMsgType, web

from voxsim.runtime.media.formats import AudioFormat, encode
from voxsim.runtime.media.tts import TTSError, synthesize
from voxsim.runtime.modules.cartesia import protocol as p

from .brain import (
    Action,
    AgentSpoke,
    Brain,
    CallEnded,
    CallStarted,
    EndCall,
    HttpTool,
    InputEvent,
    SendCustom,
    SendDtmf,
    Speak,
    Transfer,
    UserCustom,
    UserDtmf,
    UserTurnEnded,
    UserTurnStarted,
)
from .faults import Fault, inject
from .hearing import TurnDetector, TurnEnd, TurnStart
from .memory import MemorySocket

__all__ = ["StreamConfig", "AgentStream"]

log = logging.getLogger("voxsim.agent")

# enum members read once: ``WSMsgType.TEXT`` is a class-attribute lookup through the enum's metaclass, per frame
_TEXT, _PING, _BINARY = WSMsgType.TEXT, WSMsgType.PING, WSMsgType.BINARY


@dataclass(slots=True)
class StreamConfig:
    """Knobs of one stream; the emulator hands the same one to every connection."""

    idle_timeout: float = 180.0
    violation_close_code: int = p.CLOSE_POLICY
    output_delivery: str = "speaking_pace"  # or "as_available" (burst)
    chunk_ms: int = 100  # media_output chunk length (third-party clients report ~40-130 ms from Cartesia)
    lead: float = 0.06  # speaking pace, but each chunk goes out this far ahead of its playout time (jitter cushion)
    voice: str | None = None
    end_call_delay: float = 0.2
    vad_end_ms: int = 600


@dataclass(frozen=True, slots=True)
class _Heard:
    """A ``media_input`` frame the fast receiver already heard: the turn boundaries the reader still has to act on."""

    boundaries: list[TurnStart | TurnEnd]


@dataclass(slots=True)
class _Utterance:
    text: str
    sent_until: float = 0.0  # loop time at which the audio sent so far finishes playing
    interrupted: bool = False


@dataclass(slots=True)
class AgentStream:
    """The server side of one ``/agents/stream/{agent_id}`` connection."""

    ws: web.WebSocketResponse
    agent_id: str
    brain: Brain
    config: StreamConfig
    http: aiohttp.ClientSession
    log: list[dict[str, Any]] = field(default_factory=list)
    heard: list[str] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    http_results: list[dict[str, Any]] = field(default_factory=list)
    stream_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    input_format: AudioFormat | None = None
    media_in: int = 0
    media_out: int = 0
    close_code: int | None = None
    close_reason: str = ""
    _events: asyncio.Queue[InputEvent | None] = field(default_factory=asyncio.Queue)
    _actions: asyncio.Queue[Action | None] = field(default_factory=asyncio.Queue)
    _speaking: _Utterance | None = None
    _speech_task: asyncio.Task[None] | None = None
    _last_activity: float = 0.0
    _closing: bool = False
    _is_interruptible: bool = True
    faults: tuple[Fault, ...] = ()
    _stall_until: float = 0.0
    _fault_tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _detector: TurnDetector | None = None

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def _record(self, direction: str, event: str, **extra: Any) -> None:
        self.log.append({"t": self._now(), "dir": direction, "event": event, **extra})

    def stall(self, seconds: float) -> None:
        """Fault: neither read nor write for ``seconds`` (loop clock)."""
        self._stall_until = self._now() + seconds

    async def _wait_stall(self) -> None:
        while (delay := self._stall_until - self._now()) > 0:
            await asyncio.sleep(delay)

    async def _send(self, message: dict[str, Any]) -> None:
        await self._wait_stall()
        if self.ws.closed:
            return
        if message["event"] == "media_output":
            self.media_out += 1
        else:
            self._record("out", message["event"], **{k: v for k, v in message.items() if k not in ("event", "media")})
        with contextlib.suppress(ConnectionResetError, RuntimeError):
            await self.ws.send_str(p.encode(message))

    async def close(self, code: int, reason: str) -> None:
        """Close the socket from the agent side (idempotent)."""
        if self._closing:
            return
        self._closing = True
        self.close_code, self.close_reason = code, reason
        self._record("out", "close", code=code, reason=reason)
        with contextlib.suppress(ConnectionResetError, RuntimeError):
            await self.ws.close(code=code, message=reason.encode())

    # -- the reader ---------------------------------------------------------------------------------------------------

    async def run(self, new_stream_id: str) -> None:
        """Serve the connection until either side closes."""
        self._last_activity = self._now()
        watchdog = asyncio.create_task(self._idle_watchdog())
        workers: list[asyncio.Task[None]] = []
        detector: TurnDetector | None = None
        clock = asyncio.get_running_loop().time
        try:
            async for msg in self.ws:
                if self._stall_until > clock():
                    await self._wait_stall()
                self._last_activity = clock()
                kind = msg.type
                if kind != _TEXT:
                    if kind == _PING:
                        self._record("in", "ping")
                        await self.ws.pong(msg.data)
                    elif kind == _BINARY:
                        if self.stream_id is None:
                            await self.close(self.config.violation_close_code, "first message must be a start event")
                            break
                        self._record("in", "binary", bytes=len(msg.data))  # Calls API is JSON only: ignored
                    continue
                extra: Any = msg.extra  # a _Heard from _fast_receive, else aiohttp's (None for text)
                if type(extra) is _Heard:
                    await self._on_boundaries(extra.boundaries)
                    continue
                try:
                    message = p.parse_message(msg.data, side="client")
                except p.ProtocolError as exc:
                    self._record("in", "malformed", error=str(exc))
                    if self.stream_id is None:
                        await self.close(self.config.violation_close_code, f"invalid start: {exc}"[:120])
                        break
                    continue
                if self.stream_id is None:
                    if message.event != "start":
                        self._record("in", message.event)
                        await self.close(self.config.violation_close_code, "first message must be a start event")
                        break
                    detector = self._detector = await self._on_start(message, new_stream_id)
                    if isinstance(self.ws, MemorySocket):
                        self.ws.fast_receiver = self._fast_receive
                    workers = [asyncio.create_task(self._brain_worker()), asyncio.create_task(self._speaker())]
                    await self._events.put(
                        CallStarted(self.stream_id or "", self.agent_id, self.metadata, message.raw.get("agent") or {})
                    )
                    continue
                await self._on_message(message, detector)
        finally:
            if isinstance(self.ws, MemorySocket):
                self.ws.fast_receiver = None
            watchdog.cancel()
            for task in self._fault_tasks:
                task.cancel()
            if self.close_code is None:
                self.close_code = self.ws.close_code
            if workers:
                await self._events.put(CallEnded(self.close_reason))
                await self._events.put(None)
                await self._actions.put(None)
                if self._speech_task is not None:
                    self._speech_task.cancel()
                for task in workers:
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await asyncio.wait_for(task, 2.0)

    async def _on_start(self, message: p.Message, new_stream_id: str) -> TurnDetector:
        raw = message.raw
        config = dict(raw.get("config") or {})
        config.setdefault("input_format", "pcm_44100")
        self.input_format = p.audio_format(config["input_format"])
        self.stream_id = raw.get("stream_id") or new_stream_id
        self.metadata = dict(raw.get("metadata") or {})
        self._record("in", "start", stream_id=raw.get("stream_id"), config=config, metadata=self.metadata)
        delivery = config.get("output_audio_delivery")
        if delivery in ("speaking_pace", "as_available"):
            self.config = dataclasses.replace(self.config, output_delivery=delivery)
        if not any(f.kind == "no_ack" for f in self.faults):
            await self._send(p.ack(self.stream_id, config, raw.get("agent")))
        else:
            self._record("fault", "no_ack")
        timed = [f for f in self.faults if f.kind not in ("no_ack", "refuse_auth")]
        self._fault_tasks = [asyncio.create_task(inject(self, f)) for f in timed]
        return TurnDetector(self.input_format, end_ms=self.config.vad_end_ms)

    def _fast_receive(self, msg: WSMessage) -> WSMessage | None:
        """The in-memory socket's synchronous way in (tools/agent/memory.py ``FastReceiver``): hear a ``media_input``
        frame now; anything else, or a stalled or closing stream, goes to the reader as usual."""
        detector = self._detector
        now = self._now()
        if detector is None or self._closing or self._stall_until > now:
            return msg
        try:
            message = p.parse_message(msg.data, side="client")
        except p.ProtocolError:
            return msg  # the reader parses it again and records why
        if message.event != "media_input":
            return msg
        self._last_activity = now
        boundaries = self._hear(message, detector)
        return WSMessage(WSMsgType.TEXT, msg.data, cast(Any, _Heard(boundaries))) if boundaries else None

    def _hear(self, message: p.Message, detector: TurnDetector) -> list[TurnStart | TurnEnd]:
        self.media_in += 1
        if message.text:
            self._record("in", "transcript", text=message.text)
        return detector.feed(message.audio, message.text)

    async def _on_message(self, message: p.Message, detector: TurnDetector | None) -> None:
        if message.event == "media_input" and detector is not None:
            await self._on_boundaries(self._hear(message, detector))
        elif message.event == "dtmf":
            self._record("in", "dtmf", dtmf=message.raw["dtmf"])
            await self._events.put(UserDtmf(message.raw["dtmf"]))
        elif message.event == "custom":
            self._record("in", "custom", metadata=message.raw["metadata"])
            await self._events.put(UserCustom(message.raw["metadata"]))
        elif message.event == "start":
            self._record("in", "start", error="repeated start ignored")
        else:
            self._record("in", message.event, known=False)

    async def _on_boundaries(self, boundaries: list[TurnStart | TurnEnd]) -> None:
        for boundary in boundaries:
            if isinstance(boundary, TurnStart):
                self._record("in", "user_speech_started")
                await self._barge_in()
                await self._events.put(UserTurnStarted())
            elif isinstance(boundary, TurnEnd):
                self._record("in", "user_speech_ended", text=boundary.text)
                self.heard.append(boundary.text)
                await self._events.put(UserTurnEnded(boundary.text))

    async def _idle_watchdog(self) -> None:
        while not self.ws.closed:
            deadline = self._last_activity + self.config.idle_timeout
            delay = deadline - self._now()
            if delay <= 0:
                await self.close(p.CLOSE_NORMAL, p.REASON_IDLE)
                return
            await asyncio.sleep(delay)

    # -- barge-in -----------------------------------------------------------------------------------------------------

    async def _barge_in(self) -> None:
        utterance = self._speaking
        if utterance is None or self._speech_task is None or utterance.sent_until <= self._now():
            return
        if not self._is_interruptible:
            return
        utterance.interrupted = True
        self._speech_task.cancel()
        kept: list[Action | None] = []
        while not self._actions.empty():
            action = self._actions.get_nowait()
            if not (isinstance(action, Speak) and action.interruptible):
                kept.append(action)
        for action in kept:
            self._actions.put_nowait(action)
        if self.stream_id is not None:
            await self._send(p.clear(self.stream_id))

    # -- the brain and the speaker ------------------------------------------------------------------------------------

    async def _act(self, action: Action) -> None:
        await self._actions.put(action)

    async def _brain_worker(self) -> None:
        while (event := await self._events.get()) is not None:
            try:
                await self.brain.handle(event, self._act)
            except Exception as exc:  # a broken brain must not take the stream down silently
                log.exception("agent brain failed on %s", type(event).__name__)
                self._record("agent", "brain_error", error=f"{type(exc).__name__}: {exc}")

    async def _speaker(self) -> None:
        while (action := await self._actions.get()) is not None:
            if self.ws.closed:
                continue
            if isinstance(action, Speak):
                self._is_interruptible = action.interruptible
                self._speaking = _Utterance(action.text)
                self._speech_task = asyncio.create_task(self._speak(self._speaking))
                with contextlib.suppress(asyncio.CancelledError):
                    await self._speech_task
                utterance, self._speaking, self._speech_task = self._speaking, None, None
                self.said.append(action.text)
                await self._events.put(AgentSpoke(action.text, utterance.interrupted))
            elif isinstance(action, SendDtmf):
                await self._send(p.dtmf(self.stream_id or "", action.digit))
            elif isinstance(action, SendCustom):
                await self._send(p.custom(self.stream_id or "", action.metadata))
            elif isinstance(action, Transfer):
                await self._send(p.transfer_call(self.stream_id or "", action.target_phone_number))
            elif isinstance(action, HttpTool):
                await self._http_tool(action)
            elif isinstance(action, EndCall):
                await asyncio.sleep(self.config.end_call_delay)
                reason = p.REASON_AGENT_ENDED + (f", reason: {action.reason}" if action.reason else "")
                await self.close(p.CLOSE_NORMAL, reason)

    async def _speak(self, utterance: _Utterance) -> None:
        fmt = self.input_format
        assert fmt is not None and self.stream_id is not None
        try:
            speech = synthesize(utterance.text, fmt.sample_rate, self.config.voice)
        except TTSError as exc:
            self._record("agent", "tts_error", error=str(exc))
            return
        audio = encode(speech.pcm, fmt)
        chunk = fmt.frame_bytes(self.config.chunk_ms)
        step = self.config.chunk_ms / 1000
        paced = self.config.output_delivery == "speaking_pace"
        t0 = self._now()
        self._record("out", "speech", text=utterance.text, duration=round(speech.duration, 3))
        for k, offset in enumerate(range(0, len(audio), chunk)):
            if paced:
                delay = t0 + k * step - self.config.lead - self._now()
                if delay > 0:
                    await asyncio.sleep(delay)
            piece = audio[offset : offset + chunk]
            utterance.sent_until = max(utterance.sent_until, self._now()) + len(piece) / fmt.bytes_per_sample / fmt.sample_rate
            await self._send(p.media_output(self.stream_id, piece, utterance.text if k == 0 else None))
        remaining = utterance.sent_until - self._now()
        if remaining > 0:
            await asyncio.sleep(remaining)

    async def _http_tool(self, action: HttpTool) -> None:
        url = action.url or self.metadata.get(action.url_key)
        result: dict[str, Any] = {"url": url, "body": action.body}
        if not isinstance(url, str) or not url:
            result["error"] = f"no URL: metadata has no {action.url_key!r}"
        else:
            try:
                local = urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")  # the session's self-signed cert
                async with self.http.post(
                    url, json=action.body, timeout=aiohttp.ClientTimeout(total=10), ssl=False if local else True
                ) as response:
                    result.update(status=response.status, response=await response.text())
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                result["error"] = f"{type(exc).__name__}: {exc}"
        self.http_results.append(result)
        self._record("agent", "http_tool", **result)

