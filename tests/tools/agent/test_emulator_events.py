"""The emulator's protocol edges: auth, start gate, dtmf/custom both ways, transfer, HTTP tools, idle, pings."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from voxsim.runtime.modules.cartesia import AgentsClient, AgentsClientError, ClientOptions, CloseInfo
from voxsim.tools.agent import AgentEmulator, EmulatorConfig, StreamConfig, load_brain_factory

pytestmark = pytest.mark.looptime

SCRIPT = {
    "introduction": {"say": "Hi.", "do": [{"custom": {"stage": "greeted", "caller": "{metadata.from}"}}]},
    "on_dtmf": {"5": {"do": [{"dtmf": "19"}]}},
    "on_custom": {"do": [{"custom": {"echo": "{custom.crm_id}"}}, {"transfer": "+15550100"},
                         {"http": {"action": "call_transfer", "crm": "{custom.crm_id}"}}, {"end_call": "agent_ended"}]},
}


def options(emulator: AgentEmulator, **kw: Any) -> ClientOptions:
    kw.setdefault("api_key", "sk_test")
    kw.setdefault("agent_id", "agent_test")
    return ClientOptions(base_url=emulator.base_url, **kw)


async def test_dtmf_custom_transfer_http_and_end_call() -> None:
    posts: list[dict[str, Any]] = []

    async def control(request: web.Request) -> web.Response:
        posts.append(await request.json())
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/control", control)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    events: list[tuple[str, dict[str, Any]]] = []
    closes: list[CloseInfo] = []
    async with AgentEmulator(default_brain=load_brain_factory(SCRIPT)) as emulator:
        client = await AgentsClient.create(options(emulator), on_event=lambda n, d: events.append((n, d)),
                                           on_close=closes.append)
        client.start({"metadata": {"from": "+1555", "vox_session_control_url": f"http://127.0.0.1:{port}/control"}})
        await asyncio.sleep(2.0)
        client.dtmf("5")
        await asyncio.sleep(0.5)
        client.custom({"crm_id": "7"})
        info = await asyncio.wait_for(client.wait_closed(), 10)
        await client.close()
    await runner.cleanup()
    payloads = [(n, d["payload"]) for n, d in events if "payload" in d and n != "HTTPResponse"]
    assert ("Custom", {"event": "custom", "stream_id": client.stream_id,
                       "metadata": {"stage": "greeted", "caller": "+1555"}}) in payloads
    digits = [pl["dtmf"] for n, pl in payloads if n == "DTMF"]
    assert digits == ["1", "9"]
    assert ("Custom", {"event": "custom", "stream_id": client.stream_id, "metadata": {"echo": "7"}}) in payloads
    unknown = [pl for n, pl in payloads if n == "Unknown"]
    assert unknown == [{"event": "transfer_call", "stream_id": client.stream_id,
                        "transfer": {"target_phone_number": "+15550100"}}]
    assert posts == [{"action": "call_transfer", "crm": "7"}]
    assert (info.code, info.reason) == (1000, "call ended by agent, reason: agent_ended")
    assert closes == [info]
    stream = emulator.streams[0]
    assert [e["dtmf"] for e in stream.log if e["event"] == "dtmf" and e["dir"] == "in"] == ["5"]
    assert stream.http_results[0]["status"] == 200


async def test_idle_timeout_closes_with_reason_and_pings_keep_alive() -> None:
    config = EmulatorConfig(stream=StreamConfig(idle_timeout=30.0))
    async with AgentEmulator(config, default_brain=load_brain_factory({})) as emulator:
        pinging = await AgentsClient.create(options(emulator, ping_interval=20.0))
        silent = await AgentsClient.create(options(emulator, ping_interval=1000.0))
        pinging.start({})
        silent.start({})
        info = await asyncio.wait_for(silent.wait_closed(), 60)
        assert (info.code, info.reason, info.was_clean) == (1000, "connection idle timeout", True)
        await asyncio.sleep(60)
        assert pinging.close_info is None and pinging.sent.get("ping", 0) >= 3
        assert any(e["event"] == "ping" for e in emulator.streams[0].log)
        await pinging.close()
        await silent.close()


async def test_refused_auth_reports_http_response_and_raises() -> None:
    async with AgentEmulator(EmulatorConfig(api_key="sk_right")) as emulator:
        events: list[tuple[str, dict[str, Any]]] = []
        with pytest.raises(AgentsClientError, match="HTTP 401") as err:
            await AgentsClient.create(options(emulator, api_key="sk_wrong"), on_event=lambda n, d: events.append((n, d)))
        assert err.value.kind == "http" and err.value.status == 401
        assert events[0][0] == "HTTPResponse" and events[0][1]["payload"]["status"] == 401
        assert events[1][0] == "WebSocketError" and events[1][1]["payload"]["status"] == 401
        # X-API-Key with the wrong key fails at the WebSocket handshake instead
        with pytest.raises(AgentsClientError, match="handshake failed: HTTP 401"):
            await AgentsClient.create(options(emulator, api_key="sk_wrong", auth="api_key"),
                                      on_event=lambda n, d: events.append((n, d)))
        assert events[-1][0] == "WebSocketError"
        for auth in ("token", "api_key", "query"):
            client = await AgentsClient.create(options(emulator, api_key="sk_right", auth=auth))
            client.start({})
            await asyncio.sleep(0.1)
            assert client.state == "acked", auth
            await client.close()


async def test_unknown_agent_and_refused_connection() -> None:
    async with AgentEmulator(EmulatorConfig(agents=frozenset({"agent_a"}))) as emulator:
        with pytest.raises(AgentsClientError, match="HTTP 404"):
            await AgentsClient.create(options(emulator, agent_id="agent_b"))
        base = emulator.base_url
    with pytest.raises(AgentsClientError, match="failed|cannot connect"):
        await AgentsClient.create(ClientOptions(api_key="k", agent_id="a", base_url=base))


async def test_start_gate_closes_on_anything_else_first() -> None:
    async with AgentEmulator() as emulator, aiohttp.ClientSession() as session:
        url = emulator.base_url.replace("http", "ws", 1) + "/agents/stream/agent_x"
        async with session.ws_connect(url, headers={"X-API-Key": "k"}) as ws:
            await ws.send_str(json.dumps({"event": "media_input", "stream_id": "s", "media": {"payload": ""}}))
            msg = await ws.receive()
            assert msg.type == aiohttp.WSMsgType.CLOSE
            assert (msg.data, msg.extra) == (1008, "first message must be a start event")
        async with session.ws_connect(url) as ws:
            await ws.send_str(json.dumps({"event": "start", "config": {"input_format": "pcm_8000"}}))
            msg = await ws.receive()
            assert msg.type == aiohttp.WSMsgType.CLOSE and "input_format must be one of" in msg.extra
        async with session.ws_connect(url + "?cartesia_version=2026-08-14") as ws:
            await ws.send_str(json.dumps({"event": "start", "stream_id": "call-42", "agent": {"introduction": "Yo"},
                                          "config": {"input_format": "mulaw_8000"}}))
            ack = json.loads((await ws.receive()).data)
            assert ack == {"event": "ack", "stream_id": "call-42", "config": {"input_format": "mulaw_8000"},
                           "agent": {"introduction": "Yo"}}
            first = json.loads((await ws.receive()).data)
            assert first["event"] == "media_output" and first["voxsim"]["text"].startswith("Hello")
            assert len(__import__("base64").b64decode(first["media"]["payload"])) == 800  # 100 ms of µ-law


async def test_media_before_ack_is_dropped_not_sent() -> None:
    async with AgentEmulator() as emulator:
        client = await AgentsClient.create(options(emulator))
        client.push_input(b"\0" * 640)
        assert client.dropped_input_frames == 1 and client.sent.get("media_input", 0) == 0
        client.start({})
        await asyncio.sleep(0.1)
        client.push_input(__import__("numpy").zeros(320 * 5, "int16"))
        await asyncio.sleep(0.2)
        assert client.sent["media_input"] == 5
        await client.close()
    assert emulator.streams[0].media_in == 5
