"""The polyphase resampler: constant sizes, a whole-sample delay, sines kept, silence exact, any chunk size."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.runtime.media.formats import SAMPLE_RATES, Resampler
from voxsim.runtime.media.frames import Frame, RateConverter
from voxsim.runtime.media.resampling import StreamResampler, filter_bank

PAIRS = [(a, b) for a in SAMPLE_RATES for b in SAMPLE_RATES if a != b]


def _sine(hz: float, rate: int, n: int, amp: float, shift: float = 0.0, phase: float = 0.0) -> np.ndarray:
    return amp * np.sin(2 * np.pi * hz * (np.arange(n) - shift) / rate + phase)


@pytest.mark.parametrize("src, dst", PAIRS)
def test_every_20ms_frame_gives_20ms(src: int, dst: int) -> None:
    stream = StreamResampler(src, dst)
    rng = np.random.default_rng(src + dst)
    for _ in range(4):
        out = stream.process((rng.standard_normal(src // 50) * 3000).astype(np.int16))
        assert out.dtype == np.int16 and out.size == dst // 50
    assert 0 < stream.delay * 1000 / dst <= 2.2  # ~2 ms at most, like libswresample's default


@settings(max_examples=40, deadline=None)
@given(pair=st.sampled_from(PAIRS), frac=st.floats(0.02, 0.4), amp=st.floats(500, 25000),
       phase=st.floats(0, 2 * np.pi))
def test_a_sine_comes_out_delayed_by_delay_with_its_amplitude_and_frequency(
        pair: tuple[int, int], frac: float, amp: float, phase: float) -> None:
    src, dst = pair
    hz = frac * min(src, dst)  # below 0.4 of the lower rate: the passband
    frames = 12
    x = np.round(_sine(hz, src, frames * src // 50, amp, phase=phase)).astype(np.int16)
    stream = StreamResampler(src, dst)
    y = np.concatenate([stream.process(x[i:i + src // 50]) for i in range(0, x.size, src // 50)])
    assert y.size == frames * dst // 50
    ideal = _sine(hz, dst, y.size, amp, shift=stream.delay, phase=phase)
    body = slice(y.size // 3, y.size)  # past the start-up transient
    err = y[body] - ideal[body]
    # passband ripple ≤ ~0.1 % plus int16 rounding: > 50 dB below the signal
    assert np.sqrt(np.mean(err ** 2)) < amp * 3e-3 + 1.0


@settings(max_examples=30, deadline=None)
@given(pair=st.sampled_from(PAIRS), sizes=st.lists(st.integers(0, 1500), min_size=1, max_size=12),
       seed=st.integers(0, 2**16))
def test_any_chunking_gives_the_same_samples(pair: tuple[int, int], sizes: list[int], seed: int) -> None:
    src, dst = pair
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(sum(sizes)) * 3000).astype(np.int16)
    whole = StreamResampler(src, dst).process(x)
    stream = StreamResampler(src, dst)
    parts, at = [], 0
    for n in sizes:
        parts.append(stream.process(x[at:at + n]))
        at += n
    chunked = np.concatenate(parts)
    # BLAS sums in a different order for different chunk sizes: ±1 after rounding at most
    assert chunked.size == whole.size == x.size // filter_bank(src, dst).down * filter_bank(src, dst).up
    assert np.abs(chunked.astype(np.int32) - whole).max(initial=0) <= 1


@settings(max_examples=25, deadline=None)
@given(pair=st.sampled_from(PAIRS), pattern=st.lists(st.booleans(), min_size=1, max_size=30),
       seed=st.integers(0, 2**16))
def test_silence_is_exact_and_skipping_it_changes_nothing(pair: tuple[int, int], pattern: list[bool],
                                                          seed: int) -> None:
    src, dst = pair
    n = src // 50
    rng = np.random.default_rng(seed)
    frames = [(rng.standard_normal(n) * 4000).astype(np.int16) if loud else np.zeros(n, np.int16)
              for loud in pattern + [False] * 4]
    skip, full = StreamResampler(src, dst), StreamResampler(src, dst)
    for pcm in frames:
        expected = full.process(pcm)
        got = skip.zeros(n) if not pcm.any() and skip.silent_state else skip.process(pcm)
        np.testing.assert_array_equal(got, expected)
    assert skip.silent_state  # four silent frames flush any history at these rates
    assert not full.process(np.zeros(n, np.int16)).any()


def test_full_scale_input_is_clipped_not_wrapped() -> None:
    square = np.where(np.arange(1600) // 20 % 2, 32767, -32768).astype(np.int16)
    out = np.concatenate([StreamResampler(8000, 16000).process(square[i:i + 160]) for i in range(0, 1600, 160)])
    assert out.max() == 32767 and out.min() == -32768  # the Gibbs overshoot saturates
    assert np.abs(np.diff(out.astype(np.int32))).max() < 40000  # no wrap-around jumps


def test_aliases_are_rejected_when_decimating() -> None:
    x = np.round(_sine(5000, 16000, 16000, 20000)).astype(np.int16)  # above 8 kHz's Nyquist: must vanish
    y = StreamResampler(16000, 8000).process(x)
    assert np.sqrt(np.mean(y[800:].astype(float) ** 2)) < 20000 * 10 ** (-60 / 20)


def test_the_streaming_resampler_lines_up_and_flushes() -> None:
    x = np.round(_sine(440, 22050, 22050, 8000)).astype(np.int16)
    rs = Resampler(22050, 8000)
    out = np.concatenate([rs.process(x[i:i + 441]) for i in range(0, x.size, 441)] + [rs.process([], last=True)])
    assert out.size == 8000
    ideal = _sine(440, 8000, 8000, 8000)
    assert np.sqrt(np.mean((out[100:-100] - ideal[100:-100]) ** 2)) < 8000 * 3e-3 + 1.0


def test_rate_converter_keeps_frame_sizes_for_uneven_chunks() -> None:
    conv = RateConverter(8000, 44100)
    sizes = [conv.convert(Frame(np.full(100, 1000, np.int16), 8000)).pcm.size for _ in range(10)]
    assert sizes == [round(100 * 44100 / 8000)] * 10
