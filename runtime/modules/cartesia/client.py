"""The AgentsClient core: one Calls API connection, from token to close, with the audio queues of a media unit.

Sequence (docs/cartesia.md): ``POST /access-token`` → WebSocket ``/agents/stream/{agent_id}`` → ``start`` → ``ack`` →
``media_input`` (20 ms frames, only after ``ack``) / ``media_output`` (queued for real-time playout) → close. Events
are reported through ``on_event(member, data)`` with member names of ``Cartesia.AgentsEvents`` / ``Cartesia.Events``;
the JS binding turns them into ``{client, data: {payload}}``. Nothing here reads the wall clock: pacing, pings and
the media-ended timer run on the asyncio loop's clock, so virtual time works.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import aiohttp
import numpy as np

from voxsim.runtime.media.formats import PCM, AudioFormat, as_pcm, decode, encode, frame_samples, pcm_from_bytes

from . import protocol as p
from .playout import PlayoutQueue

__all__ = ["ClientOptions", "CloseInfo", "AgentsClientError", "AgentsClient", "LIVE_BASE_URL", "TransportHandshakeError"]

log = logging.getLogger("voxsim.cartesia")

LIVE_BASE_URL = "https://api.cartesia.ai"
_LEAD = 0.04  # media_input may run this far ahead of real time (absorbs tick jitter without adding latency)
_CREDIT = 0.2  # a stream this far behind its schedule (a late loop catching up) sends at once; a longer gap restarts it
_ids = itertools.count(1)
_EMPTY = np.zeros(0, np.int16)


def _pcm_bytes(frame: PCM) -> bytes:
    """A whole int16 frame (already checked by ``as_pcm``) as little-endian bytes: ``encode`` without re-checking."""
    return frame.astype("<i2", copy=False).tobytes()


class AgentsClientError(Exception):
    """Creating the client failed; ``kind`` is "http" (token request) or "websocket" (the connection)."""

    def __init__(self, kind: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status


class TransportHandshakeError(Exception):
    """Raised by an in-process transport's ``ws_connect`` when the server refuses the upgrade (HTTP ``status``)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status} {message}")
        self.status = status
        self.message = message


@dataclass(slots=True)
class ClientOptions:
    """Everything ``createAgentsClient`` needs; ``base_url`` is the local emulator's, or ``LIVE_BASE_URL``."""

    api_key: str
    agent_id: str
    cartesia_version: str = p.DEFAULT_VERSION
    base_url: str = LIVE_BASE_URL
    input_format: str = "pcm_16000"
    auth: str = "token"  # "token": mint + Bearer; "api_key": X-API-Key header; "query": ?access_token=
    token_ttl: int = 3600
    ping_interval: float = 20.0
    media_ended_after: float = 1.0
    send_transcripts: bool = False  # the voxsim.text extension: only towards the local emulator
    connect_timeout: float = 6.0
    transport: Any = None  # in-process stand-in for aiohttp: ``http_post(url, headers, body)``, ``ws_connect(url, headers, params)``


@dataclass(frozen=True, slots=True)
class CloseInfo:
    """What ``onWebSocketClose`` receives."""

    code: int
    reason: str
    was_clean: bool


@dataclass(frozen=True, slots=True)
class _Outgoing:
    """One frame to send: its event name, its JSON text, and the message itself for the wire observer (None for
    media_input, which the observer never sees)."""

    event: str
    text: str
    message: dict[str, Any] | None
    paced: bool = False  # a media frame whose source already runs at real time: never held back by burst pacing


