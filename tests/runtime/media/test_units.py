"""The media graph: one frame per edge per tick, the one-receiver rule, clearMediaBuffer, idle timer."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from voxsim.runtime.media.frames import Frame, FrameQueue, split_frames
from voxsim.runtime.media.units import MediaError, MediaUnit, Sink


class Source(MediaUnit):
    """Emits numbered frames (the value of every sample is the frame number) while it has some queued."""

    kind = "src"

    def __init__(self, graph, value_base: int, count: int, rate: int = 8000) -> None:
        super().__init__(graph, rate)
        self.queue = FrameQueue()
        for i in range(count):
            self.queue.put(Frame(np.full(rate // 50, value_base + i, np.int16), rate, tag="a" if i % 2 else "b"))
        self.pulled = 0

    @property
    def ticking(self) -> bool:
        return len(self.queue) > 0

    def pull(self):
        self.pulled += 1
        return self.queue.get()

    def clear_media_buffer(self, tag=None) -> int:
        return self.queue.clear(tag)


def test_frames_move_one_per_tick_on_the_20ms_grid(vrun) -> None:
    async def body(clock, graph):
        src = Source(graph, 100, 10)
        sink = Sink(graph)
        src.send_media_to(sink)
        await asyncio.sleep(1)
        return [(round(t, 3), int(f.pcm[0])) for t, f in sink.frames], graph.ticks

    frames, ticks = vrun(body)
    assert frames == [(round(0.02 * i, 3), 100 + i) for i in range(10)]
    assert ticks == 10  # the timer stops when nothing is left to move


def test_a_new_source_replaces_the_old_one(vrun) -> None:
    async def body(clock, graph):
        a, b = Source(graph, 1000, 50), Source(graph, 2000, 50)
        sink = Sink(graph)
        a.send_media_to(sink)
        await asyncio.sleep(0.09)  # ticks 0.00 … 0.08
        b.send_media_to(sink)
        await asyncio.sleep(0.1)
        return [int(f.pcm[0]) // 1000 for _, f in sink.frames], sink.source is b, a.outputs

    heard, from_b, a_outputs = vrun(body)
    assert heard == [1] * 5 + [2] * 5
    assert from_b and a_outputs == []


def test_one_source_feeds_many_targets(vrun) -> None:
    async def body(clock, graph):
        src = Source(graph, 0, 5)
        sinks = [Sink(graph) for _ in range(3)]
        for s in sinks:
            src.send_media_to(s)
        await asyncio.sleep(0.2)
        return [len(s.frames) for s in sinks]

    assert vrun(body) == [5, 5, 5]


def test_stop_media_to_only_cuts_its_own_edge(vrun) -> None:
    async def body(clock, graph):
        a, b = Source(graph, 0, 20), Source(graph, 0, 20)
        sink = Sink(graph)
        a.send_media_to(sink)
        b.stop_media_to(sink)  # not the source: no effect
        await asyncio.sleep(0.09)
        a.stop_media_to(sink)
        await asyncio.sleep(0.1)
        return len(sink.frames), sink.source

    assert vrun(body) == (5, None)


def test_clear_media_buffer_drops_exactly_the_queued_frames(vrun) -> None:
    async def body(clock, graph):
        src = Source(graph, 0, 100)
        sink = Sink(graph)
        src.send_media_to(sink)
        await asyncio.sleep(0.19)  # ticks at 0.00 … 0.18: 10 frames moved, 90 queued
        dropped = src.clear_media_buffer()
        await asyncio.sleep(0.2)
        return dropped, len(sink.frames), [int(f.pcm[0]) for _, f in sink.frames]

    dropped, received, values = vrun(body)
    assert dropped == 90
    assert received == 10 and values == list(range(10))


def test_clear_media_buffer_by_tag() -> None:
    q = FrameQueue()
    q.extend(split_frames(np.zeros(800, np.int16), 8000, tag="x"))
    q.extend(split_frames(np.zeros(320, np.int16), 8000, tag="y"))
    assert q.clear("x") == 5 and len(q) == 2 and q.duration == pytest.approx(0.04)


def test_rate_conversion_on_an_edge_keeps_frame_size(vrun) -> None:
    async def body(clock, graph):
        src = Source(graph, 100, 10, rate=16000)
        sink = Sink(graph, 8000)
        src.send_media_to(sink)
        await asyncio.sleep(0.5)
        return {f.pcm.size for _, f in sink.frames}, {f.sample_rate for _, f in sink.frames}

    assert vrun(body) == ({160}, {8000})


def test_self_routing_and_closed_units_are_errors(vrun) -> None:
    async def body(clock, graph):
        a, b = Sink(graph), Sink(graph)
        with pytest.raises(MediaError, match="itself"):
            a.send_media_to(a)
        b.close()
        with pytest.raises(MediaError, match="closed"):
            a.send_media_to(b)

    vrun(body)


def test_split_frames_tags_speech_and_pads() -> None:
    frames = list(split_frames(np.ones(350, np.int16), 8000, text="hi", utterance=7))
    assert [f.pcm.size for f in frames] == [160, 160, 160]
    assert frames[-1].pcm[-1] == 0
    assert [f.speech.last for f in frames] == [False, False, True]
    assert {f.speech.text for f in frames} == {"hi"}


@pytest.mark.parametrize("src, dst", [(8000, 16000), (16000, 8000), (24000, 8000), (8000, 44100), (48000, 8000)])
def test_rate_converter_is_continuous_frame_by_frame(src, dst) -> None:
    from voxsim.runtime.media.analysis import peak_hz
    from voxsim.runtime.media.frames import RateConverter
    from voxsim.runtime.media.tones import sine

    tone = sine([(1000.0, -10.0)], 1.0, src)
    conv = RateConverter(src, dst)
    out = np.concatenate([conv.convert(f).pcm for f in split_frames(tone, src)])
    assert out.size == dst
    body = out[dst // 10 : 9 * dst // 10].astype(np.float64)
    assert abs(peak_hz(body.astype(np.int16), dst) - 1000) < 1
    # no glitches: a clean sine's sample-to-sample steps stay within the sine's own bound
    assert np.abs(np.diff(body)).max() < 2 * np.pi * 1000 / dst * 32767 * 10 ** (-10 / 20) * 1.1
