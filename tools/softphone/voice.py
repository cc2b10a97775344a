"""The browser caller's voice in the trace: webrtcvad on the microphone's 20 ms frames gives speech spans.

A simulated party traces its ``media`` speech spans itself; a real microphone has no words, so the softphone marks
when the caller talks (``media`` start/stop, ``kind: speech``, no ``text``). The event log and the timeline then show
the caller's turns and the barge-ins against them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import webrtcvad

from voxsim.runtime.media.frames import Frame
from voxsim.runtime.media.rtc import RtcRemote

__all__ = ["VoiceActivity", "MicRemote"]


class VoiceActivity:
    """Speech start/stop from 20 ms frames: ``start_frames`` voiced frames in a row open a span, ``hangover``
    seconds without voice close it (the emulator's hearing uses the same VAD)."""

    def __init__(self, sample_rate: int = 8000, *, aggressiveness: int = 2, start_frames: int = 3,
                 hangover: float = 0.5, min_rms: float = 200.0) -> None:
        self.sample_rate = sample_rate
        self._vad = webrtcvad.Vad(aggressiveness)
        self._start_frames = start_frames
        self._hangover_frames = max(1, round(hangover / 0.02))
        self._min_rms = min_rms
        self._voiced_run = 0
        self._quiet_run = 0
        self.speaking = False

    def step(self, pcm: np.ndarray) -> str | None:
        """Feed 20 ms; returns ``"start"`` or ``"stop"`` when the caller starts or stops talking, else ``None``."""
        loud = float(np.sqrt(np.mean(pcm.astype(np.float64) ** 2))) >= self._min_rms if pcm.size else False
        voiced = loud and self._vad.is_speech(pcm.astype(np.int16).tobytes(), self.sample_rate)
        if voiced:
            self._voiced_run += 1
            self._quiet_run = 0
            if not self.speaking and self._voiced_run >= self._start_frames:
                self.speaking = True
                return "start"
        else:
            self._voiced_run = 0
            self._quiet_run += 1
            if self.speaking and self._quiet_run >= self._hangover_frames:
                self.speaking = False
                return "stop"
        return None


class MicRemote(RtcRemote):
    """An ``RtcRemote`` that reports the peer's speech spans to ``on_voice(action)`` as the graph pulls its audio."""

    def __init__(self, sample_rate: int = 8000, on_voice: Callable[[str], None] | None = None) -> None:
        super().__init__(sample_rate)
        self.voice = VoiceActivity(sample_rate)
        self.on_voice = on_voice

    def next_frame(self) -> Frame | None:
        frame = super().next_frame()
        if frame is not None:
            action = self.voice.step(frame.pcm)
            if action is not None and self.on_voice is not None:
                self.on_voice(action)
        return frame

    def stop_voice(self) -> None:
        """Close an open speech span (the call ended while the caller was talking)."""
        if self.voice.speaking:
            self.voice.speaking = False
            if self.on_voice is not None:
                self.on_voice("stop")
