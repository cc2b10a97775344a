"""The session's control URL end to end: Started URLs, AppEvents.HttpRequest → the listener's return value, 404,
async handlers, incoming WebSockets after allowWebSocketConnections."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from voxsim.engine.host import to_py
from voxsim.engine.values import UNDEFINED
from voxsim.runtime.session import Session, SessionOptions


@pytest.fixture
async def session() -> AsyncIterator[Session]:
    s = Session(SessionOptions())
    await s.start()
    yield s
    s.terminate()
    await s.wait()


def listen(session: Session, event: str, fn: Any) -> None:
    session.events.add_js_listener(event, session.realm.new_host_function("listener", fn, 1))


@pytest.fixture
async def client(session: Session) -> AsyncIterator[aiohttp.ClientSession]:
    ssl = session.extensions["http"].server.client_ssl_context()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ssl)) as c:
        yield c


async def test_started_carries_both_urls(session: Session) -> None:
    started = session.trace.find("event")[0]
    assert started["name"] == "Application.Started"
    assert started["data"]["accessURL"] == session.access_url
    assert session.access_url.startswith("http://127.0.0.1:") and session.secret in session.access_url
    assert session.access_secure_url.startswith("https://127.0.0.1:") and session.secret in session.access_secure_url


async def test_post_json_to_handler_and_back(session: Session, client: aiohttp.ClientSession) -> None:
    seen: list[dict] = []

    def handler(event: Any) -> Any:
        payload = to_py(event)
        seen.append(payload)
        command = json.loads(payload["content"])
        return session.to_js({"ok": True, "action": command["action"]})

    listen(session, "Application.HttpRequest", handler)
    async with client.post(session.access_secure_url, json={"action": "end_call"}, headers={"X-Agent": "a1"}) as resp:
        assert resp.status == 200
        assert await resp.json() == {"ok": True, "action": "end_call"}
    assert seen[0]["method"] == "POST" and seen[0]["name"] == "Application.HttpRequest"
    assert seen[0]["headers"] == [{"key": "X-Agent", "value": "a1"}]
    # several requests, the session goes on
    async with client.post(session.access_url, json={"action": "call_transfer"}) as resp:
        assert (await resp.json())["action"] == "call_transfer"
    assert session.state == "running"
    http = [r.fields for r in session.trace.find("http")]
    assert [(h["direction"], h["phase"]) for h in http] == [("in", "request"), ("in", "response")] * 2


async def test_string_number_and_no_return(session: Session, client: aiohttp.ClientSession) -> None:
    answers = iter(["plain text", 42.0, UNDEFINED])
    listen(session, "Application.HttpRequest", lambda event: next(answers))
    for expected in ("plain text", "42", ""):
        async with client.get(session.access_url) as resp:
            assert await resp.text() == expected


async def test_async_handler_is_awaited(session: Session, client: aiohttp.ClientSession) -> None:
    realm = session.realm

    def handler(event: Any) -> Any:
        promise, resolve, _ = realm.new_promise()
        session.loop.call_later(0.05, lambda: session.run_js(lambda: resolve(session.to_js({"later": True}))))
        return promise

    listen(session, "Application.HttpRequest", handler)
    async with client.get(session.access_url) as resp:
        assert await resp.json() == {"later": True}


async def test_wrong_secret_is_404(session: Session, client: aiohttp.ClientSession) -> None:
    async with client.get(session.access_url.replace(session.secret, "guess")) as resp:
        assert resp.status == 404


async def test_incoming_websocket_needs_allow(session: Session, client: aiohttp.ClientSession) -> None:
    realm = session.realm
    texts: list[str] = []
    sockets: list[Any] = []

    def on_socket(event: Any) -> Any:
        ws = event.get("websocket", event)
        sockets.append(ws)
        realm.call(ws.get("addEventListener", ws), ws, ["WebSocket.Message", realm.new_host_function(
            "m", lambda e: texts.append(to_py(e)["text"]) or realm.call(ws.get("send", ws), ws, ["ack"]) or UNDEFINED, 1)])
        return UNDEFINED

    listen(session, "AppEvents.NewWebSocketConnection", on_socket)
    with pytest.raises(aiohttp.WSServerHandshakeError):
        await client.ws_connect(session.access_url)
    vox = session.realm.global_object.get("VoxEngine", session.realm.global_object)
    session.run_js(lambda: realm.call(vox.get("enableStatisticsForIncomingWebsockets", vox), vox, []))
    session.run_js(lambda: realm.call(vox.get("allowWebSocketConnections", vox), vox, []))
    assert session.errors == []
    async with client.ws_connect(session.access_secure_url) as ws:
        await ws.send_str("hello")
        reply = await asyncio.wait_for(ws.receive(), 5)
        assert reply.data == "ack"
    assert texts == ["hello"] and len(sockets) == 1


async def test_sessions_share_one_server_with_their_own_secrets() -> None:
    first, second = Session(SessionOptions()), Session(SessionOptions())
    await first.start()
    await second.start()
    listen(first, "Application.HttpRequest", lambda event: "first")
    listen(second, "Application.HttpRequest", lambda event: "second")
    assert first.extensions["http"].server is second.extensions["http"].server
    assert first.access_url != second.access_url
    async with aiohttp.ClientSession() as c:
        for s, expected in ((first, "first"), (second, "second")):
            async with c.get(s.access_url) as resp:
                assert await resp.text() == expected
        first.terminate()
        await first.wait()
        async with c.get(first.access_url) as resp:
            assert resp.status == 404
        async with c.get(second.access_url) as resp:
            assert await resp.text() == "second"
    second.terminate()
    await second.wait()


async def test_sessions_starting_together_share_the_server() -> None:
    sessions = [Session(SessionOptions()) for _ in range(3)]
    await asyncio.gather(*(s.start() for s in sessions))
    servers = {id(s.extensions["http"].server) for s in sessions}
    assert len(servers) == 1 and all(s.access_url for s in sessions)
    for s in sessions:
        s.terminate()
    await asyncio.gather(*(s.wait() for s in sessions))
