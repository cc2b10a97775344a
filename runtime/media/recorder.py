"""Recording to WAV that stays valid if the process dies: the header is patched at least once per second of audio.

``WavWriter`` writes 16-bit PCM (mono or interleaved stereo). ``Recorder`` is the ``createRecorder`` unit (records what
it is sent). ``CallRecorder`` taps a call: in stereo, left = the call's incoming audio, right = the audio sent to it;
in mono the two are mixed. Both record at their own rate: a frame at another rate (a far end at 16 kHz on an 8 kHz
leg) goes through a converter kept per side, so the filter runs on across frame edges (no clicks, one design).
"""

from __future__ import annotations

import atexit
import struct
import weakref
from pathlib import Path
from typing import IO

import numpy as np

from .formats import PCM
from .frames import Frame, RateConverter, kept_converter, silence, silent_frame
from .units import MediaGraph, MediaUnit

__all__ = ["WavWriter", "Recorder", "CallRecorder", "RECORDER_STARTED", "RECORDER_STOPPED", "RECORD_STARTED",
           "RECORD_STOPPED"]

RECORDER_STARTED = "Recorder.Started"
RECORDER_STOPPED = "Recorder.Stopped"
RECORD_STARTED = "Call.RecordStarted"
RECORD_STOPPED = "Call.RecordStopped"

_PATCH_EVERY = 1.0  # seconds of audio between header patches
_LE16 = np.dtype("<i2")
_open_writers: weakref.WeakSet[WavWriter] = weakref.WeakSet()


@atexit.register
def _close_open_writers() -> None:
    # an interrupted run (Ctrl-C, an uncaught error) still leaves finished WAV headers behind
    for writer in list(_open_writers):
        writer.close()


class WavWriter:
    """A 16-bit PCM WAV file whose RIFF/data sizes are rewritten every second and on ``close``."""

    def __init__(self, path: Path | str, sample_rate: int, channels: int = 1) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.sample_rate = sample_rate
        self.channels = channels
        self.frames_written = 0
        self._since_patch = 0
        self._fh: IO[bytes] | None = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        self._fh.write(self._header(0))
        self._fh.flush()
        _open_writers.add(self)

    def _header(self, data_bytes: int) -> bytes:
        block = 2 * self.channels
        return struct.pack(
            "<4sI4s4sIHHIIHH4sI",
            b"RIFF", 36 + data_bytes, b"WAVE", b"fmt ", 16, 1, self.channels, self.sample_rate,
            self.sample_rate * block, block, 16, b"data", data_bytes,
        )

    @property
    def duration(self) -> float:
        """Seconds written."""
        return self.frames_written / self.sample_rate

    def write(self, samples: PCM) -> None:
        """Append samples: shape (n,) for mono or (n, 2) for stereo."""
        if self._fh is None:
            raise ValueError(f"{self.path} is closed")
        data = samples if samples.dtype == _LE16 and samples.flags.c_contiguous else \
            np.ascontiguousarray(samples, dtype=_LE16)
        self._fh.write(data.data)  # the buffer itself: no bytes copy
        n = data.shape[0]
        self.frames_written += n
        self._since_patch += n
        if self._since_patch >= self.sample_rate * _PATCH_EVERY:
            self._patch()

    def _patch(self) -> None:
        assert self._fh is not None
        self._since_patch = 0
        self._fh.seek(0)
        self._fh.write(self._header(self.frames_written * 2 * self.channels))
        self._fh.seek(0, 2)
        self._fh.flush()

    def close(self) -> None:
        """Patch the header a last time and close (idempotent)."""
        if self._fh is None:
            return
        self._patch()
        self._fh.close()
        self._fh = None
        _open_writers.discard(self)

    @property
    def closed(self) -> bool:
        """Whether ``close`` ran."""
        return self._fh is None


