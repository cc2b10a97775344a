"""Framing properties: agent audio in arbitrary chunks plays out as whole 20 ms frames, in order, nothing lost;
caller audio in arbitrary chunks leaves as whole 20 ms media_input frames."""

from __future__ import annotations

import asyncio
import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.runtime.modules.cartesia.client import AgentsClient, ClientOptions
from voxsim.runtime.modules.cartesia.playout import PlayoutQueue

chunks = st.lists(st.integers(min_value=1, max_value=2000), min_size=1, max_size=20)


@given(sizes=chunks, texts=st.lists(st.booleans(), min_size=20, max_size=20))
def test_output_queue_plays_everything_in_order(sizes: list[int], texts: list[bool]) -> None:
    out = PlayoutQueue()
    total = sum(sizes)
    audio = (np.arange(total) % 30000 + 1).astype(np.int16)
    offset = 0
    marks: list[str] = []
    for i, size in enumerate(sizes):
        text = f"u{i}" if texts[i] else None
        if text:
            marks.append(text)
        out.push(audio[offset: offset + size], text)
        offset += size
    played: list[np.ndarray] = []
    heard: list[str] = []
    while out.samples > 0:
        frame, text = out.pop(320)
        assert frame.size == 320
        played.append(frame)
        if text:
            heard.extend(text.split(" "))
    joined = np.concatenate(played)
    assert np.array_equal(joined[:total], audio) and not joined[total:].any()
    assert heard == marks


class _Socket:
    """Records what the client sends (it sends without waiting)."""

    def __init__(self) -> None:
        self.frames: list[str] = []
        self.closed = False

    async def send_str(self, text: str) -> None:
        self.frames.append(text)


@settings(deadline=None)
@given(sizes=chunks)
def test_input_is_cut_into_whole_frames(sizes: list[int]) -> None:
    async def main() -> list[dict]:
        client = AgentsClient(ClientOptions("k", "a", base_url="http://127.0.0.1:9", input_format="mulaw_8000",
                                            send_transcripts=True))
        ws = _Socket()
        client.state, client.stream_id, client._ws = "acked", "s", ws
        for i, size in enumerate(sizes):
            client.push_input(np.full(size, 1000, np.int16), "hello" if i == 0 else None)
        return [json.loads(frame) for frame in ws.frames] + [b.message or json.loads(b.text) for b in client._backlog]

    sent = asyncio.run(main())
    assert len(sent) == sum(sizes) // 160
    assert all(m["event"] == "media_input" for m in sent)
    if sent:
        assert sent[0]["voxsim"] == {"text": "hello"} and all("voxsim" not in m for m in sent[1:])
