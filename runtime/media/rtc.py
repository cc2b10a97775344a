"""Real-time media over WebRTC (aiortc): a call whose far end is a WebRTC peer (the softphone).

``RtcRemote`` is the ``RemoteEnd`` of a ``CallMedia``: what the graph sends to the call leaves through ``outbound``, an
aiortc ``MediaStreamTrack`` that sleeps to each frame's pts on the loop clock (aiortc's encoder would otherwise pull
as fast as it can); audio from the peer's track is resampled to the call's rate, cut into 20 ms frames and pulled by
the graph one per tick. Only for real time: aiortc's RTP stack reads wall time.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
from collections import deque
from collections.abc import Iterator

import av
import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from .formats import PCM, frame_samples
from .frames import Frame, FrameQueue, RateConverter, kept_converter, silence

__all__ = ["OutboundTrack", "RtcRemote", "loopback_only"]

log = logging.getLogger("voxsim.media.rtc")

_MAX_QUEUED = 10  # frames (200 ms) of outbound audio before the oldest is dropped


class OutboundTrack(MediaStreamTrack):
    """Audio to a WebRTC peer: frames put by the graph, paced on the loop clock (silence when none is queued)."""

    kind = "audio"

    def __init__(self, sample_rate: int = 8000) -> None:
        super().__init__()
        self.sample_rate = sample_rate
        self.samples = frame_samples(sample_rate)
        self.time_base = fractions.Fraction(1, sample_rate)
        self._queue: deque[PCM] = deque()
        self._silence = silence(sample_rate)
        self._n = 0
        self._start: float | None = None
        self.dropped = 0
        self.sent = 0

    def put(self, pcm: PCM) -> None:
        """Queue 20 ms of audio at ``sample_rate``."""
        if len(self._queue) >= _MAX_QUEUED:
            self._queue.popleft()
            self.dropped += 1
        self._queue.append(pcm)

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        loop = asyncio.get_running_loop()
        if self._start is None:
            self._start = loop.time()
        delay = self._start + self._n * 0.02 - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        pcm = self._queue.popleft() if self._queue else self._silence
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self.sample_rate
        frame.pts = self._n * self.samples
        frame.time_base = self.time_base
        self._n += 1
        self.sent += 1
        return frame


class RtcRemote:
    """A WebRTC peer as a call's far end: ``outbound`` to add to the peer connection, ``attach_inbound(track)``."""

    def __init__(self, sample_rate: int = 8000) -> None:
        self.sample_rate = sample_rate
        self.outbound = OutboundTrack(sample_rate)
        self.incoming = FrameQueue()
        self.frames_received = 0
        self._pending = np.zeros(0, np.int16)
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=sample_rate)
        self._converter: RateConverter | None = None  # what the call sends at another rate (kept_converter)
        self._task: asyncio.Task[None] | None = None

    def attach_inbound(self, track: MediaStreamTrack) -> None:
        """Start reading the peer's audio track."""
        self._task = asyncio.get_running_loop().create_task(self._read(track))

    async def _read(self, track: MediaStreamTrack) -> None:
        n = frame_samples(self.sample_rate)
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if not isinstance(frame, av.AudioFrame):
                continue
            for out in self._resampler.resample(frame):
                self._pending = np.concatenate([self._pending, out.to_ndarray().reshape(-1).astype(np.int16)])
            while self._pending.size >= n:
                chunk, self._pending = self._pending[:n], self._pending[n:]
                self.incoming.put(Frame(chunk, self.sample_rate))
                self.frames_received += 1
            while len(self.incoming) > _MAX_QUEUED:  # the peer ran ahead: keep latency bounded
                self.incoming.get()

    # RemoteEnd
    def next_frame(self) -> Frame | None:
        """The peer's next 20 ms (None while its audio has not arrived)."""
        return self.incoming.get()

    def hear(self, frame: Frame) -> None:
        """Send 20 ms to the peer (at another rate through one kept converter)."""
        if frame.sample_rate != self.sample_rate:
            self._converter = conv = kept_converter(self._converter, frame.sample_rate, self.sample_rate)
            frame = conv.convert(frame)
        self.outbound.put(frame.pcm)

    async def close(self) -> None:
        """Stop the outbound track and the reader."""
        self.outbound.stop()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


@contextlib.contextmanager
def loopback_only() -> Iterator[None]:
    """Make aioice gather only a 127.0.0.1 candidate (it skips loopback by default), for offline peers on one host."""
    import aioice.ice

    original = aioice.ice.get_host_addresses
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]
    try:
        yield
    finally:
        aioice.ice.get_host_addresses = original
