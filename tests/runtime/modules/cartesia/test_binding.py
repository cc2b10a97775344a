"""The JS face of Modules.Cartesia, driven through the realm (no parser needed): namespace, promise, events, close."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from voxsim.engine.host import to_py
from voxsim.engine.values import UNDEFINED
from voxsim.runtime.modules import require_module
from voxsim.runtime.modules.cartesia.binding import JSAgentsClient
from voxsim.runtime.session import Session, SessionOptions
from voxsim.tools.agent import AgentEmulator, EmulatorConfig, load_brain_factory

pytestmark = pytest.mark.looptime


def js_get(obj: Any, *path: str) -> Any:
    for key in path:
        obj = obj.get(key)
    return obj


async def make_session(emulator: AgentEmulator) -> Session:
    session = Session(SessionOptions(settings={"cartesia": {"base_url": emulator.base_url}}))
    assert require_module(session, "cartesia")
    return session


def settle(session: Session, promise: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    realm = session.realm
    on_ok = realm.new_host_function("ok", lambda v=UNDEFINED: out.setdefault("value", v), 1)
    on_err = realm.new_host_function("err", lambda e=UNDEFINED: out.setdefault("error", e), 1)
    session.run_js(lambda: realm.call(promise.get("then"), promise, [on_ok, on_err]))
    return out


async def test_namespace_enums_have_exact_strings() -> None:
    async with AgentEmulator() as emulator:
        session = await make_session(emulator)
        cartesia = session.realm.global_object.get("Cartesia")
        assert to_py(cartesia.get("AgentsEvents")) == {
            "ACK": "Cartesia.Agents.ACK", "Clear": "Cartesia.Agents.Clear",
            "ConnectorInformation": "Cartesia.Agents.ConnectorInformation", "Custom": "Cartesia.Agents.Custom",
            "DTMF": "Cartesia.Agents.DTMF", "HTTPResponse": "Cartesia.Agents.HTTPResponse",
            "Unknown": "Cartesia.Agents.Unknown", "WebSocketError": "Cartesia.Agents.WebSocketError"}
        assert to_py(cartesia.get("Events")) == {"WebSocketMediaStarted": "Cartesia.Events.WebSocketMediaStarted",
                                                 "WebSocketMediaEnded": "Cartesia.Events.WebSocketMediaEnded"}


async def test_create_start_events_and_close_through_js() -> None:
    script = {"introduction": {"say": "Hi.", "do": [{"custom": {"stage": "hello"}}, {"end_call": True}]}}
    async with AgentEmulator(default_brain=load_brain_factory(script)) as emulator:
        session = await make_session(emulator)
        realm = session.realm
        closes: list[Any] = []
        on_close = realm.new_host_function("onClose", lambda e=UNDEFINED: closes.append(to_py(e)), 1)
        params = session.to_js({"apiKey": "sk", "agentId": "agent_1", "cartesiaVersion": "2025-04-16"})
        params.set("onWebSocketClose", on_close, params)
        create = js_get(realm.global_object, "Cartesia", "createAgentsClient")
        session.state = "running"  # type: ignore[assignment]  # as after Application.Started
        promise = session.run_js(lambda: realm.call(create, UNDEFINED, [params]))
        result = settle(session, promise)
        await asyncio.sleep(0.5)
        wrapper = result["value"]
        client = to_py(wrapper)
        assert isinstance(client, JSAgentsClient)
        seen: list[dict[str, Any]] = []
        listener = realm.new_host_function("l", lambda e=UNDEFINED: seen.append(to_py(e)), 1)
        for member in ("ACK", "Custom"):
            realm.call(wrapper.get("addEventListener"), wrapper, [f"Cartesia.Agents.{member}", listener])
        start_params = session.to_js({"metadata": {"to": "a", "from": "b"}})
        session.run_js(lambda: realm.call(wrapper.get("start"), wrapper, [start_params]))
        await asyncio.sleep(5)
        assert [e["name"] for e in seen] == ["Cartesia.Agents.ACK", "Cartesia.Agents.Custom"]
        assert seen[1]["data"]["payload"]["metadata"] == {"stage": "hello"}
        assert seen[0]["client"] is client
        assert closes and closes[0]["code"] == 1000 and closes[0]["reason"] == "call ended by agent"
        agent = session.trace.find(type="agent")
        assert [(r["direction"], r["event"]) for r in agent] == [
            ("sent", "start"), ("received", "ack"), ("received", "custom"), ("received", "close")]
        assert session.trace.find(type="event", name="Cartesia.Agents.ACK")[0]["target"] == client.trace_id
        assert realm.call(wrapper.get("id"), wrapper, []) == client.trace_id


async def test_bad_key_rejects_the_promise() -> None:
    async with AgentEmulator(EmulatorConfig(api_key="sk_right")) as emulator:
        session = await make_session(emulator)
        realm = session.realm
        create = js_get(realm.global_object, "Cartesia", "createAgentsClient")
        params = session.to_js({"apiKey": "sk_wrong", "agentId": "a", "cartesiaVersion": "2025-04-16"})
        result = settle(session, session.run_js(lambda: realm.call(create, UNDEFINED, [params])))
        await asyncio.sleep(0.5)
        assert "HTTP 401" in result["error"].get("message")
        missing = settle(session, session.run_js(lambda: realm.call(create, UNDEFINED, [session.to_js({})])))
        assert "apiKey and agentId required" in missing["error"].get("message")


async def test_session_starts_its_own_emulator_in_process_on_virtual_time() -> None:
    script = {"introduction": {"say": "Hi.", "do": [{"custom": {"from": "{metadata.from}"}}]}}
    session = Session(SessionOptions(settings={"cartesia": {"agent": script}}))
    assert require_module(session, "cartesia")
    realm = session.realm
    create = js_get(realm.global_object, "Cartesia", "createAgentsClient")
    params = session.to_js({"apiKey": "sk", "agentId": "agent_1", "cartesiaVersion": "2025-04-16"})
    session.state = "running"  # type: ignore[assignment]
    result = settle(session, session.run_js(lambda: realm.call(create, UNDEFINED, [params])))
    await asyncio.sleep(0.5)
    wrapper = result["value"]
    client = to_py(wrapper)
    assert client.client.options.transport is not None  # virtual time: no sockets to the emulator
    seen: list[dict[str, Any]] = []
    realm.call(wrapper.get("addEventListener"), wrapper,
               ["Cartesia.Agents.Custom", realm.new_host_function("l", lambda e=UNDEFINED: seen.append(to_py(e)), 1)])
    session.run_js(lambda: realm.call(wrapper.get("start"), wrapper, [session.to_js({"metadata": {"from": "+1555"}})]))
    await asyncio.sleep(3)
    assert seen[0]["data"]["payload"]["metadata"] == {"from": "+1555"}
    await session.extensions["cartesia"].close()


@pytest.mark.looptime(False)
@pytest.mark.parametrize("in_process", [None, True, False])
async def test_in_process_on_real_time_only_when_asked(in_process: bool | None) -> None:
    cartesia: dict[str, Any] = {"agent": {"introduction": {"say": "Hi."}}}
    if in_process is not None:
        cartesia["in_process"] = in_process
    session = Session(SessionOptions(settings={"cartesia": cartesia}))
    assert not session.clock.virtual
    assert require_module(session, "cartesia")
    realm = session.realm
    create = js_get(realm.global_object, "Cartesia", "createAgentsClient")
    params = session.to_js({"apiKey": "sk", "agentId": "agent_1", "cartesiaVersion": "2025-04-16"})
    session.state = "running"  # type: ignore[assignment]
    result = settle(session, session.run_js(lambda: realm.call(create, UNDEFINED, [params])))
    for _ in range(200):
        if "value" in result or "error" in result:
            break
        await asyncio.sleep(0.01)
    client = to_py(result["value"]).client
    assert (client.options.transport is not None) is (in_process is True)  # absent: sockets on real time
    await session.extensions["cartesia"].close()
