"""Frames marked ``silent`` take O(1) shortcuts through the wire, the ear and the key detector: same results as the
sample-by-sample paths, on random audio."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.runtime.clock import Clock, new_event_loop
from voxsim.runtime.media.callmedia import TONE_RECEIVED, CallMedia
from voxsim.runtime.media.dtmf import DTMFDetector, digits_audio, dtmf_tone
from voxsim.runtime.media.formats import g711_quantize
from voxsim.runtime.media.frames import (ClipQueue, Frame, FrameQueue, RateConverter, SpeechTag, silent_frame,
                                         split_frames)
from voxsim.runtime.media.speakers import SimulatedParty
from voxsim.runtime.media.units import MediaGraph, Sink

# a chunk of audio: ("zeros", n), ("key", digit, n) or ("noise", seed, n)
_CHUNK = st.one_of(
    st.tuples(st.just("zeros"), st.integers(0, 700)),
    st.tuples(st.just("key"), st.sampled_from("0123456789*#ABCD"), st.integers(100, 900)),
    st.tuples(st.just("noise"), st.integers(0, 2**16), st.integers(1, 400)),
)


def _audio(chunk: tuple, rate: int = 8000) -> np.ndarray:
    kind = chunk[0]
    if kind == "zeros":
        return np.zeros(chunk[1], np.int16)
    if kind == "key":
        return dtmf_tone(chunk[1], rate, chunk[2] / rate)
    rng = np.random.default_rng(chunk[1])
    return (rng.standard_normal(chunk[2]) * rng.choice([1, 300, 5000])).astype(np.int16)


@pytest.fixture
def clock() -> Iterator[Clock]:
    loop = new_event_loop(virtual=True)
    try:
        yield Clock(loop)
    finally:
        loop.close()


@settings(max_examples=80, deadline=None)
@given(chunks=st.lists(st.one_of(_CHUNK, st.just(("skip",))), min_size=1, max_size=25),
       rate=st.sampled_from([8000, 16000]))
def test_detector_silence_is_process_of_zeros(chunks: list[tuple], rate: int) -> None:
    fast, slow = DTMFDetector(rate), DTMFDetector(rate)
    for chunk in chunks + [("key", "5", 1000), ("zeros", 400), ("key", "5", 800)]:  # a tail that must still detect
        if chunk[0] == "skip":  # tagged speech went by
            fast.skip()
            slow.skip()
            continue
        audio = _audio(chunk, rate)
        expected = slow.process(audio)
        got = fast.silence(audio.size) if chunk[0] == "zeros" else fast.process(audio)
        assert got == expected, chunk


def test_detector_finds_a_key_right_after_a_long_silence() -> None:
    detector = DTMFDetector(8000)
    assert detector.process(digits_audio("7", 8000)) == ["7"]
    for _ in range(500):  # 10 s of silent frames: counted, the buffer not even written
        assert detector.silence(160) == []
    key = digits_audio("7", 8000)
    assert [k for i in range(0, key.size, 160) for k in detector.process(key[i : i + 160])] == ["7"]


def test_silence_after_a_skip_does_not_hear_the_old_samples() -> None:
    # skip() forgets the buffer without clearing it: the zeros that follow must not let the old key back in
    detector = DTMFDetector(8000)
    assert detector.process(dtmf_tone("5", 8000, 0.1)) == ["5"]
    detector.skip()
    assert detector.silence(200) == []
    assert detector.process(np.ones(400, np.int16)) == []


def _split_reference(pcm: np.ndarray, rate: int, text: str | None, utterance: int) -> list[Frame]:
    # the generator split_frames was before it marked silence
    n = rate // 50
    count = max(1, -(-pcm.size // n)) if pcm.size else 0
    frames = []
    for i in range(count):
        chunk = pcm[i * n : (i + 1) * n]
        if chunk.size < n:
            chunk = np.concatenate([chunk, np.zeros(n - chunk.size, np.int16)])
        speech = SpeechTag(text, utterance, i == count - 1, i, count) if text is not None else None
        frames.append(Frame(chunk, rate, speech))
    return frames


@settings(max_examples=60, deadline=None)
@given(chunks=st.lists(_CHUNK, max_size=12), rate=st.sampled_from([8000, 16000]), text=st.sampled_from([None, "hi"]))
def test_split_frames_marks_exactly_the_zero_frames(chunks: list[tuple], rate: int, text: str | None) -> None:
    pcm = np.concatenate([_audio(c, rate) for c in chunks]) if chunks else np.zeros(0, np.int16)
    frames = split_frames(pcm, rate, text, 3)
    reference = _split_reference(pcm, rate, text, 3)
    assert len(frames) == len(reference)
    for got, want in zip(frames, reference):
        np.testing.assert_array_equal(got.pcm, want.pcm)
        assert (got.sample_rate, got.speech, got.tag) == (want.sample_rate, want.speech, want.tag)
        assert got.silent == (not want.pcm.any())


@settings(max_examples=40, deadline=None)
@given(chunks=st.lists(st.tuples(_CHUNK, st.booleans()), min_size=1, max_size=20), rate=st.sampled_from([8000, 16000]))
def test_ear_on_marked_silence_is_the_ear_on_plain_zeros(chunks: list[tuple], rate: int) -> None:
    loop = new_event_loop(virtual=True)
    try:
        marked, plain = SimulatedParty(Clock(loop), 8000), SimulatedParty(Clock(loop), 8000)
        utterance = 0
        ear = RateConverter(rate, 8000)  # the party's ear keeps one converter across frames: so does the oracle
        for chunk, tagged in chunks:
            utterance += tagged
            text = f"words {utterance}" if tagged else None
            for frame in split_frames(_audio(chunk, rate), rate, text, utterance):
                level = marked.hear(frame)
                plain.hear(dataclasses.replace(frame, silent=False))
                pcm = frame.pcm if rate == 8000 else ear.convert(frame).pcm
                assert level == marked.heard.energy[-1][1]
                assert math.isclose(level, float(np.sqrt(np.mean(pcm.astype(np.float64) ** 2))), abs_tol=1e-9)
        assert marked.heard == plain.heard
    finally:
        loop.close()


def test_a_party_hears_inband_keys_sent_after_silence(clock: Clock) -> None:
    graph = MediaGraph(clock)
    a, b = SimulatedParty(clock, 8000), SimulatedParty(clock, 8000)
    la, lb = CallMedia(graph, a, 8000, wire="mulaw_8000"), CallMedia(graph, b, 8000, wire="mulaw_8000")
    la.start()
    lb.start()
    la.send_media_to(lb)
    lb.send_media_to(la)
    la.handle_tones(True)
    tones: list[str] = []
    la.listen(lambda name, payload: tones.append(payload["tone"]) if name == TONE_RECEIVED else None)
    for _ in range(100):  # 2 s of line silence both ways (marked frames all along)
        graph.tick()
    lb.send_digits("12#")
    a.silence(1.0)
    a.press("9*")
    for _ in range(200):
        graph.tick()
    assert b.heard.digit_string == "12#9*"
    assert tones == ["9", "*"]
    assert a.heard.digit_string == "" and {e for _, e in a.heard.energy} == {0.0}
    assert len(a.heard.energy) == 300 and max(e for _, e in b.heard.energy) > 1000


@pytest.mark.parametrize("law", ["mulaw", "alaw"])
def test_line_silence_on_a_g711_leg(clock: Clock, law: str) -> None:
    graph = MediaGraph(clock)
    party = SimulatedParty(clock, 8000, keep_audio=True)
    leg = CallMedia(graph, party, 8000, wire=f"{law}_8000")
    leg.start()
    incoming = leg.pull()  # nothing queued: the line carries silence
    assert incoming is not None and incoming.silent and not incoming.pcm.any()
    leg.push(silent_frame(8000))
    leg.push(Frame(np.zeros(160, np.int16), 8000))  # the same zeros, unmarked: the same result
    (_, first), (_, second) = party.audio_heard
    quiet = g711_quantize(np.zeros(160, np.int16), law)  # type: ignore[arg-type]
    np.testing.assert_array_equal(first, quiet)
    np.testing.assert_array_equal(second, quiet)
    if law == "alaw":  # A-law has no zero: its silence is ±8 on the way out, and heard as such
        assert set(np.abs(first).tolist()) == {8}
        assert party.heard.energy[-1][1] == 8.0
    else:
        assert party.heard.energy[-1][1] == 0.0


@settings(max_examples=30, deadline=None)
@given(chunk=_CHUNK, law=st.sampled_from(["mulaw", "alaw"]), tag=st.sampled_from([None, "t"]))
def test_wire_hop_of_a_marked_frame_is_the_hop_of_its_samples(chunk: tuple, law: str, tag: str | None) -> None:
    loop = new_event_loop(virtual=True)
    try:
        graph = MediaGraph(Clock(loop))
        leg = CallMedia(graph, None, 8000, wire=f"{law}_8000")
        for frame in split_frames(_audio(chunk), 8000, tag=tag):
            marked = leg._through_wire(frame, True)
            plain = leg._through_wire(dataclasses.replace(frame, silent=False), True)
            np.testing.assert_array_equal(marked.pcm, plain.pcm)
            assert (marked.tag, marked.g711) == (plain.tag, plain.g711)
            assert not marked.silent or not marked.pcm.any()  # a promise: never marked silent when it is not
            assert marked.silent == (law == "mulaw" and frame.silent)  # µ-law keeps silence at zero, A-law does not
    finally:
        loop.close()


def test_rate_converter_marks_its_shared_quiet_output() -> None:
    conv = RateConverter(8000, 16000)
    out = conv.convert(silent_frame(8000))
    assert out.silent and out.pcm.size == 320 and not out.pcm.any() and not out.pcm.flags.writeable


def test_frame_queue_clear_filters_its_one_deque() -> None:
    queue = FrameQueue()
    frames = queue.frames
    queue.extend(split_frames(np.ones(800, np.int16), 8000, tag="x"))
    queue.extend(split_frames(np.ones(320, np.int16), 8000, tag="y"))
    assert queue.clear("x") == 5 and len(queue) == 2 and queue.frames is frames
    assert queue.clear() == 2 and not frames


def test_player_frames_are_the_clip_cut_in_frames_with_silence_marked(vrun: Any) -> None:
    from voxsim.runtime.media import players as P

    tone = dtmf_tone("1", 8000, 0.05)  # 400 samples: frames 0-2 and 5-8 hold tone, 3-4 only zeros
    clips = [P.Clip(np.concatenate([tone, np.zeros(500, np.int16), tone]), "words"), P.Clip(np.zeros(170, np.int16))]

    async def body(clock: Clock, graph: MediaGraph) -> list[Frame]:
        player = P.Player(graph, lambda rate: clips, sample_rate=8000)
        sink = Sink(graph, 8000)
        player.send_media_to(sink)
        await asyncio.sleep(0.5)
        return [f for _, f in sink.frames]

    frames = vrun(body)
    assert len(frames) == 9 + 2
    np.testing.assert_array_equal(np.concatenate([f.pcm for f in frames[:9]])[:1300], clips[0].pcm)
    assert [i for i, f in enumerate(frames) if f.silent] == [3, 4, 9, 10]
    assert [f.speech.index if f.speech else None for f in frames] == [0, 1, 2, 3, 4, 5, 6, 7, 8, None, None]
    assert frames[8].speech is not None and frames[8].speech.last


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2000), st.booleans(), st.integers(0, 3))
def test_a_clip_queue_gives_the_frames_split_frames_makes(size: int, tagged: bool, quiet_frames: int) -> None:
    rng = np.random.default_rng(size)
    pcm = np.concatenate([np.zeros(160 * quiet_frames, np.int16), rng.integers(-999, 999, size).astype(np.int16)])
    text = "hello" if tagged else None
    queue = ClipQueue(8000)
    queue.put(pcm, text, 7)
    queue.put(pcm[: size // 2], None, 0)
    expected = split_frames(pcm, 8000, text, 7) + split_frames(pcm[: size // 2], 8000)
    assert len(queue) == len(expected)
    got = [queue.get() for _ in range(len(expected))]
    assert queue.get() is None and len(queue) == 0
    for a, b in zip(got, expected):
        assert a is not None
        assert (a.speech, a.tag, a.g711, a.silent, a.sample_rate) == (b.speech, b.tag, b.g711, b.silent, b.sample_rate)
        assert np.array_equal(a.pcm, b.pcm)


def test_queued_speech_leaves_nothing_for_the_collector_to_walk() -> None:
    """A party's queued say is clips the collector untracks, not hundreds of frame objects living for seconds."""
    party = SimulatedParty(Clock(new_event_loop(virtual=True)))
    party.say("Hello, this is the front desk, how can I help you?")
    queue = party.mouth
    assert len(queue) > 100
    gc.collect()
    assert not any(gc.is_tracked(clip) for clip in queue.clips)
    assert not any(type(o) is Frame for o in gc.get_referents(*queue.clips))


def test_the_ears_energy_log_reads_as_pairs_but_holds_no_object_per_frame() -> None:
    party = SimulatedParty(Clock(new_event_loop(virtual=True)))
    for i in range(100):
        party.hear(Frame(np.full(160, i, np.int16), 8000))
    energy = party.heard.energy
    assert len(energy) == 100 and energy[-1] == (0.0, 99.0) and energy[5] == (0.0, 5.0)
    assert list(energy)[:2] == [(0.0, 0.0), (0.0, 1.0)] and energy[:2] == [(0.0, 0.0), (0.0, 1.0)]
    held = [ref for ref in gc.get_referents(energy) if ref is not type(energy)]
    assert [type(ref).__name__ for ref in held] == ["array", "array"]  # two float arrays, no tuple per frame
