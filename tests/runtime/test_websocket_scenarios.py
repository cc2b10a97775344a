"""WebSockets from a JavaScript scenario on virtual time: createWebSocket with on* handlers and listeners, and an
incoming connection on the control URL after allowWebSocketConnections."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

from voxsim.runtime.clock import run
from voxsim.runtime.session import Session, SessionOptions

from voxsim.engine.script import compile_script  # noqa: F401 - the compiler is what these tests need


def logs(session: Session) -> list[str]:
    return [r["text"] for r in session.trace.find("log")]


async def echo(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    await ws.send_str("welcome " + request.headers.get("X-Who", "?"))
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            if msg.data == "bye":
                await ws.close(code=4001, message=b"done")
            else:
                await ws.send_str("echo:" + msg.data)
    return ws


def test_create_websocket_from_js() -> None:
    async def main() -> Session:
        app = web.Application()
        app.router.add_get("/ws", echo)
        server = TestServer(app, host="127.0.0.1", port=0)
        await server.start_server()
        url = str(server.make_url("/ws")).replace("http://", "ws://")
        session = Session(SessionOptions(custom_data=url))
        session.load("""
            VoxEngine.addEventListener(AppEvents.Started, function () {
              const ws = VoxEngine.createWebSocket(VoxEngine.customData(), {headers: [{name: 'X-Who', value: 'vox'}]});
              Logger.write('state ' + ws.readyState + ' ' + ws.id());
              ws.onopen = function () { Logger.write('open ' + ws.readyState); ws.send('ping'); };
              ws.addEventListener(WebSocketEvents.MESSAGE, function (e) {
                Logger.write('message ' + e.text);
                if (e.text === 'echo:ping') ws.send('bye');
              });
              ws.onclose = function (e) { Logger.write('close ' + e.code + ' ' + e.reason + ' ' + e.wasClean); VoxEngine.terminate(); };
            });
        """)
        await session.start()
        await session.wait(max_seconds=30)
        session.close()
        await server.close()
        return session

    session = run(main(), virtual=True)
    assert logs(session) == ["state connecting ws-1", "open open", "message welcome vox", "message echo:ping",
                             "close 4001 done true"]
    assert session.errors == []


def test_incoming_websocket_from_js() -> None:
    async def main() -> tuple[Session, list[str]]:
        session = Session(SessionOptions())
        session.load("""
            VoxEngine.allowWebSocketConnections();
            VoxEngine.addEventListener(AppEvents.WebSocket, function (e) {
              Logger.write('incoming ' + e.websocket.id());
              e.websocket.addEventListener(WebSocketEvents.MESSAGE, function (m) { e.websocket.send('got ' + m.text); });
              e.websocket.addEventListener(WebSocketEvents.CLOSE, function (c) { Logger.write('closed ' + c.code); VoxEngine.terminate(); });
            });
        """)
        await session.start()
        replies = []
        async with aiohttp.ClientSession() as client:
            async with client.ws_connect(session.access_url) as ws:
                await ws.send_str("hello")
                replies.append((await ws.receive()).data)
        await session.wait(max_seconds=30)
        session.close()
        return session, replies

    session, replies = run(main(), virtual=True)
    assert replies == ["got hello"]
    assert logs(session) == ["incoming ws-1", "closed 1000"]
