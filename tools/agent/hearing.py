"""How the emulated agent hears: turn boundaries from webrtcvad on the decoded input, words from the transcript.

Simulated speech carries its text (``voxsim.text`` on the first ``media_input`` frame of an utterance), so the
emulator knows the exact words without a recogniser; the VAD decides *when* a turn starts (barge-in) and ends (after
``end_ms`` of non-speech). Audio without any transcript (a real microphone) ends a turn with text "".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import webrtcvad

from voxsim.runtime.media.formats import PCM, AudioFormat, Resampler, decode, encode, frame_samples
from voxsim.runtime.media.frames import is_silent

__all__ = ["TurnStart", "TurnEnd", "TurnDetector"]


@dataclass(frozen=True, slots=True)
class TurnStart:
    """Speech began at ``t`` (seconds of input audio since the stream started)."""

    t: float


@dataclass(frozen=True, slots=True)
class TurnEnd:
    """Speech ended (the hangover elapsed) with the words heard during the turn."""

    t: float
    text: str


class TurnDetector:
    """Feed it every ``media_input`` payload in order; it returns the turn boundaries that payload completed."""

    def __init__(
        self,
        fmt: AudioFormat,
        *,
        aggressiveness: int = 2,
        start_ms: int = 60,
        end_ms: int = 600,
    ) -> None:
        self.fmt = fmt
        self.vad_rate = fmt.sample_rate if fmt.sample_rate in (8000, 16000, 32000, 48000) else 16000
        self._resampler = Resampler(fmt.sample_rate, self.vad_rate)
        self._vad = webrtcvad.Vad(aggressiveness)
        self._frame = frame_samples(self.vad_rate, 20)
        self._start_frames = max(1, start_ms // 20)
        self._end_frames = max(1, end_ms // 20)
        self._pending: PCM = np.zeros(0, dtype=np.int16)
        self._voiced_run = 0
        self._silent_run = 0
        self._frames_seen = 0
        self._words: list[str] = []
        self.speaking = False
        # a payload of digital silence (all zero samples) needs no decoding, resampling or VAD: ``is_silent`` would
        # call every frame of it silent. Only when no partial frame is pending and the VAD runs at the input's rate.
        self._silent_payload = encode(np.zeros(self._frame, np.int16), fmt) if self.vad_rate == fmt.sample_rate else None

    def feed(self, payload: bytes, text: str | None = None) -> list[TurnStart | TurnEnd]:
        """Decode ``payload`` (in the stream's input format), run the VAD per 20 ms, return boundaries."""
        if text:
            self._words.append(text.strip())
        if payload == self._silent_payload and not self._pending.size:
            event = self._advance(False)
            return [] if event is None else [event]
        samples = self._resampler.process(decode(payload, self.fmt))
        if self._pending.size:
            samples = np.concatenate([self._pending, samples])
        out: list[TurnStart | TurnEnd] = []
        n = self._frame
        whole = samples.size // n * n
        for i in range(0, whole, n):
            event = self._step(samples[i : i + n])
            if event is not None:
                out.append(event)
        self._pending = samples[whole:]
        return out

    def _step(self, frame: PCM) -> TurnStart | TurnEnd | None:
        return self._advance(not is_silent(frame) and self._vad.is_speech(frame.tobytes(), self.vad_rate))

    def _advance(self, voiced: bool) -> TurnStart | TurnEnd | None:
        self._frames_seen += 1
        now = self._frames_seen * 0.02
        if voiced:
            self._voiced_run += 1
            self._silent_run = 0
            if not self.speaking and self._voiced_run >= self._start_frames:
                self.speaking = True
                return TurnStart(now - self._start_frames * 0.02)
        else:
            self._voiced_run = 0
            self._silent_run += 1
            if self.speaking and self._silent_run >= self._end_frames:
                self.speaking = False
                text, self._words = " ".join(w for w in self._words if w), []
                return TurnEnd(now - self._end_frames * 0.02, text)
        return None
