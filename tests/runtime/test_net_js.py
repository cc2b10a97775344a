"""Net and VoxEngine.createWebSocket as a scenario sees them: promise/callback forms, limits, tracing, on* handlers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

from voxsim.engine.builtins.promise import PromiseObject
from voxsim.engine.host import to_py
from voxsim.engine.values import UNDEFINED
from voxsim.runtime.net import LIMIT_MESSAGE, HttpRequest
from voxsim.runtime.net_fake import FakeTransport
from voxsim.runtime.session import Session, SessionOptions


def member(session: Session, path: str) -> tuple[Any, Any]:
    g = session.realm.global_object
    this: Any = g
    target: Any = g
    for name in path.split("."):
        this, target = target, target.get(name, target)
    return this, target


def js(session: Session, path: str, *args: Any) -> Any:
    this, fn = member(session, path)
    return session.run_js(lambda: session.realm.call(fn, this, [session.to_js(a) if isinstance(a, (dict, list)) else a for a in args]))


async def settle(promise: PromiseObject) -> Any:
    for _ in range(2000):
        if promise.state != "pending":
            break
        await asyncio.sleep(0.01)
    assert promise.state == "fulfilled", promise.state
    return to_py(promise.result)


@pytest.fixture
async def fake() -> FakeTransport:
    async def echo(request: HttpRequest) -> dict:
        return {"method": request.method, "body": request.text, "x": request.header("X-Token")}

    return FakeTransport().route("https://api.example.com/echo", echo).route("https://api.example.com/slow*", slow)


async def slow(request: HttpRequest) -> str:
    await asyncio.sleep(1)
    return "done"


@pytest.fixture
async def session(fake: FakeTransport) -> AsyncIterator[Session]:
    s = Session(SessionOptions(settings={"net_transport": fake}))
    await s.start()
    yield s
    s.terminate()
    await s.wait()


async def test_http_request_async_resolves_with_the_result(session: Session) -> None:
    _, ctor = member(session, "Net.HttpRequestOptions")
    options = session.run_js(lambda: session.realm.construct(ctor, []))
    options.set("method", "POST", options)
    options.set("postData", '{"a":1}', options)
    options.set("headers", session.to_js(["X-Token: t1"]), options)
    result = await settle(js(session, "Net.httpRequestAsync", "https://api.example.com/echo", options))
    assert result["code"] == 200
    assert __import__("json").loads(result["text"]) == {"method": "POST", "body": '{"a":1}', "x": "t1"}
    missing = await settle(js(session, "Net.httpRequestAsync", "https://nowhere.example.com/"))
    assert missing["code"] == -3 and missing["error"].startswith("Host not found")
    http = [r.fields for r in session.trace.find("http")]
    assert http[0]["direction"] == "out" and http[0]["phase"] == "request" and http[0]["method"] == "POST"
    assert http[1]["phase"] == "response" and http[1]["status"] == 200


async def test_http_request_callback_form(session: Session) -> None:
    seen: list[Any] = []
    callback = session.realm.new_host_function("cb", lambda result: seen.append(to_py(result)) or UNDEFINED, 1)
    assert js(session, "Net.httpRequest", "https://api.example.com/echo", callback, {"headers": {"X-Token": "map"}}) is UNDEFINED
    for _ in range(50):
        if seen:
            break
        await asyncio.sleep(0.01)
    assert seen[0]["code"] == 200 and '"x": "map"' in seen[0]["text"]


@pytest.mark.looptime
async def test_the_36th_outstanding_request_throws(session: Session) -> None:
    promises = [js(session, "Net.httpRequestAsync", f"https://api.example.com/slow{i}") for i in range(35)]
    js(session, "Net.httpRequestAsync", "https://api.example.com/slow36")
    assert session.errors == [f"Error: {LIMIT_MESSAGE}"]
    results = [await settle(p) for p in promises]
    assert {r["text"] for r in results} == {"done"}


async def ws_echo(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            await ws.send_str("echo:" + msg.data)
            await ws.close(code=1000, message=b"bye")
    return ws


async def test_create_websocket_on_handlers_run_before_listeners(session: Session) -> None:
    app = web.Application()
    app.router.add_get("/ws", ws_echo)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    order: list[str] = []
    realm = session.realm
    ws = js(session, "VoxEngine.createWebSocket", str(server.make_url("/ws")).replace("http", "ws"))
    assert realm.call(ws.get("id", ws), ws, []) == "ws-1"
    assert ws.get("readyState", ws) == "connecting"

    def on_open(event: Any) -> Any:
        order.append("onopen")
        realm.call(ws.get("send", ws), ws, ["hi"])
        return UNDEFINED

    ws.set("oncreated", realm.new_host_function("oncreated", lambda e: order.append("oncreated") or UNDEFINED, 1), ws)
    ws.set("onopen", realm.new_host_function("onopen", on_open, 1), ws)
    ws.set("onmessage", realm.new_host_function("onmessage", lambda e: order.append("onmessage " + to_py(e)["text"]) or UNDEFINED, 1), ws)
    listener = realm.new_host_function("l", lambda e: order.append("listener " + to_py(e)["name"]) or UNDEFINED, 1)
    for event in ("WebSocket.Open", "WebSocket.Message", "WebSocket.Close"):
        session.run_js(lambda event=event: realm.call(ws.get("addEventListener", ws), ws, [event, listener]))
    for _ in range(200):
        if "listener WebSocket.Close" in order:
            break
        await asyncio.sleep(0.01)
    assert order == ["oncreated", "onopen", "listener WebSocket.Open", "onmessage echo:hi", "listener WebSocket.Message", "listener WebSocket.Close"]
    assert ws.get("readyState", ws) == "closed"
    close = [r for r in session.trace.find("event") if r["name"] == "WebSocket.Close"][0]
    assert close["target"] == "ws-1" and close["data"]["code"] == 1000 and close["data"]["reason"] == "bye"
    await server.close()


async def test_one_request_after_terminating(fake: FakeTransport) -> None:
    s = Session(SessionOptions(settings={"net_transport": fake}))
    await s.start()
    s.terminate()  # as a handler would; its code goes on running
    first = js(s, "Net.httpRequestAsync", "https://api.example.com/echo")
    second = js(s, "Net.httpRequestAsync", "https://api.example.com/echo")
    assert (await settle(second))["code"] == 0
    assert (await settle(first))["code"] == 200
    assert any("only one request" in r["message"] for r in s.trace.find("warning"))
    await s.wait()


async def test_send_mail_says_it_is_not_emulated(session: Session) -> None:
    js(session, "Net.sendMailAsync", "smtp.example.com", "a@example.com", "b@example.com", "t", "b")
    assert session.errors == ["Error: Net.sendMailAsync is not emulated yet (voxsim sends no e-mail)"]


async def test_wss_to_an_ip_address_warns(session: Session) -> None:
    js(session, "VoxEngine.createWebSocket", "wss://127.0.0.1:1/x")
    js(session, "VoxEngine.createWebSocket", "wss://localhost:1/x")
    warnings = [r["message"] for r in session.trace.find("warning") if "needs a domain name" in r["message"]]
    assert len(warnings) == 1
