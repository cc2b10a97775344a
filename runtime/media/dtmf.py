"""DTMF: inband tone generation (``sendDigits``) and a Goertzel detector for inband tones (``handleTones``)."""

from __future__ import annotations

import numpy as np

from .formats import PCM, as_pcm

__all__ = ["DIGITS", "ROWS", "COLS", "dtmf_tone", "digits_audio", "DTMFDetector"]

ROWS = (697.0, 770.0, 852.0, 941.0)
COLS = (1209.0, 1336.0, 1477.0, 1633.0)
_KEYPAD = ("123A", "456B", "789C", "*0#D")
DIGITS = "".join(_KEYPAD)
_FREQS: dict[str, tuple[float, float]] = {
    key: (ROWS[r], COLS[c]) for r, row in enumerate(_KEYPAD) for c, key in enumerate(row)
}


def dtmf_tone(digit: str, sample_rate: int, seconds: float = 0.1, level_db: float = -10.0) -> PCM:
    """One key's dual tone (each component at ``level_db`` below full scale)."""
    if digit.upper() not in _FREQS:
        raise ValueError(f"not a DTMF key: {digit!r} (expected one of {DIGITS})")
    low, high = _FREQS[digit.upper()]
    t = np.arange(int(round(seconds * sample_rate))) / sample_rate
    amp = 10 ** (level_db / 20)
    return as_pcm(amp * (np.sin(2 * np.pi * low * t) + np.sin(2 * np.pi * high * t)))


def digits_audio(digits: str, sample_rate: int, tone_ms: int = 100, gap_ms: int = 60, pause_ms: int = 500) -> PCM:
    """Audio for a ``sendDigits`` string: keys separated by gaps; ``p``/``P`` is a pause; others are errors."""
    gap = np.zeros(sample_rate * gap_ms // 1000, np.int16)
    parts: list[PCM] = []
    for ch in digits:
        if ch in "pP,":
            parts.append(np.zeros(sample_rate * pause_ms // 1000, np.int16))
            continue
        parts.append(dtmf_tone(ch, sample_rate, tone_ms / 1000))
        parts.append(gap)
    return np.concatenate(parts) if parts else np.zeros(0, np.int16)


class DTMFDetector:
    """Streaming detector: Goertzel power at the eight DTMF frequencies over ~25.6 ms blocks, hopping by half a block.

    A key is reported once when two consecutive blocks agree, and again only after a block without it.
    """

    def __init__(self, sample_rate: int = 8000, min_level_db: float = -40.0) -> None:
        self.sample_rate = sample_rate
        self.block = int(round(205 * sample_rate / 8000))
        n = np.arange(self.block)
        freqs = np.array(ROWS + COLS)
        self._basis = np.exp(-2j * np.pi * np.outer(freqs, n) / sample_rate)  # the 8 Goertzel bins
        self._min_power = (10 ** (min_level_db / 20) * 32767 * self.block / 2) ** 2
        self._buf = np.zeros(0, np.float64)
        self._candidate: str | None = None
        self._current: str | None = None

    def _classify(self, block: np.ndarray) -> str | None:
        energy = float(block @ block)
        if energy * self.block < self._min_power:  # a bin's power is at most N·energy (Cauchy–Schwarz): too quiet
            return None
        power = np.abs(self._basis @ block) ** 2
        rows, cols = power[:4], power[4:]
        r, c = int(np.argmax(rows)), int(np.argmax(cols))
        pr, pc = rows[r], cols[c]
        if pr < self._min_power or pc < self._min_power:
            return None
        if not 0.1 < pr / pc < 10:  # twist
            return None
        if np.sort(rows)[-2] > pr / 8 or np.sort(cols)[-2] > pc / 8:
            return None
        if (pr + pc) * 2 / self.block < 0.6 * energy:  # most energy must be in the two tones
            return None
        return _KEYPAD[r][c]

    def skip(self) -> None:
        """A stretch of audio that cannot hold keys (tagged speech) goes by unanalysed: start afresh after it."""
        self._buf = self._buf[:0]
        self._candidate = self._current = None

    def process(self, pcm: PCM) -> list[str]:
        """Feed audio; returns keys whose tones began in it."""
        self._buf = np.concatenate([self._buf, as_pcm(pcm).astype(np.float64)])
        found: list[str] = []
        hop = self.block // 2  # half-overlapping blocks: a 40 ms key still spans two
        while self._buf.size >= self.block:
            block, self._buf = self._buf[: self.block], self._buf[hop:]
            key = self._classify(block)
            if key is None:
                self._candidate = self._current = None
                continue
            if key == self._candidate and key != self._current:
                self._current = key
                found.append(key)
            self._candidate = key
        return found
