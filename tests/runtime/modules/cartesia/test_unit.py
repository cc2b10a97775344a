"""The AgentsClient as a media unit: a simulated caller on an 8 kHz call talks to the emulator through the graph."""

from __future__ import annotations

import asyncio

import pytest

from voxsim.runtime.clock import Clock
from voxsim.runtime.media.callmedia import CallMedia
from voxsim.runtime.media.speakers import SimulatedParty
from voxsim.runtime.media.units import MediaGraph
from voxsim.runtime.modules.cartesia import AgentsClient, ClientOptions
from voxsim.runtime.modules.cartesia.unit import AgentsMediaUnit
from voxsim.tools.agent import AgentEmulator

pytestmark = pytest.mark.looptime


@pytest.mark.parametrize("fmt", ["pcm_16000", "mulaw_8000"])
async def test_caller_and_agent_hear_each_other_through_the_graph(fmt: str) -> None:
    clock = Clock()
    graph = MediaGraph(clock)
    caller = SimulatedParty(clock, 8000, name="caller")
    call = CallMedia(graph, remote=caller, sample_rate=8000, name="call-1")
    spans: list[tuple[str, str | None, str]] = []
    async with AgentEmulator() as emulator:
        client = await AgentsClient.create(ClientOptions("k", "agent", base_url=emulator.base_url, input_format=fmt,
                                                         send_transcripts=True))
        unit = AgentsMediaUnit(graph, client)
        unit.on_speech = lambda action, text, reason: spans.append((action, text, reason))
        call.send_media_to(unit)
        unit.send_media_to(call)
        call.start()
        client.start({"metadata": {"from": "+1555"}})
        caller.at(clock.now() + 5.0, caller.say, "I want to book a table")
        await asyncio.sleep(12.0)
        await client.close()
        graph.stop()
    assert emulator.streams[0].heard == ["I want to book a table"]
    words = [text for _, text in caller.heard.texts]
    assert words[0].startswith("Hello, this is the voxsim agent") and "I heard: I want to book a table." in words
    assert spans[0][0] == "start" and spans[0][1] is not None and ("stop", None, "end") in spans
    assert not unit.ticking
