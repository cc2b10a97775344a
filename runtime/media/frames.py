"""20 ms frames of 16-bit PCM, the speech tags they carry, and the clearable queue units buffer them in."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import numpy as np

from .formats import FRAME_MS, PCM, as_pcm, frame_samples
from .resampling import StreamResampler

__all__ = ["SpeechTag", "Frame", "RateConverter", "FrameQueue", "ClipQueue", "kept_converter", "split_frames",
           "silence", "silent_frame", "is_silent"]


@dataclass(frozen=True, slots=True)
class SpeechTag:
    """Marks audio as part of an utterance whose words are known (simulated speech, TTS): listeners "hear" ``text``."""

    text: str
    utterance: int
    last: bool = False
    index: int = 0  # this frame's place in the utterance, of ``count`` (0 when unknown, e.g. streamed speech)
    count: int = 0


@dataclass(slots=True)
class Frame:
    """One frame of mono 16-bit PCM at ``sample_rate`` (normally 20 ms), with optional speech and queue tags.

    Treated as immutable (one frame may go to many targets); not ``frozen`` only because frozen dataclasses are
    several times slower to build, and frames are built on every hop.

    ``silent`` is a promise made where the frame is built (a shared read-only zero frame, a zero chunk of a clip):
    every sample is zero. False means "not known", never "not silent". Hops that would look at every sample to find
    silence (the G.711 wire, a party's ear, the DTMF detector) take the flag instead: half of a call's frames."""

    pcm: PCM
    sample_rate: int
    speech: SpeechTag | None = None
    tag: str | None = None
    g711: str | None = None  # "mulaw"/"alaw" when the samples already went through that law (quantizing is idempotent)
    silent: bool = False

    @property
    def duration(self) -> float:
        """Seconds of audio in the frame."""
        return self.pcm.size / self.sample_rate

    def converted(self, sample_rate: int, converter: RateConverter | None = None) -> Frame:
        """The frame at ``sample_rate``; pass the edge's ``converter`` to keep filter state across frames."""
        if sample_rate == self.sample_rate:
            return self
        return (converter or RateConverter(self.sample_rate, sample_rate)).convert(self)


class RateConverter:
    """Streaming rate conversion that yields constant-size frames, for one edge of the graph.

    A polyphase FIR (``resampling.StreamResampler``) converts each 20 ms frame into exactly 20 ms at the other rate,
    with a steady 1–2 ms delay, at ~1/10 of the CPU of the libswresample (PyAV) path it replaced. A chunk size that
    does not convert to a whole number of samples is evened out with a small output buffer (leading silence at start).

    Silent hops are skipped: once the filter holds only zeros, a zero frame comes out as zeros without any arithmetic
    (most of a call is one side listening), sample-for-sample what the filter would have given.
    """

    __slots__ = ("from_rate", "to_rate", "_resampler", "_pending", "_size", "_want", "_quiet")

    skip_silence = True

    def __init__(self, from_rate: int, to_rate: int) -> None:
        self.from_rate = from_rate
        self.to_rate = to_rate
        self._resampler = StreamResampler(from_rate, to_rate)
        self._pending: PCM | None = None
        self._size = -1  # the last input size, its output size, and a shared read-only silent output of that size
        self._want = 0
        self._quiet: PCM = np.zeros(0, np.int16)

    @property
    def delay(self) -> int:
        """Output samples of delay."""
        return self._resampler.delay

    @property
    def idle(self) -> bool:
        """Whether nothing is left in the filter or the output buffer (a silent frame would come out as zeros)."""
        return self._pending is None and self._resampler.silent_state

    def convert(self, frame: Frame) -> Frame:
        """``frame`` at ``to_rate``, the same duration."""
        pcm = frame.pcm
        size = pcm.size
        if size != self._size:
            self._size = size
            self._want = round(size * self.to_rate / self.from_rate)
            self._quiet = np.zeros(self._want, np.int16)
            self._quiet.setflags(write=False)
        want = self._want
        resampler = self._resampler
        silent = frame.silent or is_silent(pcm)
        if silent and self._pending is None and resampler.silent_state and self.skip_silence:
            got = resampler.skip_zeros(size)
            if got == want:  # the usual case: no arithmetic, one shared read-only zero frame
                return Frame(self._quiet, self.to_rate, frame.speech, frame.tag, None, True)
            out = np.zeros(got, np.int16)
        else:
            out = resampler.process(pcm, silent)
        if out.size != want or self._pending is not None:
            buf = np.concatenate([self._pending, out]) if self._pending is not None else out
            if buf.size < want:  # start-up: the missing samples become leading silence
                buf = np.concatenate([np.zeros(want - buf.size, np.int16), buf])
            out, rest = buf[:want], buf[want:]
            self._pending = rest if rest.size else None
        # resampled audio is not G.711-quantized any more: g711 is left unset
        return Frame(out, self.to_rate, frame.speech, frame.tag)


_ZERO_BYTES: dict[int, bytes] = {}


def is_silent(pcm: PCM) -> bool:
    """Whether every sample is zero. A byte compare: ~1 µs for a frame, where ``ndarray.any()`` costs several.
    (A frame marked ``Frame.silent`` needs no look: callers test the flag first.)"""
    size = pcm.nbytes
    zeros = _ZERO_BYTES.get(size)
    if zeros is None:
        zeros = _ZERO_BYTES[size] = bytes(size)
    return pcm.tobytes() == zeros


def kept_converter(conv: RateConverter | None, from_rate: int, to_rate: int) -> RateConverter:
    """``conv`` if it converts from ``from_rate``, else a new converter: a stream at another rate goes through one
    converter kept across frames, so its filter runs on over the 20 ms edges (one made per frame restarts it: a
    click every frame). Store the result back where ``conv`` came from."""
    if conv is None or conv.from_rate != from_rate:
        conv = RateConverter(from_rate, to_rate)
    return conv


def silence(sample_rate: int, ms: int = FRAME_MS) -> PCM:
    """A frame's worth of zeros."""
    return np.zeros(frame_samples(sample_rate, ms), np.int16)


def silent_frame(sample_rate: int, ms: int = FRAME_MS) -> Frame:
    """A frame of zeros, read-only and marked ``silent`` (safe to share between units and ticks)."""
    pcm = silence(sample_rate, ms)
    pcm.setflags(write=False)
    return Frame(pcm, sample_rate, None, None, None, True)


def _cut(pcm: PCM, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """A clip as rows of 20 ms (the last one zero-padded) and which rows hold a non-zero sample."""
    n = frame_samples(sample_rate)
    samples = as_pcm(pcm)
    size = samples.size
    count = -(-size // n)
    if size == count * n:
        rows = samples.reshape(count, n)
    else:
        rows = np.zeros((count, n), np.int16)
        rows.reshape(-1)[:size] = samples
    loud: np.ndarray = np.asarray(rows.any(axis=1))
    return rows, loud


def split_frames(
    pcm: PCM, sample_rate: int, text: str | None = None, utterance: int = 0, tag: str | None = None
) -> list[Frame]:
    """Cut a clip into 20 ms frames (the last one zero-padded); ``text`` tags every frame, the last one as ``last``.

    Frames are rows of one 2-D view of the clip; all-zero ones are marked ``silent`` (one ``any`` over the clip), so
    pauses, key gaps and ``silence`` steps cost nothing per hop later."""
    rows, loud_rows = _cut(pcm, sample_rate)
    loud = cast(list[bool], loud_rows.tolist())
    count = len(rows)
    if text is None:
        return [Frame(row, sample_rate, None, tag, None, not on) for row, on in zip(rows, loud)]
    end = count - 1
    return [Frame(row, sample_rate, SpeechTag(text, utterance, i == end, i, count), tag, None, not loud[i])
            for i, row in enumerate(rows)]


class FrameQueue:
    """Frames waiting to be played out one per tick; ``clear(tag)`` drops queued audio (``clearMediaBuffer``).

    ``frames`` is the deque itself, the same object for the queue's whole life (``clear`` filters it in place), so a
    per-tick reader may bind it once and ``popleft`` from it without a method call per frame."""

    __slots__ = ("frames",)

    def __init__(self) -> None:
        self.frames: deque[Frame] = deque()

    def __len__(self) -> int:
        return len(self.frames)

    def put(self, frame: Frame) -> None:
        """Queue one frame."""
        self.frames.append(frame)

    def extend(self, frames: Iterable[Frame]) -> None:
        """Queue several frames."""
        self.frames.extend(frames)

    def get(self) -> Frame | None:
        """The next frame, or None when empty."""
        frames = self.frames
        return frames.popleft() if frames else None

    @property
    def duration(self) -> float:
        """Seconds of audio queued."""
        return sum(f.duration for f in self.frames)

    def clear(self, tag: str | None = None) -> int:
        """Drop queued frames (only those with ``tag`` when given); returns how many were dropped."""
        frames = self.frames
        dropped = len(frames)
        if tag is None:
            frames.clear()
            return dropped
        kept = [f for f in frames if f.tag != tag]
        frames.clear()
        frames.extend(kept)
        return dropped - len(kept)


class ClipQueue:
    """Audio waiting to go out one 20 ms frame per tick, kept as whole clips and cut into frames as they leave —
    the same frames :func:`split_frames` makes (zero-padded last frame, ``silent`` marks, speech tags).

    Why not a :class:`FrameQueue` of ``split_frames``: a party's ``say`` queues hundreds of frames that live for
    seconds, each an object the cyclic collector keeps in its lists. With 200 calls every middle-generation pass
    walked ~6,000 of them (2–7 ms, with every call's media waiting), and old frames freed each tick let the youngest
    generation grow to 15,000+ objects before its threshold saw it (a 16–30 ms pass). A clip is one plain tuple of
    arrays, strings and numbers, which the collector stops tracking; a frame lives for one tick."""

    __slots__ = ("clips", "sample_rate", "_at", "_left")

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.clips: deque[tuple[np.ndarray, np.ndarray, str | None, int, str | None]] = deque()
        self._at = 0  # the next frame's row in the first clip
        self._left = 0  # frames queued in all

    def __len__(self) -> int:
        return self._left

    def put(self, pcm: PCM, text: str | None = None, utterance: int = 0, tag: str | None = None) -> int:
        """Queue a clip (``text`` tags its frames as one utterance); returns its number of frames."""
        rows, loud = _cut(pcm, self.sample_rate)
        if rows.size:
            self.clips.append((rows, loud, text, utterance, tag))
            self._left += len(rows)
        return len(rows)

    def get(self) -> Frame | None:
        """The next frame, or None when empty."""
        clips = self.clips
        if not clips:
            return None
        rows, loud, text, utterance, tag = clips[0]
        i = self._at
        count = len(rows)
        speech = None if text is None else SpeechTag(text, utterance, i == count - 1, i, count)
        frame = Frame(rows[i], self.sample_rate, speech, tag, None, not loud[i])
        i += 1
        if i == count:
            clips.popleft()
            i = 0
        self._at = i
        self._left -= 1
        return frame

    @property
    def duration(self) -> float:
        """Seconds of audio queued."""
        return self._left * FRAME_MS / 1000

    def clear(self, tag: str | None = None) -> int:
        """Drop queued clips (only those with ``tag`` when given); returns how many frames were dropped."""
        before = self._left
        clips = self.clips
        if tag is None:
            clips.clear()
            self._at = self._left = 0
            return before
        first = clips[0] if clips else None
        kept = [clip for clip in clips if clip[4] != tag]
        clips.clear()
        clips.extend(kept)
        if not kept or kept[0] is not first:
            self._at = 0
        self._left = sum(len(clip[0]) for clip in kept) - self._at
        return before - self._left
