"""The emulator driving a user's own cartesia-line VoiceAgentApp (no LLM) end to end through real audio."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

line = pytest.importorskip("line", reason="cartesia-line (the 'line' extra) is not installed")

from voxsim.runtime.modules.cartesia import AgentsClient, ClientOptions  # noqa: E402
from voxsim.tools.agent import AgentEmulator  # noqa: E402
from voxsim.tools.agent.caller import ScriptedCaller  # noqa: E402
from voxsim.tools.agent.line_driver import LineBrain, line_brain_factory  # noqa: E402

pytestmark = pytest.mark.looptime


async def echo_agent(env: Any, event: Any):  # type: ignore[no-untyped-def]
    if isinstance(event, line.CallStarted):
        yield line.AgentSendText(text="Hi, this is the echo agent.")
    elif isinstance(event, line.UserTurnEnded):
        said = " ".join(c.content for c in event.content if isinstance(c, line.UserTextSent))
        if "bye" in said:
            yield line.AgentSendText(text="Bye now.", interruptible=False)
            yield line.AgentEndCall()
        else:
            yield line.AgentSendText(text=f"You said {said}")


async def get_agent(env: Any, call_request: Any):  # type: ignore[no-untyped-def]
    return echo_agent


async def test_line_app_answers_through_the_emulator() -> None:
    app = line.VoiceAgentApp(get_agent=get_agent)
    factory = line_brain_factory(app)
    brains: list[LineBrain] = []

    def make() -> LineBrain:
        brain = factory()
        brains.append(brain)  # type: ignore[arg-type]
        return brain  # type: ignore[return-value]

    async with AgentEmulator(default_brain=make) as emulator:
        client = await AgentsClient.create(ClientOptions("k", "agent_echo", base_url=emulator.base_url,
                                                         send_transcripts=True))
        client.start({"metadata": {"from": "+15550001", "to": "+15550002"}})
        caller = ScriptedCaller(client)
        caller.say("hello there", at=4.0)
        caller.say("ok bye", at=9.0)
        await caller.run(16.0)
        await client.close()
    texts = [h.text for h in caller.heard]
    assert texts == ["Hi, this is the echo agent.", "You said hello there", "Bye now."]
    assert client.close_info is not None and client.close_info.reason == "call ended by agent, reason: agent_ended"
    start = brains[0].sent[0]
    assert start["type"] == "start" and start["metadata"] == {"from": "+15550001", "to": "+15550002"}
    assert any(f.get("type") == "agent_speech" for f in brains[0].sent)