class Recorder(MediaUnit):
    """The ``createRecorder`` unit: records what it is sent (silence while nothing arrives) until ``stop``."""

    kind = "recorder"

    def __init__(self, graph: MediaGraph, path: Path | str, sample_rate: int = 8000, name: str | None = None) -> None:
        super().__init__(graph, sample_rate, name)
        self.writer = WavWriter(path, sample_rate, 1)
        self.url = self.writer.path.resolve().as_uri()
        self._pending: Frame | None = None
        self._zero = silence(sample_rate)  # written when nothing arrived: one shared array, not one per tick
        self._zero.setflags(write=False)
        graph.watch(self)
        graph.clock.call_soon(lambda: self.emit(RECORDER_STARTED, url=self.url))

    def push(self, frame: Frame) -> None:
        self._pending = frame

    def after_tick(self) -> None:
        frame, self._pending = self._pending, None
        self.writer.write(frame.pcm if frame is not None else self._zero)

    def stop(self) -> None:
        """Finalize the WAV and emit ``Recorder.Stopped``."""
        if self.writer.closed:
            return
        self.graph.watch(self, False)
        self.writer.close()
        self.emit(RECORDER_STOPPED, url=self.url, duration=self.writer.duration)
        self.close()


class CallRecorder:
    """Records a call: fed by the call (``incoming``/``outgoing`` per tick), written after each tick."""

    def __init__(self, graph: MediaGraph, path: Path | str, sample_rate: int, stereo: bool = False) -> None:
        self.graph = graph
        self.sample_rate = sample_rate
        self.stereo = stereo
        self.writer = WavWriter(path, sample_rate, 2 if stereo else 1)
        self.url = self.writer.path.resolve().as_uri()
        self._left: PCM | None = None
        self._right: PCM | None = None
        # per side (incoming, outgoing): the converter of frames at another rate, made on the first such frame
        self._in: RateConverter | None = None
        self._out: RateConverter | None = None
        self._zero = silence(sample_rate)
        self._zero.setflags(write=False)
        n = self._zero.size
        # interleaving a tick's two channels into one reused buffer is several times cheaper than np.stack
        self._frame = np.zeros((n, 2), np.int16)
        self._quiet_stereo = np.zeros((n, 2), np.int16)
        self._quiet_stereo.setflags(write=False)

    def incoming(self, frame: Frame) -> None:
        """Audio the call's remote party sent this tick (left channel)."""
        if frame.sample_rate == self.sample_rate:
            self._left = frame.pcm
            return
        self._in = conv = kept_converter(self._in, frame.sample_rate, self.sample_rate)
        self._left = conv.convert(frame).pcm

    def outgoing(self, frame: Frame) -> None:
        """Audio sent to the call's remote party this tick (right channel)."""
        if frame.sample_rate == self.sample_rate:
            self._right = frame.pcm
            return
        self._out = conv = kept_converter(self._out, frame.sample_rate, self.sample_rate)
        self._right = conv.convert(frame).pcm

    @staticmethod
    def _drained(conv: RateConverter | None) -> PCM | None:
        """A side with nothing this tick whose converter still holds audio: its tail, fed a silent frame (so the
        filter's memory does not reappear at the start of the side's next frame, a tick late)."""
        if conv is None or conv.idle:
            return None
        return conv.convert(silent_frame(conv.from_rate)).pcm

    def write_tick(self) -> None:
        """Write this tick's 20 ms (silence where nothing moved)."""
        if self.writer.closed:
            return
        left, right = self._left, self._right
        self._left = self._right = None
        if left is None and self._in is not None:
            left = self._drained(self._in)
        if right is None and self._out is not None:
            right = self._drained(self._out)
        if left is None and right is None:
            self.writer.write(self._quiet_stereo if self.stereo else self._zero)
            return
        if left is None:
            left = self._zero
        if right is None:
            right = self._zero
        if left.size != right.size:  # an odd-sized frame on one side: the shorter is padded with silence
            size = max(left.size, right.size)
            left, right = (np.pad(x, (0, size - x.size)) if x.size < size else x for x in (left, right))
        if self.stereo:
            frame = self._frame
            if left.size != frame.shape[0]:  # an odd-sized frame: the general path
                self.writer.write(np.stack([left, right], axis=1))
                return
            frame[:, 0] = left
            frame[:, 1] = right
            self.writer.write(frame)
        elif right is self._zero:
            self.writer.write(left)
        elif left is self._zero:
            self.writer.write(right)
        else:
            mixed = np.clip(left.astype(np.int32) + right.astype(np.int32), -32768, 32767).astype(np.int16)
            self.writer.write(mixed)

    def stop(self) -> float:
        """Finalize; returns the duration in seconds."""
        self.writer.close()
        return self.writer.duration
