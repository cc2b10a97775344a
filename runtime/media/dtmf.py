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

    Silence costs next to nothing: when a chunk is all zeros and so is everything still buffered, every block it
    completes is all zeros, which never holds a key, so the blocks are counted instead of analysed (the same result,
    exactly: a block without a key resets the candidate). Most of a call is one side listening. The buffer is not
    even written then (it is zeroed when sound comes), and ``silence(n)`` takes a chunk known to be zero (a frame
    marked ``silent``) without looking at it: a run of silent frames is O(1) per frame.
    """

    def __init__(self, sample_rate: int = 8000, min_level_db: float = -40.0) -> None:
        self.sample_rate = sample_rate
        self.block = int(round(205 * sample_rate / 8000))
        n = np.arange(self.block)
        freqs = np.array(ROWS + COLS)
        phase = 2 * np.pi * np.outer(freqs, n) / sample_rate
        self._basis = np.concatenate([np.cos(phase), -np.sin(phase)])  # the 8 Goertzel bins: real rows, then imaginary
        self._min_power = (10 ** (min_level_db / 20) * 32767 * self.block / 2) ** 2
        self._buf = np.zeros(2 * self.block, np.float64)
        self._n = 0  # samples buffered at the front of _buf
        self._zeros = 0  # of which the last _zeros are known to be zero
        self._stale = False  # _buf[:_n] holds old samples that stand for zeros (zeroed before new samples go in)
        self._candidate: str | None = None
        self._current: str | None = None

    def _classify(self, block: np.ndarray) -> str | None:
        energy = float(block @ block)
        if energy * self.block < self._min_power:  # a bin's power is at most N·energy (Cauchy–Schwarz): too quiet
            return None
        # the eight bins' real and imaginary parts in one product; the rest on 8 Python floats, which is several
        # times cheaper than numpy calls on 4-element arrays
        parts = (self._basis @ block).tolist()
        power = [re * re + im * im for re, im in zip(parts[:8], parts[8:])]
        rows, cols = power[:4], power[4:]
        pr, pc = max(rows), max(cols)
        if pr < self._min_power or pc < self._min_power:
            return None
        if not 0.1 < pr / pc < 10:  # twist
            return None
        if sorted(rows)[-2] > pr / 8 or sorted(cols)[-2] > pc / 8:
            return None
        if (pr + pc) * 2 / self.block < 0.6 * energy:  # most energy must be in the two tones
            return None
        return _KEYPAD[rows.index(pr)][cols.index(pc)]

    def skip(self) -> None:
        """A stretch of audio that cannot hold keys (tagged speech) goes by unanalysed: start afresh after it."""
        self._n = self._zeros = 0
        self._candidate = self._current = None

    def silence(self, size: int) -> list[str]:
        """Feed ``size`` zero samples (the same as ``process`` of that many zeros, without an array)."""
        n = self._n
        if self._zeros < n:  # sound still buffered: the blocks it is in must be analysed
            return self.process(np.zeros(size, np.int16))
        # zeros after zeros: every completed block is all zero, so no key; only the counts move
        block = self.block
        total = n + size
        if total >= block:
            self._candidate = self._current = None
            self._n = self._zeros = total - ((total - block) // (block // 2) + 1) * (block // 2)
        else:
            self._n = self._zeros = total
        self._stale = True
        return []

    def process(self, pcm: PCM) -> list[str]:
        """Feed audio; returns keys whose tones began in it."""
        samples = pcm if type(pcm) is np.ndarray and pcm.dtype == np.int16 and pcm.ndim == 1 else as_pcm(pcm)
        size = samples.size
        if not size:
            return []
        silent = samples.tobytes() == bytes(samples.nbytes)
        if silent and self._zeros >= self._n:
            return self.silence(size)
        block, hop = self.block, self.block // 2  # half-overlapping blocks: a 40 ms key still spans two
        total = self._n + size
        buf = self._buf
        if self._stale:
            buf[: self._n] = 0.0
            self._stale = False
        if total > buf.size:
            buf = np.zeros(total + block, np.float64)
            buf[: self._n] = self._buf[: self._n]
            self._buf = buf
        buf[self._n : total] = samples
        self._zeros = self._zeros + size if silent else 0
        found: list[str] = []
        start = 0
        while total - start >= block:
            key = self._classify(buf[start : start + block])
            start += hop
            if key is None:
                self._candidate = self._current = None
                continue
            if key == self._candidate and key != self._current:
                self._current = key
                found.append(key)
            self._candidate = key
        self._n = total - start
        if start:
            buf[: self._n] = buf[start:total]
        self._zeros = min(self._zeros, self._n)
        return found
