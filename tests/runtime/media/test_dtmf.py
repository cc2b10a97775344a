"""DTMF generation and Goertzel detection."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.runtime.media import formats as f
from voxsim.runtime.media.dtmf import DIGITS, DTMFDetector, digits_audio, dtmf_tone
from voxsim.runtime.media.tts import synthesize


@pytest.mark.parametrize("rate", [8000, 16000, 44100, 48000])
def test_every_key_is_detected_at_every_rate(rate) -> None:
    assert "".join(DTMFDetector(rate).process(digits_audio(DIGITS, rate))) == DIGITS


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet="0123456789*#", min_size=1, max_size=8), st.sampled_from([160, 205, 333, 1000]))
def test_detection_survives_mulaw_and_any_chunking(digits, chunk) -> None:
    audio = f.ulaw_decode(f.ulaw_encode(digits_audio(digits, 8000)))
    det = DTMFDetector(8000)
    found = [k for i in range(0, audio.size, chunk) for k in det.process(audio[i : i + chunk])]
    assert "".join(found) == digits


def test_speech_and_single_tones_are_not_digits() -> None:
    speech = synthesize("please press one for sales or two for support, thank you for calling", 8000).pcm
    assert DTMFDetector(8000).process(speech) == []
    t = np.arange(8000) / 8000
    assert DTMFDetector(8000).process(f.as_pcm(0.5 * np.sin(2 * np.pi * 770 * t))) == []


def test_quiet_tones_below_threshold_are_ignored() -> None:
    assert DTMFDetector(8000).process(dtmf_tone("5", 8000, 0.2, level_db=-60)) == []


def test_pause_character_and_bad_keys() -> None:
    assert digits_audio("1p2", 8000).size == (100 + 60 + 500 + 100 + 60) * 8
    with pytest.raises(ValueError, match="DTMF"):
        digits_audio("1x", 8000)


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet="0123456789*#p", min_size=1, max_size=6), st.sampled_from([80, 160, 205, 320, 999]),
       st.integers(0, 2**16))
def test_skipping_silent_chunks_finds_the_same_keys_as_analysing_them(digits, chunk, seed) -> None:
    # exact zeros take the counted path; the same audio with ±1 dither in the gaps is analysed block by block
    audio = np.concatenate([np.zeros(chunk * 3, np.int16), digits_audio(digits, 8000), np.zeros(chunk * 2, np.int16)])
    dither = np.random.default_rng(seed).integers(-1, 2, audio.size).astype(np.int16)
    dithered = np.where(audio == 0, dither, audio).astype(np.int16)
    fast, slow = DTMFDetector(8000), DTMFDetector(8000)
    got = [k for i in range(0, audio.size, chunk) for k in fast.process(audio[i : i + chunk])]
    want = [k for i in range(0, audio.size, chunk) for k in slow.process(dithered[i : i + chunk])]
    assert got == want == [d for d in digits if d != "p"]
