"""The emulator's per-frame shortcuts change nothing observable: digital silence skips the VAD with the same turn
boundaries, and the in-memory socket's synchronous hand-over (both ways) gives the same frames in the same order as
the readers."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.runtime.media.formats import encode, frame_samples
from voxsim.runtime.modules.cartesia import AgentsClient, ClientOptions, protocol as p
from voxsim.runtime.media.tts import synthesize
from voxsim.tools.agent import AgentEmulator, stream as stream_module
from voxsim.tools.agent.caller import ScriptedCaller
from voxsim.tools.agent.hearing import TurnDetector
from voxsim.tools.agent.memory import socket_pair

_SPEECH = {rate: synthesize("hello there how are you", rate).pcm for rate in (8000, 16000, 24000)}

# a frame is: silence ("z"), a slice of speech ("s"), low noise ("n"), or an odd-sized piece of speech ("p")
pieces = st.lists(st.sampled_from("zzzzsssnp"), min_size=1, max_size=160)


@settings(max_examples=60, deadline=None)
@given(kinds=pieces, name=st.sampled_from(["pcm_16000", "mulaw_8000", "pcm_24000"]), end_ms=st.sampled_from([100, 600]))
def test_silent_payloads_give_the_same_boundaries_as_the_vad(kinds: list[str], name: str, end_ms: int) -> None:
    fmt = p.audio_format(name)
    n = frame_samples(fmt.sample_rate)
    speech = _SPEECH[fmt.sample_rate]
    fast, slow = TurnDetector(fmt, end_ms=end_ms), TurnDetector(fmt, end_ms=end_ms)
    slow._silent_payload = None  # the reference: every payload decoded and run through the VAD
    rng = np.random.default_rng(len(kinds))
    at = 0
    for k, kind in enumerate(kinds):
        if kind == "z":
            pcm = np.zeros(n, np.int16)
        elif kind == "n":
            pcm = rng.integers(-3, 4, n).astype(np.int16)
        else:
            size = n if kind == "s" else n // 3 + 7
            pcm = np.resize(speech[at:at + size], size)
            at = (at + size) % (speech.size - n)
        payload = encode(pcm, fmt)
        text = "words" if k % 17 == 0 else None
        assert fast.feed(payload, text) == slow.feed(payload, text)
    assert fast.speaking == slow.speaking


async def _call(seconds: float) -> tuple[list[tuple], list[str], list[str], np.ndarray, int]:
    async with AgentEmulator() as emulator:
        client = await AgentsClient.create(ClientOptions("k", "a", base_url=emulator.base_url, send_transcripts=True,
                                                         transport=emulator.memory_transport()))
        client.start({})
        caller = ScriptedCaller(client)
        caller.say("I want to book a table", at=3.0)
        caller.say("for four people please", at=4.0)  # while the agent answers: a barge-in
        caller.say("goodbye", at=11.0)
        await caller.run(seconds)
        await client.close()
    stream = emulator.streams[0]
    t0 = stream.log[0]["t"]
    log = [(round(e["t"] - t0, 6), e["dir"], e["event"], e.get("text")) for e in stream.log]  # ids are random
    return log, stream.heard, stream.said, caller.stereo(), stream.media_in


@pytest.mark.looptime
async def test_the_synchronous_hand_over_hears_what_the_reader_hears(monkeypatch: pytest.MonkeyPatch) -> None:
    handed: list[bool] = []
    original = stream_module.AgentStream._fast_receive

    def counting(self, msg):  # type: ignore[no-untyped-def]
        out = original(self, msg)
        handed.append(out is None)
        return out

    queued: list[bool] = []
    client_original = AgentsClient._fast_receive

    def client_counting(self, msg):  # type: ignore[no-untyped-def]
        out = client_original(self, msg)
        queued.append(out is None)
        return out

    monkeypatch.setattr(stream_module.AgentStream, "_fast_receive", counting)
    monkeypatch.setattr(AgentsClient, "_fast_receive", client_counting)
    fast = await _call(16.0)
    assert sum(handed) > 700  # nearly every caller frame went the synchronous way
    assert sum(queued) > 20  # and agent audio the other way
    monkeypatch.setattr(stream_module.AgentStream, "_fast_receive", original)
    monkeypatch.setattr(stream_module, "MemorySocket", type("NotAMemorySocket", (), {}))  # the reader hears all
    monkeypatch.setattr(AgentsClient, "_fast_receive", lambda self, msg: msg)  # the client's reader gets all
    slow = await _call(16.0)
    assert fast[1] == slow[1] == ["I want to book a table for four people please", "goodbye"]
    assert fast[0] == slow[0] and fast[2] == slow[2] and fast[4] == slow[4]
    assert np.array_equal(fast[3], slow[3])
    assert any(entry[2] == "clear" for entry in fast[0])  # the barge-in happened


async def test_a_busy_or_absent_reader_gets_frames_through_its_inbox() -> None:
    client, server = socket_pair()
    seen: list[str] = []

    def hook(msg):  # type: ignore[no-untyped-def]
        seen.append(msg.data)
        return None

    server.fast_receiver = hook
    await client.send_str("first")  # nobody is waiting on the server end: queued
    assert seen == [] and (await server.receive()).data == "first"
    reader = asyncio.ensure_future(server.receive())
    await asyncio.sleep(0)
    await client.send_str("second")  # the reader waits with nothing queued: handed over synchronously
    assert seen == ["second"] and not reader.done()
    await client.send_str("x" * (server.max_msg_size + 1))  # too big: the reader's own check applies
    assert len(seen) == 1
    reader.cancel()
