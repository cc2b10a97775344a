"""The AgentsClient against a hand-written server: robustness, pacing, playout queue, media events, close."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import numpy as np
import pytest
from aiohttp import WSMsgType, web

from voxsim.runtime.modules.cartesia import AgentsClient, ClientOptions, CloseInfo

pytestmark = pytest.mark.looptime

Handler = Callable[[web.WebSocketResponse, list[Any]], Awaitable[None]]


@asynccontextmanager
async def fake_cartesia(handler: Handler) -> AsyncIterator[tuple[str, list[Any]]]:
    received: list[Any] = []

    async def token(request: web.Request) -> web.Response:
        return web.json_response({"token": "t"})

    async def stream(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        start = json.loads((await ws.receive()).data)
        received.append(start)
        await ws.send_json({"event": "ack", "stream_id": "sid_1", "config": start["config"]})
        await handler(ws, received)
        return ws

    app = web.Application()
    app.router.add_post("/access-token", token)
    app.router.add_get("/agents/stream/{agent_id}", stream)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}", received
    finally:
        await runner.cleanup()


async def collect(ws: web.WebSocketResponse, received: list[Any]) -> None:
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            received.append(json.loads(msg.data))


def media(samples: np.ndarray) -> dict[str, Any]:
    return {"event": "media_output", "stream_id": "sid_1",
            "media": {"payload": base64.b64encode(samples.astype("<i2").tobytes()).decode()}}


async def test_malformed_binary_unknown_frames_do_not_crash() -> None:
    async def handler(ws: web.WebSocketResponse, received: list[Any]) -> None:
        await ws.send_str("{not json")
        await ws.send_bytes(b"\x00\x01")
        await ws.send_str('{"event": "media_output", "stream_id": "sid_1", "media": {"payload": "!!"}}')
        await ws.send_str('{"type": "error", "message": "boom"}')
        await ws.send_str('{"event": "turn_started", "turn": 1}')
        await ws.send_json({"event": "custom", "stream_id": "sid_1", "metadata": {"ok": True}})
        await collect(ws, received)

    events: list[tuple[str, dict[str, Any]]] = []
    async with fake_cartesia(handler) as (base, received):
        client = await AgentsClient.create(ClientOptions("k", "a", base_url=base),
                                           on_event=lambda n, d: events.append((n, d)))
        client.start({"metadata": {"to": "x"}, "agent": {"introduction": "hi"}, "stream_id": "mine"})
        await asyncio.sleep(0.5)
        client.custom({"still": "alive"})
        await asyncio.sleep(0.1)
        await client.close()
    names = [n for n, _ in events]
    assert names.count("ConnectorInformation") == 3  # bad JSON, binary, bad base64
    assert names.count("Unknown") == 2 and names[-1] == "Custom"
    assert received[0] == {"event": "start", "stream_id": "mine", "config": {"input_format": "pcm_16000"},
                           "agent": {"introduction": "hi"}, "metadata": {"to": "x"}}
    assert received[-1] == {"event": "custom", "stream_id": "sid_1", "metadata": {"still": "alive"}}


async def test_burst_input_is_paced_at_20ms() -> None:
    times: list[float] = []

    async def handler(ws: web.WebSocketResponse, received: list[Any]) -> None:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT and json.loads(msg.data)["event"] == "media_input":
                times.append(asyncio.get_running_loop().time())

    async with fake_cartesia(handler) as (base, _):
        client = await AgentsClient.create(ClientOptions("k", "a", base_url=base, input_format="mulaw_8000"))
        client.start({})
        await asyncio.sleep(0.1)
        client.push_input(np.zeros(160 * 10, np.int16))  # 200 ms at once
        await asyncio.sleep(0.5)
        await client.close()
    gaps = np.diff(times)
    # up to 40 ms ahead of real time, then one frame per 20 ms
    assert len(times) == 10 and np.allclose(gaps[:2], 0, atol=0.003) and np.allclose(gaps[2:], 0.02, atol=0.003)
    assert times[-1] - times[0] == pytest.approx(0.14, abs=0.005)


async def test_playout_queue_clear_and_media_events() -> None:
    async def handler(ws: web.WebSocketResponse, received: list[Any]) -> None:
        for k in range(10):
            await ws.send_json(media(np.full(320, 1000 + k, np.int16)))
        await ws.send_json({"event": "clear", "stream_id": "sid_1"})
        await collect(ws, received)

    events: list[tuple[float, str, dict[str, Any]]] = []
    async with fake_cartesia(handler) as (base, _):
        client = await AgentsClient.create(
            ClientOptions("k", "a", base_url=base),
            on_event=lambda n, d: events.append((asyncio.get_running_loop().time(), n, d)))
        client.start({})
        await asyncio.sleep(0.2)
        assert client.queued_output_seconds == pytest.approx(0.2)
        frame, _ = client.pull_output()  # type: ignore[misc]
        assert frame.size == 320 and frame[0] == 1000
        assert [n for _, n, _ in events][-2:] == ["Clear", "WebSocketMediaStarted"]  # Clear does not drop by itself
        assert client.clear_media_buffer() == pytest.approx(0.18)
        assert client.pull_output() is None
        for _ in range(60):
            await asyncio.sleep(0.02)
            client.pull_output()
        ended = [d for _, n, d in events if n == "WebSocketMediaEnded"]
        assert ended == [{"mediaInfo": {"duration": 0.02}}]
        await client.close()


async def test_server_close_reaches_on_close_once() -> None:
    async def handler(ws: web.WebSocketResponse, received: list[Any]) -> None:
        await asyncio.sleep(1)
        await ws.close(code=1000, message=b"call ended by agent")

    closes: list[CloseInfo] = []
    async with fake_cartesia(handler) as (base, _):
        client = await AgentsClient.create(ClientOptions("k", "a", base_url=base), on_close=closes.append)
        client.start({})
        info = await asyncio.wait_for(client.wait_closed(), 5)
        await client.close()
        client.dtmf("1")  # after close: ignored, no crash
    assert closes == [CloseInfo(1000, "call ended by agent", True)] and info == closes[0]
