"""The client's send path: frames go straight to the socket when nothing waits before them, else through the writer
task, always in order; media_text builds exactly the text json.dumps gives."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.runtime.modules.cartesia import protocol as p
from voxsim.runtime.modules.cartesia.client import AgentsClient, ClientOptions


@settings(max_examples=300, deadline=None)
@given(audio=st.binary(max_size=700), stream_id=st.text(max_size=24), output=st.booleans())
def test_media_text_is_what_json_dumps_writes(audio: bytes, stream_id: str, output: bool) -> None:
    event = "media_output" if output else "media_input"
    message = (p.media_output if output else p.media_input)(stream_id, audio)
    text = p.media_text(p.media_prefix(event, stream_id), audio)
    assert text == json.dumps(message, separators=(",", ":"), ensure_ascii=False) == p.encode(message)
    assert p.parse_message(text, side="server" if output else "client").audio == audio


def test_media_prefix_refuses_other_events() -> None:
    with pytest.raises(ValueError):
        p.media_prefix("dtmf", "sid_1")


class Socket:
    """A socket whose sends complete at once, or wait on a gate while ``blocked`` (back-pressure)."""

    def __init__(self) -> None:
        self.frames: list[str] = []
        self.closed = False
        self.blocked = False
        self.gate: asyncio.Future[None] | None = None
        self.waits = 0

    async def send_str(self, text: str) -> None:
        if self.blocked:
            self.waits += 1
            self.gate = asyncio.get_running_loop().create_future()
            await self.gate
        self.frames.append(text)

    def release(self) -> None:
        self.blocked = False
        if self.gate is not None and not self.gate.done():
            self.gate.set_result(None)

    async def close(self, **kwargs: object) -> None:
        self.closed = True


def _client(ws: Socket) -> AgentsClient:
    client = AgentsClient(ClientOptions("k", "a", base_url="http://127.0.0.1:9", input_format="pcm_16000"))
    client.state, client.stream_id, client._ws = "acked", "sid_1", ws
    client._tasks = [asyncio.get_running_loop().create_task(client._writer())]
    return client


def _frame(k: int) -> np.ndarray:
    return np.full(320, k + 1, np.int16)


def _values(frames: list[str]) -> list[int]:
    return [int(p.parse_message(f, side="client").audio[0]) for f in frames if '"media_input"' in f]


async def test_a_real_time_frame_is_on_the_socket_before_push_input_returns() -> None:
    ws = Socket()
    client = _client(ws)
    client.push_input(_frame(0))
    assert len(ws.frames) == 1 and client.sent["media_input"] == 1
    assert ws.frames[0] == p.encode(p.media_input("sid_1", _frame(0).tobytes()))
    await client.close()


async def test_back_pressure_keeps_order_and_loses_nothing() -> None:
    ws = Socket()
    client = _client(ws)
    ws.blocked = True
    client.push_input(_frame(0))  # suspends: finished by a task
    assert ws.waits == 1 and client._inflight is not None
    client.dtmf("5")
    for k in range(1, 4):
        client.push_input(_frame(k))
    assert ws.frames == []
    ws.release()
    for _ in range(200):
        await asyncio.sleep(0.005)
        if len(ws.frames) == 5:
            break
    assert _values(ws.frames) == [1, 2, 3, 4]
    assert json.loads(ws.frames[1]) == {"event": "dtmf", "stream_id": "sid_1", "dtmf": "5"}
    assert client.sent == {"media_input": 4, "dtmf": 1}
    await client.close()


async def test_a_burst_is_paced_by_the_writer_in_order() -> None:
    ws = Socket()
    client = _client(ws)
    loop = asyncio.get_running_loop()
    arrivals: list[float] = []
    t0 = loop.time()
    client.push_input(np.concatenate([_frame(k) for k in range(10)]))  # 200 ms of audio at once
    sent_at_once = len(ws.frames)
    assert 1 <= sent_at_once <= 4  # the first frame, then at most _LEAD (40 ms) ahead of real time
    while len(ws.frames) < 10:
        before = len(ws.frames)
        await asyncio.sleep(0.002)
        if len(ws.frames) > before:
            arrivals.append(loop.time() - t0)
        assert loop.time() - t0 < 2
    assert _values(ws.frames) == list(range(1, 11))
    assert arrivals[-1] >= 0.1  # paced, not sent as one burst
    await client.close()


async def test_nothing_is_sent_after_close() -> None:
    ws = Socket()
    client = _client(ws)
    await client.close()
    client.push_input(_frame(0))
    assert ws.frames == [] and not client._backlog


async def test_frames_from_a_real_time_source_skip_burst_pacing() -> None:
    ws = Socket()
    client = _client(ws)
    for k in range(10):  # a late graph catching up: ten ticks in one go
        client.push_input(_frame(k), paced=True)
    assert _values(ws.frames) == list(range(1, 11))
    await client.close()


async def test_a_stream_behind_its_schedule_catches_up_at_once() -> None:
    ws = Socket()
    client = _client(ws)
    client.push_input(_frame(0))
    await asyncio.sleep(0.1)  # five ticks late (under the 200 ms credit)
    for k in range(1, 7):
        client.push_input(_frame(k))
    assert len(ws.frames) >= 6  # five frames of credit plus _LEAD: at most one waits
    await asyncio.sleep(0.5)
    assert _values(ws.frames) == list(range(1, 8))
    await client.close()


async def test_close_while_a_send_waits_ends_it_cleanly() -> None:
    ws = Socket()
    client = _client(ws)
    ws.blocked = True
    client.push_input(_frame(0))
    client.push_input(_frame(1))
    inflight = client._inflight
    assert inflight is not None and len(client._backlog) == 1
    await asyncio.wait_for(client.close(), 1.0)
    assert inflight.done() and client._inflight is None
    assert ws.frames == [] and "media_input" not in client.sent
