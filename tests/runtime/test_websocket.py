"""WebSocketLink: outgoing over aiohttp, incoming through the control server, event order and close codes."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

from voxsim.runtime.http import ControlServer, HttpRequestEvent
from voxsim.runtime.websocket import CLOSED, OPEN, WebSocketEvent, WebSocketLink, header_pairs


async def ws_handler(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(protocols=["vox"])
    await ws.prepare(request)
    await ws.send_str("hello " + request.headers.get("X-Who", "?"))
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            if msg.data == "bye":
                await ws.close(code=4000, message=b"server says bye")
                break
            await ws.send_str("echo:" + msg.data)
    return ws


@pytest.fixture
async def server() -> AsyncIterator[TestServer]:
    app = web.Application()
    app.router.add_get("/ws", ws_handler)
    srv = TestServer(app, host="127.0.0.1", port=0)
    await srv.start_server()
    yield srv
    await srv.close()


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.closed = asyncio.Event()

    def __call__(self, event: str, payload: dict[str, Any]) -> None:
        self.events.append((event, payload))
        if event == WebSocketEvent.CLOSE:
            self.closed.set()

    def names(self) -> list[str]:
        return [e for e, _ in self.events]

    async def wait_for(self, count: int) -> None:
        for _ in range(200):
            if len(self.events) >= count:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"only {self.events}")


async def test_outgoing_open_message_and_server_close(server: TestServer) -> None:
    rec = Recorder()
    link = WebSocketLink(str(server.make_url("/ws")).replace("http", "ws"), rec)
    link.connect(headers=header_pairs([{"name": "X-Who", "value": "vox"}]), protocols=["vox"])
    assert link.ready_state == "connecting"
    assert link.send("early")  # queued until open
    await rec.wait_for(4)
    assert rec.names()[:2] == [WebSocketEvent.CREATED, WebSocketEvent.OPEN]
    assert link.ready_state == OPEN
    texts = [p["text"] for e, p in rec.events if e == WebSocketEvent.MESSAGE]
    assert texts == ["hello vox", "echo:early"]
    link.send("bye")
    await asyncio.wait_for(rec.closed.wait(), 5)
    assert rec.events[-1] == (WebSocketEvent.CLOSE, {"code": 4000, "reason": "server says bye", "wasClean": True})
    assert link.ready_state == CLOSED
    assert link.send("late") is False


async def test_outgoing_client_close(server: TestServer) -> None:
    rec = Recorder()
    link = WebSocketLink(str(server.make_url("/ws")).replace("http", "ws"), rec)
    link.connect()
    await rec.wait_for(3)
    link.close(1000, "done")
    assert link.ready_state == "closing"
    await asyncio.wait_for(rec.closed.wait(), 5)
    assert rec.events[-1] == (WebSocketEvent.CLOSE, {"code": 1000, "reason": "done", "wasClean": True})


async def test_close_while_connecting(server: TestServer) -> None:
    rec = Recorder()
    link = WebSocketLink(str(server.make_url("/ws")).replace("http", "ws"), rec)
    link.connect()
    link.close()
    await asyncio.wait_for(rec.closed.wait(), 5)
    assert WebSocketEvent.OPEN not in rec.names()
    assert rec.events[-1][1]["code"] == 1000


async def test_failed_connect_is_error_then_close_1006() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rec = Recorder()
    WebSocketLink(f"ws://127.0.0.1:{port}/", rec).connect()
    await asyncio.wait_for(rec.closed.wait(), 5)
    assert rec.names() == [WebSocketEvent.CREATED, WebSocketEvent.ERROR, WebSocketEvent.CLOSE]
    assert rec.events[-1][1] == {"code": 1006, "reason": "connection failed", "wasClean": False}


async def test_incoming_through_the_control_server() -> None:
    rec = Recorder()
    links: list[WebSocketLink] = []

    async def on_ws(event: HttpRequestEvent, ws: web.WebSocketResponse) -> None:
        link = WebSocketLink(event.path, rec)
        links.append(link)
        await link.serve(ws)

    async with ControlServer(tls=False) as control:
        endpoint = control.register(lambda event: None, websocket_handler=on_ws)
        endpoint.allow_websockets = True
        async with aiohttp.ClientSession() as client:
            async with client.ws_connect(endpoint.access_url) as ws:
                await rec.wait_for(1)
                links[0].send("from scenario")
                assert (await ws.receive()).data == "from scenario"
                await ws.send_str("from peer")
                await rec.wait_for(2)
                await ws.close(code=1001, message=b"going away")
            await asyncio.wait_for(rec.closed.wait(), 5)
    assert rec.names() == [WebSocketEvent.OPEN, WebSocketEvent.MESSAGE, WebSocketEvent.CLOSE]
    assert rec.events[1][1] == {"text": "from peer"}
    assert rec.events[2][1] == {"code": 1001, "reason": "going away", "wasClean": True}


def test_header_pairs_forms() -> None:
    assert header_pairs([{"name": "A", "value": "1"}, {"key": "B", "value": 2}]) == [("A", "1"), ("B", "2")]
    assert header_pairs({"A": "1"}) == [("A", "1")]
    assert header_pairs(None) == []
