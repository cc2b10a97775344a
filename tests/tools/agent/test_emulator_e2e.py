"""Client ↔ emulator over 127.0.0.1 on virtual time: greeting, reply, barge-in, events, close reasons."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest

from voxsim.runtime.modules.cartesia import AgentsClient, AgentsClientError, ClientOptions, CloseInfo
from voxsim.tools.agent import AgentEmulator, EmulatorConfig, StreamConfig, load_brain_factory
from voxsim.tools.agent.caller import ScriptedCaller

pytestmark = pytest.mark.looptime


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[float, str, dict[str, Any]]] = []
        self.closes: list[CloseInfo] = []
        self.client: AgentsClient | None = None
        self.clear_on_clear = True

    def on_event(self, member: str, data: dict[str, Any]) -> None:
        self.events.append((asyncio.get_running_loop().time(), member, data))
        if member == "Clear" and self.clear_on_clear and self.client is not None:
            self.client.clear_media_buffer()

    def names(self) -> list[str]:
        return [name for _, name, _ in self.events]


async def connect(emulator: AgentEmulator, rec: Recorder, memory: bool = False, **kw: Any) -> AgentsClient:
    options = ClientOptions(api_key="sk_test", agent_id=kw.pop("agent_id", "agent_test"), base_url=emulator.base_url,
                            send_transcripts=True, transport=emulator.memory_transport() if memory else None, **kw)
    client = await AgentsClient.create(options, on_event=rec.on_event, on_close=rec.closes.append)
    rec.client = client
    return client


@pytest.mark.parametrize("memory", [False, True], ids=["tcp", "memory"])
async def test_greeting_reply_and_goodbye(memory: bool) -> None:
    async with AgentEmulator() as emulator:
        rec = Recorder()
        client = await connect(emulator, rec, memory)
        client.start({"metadata": {"from": "+15551234567", "to": "agent"}})
        caller = ScriptedCaller(client)
        caller.say("I want to book a table", at=5.0)
        caller.say("goodbye", at=10.0)
        await caller.run(20.0)
        await client.close()
    stream = emulator.streams[0]
    assert rec.names()[:2] == ["HTTPResponse", "ACK"]
    assert stream.metadata == {"from": "+15551234567", "to": "agent"}
    assert stream.heard == ["I want to book a table", "goodbye"]
    texts = [h.text for h in caller.heard]
    assert texts[0].startswith("Hello, this is the voxsim agent")
    assert "I heard: I want to book a table." in texts
    assert "Thank you for calling. Goodbye!" in texts
    assert rec.closes and rec.closes[0].code == 1000 and rec.closes[0].reason == "call ended by agent"
    stereo = caller.stereo()
    assert np.abs(stereo[: 16000 * 2, 1].astype(np.int32)).max() > 1000  # greeting audible in the first 2 s
    assert "WebSocketMediaStarted" in rec.names() and "WebSocketMediaEnded" in rec.names()


@pytest.mark.parametrize("memory", [False, True], ids=["tcp", "memory"])
async def test_barge_in_clears_within_60ms(memory: bool) -> None:
    script = {"introduction": "This is a very long introduction that goes on and on, " * 3}
    async with AgentEmulator(default_brain=load_brain_factory(script)) as emulator:
        rec = Recorder()
        client = await connect(emulator, rec, memory)
        client.start({})
        caller = ScriptedCaller(client)
        caller.say("stop please", at=2.0)
        await caller.run(6.0)
        await client.close()
    clears = [t for t, name, _ in rec.events if name == "Clear"]
    assert len(clears) == 1
    late = [t for t in caller.audio_times if t > clears[0] + 0.06]
    assert late == [], f"agent audio played {late[0] - clears[0]:.3f} s after Clear"
    assert emulator.streams[0].log and any(e["event"] == "clear" for e in emulator.streams[0].log)


async def test_memory_transport_refusals_pings_and_idle() -> None:
    config = EmulatorConfig(api_key="sk_right", stream=StreamConfig(idle_timeout=30.0))
    async with AgentEmulator(config) as emulator:
        transport = emulator.memory_transport()
        with pytest.raises(AgentsClientError, match="HTTP 401"):
            await AgentsClient.create(ClientOptions("sk_wrong", "a", base_url=emulator.base_url, transport=transport))
        with pytest.raises(AgentsClientError, match="handshake failed: HTTP 401"):
            await AgentsClient.create(ClientOptions("sk_wrong", "a", base_url=emulator.base_url, transport=transport,
                                                    auth="api_key"))
        pinging = await AgentsClient.create(ClientOptions("sk_right", "a", base_url=emulator.base_url, transport=transport))
        silent = await AgentsClient.create(ClientOptions("sk_right", "a", base_url=emulator.base_url, transport=transport,
                                                         ping_interval=1000.0))
        pinging.start({})
        silent.start({})
        info = await asyncio.wait_for(silent.wait_closed(), 60)
        assert (info.code, info.reason) == (1000, "connection idle timeout")
        await asyncio.sleep(40)
        assert pinging.close_info is None
        await pinging.close()
        assert pinging.close_info is not None and pinging.close_info.reason == "session completed"
        await asyncio.sleep(0.1)
        assert emulator.streams[0].close_code == 1000
