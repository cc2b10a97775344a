"""What a call sends to a WebRTC peer at another rate goes through one kept converter (no click every 20 ms)."""

from __future__ import annotations

import asyncio

import numpy as np

from voxsim.runtime.media.frames import Frame, RateConverter
from voxsim.runtime.media.rtc import RtcRemote


def _tone_frames(rate: int, hz: float, count: int) -> list[Frame]:
    n = rate // 50
    t = np.arange(n * count) / rate
    pcm = (8000 * np.sin(2 * np.pi * hz * t)).astype(np.int16)
    return [Frame(pcm[i * n:(i + 1) * n], rate) for i in range(count)]


def _snr_db(pcm: np.ndarray, rate: int, hz: float) -> float:
    """Signal-to-noise of a sine fit at ``hz`` (least squares): clicks at frame edges show up as noise."""
    t = np.arange(pcm.size) / rate
    basis = np.stack([np.sin(2 * np.pi * hz * t), np.cos(2 * np.pi * hz * t), np.ones_like(t)], axis=1)
    coef, *_ = np.linalg.lstsq(basis, pcm.astype(float), rcond=None)
    fit = basis @ coef
    noise = pcm - fit
    return float(10 * np.log10(np.sum(fit**2) / max(np.sum(noise**2), 1e-9)))


def test_a_16_khz_call_heard_by_an_8_khz_peer_is_converted_by_one_kept_converter(monkeypatch) -> None:
    built: list[tuple[int, int]] = []
    original = RateConverter.__init__

    def counting(self: RateConverter, from_rate: int, to_rate: int, *args: object, **kwargs: object) -> None:
        built.append((from_rate, to_rate))
        original(self, from_rate, to_rate, *args, **kwargs)  # type: ignore[arg-type]

    async def main() -> np.ndarray:
        remote = RtcRemote(8000)
        monkeypatch.setattr(RateConverter, "__init__", counting)
        sent = []
        for frame in _tone_frames(16000, 1000.0, 50):
            remote.hear(frame)
            sent.append(remote.outbound._queue.popleft())  # the track's queue: what goes to the peer next
        return np.concatenate(sent)

    pcm = asyncio.run(main())
    assert built == [(16000, 8000)]
    assert pcm.size == 50 * 160
    assert _snr_db(pcm[800:], 8000, 1000.0) > 40  # a converter per frame: ~10 dB (a click every 20 ms)