class AgentsClient:
    """One connection to a Line agent. Create with ``await AgentsClient.create(options, ...)``.

    Audio is 16-bit PCM at the input format's rate (8 kHz for mulaw_8000), 20 ms per frame both ways:
    ``push_input(pcm, text)`` from the call, ``pull_output()`` towards the call.
    """

    def __init__(
        self,
        options: ClientOptions,
        *,
        session: aiohttp.ClientSession | None = None,
        on_event: Callable[[str, dict[str, Any]], None] | None = None,
        on_close: Callable[[CloseInfo], None] | None = None,
        on_wire: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
        self.options = options
        self.on_wire = on_wire
        self.format: AudioFormat = p.audio_format(options.input_format)
        self.id = f"cartesia-agents-{next(_ids)}"
        self.websocket_id = ""
        self.stream_id: str | None = None
        self.state = "new"  # new → connecting → open → started → acked → closed
        self.on_event = on_event or (lambda member, data: None)
        self.on_close = on_close or (lambda info: None)
        self.sent: dict[str, int] = {}
        self.received: dict[str, int] = {}
        self.dropped_input_frames = 0
        self.close_info: CloseInfo | None = None
        self._own_session = session is None
        self._session = session
        self._ws: Any = None  # aiohttp.ClientWebSocketResponse, or the in-process transport's socket
        self._tasks: list[asyncio.Task[None]] = []
        # Sending: a frame goes straight to the socket when nothing is waiting before it; otherwise it joins the
        # backlog, which the writer task drains in order (pacing bursts, waiting out back-pressure).
        self._backlog: deque[_Outgoing] = deque()
        self._wake: asyncio.Future[None] | None = None  # the writer waiting for the backlog
        self._inflight: asyncio.Task[None] | None = None  # a direct send that had to wait (back-pressure)
        self._anchor: float | None = None  # media pacing: loop time of media frame 0 of the current run
        self._sent_media = 0
        self._media_prefix = ""  # the constant JSON head of this stream's media_input frames
        fmt = self.format
        self._frame_bytes: Callable[[PCM], bytes] = (
            _pcm_bytes if fmt.encoding == "pcm_s16le" else lambda frame: encode(frame, fmt))
        self._frame = frame_samples(self.format.sample_rate)
        self._input = np.zeros(0, np.int16)
        self._input_text: str | None = None
        self._output = PlayoutQueue()
        self._last_send = 0.0
        self._playing = False
        self._played_samples = 0
        self._last_audio_at = 0.0
        self._closed = asyncio.Event()

    # -- connecting ---------------------------------------------------------------------------------------------------

    @classmethod
    async def create(cls, options: ClientOptions, **kwargs: Any) -> AgentsClient:
        """Mint a token, open the socket, start the reader; raises AgentsClientError (after reporting the event)."""
        client = cls(options, **kwargs)
        await client.connect()
        return client

    def _emit(self, member: str, data: dict[str, Any]) -> None:
        try:
            self.on_event(member, data)
        except Exception:  # a listener's failure is the listener's problem, never the connection's
            log.exception("Cartesia %s listener failed", member)

    def _loop_time(self) -> float:
        return asyncio.get_running_loop().time()

    def _urls(self) -> tuple[str, str]:
        base = urlsplit(self.options.base_url.rstrip("/"))
        scheme = {"https": "wss", "http": "ws"}.get(base.scheme, base.scheme)
        http = urlunsplit((base.scheme, base.netloc, base.path, "", ""))
        ws = urlunsplit((scheme, base.netloc, f"{base.path}/agents/stream/{quote(self.options.agent_id, safe='')}", "", ""))
        return http, ws

    async def connect(self) -> None:
        """Token (per ``options.auth``), then the WebSocket handshake."""
        self.state = "connecting"
        if self._session is None:
            self._session = aiohttp.ClientSession()
        http_base, ws_url = self._urls()
        headers = {"Cartesia-Version": self.options.cartesia_version}
        params: dict[str, str] = {}
        try:
            if self.options.auth == "api_key":
                headers["X-API-Key"] = self.options.api_key
            else:
                token = await self._mint_token(http_base)
                if self.options.auth == "query":
                    params = {"access_token": token, "cartesia_version": self.options.cartesia_version}
                else:
                    headers["Authorization"] = f"Bearer {token}"
            try:
                if self.options.transport is not None:
                    self._ws = await self.options.transport.ws_connect(ws_url, headers, params)
                else:
                    self._ws = await self._session.ws_connect(
                        ws_url,
                        headers=headers,
                        params=params,
                        autoping=True,
                        timeout=aiohttp.ClientWSTimeout(ws_close=5.0),
                        max_msg_size=16 * 1024 * 1024,
                    )
            except (aiohttp.WSServerHandshakeError, TransportHandshakeError) as exc:
                message = f"Cartesia WebSocket handshake failed: HTTP {exc.status} {exc.message}"
                self._emit("WebSocketError", {"payload": {"error": message, "status": exc.status}})
                raise AgentsClientError("websocket", message, exc.status) from None
            except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
                message = f"cannot connect to {ws_url}: {type(exc).__name__}: {exc}"
                self._emit("WebSocketError", {"payload": {"error": message}})
                raise AgentsClientError("websocket", message) from None
        except AgentsClientError:
            self.state = "closed"
            await self._release()
            raise
        self.websocket_id = f"ws-{self.id}"
        self.state = "open"
        self._last_send = self._loop_time()
        if hasattr(self._ws, "fast_receiver"):  # the in-process transport (tools/agent/memory.py): agent audio
            self._ws.fast_receiver = self._fast_receive  # is queued inside the emulator's send, no reader wake
        self._tasks = [
            asyncio.create_task(self._reader(), name=f"{self.id}-reader"),
            asyncio.create_task(self._writer(), name=f"{self.id}-writer"),
            asyncio.create_task(self._pinger(), name=f"{self.id}-pinger"),
        ]

    async def _mint_token(self, http_base: str) -> str:
        assert self._session is not None
        url = f"{http_base}/access-token"
        body = {"grants": {"agent": True}, "expires_in": self.options.token_ttl}
        headers = {"Authorization": f"Bearer {self.options.api_key}", "Cartesia-Version": self.options.cartesia_version}
        try:
            if self.options.transport is not None:
                status, text = await self.options.transport.http_post(url, headers, body)
            else:
                async with self._session.post(
                    url, json=body, headers=headers, timeout=aiohttp.ClientTimeout(total=self.options.connect_timeout)
                ) as response:
                    status, text = response.status, await response.text()
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            message = f"access-token request to {url} failed: {type(exc).__name__}: {exc}"
            self._emit("WebSocketError", {"payload": {"error": message}})
            raise AgentsClientError("http", message) from None
        token = None
        if status == 200:
            with contextlib.suppress(ValueError, AttributeError):
                token = json.loads(text).get("token")
        shown = text if status != 200 else '{"token": "<redacted>"}'
        self._emit("HTTPResponse", {"payload": {"url": url, "status": status, "body": shown[:500]}})
        if not isinstance(token, str):
            message = f"access-token request failed: HTTP {status} {text[:200]}"
            self._emit("WebSocketError", {"payload": {"error": message, "status": status}})  # no socket without a token
            raise AgentsClientError("http", message, status)
        return token

    async def _release(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    # -- sending ------------------------------------------------------------------------------------------------------

    def _queue(self, message: dict[str, Any]) -> None:
        self._submit(_Outgoing(message["event"], p.encode(message), message))

    def _submit(self, out: _Outgoing) -> None:
        """Send ``out`` now if nothing is ahead of it and pacing allows, else leave it to the writer (same order)."""
        if self.state in ("closed", "closing") or self._ws is None:
            return
        if not self._backlog and self._inflight is None:
            if out.event != "media_input" or out.paced:
                self._send_now(out)
                return
            if self._pace(self._loop_time(), hold=True) <= 0:
                self._send_now(out)
                return
        self._backlog.append(out)
        wake = self._wake
        if wake is not None and not wake.done():
            wake.set_result(None)

    def _pace(self, now: float, *, hold: bool = False) -> float:
        """Seconds a media_input frame must wait: a real-time source goes out at once; a burst goes at 20 ms per
        frame, at most ``_LEAD`` ahead of the stream's schedule (20 ms per frame since its anchor). A stream up to
        ``_CREDIT`` behind its schedule (ticks that ran late and catch up) goes at once; a longer gap re-anchors.
        The frame counts as sent unless ``hold`` and it has to wait."""
        anchor, sent = self._anchor, self._sent_media
        due = None if anchor is None else anchor + sent * 0.02
        if anchor is None or due is None or now > due + _CREDIT:
            wait, anchor, sent = 0.0, now, 0
        else:
            wait = max(0.0, due - now - _LEAD)
        if not (hold and wait > 0):
            self._anchor, self._sent_media = anchor, sent + 1
        return wait

    def _send_now(self, out: _Outgoing) -> None:
        """Run the socket's send to completion without a task when it does not wait (the usual case: aiohttp and
        the in-memory socket write synchronously and only wait under back-pressure); otherwise finish it in a task
        that later frames queue behind."""
        coro = self._ws.send_str(out.text)
        try:
            pending = coro.send(None)
        except StopIteration:
            self._sent(out)
            return
        except (ConnectionResetError, RuntimeError, aiohttp.ClientError) as exc:
            log.debug("Cartesia send failed: %s", exc)
            return
        self._inflight = asyncio.get_running_loop().create_task(self._finish_send(coro, pending, out))

    async def _finish_send(self, coro: Any, pending: Any, out: _Outgoing) -> None:
        """Drive a send coroutine that suspended in ``_send_now`` the way a task would: await what it waits for,
        resume it, until it returns."""
        try:
            while True:
                try:
                    if pending is None:
                        await asyncio.sleep(0)
                    else:
                        pending._asyncio_future_blocking = False
                        await pending
                except BaseException as exc:  # cancelled (or the awaited future failed): the send sees it
                    try:
                        pending = coro.throw(exc)
                    except StopIteration:
                        self._sent(out)
                        return
                    continue
                try:
                    pending = coro.send(None)
                except StopIteration:
                    self._sent(out)
                    return
        except (ConnectionResetError, RuntimeError, aiohttp.ClientError) as exc:
            log.debug("Cartesia send failed: %s", exc)
        finally:
            coro.close()
            self._inflight = None
            if self._backlog and self._wake is not None and not self._wake.done():
                self._wake.set_result(None)

    def _sent(self, out: _Outgoing) -> None:
        self._last_send = self._loop_time()
        self.sent[out.event] = self.sent.get(out.event, 0) + 1
        if self.on_wire is not None and out.message is not None:
            self._wire("sent", out.message)

    def start(self, params: dict[str, Any] | None = None) -> None:
        """Send ``start``: the scenario's ``metadata``/``agent``/``stream_id``/``config`` pass through; voxsim picks
        ``config.input_format``. A second call is ignored (Cartesia accepts one start per socket)."""
        if self.state != "open":
            log.warning("AgentsClient.start() ignored in state %s", self.state)
            return
        params = dict(params or {})
        raw_config = params.get("config")
        config: dict[str, Any] = raw_config if isinstance(raw_config, dict) else {}
        message = p.start(
            self.format.name,
            stream_id=params.get("stream_id") if isinstance(params.get("stream_id"), str) else None,
            metadata=params.get("metadata") if isinstance(params.get("metadata"), dict) else None,
            agent=params.get("agent") if isinstance(params.get("agent"), dict) else None,
            config={k: v for k, v in config.items() if k != "input_format"},
        )
        for key, value in params.items():
            message.setdefault(key, value)
        self.state = "started"
        self._queue(message)

    def dtmf(self, digit: str) -> None:
        """Send one DTMF digit (ignored before ``ack``: there is no stream id yet)."""
        if self.stream_id is not None:
            self._queue(p.dtmf(self.stream_id, digit))

    def custom(self, metadata: dict[str, Any]) -> None:
        """Send custom metadata to the agent."""
        if self.stream_id is not None:
            self._queue(p.custom(self.stream_id, metadata))

    def push_input(self, pcm: Any, text: str | None = None, *, paced: bool = False) -> None:
        """Caller audio (PCM array or 16-bit LE bytes at the format's rate); whole 20 ms frames go out as ``media_input`` once acked.

        Audio before ``ack`` is dropped (counted in ``dropped_input_frames``), as Cartesia closes on early media.
        ``paced``: the source already runs at real time (the media graph's tick, which catches up late ticks and
        drops a long stall), so its frames skip burst pacing; holding a catch-up frame back would only add latency.
        """
        samples = pcm_from_bytes(bytes(pcm)) if isinstance(pcm, (bytes, bytearray)) else as_pcm(pcm)
        if self.state != "acked" or self.stream_id is None:
            self.dropped_input_frames += max(1, samples.size // self._frame)
            return
        if text:
            self._input_text = text if self._input_text is None else f"{self._input_text} {text}"
        buffered = np.concatenate([self._input, samples]) if self._input.size else samples
        n = self._frame
        whole = buffered.size // n * n
        if whole and not self._media_prefix:
            self._media_prefix = p.media_prefix("media_input", self.stream_id)
        for i in range(0, whole, n):
            frame_text = self._input_text if self.options.send_transcripts else None
            self._input_text = None
            audio = self._frame_bytes(buffered[i : i + n])
            if frame_text is None:
                self._submit(_Outgoing("media_input", p.media_text(self._media_prefix, audio), None, paced))
            else:
                frame = p.encode(p.media_input(self.stream_id, audio, frame_text))
                self._submit(_Outgoing("media_input", frame, None, paced))
        self._input = buffered[whole:].copy() if whole < buffered.size else _EMPTY

    async def _writer(self) -> None:
        """Drain the backlog in order: pace media bursts, wait out a send that is still in flight."""
        assert self._ws is not None
        loop = asyncio.get_running_loop()
        while self.close_info is None:
            if not self._backlog or self._inflight is not None:
                if self._inflight is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.shield(self._inflight)
                    continue
                self._wake = loop.create_future()
                try:
                    await self._wake
                finally:
                    self._wake = None
                continue
            out = self._backlog[0]
            if out.event == "media_input" and not out.paced:
                wait = self._pace(self._loop_time())
                if wait > 0:
                    await asyncio.sleep(wait)
            self._backlog.popleft()
            try:
                await self._ws.send_str(out.text)
            except (ConnectionResetError, RuntimeError, aiohttp.ClientError) as exc:
                log.debug("Cartesia send failed: %s", exc)
                continue
            self._sent(out)

    async def _pinger(self) -> None:
        assert self._ws is not None
        interval = self.options.ping_interval
        while not self._ws.closed:
            delay = self._last_send + interval - self._loop_time()
            if delay > 0:
                await asyncio.sleep(delay)
                continue
            with contextlib.suppress(ConnectionResetError, RuntimeError, aiohttp.ClientError):
                await self._ws.ping()
            self.sent["ping"] = self.sent.get("ping", 0) + 1
            self._last_send = self._loop_time()

    # -- receiving ----------------------------------------------------------------------------------------------------

    async def _reader(self) -> None:
        assert self._ws is not None
        ws = self._ws
        error: str | None = None
        reason = ""
        try:
            while True:
                msg = await ws.receive()
                if msg.type == aiohttp.WSMsgType.TEXT:
                    self._on_text(msg.data)
                elif msg.type == aiohttp.WSMsgType.BINARY:
                    self._count("binary")
                    self._emit("ConnectorInformation", {"payload": {"warning": "binary frame ignored", "bytes": len(msg.data)}})
                elif msg.type == aiohttp.WSMsgType.CLOSE:
                    reason = msg.extra or ""
                    break
                elif msg.type == aiohttp.WSMsgType.ERROR:
                    error = f"{ws.exception()}"
                    break
                elif msg.type in (aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED):
                    break
        except (aiohttp.ClientError, ConnectionResetError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        if not ws.closed:
            with contextlib.suppress(Exception):
                await ws.close()
        code = ws.close_code if ws.close_code is not None else 1006
        if error or code == 1006:
            self._emit("WebSocketError", {"payload": {"error": error or "connection lost", "code": code}})
        self._finish(CloseInfo(code, reason, code != 1006 and error is None))
        await self._release()

    def _wire(self, direction: str, message: dict[str, Any]) -> None:
        assert self.on_wire is not None
        try:
            self.on_wire(direction, message)
        except Exception:
            log.exception("Cartesia wire observer failed")

    def _count(self, event: str) -> None:
        self.received[event] = self.received.get(event, 0) + 1

    def _fast_receive(self, msg: Any) -> Any:
        """An in-process socket's synchronous way in, called while the reader waits with nothing queued: a
        ``media_output`` frame is queued for playout now (what ``_on_text`` does with it: no event, no listener
        runs); anything else, or anything odd, goes to the reader as usual."""
        data = msg.data
        if self.close_info is not None or not data.startswith('{"event":"media_output"'):
            return msg
        try:
            message = p.parse_message(data, side="server")
            pcm = decode(message.audio, self.format) if message.event == "media_output" and message.known else None
        except (p.ProtocolError, ValueError):
            return msg
        if pcm is None:
            return msg
        self._count("media_output")
        self._output.push(pcm, message.text)
        return None

    def _on_text(self, data: str) -> None:
        try:
            message = p.parse_message(data, side="server")
        except p.ProtocolError as exc:
            self._count("malformed")
            self._emit("ConnectorInformation", {"payload": {"warning": f"malformed frame ignored: {exc}", "frame": data[:200]}})
            return
        self._count(message.event)
        if self.on_wire is not None and message.event != "media_output":
            self._wire("received", message.raw)
        if not message.known:
            self._emit("Unknown", {"payload": message.raw})
        elif message.event == "media_output":
            self._output.push(decode(message.audio, self.format), message.text)
        elif message.event == "ack":
            self.stream_id = message.stream_id
            self.state = "acked"
            self._emit("ACK", {"payload": message.raw})
        elif message.event == "clear":
            self._emit("Clear", {"payload": message.raw})
        elif message.event == "dtmf":
            self._emit("DTMF", {"payload": message.raw})
        elif message.event == "custom":
            self._emit("Custom", {"payload": message.raw})
        else:  # transfer_call and other known-but-unmapped events surface as Unknown, as on the platform
            self._emit("Unknown", {"payload": message.raw})

    # -- playout ------------------------------------------------------------------------------------------------------

    @property
    def queued_output_seconds(self) -> float:
        """Agent audio received and not yet played."""
        return self._output.samples / self.format.sample_rate

    def pull_output(self) -> tuple[PCM, str | None] | None:
        """The next 20 ms of agent audio for the call, or None when nothing is queued (the unit is silent).

        Fires ``WebSocketMediaStarted`` on the first audio after silence and ``WebSocketMediaEnded`` once the agent
        has been silent for ``media_ended_after`` seconds.
        """
        now = self._loop_time()
        if self._output.samples <= 0:
            if self._playing and now - self._last_audio_at >= self.options.media_ended_after:
                self._playing = False
                duration = self._played_samples / self.format.sample_rate
                self._played_samples = 0
                self._emit("WebSocketMediaEnded", {"mediaInfo": {"duration": duration}})
            return None
        if not self._playing:
            self._playing = True
            self._emit("WebSocketMediaStarted", {"encoding": self.format.name})
        frame = self._output.pop(self._frame)
        self._played_samples += self._frame
        self._last_audio_at = now + 0.02
        return frame

    def clear_media_buffer(self) -> float:
        """Drop every queued agent frame now (the barge-in primitive); returns the seconds dropped."""
        return self._output.clear() / self.format.sample_rate

    # -- closing ------------------------------------------------------------------------------------------------------

    def _finish(self, info: CloseInfo, by: str = "received") -> None:
        if self.close_info is not None:
            return
        if self.on_wire is not None:
            self._wire(by, {"event": "close", "code": info.code, "reason": info.reason})
        self.state = "closed"
        self.close_info = info
        self._closed.set()
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)
        try:
            self.on_close(info)
        except Exception:
            log.exception("onWebSocketClose failed")

    async def close(self, code: int = p.CLOSE_NORMAL, reason: str = p.REASON_SESSION_COMPLETED) -> None:
        """Close the connection (idempotent); ``on_close`` fires once, with this code and reason."""
        ws = self._ws
        if ws is not None and not ws.closed:
            self._finish(CloseInfo(code, reason, True), by="sent")
            with contextlib.suppress(Exception):
                await ws.close(code=code, message=reason.encode())
        elif self.close_info is None:
            self._finish(CloseInfo(code, reason, True), by="sent")
        if self._inflight is not None:
            self._tasks.append(self._inflight)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        await self._release()

    async def wait_closed(self) -> CloseInfo:
        """Wait until the socket is closed by either side."""
        await self._closed.wait()
        assert self.close_info is not None
        return self.close_info
