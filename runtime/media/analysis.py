"""Measurements on PCM used by tests, benchmarks and simulated listeners: level, dominant frequency."""

from __future__ import annotations

import numpy as np

from .formats import PCM

__all__ = ["rms_db", "peak_hz", "rms"]


def rms(pcm: PCM) -> float:
    """Root-mean-square amplitude (0 for empty input)."""
    return float(np.sqrt(np.mean(pcm.astype(np.float64) ** 2))) if pcm.size else 0.0


def rms_db(pcm: PCM) -> float:
    """RMS level in dB relative to full scale (-inf-ish floor at -180 dB)."""
    return float(20 * np.log10(max(rms(pcm), 1e-9) / 32768))


def peak_hz(pcm: PCM, sample_rate: int) -> float:
    """The strongest frequency (Hann-windowed FFT, interpolated between bins)."""
    if pcm.size < 4:
        return 0.0
    spectrum = np.abs(np.fft.rfft(pcm.astype(np.float64) * np.hanning(pcm.size)))
    k = int(np.argmax(spectrum[1:])) + 1
    if 0 < k < spectrum.size - 1:
        a, b, c = np.log(spectrum[k - 1 : k + 2] + 1e-12)
        denom = a - 2 * b + c
        if denom != 0 and np.isfinite(denom):
            return float((k + 0.5 * (a - c) / denom) * sample_rate / pcm.size)
    return float(k * sample_rate / pcm.size)
