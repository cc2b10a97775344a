"""The control-URL server: HttpRequest payloads, response bodies, 404/413, HTTPS with the generated certificate."""

from __future__ import annotations

import json
import ssl
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from voxsim.runtime.http import MAX_BODY_BYTES, ControlServer, HttpRequestEvent, response_body


@pytest.fixture
async def server() -> AsyncIterator[ControlServer]:
    async with ControlServer() as srv:
        yield srv


@pytest.fixture
async def client(server: ControlServer) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=server.client_ssl_context())) as session:
        yield session


async def test_post_json_reaches_the_handler_and_its_return_value_is_the_body(server: ControlServer, client: aiohttp.ClientSession) -> None:
    seen: list[HttpRequestEvent] = []

    async def handler(event: HttpRequestEvent) -> Any:
        seen.append(event)
        command = json.loads(event.content) if event.content else {"action": None}
        return {"ok": True, "action": command["action"]}

    endpoint = server.register(handler)
    assert endpoint.access_url.startswith(f"http://127.0.0.1:{server.http_port}/request/")
    assert endpoint.access_secure_url.startswith(f"https://127.0.0.1:{server.https_port}/request/")
    async with client.post(endpoint.access_secure_url, json={"action": "end_call"}, headers={"X-Trace": "t1", "Accept": "*/*"}) as resp:
        assert resp.status == 200
        assert resp.content_type == "application/json"
        assert await resp.json() == {"ok": True, "action": "end_call"}
    event = seen[0]
    assert event.method == "POST"
    assert event.path == endpoint.prefix
    assert event.to_js()["headers"] == [{"key": "X-Trace", "value": "t1"}]  # X- headers only
    async with client.get(endpoint.access_url + "/status?x=1") as resp:
        assert resp.status == 200
    assert seen[1].path == endpoint.prefix + "/status?x=1" and seen[1].content == ""


@pytest.mark.parametrize(
    ("value", "body", "content_type"),
    [("plain", "plain", "text/plain"), (42.0, "42", "text/plain"), (1.5, "1.5", "text/plain"), (None, "", "text/plain"),
     ([1, "a"], '[1, "a"]', "application/json"), (True, "true", "application/json")],
)
async def test_return_values(server: ControlServer, client: aiohttp.ClientSession, value: Any, body: str, content_type: str) -> None:
    assert response_body(value) == (body, content_type)
    endpoint = server.register(lambda event: value)
    async with client.get(endpoint.access_url) as resp:
        assert (await resp.text(), resp.content_type) == (body, content_type)


async def test_wrong_secret_unknown_session_and_closed_endpoint_are_404(server: ControlServer, client: aiohttp.ClientSession) -> None:
    calls: list[HttpRequestEvent] = []
    endpoint = server.register(calls.append)
    other = server.register(calls.append)
    base = f"http://127.0.0.1:{server.http_port}"
    for url in (f"{base}/request/{endpoint.session_key}/{other.secret}", f"{base}/request/nope/{endpoint.secret}", f"{base}/other"):
        async with client.get(url) as resp:
            assert resp.status == 404, url
    endpoint.close()
    async with client.get(endpoint.access_url) as resp:
        assert resp.status == 404
    assert calls == []


async def test_body_over_64kb_is_413(server: ControlServer, client: aiohttp.ClientSession) -> None:
    calls: list[HttpRequestEvent] = []
    endpoint = server.register(calls.append)
    async with client.post(endpoint.access_url, data=b"x" * MAX_BODY_BYTES) as resp:
        assert resp.status == 200  # exactly 64 KB is fine
    async with client.post(endpoint.access_url, data=b"x" * (MAX_BODY_BYTES + 1)) as resp:
        assert resp.status == 413

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"y" * 20_000

    async with client.post(endpoint.access_url, data=chunks()) as resp:  # chunked, no Content-Length
        assert resp.status == 413
    assert len(calls) == 1


async def test_https_is_rejected_without_trusting_the_certificate(server: ControlServer) -> None:
    endpoint = server.register(lambda event: "hi")
    async with aiohttp.ClientSession() as plain:
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await plain.get(endpoint.access_secure_url)
    context = ssl.create_default_context(cafile=str(server.certificate_path))
    async with aiohttp.ClientSession() as trusting:
        async with trusting.get(endpoint.access_secure_url.replace("127.0.0.1", "localhost"), ssl=context) as resp:
            assert await resp.text() == "hi"


async def test_websocket_upgrade_needs_permission(server: ControlServer, client: aiohttp.ClientSession) -> None:
    received: list[str] = []

    async def on_ws(event: HttpRequestEvent, ws: aiohttp.web.WebSocketResponse) -> None:
        async for msg in ws:
            received.append(msg.data)
            await ws.send_str("echo:" + msg.data)

    endpoint = server.register(lambda event: "", websocket_handler=on_ws)
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        await client.ws_connect(endpoint.access_url)
    assert info.value.status == 403
    endpoint.allow_websockets = True
    async with client.ws_connect(endpoint.access_secure_url) as ws:
        await ws.send_str("hello")
        assert (await ws.receive()).data == "echo:hello"
    assert received == ["hello"]


async def test_secrets_are_unguessable_and_distinct(server: ControlServer) -> None:
    endpoints = [server.register(lambda event: None) for _ in range(20)]
    assert len({e.secret for e in endpoints}) == 20
    assert all(len(e.secret) >= 20 for e in endpoints)
