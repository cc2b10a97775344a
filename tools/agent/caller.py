"""A caller in pure Python that drives an AgentsClient the way a bridged call does, for tests and benchmarks.

Every 20 ms of loop time it pushes one caller frame (speech scheduled with ``say``, else silence) and pulls one agent
frame, keeping both as a stereo recording (caller left, agent right). It stands in for the media graph so the
connector and the emulator can be tested end to end through real audio, on virtual or real time.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import numpy as np

from voxsim.runtime.media.formats import PCM, frame_samples
from voxsim.runtime.media.tts import synthesize
from voxsim.runtime.modules.cartesia.client import AgentsClient

__all__ = ["ScriptedCaller", "Heard"]


_SILENCE: dict[int, PCM] = {}


def _silence(n: int) -> PCM:
    """One shared read-only frame of zeros per size: a silent tick allocates nothing (the recording only reads it)."""
    frame = _SILENCE.get(n)
    if frame is None:
        frame = _SILENCE[n] = np.zeros(n, np.int16)
        frame.setflags(write=False)
    return frame


@dataclass(frozen=True, slots=True)
class Heard:
    """An agent utterance as it reached the caller: its transcript and the loop time its first frame played."""

    t: float
    text: str


@dataclass(slots=True)
class ScriptedCaller:
    """Speak into ``client`` and record what comes back. Call ``run(seconds)`` after ``client.start``."""

    client: AgentsClient
    left: list[PCM] = field(default_factory=list)
    right: list[PCM] = field(default_factory=list)
    heard: list[Heard] = field(default_factory=list)
    audio_times: list[float] = field(default_factory=list)  # loop time of every agent frame played
    t0: float = 0.0
    _queue: list[tuple[float, PCM, str]] = field(default_factory=list)
    _current: PCM | None = None
    _current_text: str | None = None

    def say(self, text: str, at: float) -> float:
        """Schedule ``text`` at ``at`` seconds after ``run`` starts; returns its duration."""
        speech = synthesize(text, self.client.format.sample_rate)
        self._queue.append((at, speech.pcm, text))
        self._queue.sort(key=lambda item: item[0])
        return speech.duration

    def _next_caller_frame(self, elapsed: float, n: int) -> tuple[PCM, str | None]:
        text = None
        if (self._current is None or self._current.size == 0) and self._queue and self._queue[0][0] <= elapsed + 1e-9:
            _, pcm, text = self._queue.pop(0)
            self._current = pcm
        if self._current is None or self._current.size == 0:
            return _silence(n), None
        frame, self._current = self._current[:n], self._current[n:]
        if frame.size < n:
            frame = np.concatenate([frame, np.zeros(n - frame.size, np.int16)])
        return frame, text

    async def run(self, seconds: float) -> None:
        """Tick every 20 ms of loop time for ``seconds`` or until the connection closes."""
        loop = asyncio.get_running_loop()
        n = frame_samples(self.client.format.sample_rate)
        self.t0 = start = loop.time()
        ticks = int(round(seconds / 0.02))
        for k in range(ticks):
            delay = start + k * 0.02 - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if self.client.close_info is not None:
                break
            frame, text = self._next_caller_frame(k * 0.02, n)
            self.client.push_input(frame, text, paced=True)  # one frame per 20 ms tick: a real-time source
            self.left.append(frame)
            out = self.client.pull_output()
            if out is None:
                self.right.append(_silence(n))
            else:
                pcm, agent_text = out
                self.right.append(pcm)
                now = loop.time()
                self.audio_times.append(now)
                if agent_text:
                    self.heard.append(Heard(now, agent_text))

    def stereo(self) -> np.ndarray:
        """The recording as an (N, 2) int16 array: caller left, agent right."""
        if not self.left:
            return np.zeros((0, 2), np.int16)
        return np.stack([np.concatenate(self.left), np.concatenate(self.right)], axis=1)
