"""A brain that is the user's own Line agent: drives a ``cartesia-line`` VoiceAgentApp over its harness protocol.

This is what Cartesia's cloud does between the Calls API and the agent code (protocol B in
../shared/reference/cartesia-protocol.md §9): ``POST /chats``, WebSocket ``/ws``, a ``start`` frame, then
``user_state``/``message``/``dtmf``/``custom``/``agent_state``/``agent_speech`` in and ``message``/``dtmf``/``end_call``/
``transfer``/``custom`` out. The app runs in-process under uvicorn on 127.0.0.1 (optional extra ``line``), or is
reached at a URL when it already runs elsewhere. Text only: speech and hearing stay the emulator's.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import itertools
import json
import logging
from collections.abc import Callable
from typing import Any

import aiohttp

from .brain import (
    Act,
    AgentSpoke,
    Brain,
    CallEnded,
    CallStarted,
    EndCall,
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

__all__ = ["LineAppHost", "LineBrain", "LineBrainFactory", "line_brain_factory"]

log = logging.getLogger("voxsim.agent.line")
_ids = itertools.count(1)


class LineAppHost:
    """Serves one VoiceAgentApp under uvicorn on 127.0.0.1 (port 0), started on first use, in the running loop."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._url: str | None = None
        self._lock: asyncio.Lock | None = None
        self._server: Any = None
        self._task: asyncio.Task[None] | None = None

    async def url(self) -> str:
        """The app's base URL, starting the server if needed."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._url is None:
                import uvicorn  # the 'line' extra

                config = uvicorn.Config(
                    self.app.fastapi_app, host="127.0.0.1", port=0, lifespan="off", ws_ping_interval=None,
                    log_level="warning",
                )
                self._server = uvicorn.Server(config)
                self._task = asyncio.create_task(self._server.serve())
                while not self._server.started:
                    if self._task.done():
                        self._task.result()
                    await asyncio.sleep(0.005)
                port = self._server.servers[0].sockets[0].getsockname()[1]
                self._url = f"http://127.0.0.1:{port}"
        return self._url

    async def stop(self) -> None:
        """Stop uvicorn."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._task, 5)
        self._url = None


class LineBrain:
    """One conversation with a Line app; ``base_url`` is a callable that yields the app's HTTP base URL."""

    def __init__(self, base_url: Callable[[], Any]) -> None:
        self._base_url = base_url
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._n = 0
        self.sent: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []

    async def _send(self, frame: dict[str, Any]) -> None:
        if self._ws is None or self._ws.closed:
            return
        self._n += 1
        frame.setdefault("event_id", f"vx-{self._n}")
        self.sent.append(frame)
        await self._ws.send_str(json.dumps(frame))

    async def handle(self, event: InputEvent, act: Act) -> None:
        if isinstance(event, CallStarted):
            await self._open(event, act)
        elif isinstance(event, UserTurnStarted):
            await self._send({"type": "user_state", "value": "speaking"})
        elif isinstance(event, UserTurnEnded):
            if event.text:
                await self._send({"type": "message", "content": event.text})
            await self._send({"type": "user_state", "value": "idle"})
        elif isinstance(event, UserDtmf):
            await self._send({"type": "dtmf", "button": event.digit})
        elif isinstance(event, UserCustom):
            await self._send({"type": "custom", "metadata": event.metadata})
        elif isinstance(event, AgentSpoke):
            await self._send({"type": "agent_state", "value": "speaking"})
            await self._send({"type": "agent_speech", "content": event.text})
            await self._send({"type": "agent_state", "value": "idle"})
        elif isinstance(event, CallEnded):
            await self._close()

    async def _open(self, event: CallStarted, act: Act) -> None:
        base = self._base_url()
        if asyncio.iscoroutine(base):
            base = await base
        call_id = f"voxsim-call-{next(_ids)}"
        agent = {"id": event.agent_id, **{k: v for k, v in event.agent.items() if k in ("system_prompt", "introduction")}}
        meta = event.metadata
        self._session = aiohttp.ClientSession()
        body = {"call_id": call_id, "from_": str(meta.get("from", "websocket")), "to": str(meta.get("to", event.agent_id)),
                "agent_call_id": event.stream_id, "agent": agent, "metadata": meta}
        async with self._session.post(f"{base}/chats", json=body) as response:
            if response.status != 200:
                raise RuntimeError(f"Line app refused the call: POST /chats → HTTP {response.status} {await response.text()}")
            ws_path = (await response.json()).get("websocket_url", "/ws")
        self._ws = await self._session.ws_connect(base.replace("http", "ws", 1) + ws_path, autoping=True)
        start = {"type": "start", "call_id": call_id, "from": body["from_"], "to": body["to"],
                 "agent_call_id": event.stream_id, "agent": agent, "metadata": meta}
        self.sent.append(start)
        await self._ws.send_str(json.dumps(start))
        self._reader = asyncio.create_task(self._read(act))

    async def _read(self, act: Act) -> None:
        assert self._ws is not None
        async for msg in self._ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            try:
                frame = json.loads(msg.data)
            except ValueError:
                log.warning("Line app sent non-JSON: %.80s", msg.data)
                continue
            self.received.append(frame)
            action = _to_action(frame)
            if action is not None:
                await act(action)
            elif frame.get("type") == "error":
                log.error("Line app error: %s", frame.get("content"))

    async def _close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._reader, 2)
        if self._session is not None:
            await self._session.close()


def _to_action(frame: dict[str, Any]) -> Speak | SendDtmf | SendCustom | EndCall | Transfer | None:
    kind = frame.get("type")
    if kind == "message" and isinstance(frame.get("content"), str):
        return Speak(frame["content"], bool(frame.get("interruptible", True)))
    if kind == "dtmf" and isinstance(frame.get("button"), str):
        return SendDtmf(frame["button"])
    if kind == "custom" and isinstance(frame.get("metadata"), dict):
        return SendCustom(frame["metadata"])
    if kind == "end_call":
        return EndCall(frame.get("reason"))
    if kind == "transfer":
        number = frame.get("target_phone_number")
        destination = frame.get("transfer_destination")
        if number is None and isinstance(destination, dict):
            number = destination.get("value")  # 0.2.19 wire shape
        return Transfer(str(number)) if number else None
    return None


class LineBrainFactory:
    """Makes one LineBrain per stream; ``stop()`` shuts down the in-process app server (the emulator calls it)."""

    def __init__(self, base_url: Callable[[], Any], host: LineAppHost | None = None) -> None:
        self._base_url = base_url
        self.host = host

    def __call__(self) -> Brain:
        return LineBrain(self._base_url)

    async def stop(self) -> None:
        if self.host is not None:
            await self.host.stop()


def line_brain_factory(spec: str | Any) -> LineBrainFactory:
    """Brains for a Line app: ``module:attr`` naming a VoiceAgentApp (served in-process), an ``http://`` URL of a
    running one, or the app object itself."""
    if isinstance(spec, str) and spec.startswith(("http://", "https://")):
        url = spec.rstrip("/")
        return LineBrainFactory(lambda: url)
    app = spec
    if isinstance(spec, str):
        module_name, _, attr = spec.partition(":")
        app = getattr(importlib.import_module(module_name), attr or "app")
    if not hasattr(app, "fastapi_app"):
        raise ImportError(f"{spec!r} is not a cartesia-line VoiceAgentApp (it has no fastapi_app)")
    host = LineAppHost(app)
    return LineBrainFactory(host.url, host)
