"""RateConverter skips the resampler on silent hops without changing a single output sample."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.runtime.media.frames import Frame, RateConverter

RATES = [(8000, 16000), (16000, 8000), (8000, 48000), (48000, 8000), (16000, 24000), (24000, 16000)]


def _convert_all(frames: list[np.ndarray], rates: tuple[int, int], skip: bool, monkeypatch: pytest.MonkeyPatch
                 ) -> np.ndarray:
    monkeypatch.setattr(RateConverter, "skip_silence", skip)
    conv = RateConverter(*rates)
    return np.concatenate([conv.convert(Frame(f, rates[0])).pcm for f in frames])


@settings(max_examples=25, deadline=None)
@given(pattern=st.lists(st.booleans(), min_size=1, max_size=60), rates=st.sampled_from(RATES),
       seed=st.integers(0, 2**16))
def test_skipping_silence_gives_the_same_samples(pattern: list[bool], rates: tuple[int, int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = rates[0] // 50
    frames = [(rng.standard_normal(n) * 4000).astype(np.int16) if loud else np.zeros(n, np.int16)
              for loud in pattern + [False] * 6 + [True, True]]
    with pytest.MonkeyPatch.context() as mp:
        fast = _convert_all(frames, rates, True, mp)
        reference = _convert_all(frames, rates, False, mp)
    assert fast.dtype == np.int16 and fast.size == len(frames) * rates[1] // 50
    np.testing.assert_array_equal(fast, reference)


def test_silence_after_the_history_is_flushed_skips_the_filter() -> None:
    conv = RateConverter(8000, 16000)
    stream = conv._resampler
    loud = Frame((np.arange(160) * 97 % 2000 - 1000).astype(np.int16), 8000)
    conv.convert(loud)
    assert not stream.silent_state
    flush = -(-stream.bank.history // 160)  # frames of zeros that push the loud samples out of the filter
    for _ in range(flush):
        conv.convert(Frame(np.zeros(160, np.int16), 8000))
    assert stream.silent_state
    out = conv.convert(Frame(np.zeros(160, np.int16), 8000, tag="t"))
    assert out.tag == "t" and out.pcm.size == 320 and not out.pcm.any()
    assert stream.silent_state


@pytest.mark.parametrize("law", ["mulaw", "alaw"])
def test_silence_through_a_g711_wire_is_the_quantized_silence(law: str) -> None:
    from voxsim.runtime.media.callmedia import _quantized_silence
    from voxsim.runtime.media.formats import g711_quantize

    quiet = _quantized_silence(160, 8000, law)
    np.testing.assert_array_equal(quiet.pcm, g711_quantize(np.zeros(160, np.int16), law))  # type: ignore[arg-type]
    assert quiet.g711 == law and not quiet.pcm.flags.writeable
    assert _quantized_silence(160, 8000, law) is quiet


def test_is_silent() -> None:
    from voxsim.runtime.media.frames import is_silent

    assert is_silent(np.zeros(160, np.int16)) and is_silent(np.zeros(0, np.int16))
    one = np.zeros(320, np.int16)
    one[-1] = -1
    assert not is_silent(one) and not is_silent(one[1::2][::-1]) and is_silent(one[::2])  # strided views too
