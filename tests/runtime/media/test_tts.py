"""Offline espeak-ng synthesis and voice mapping."""

from __future__ import annotations

import numpy as np
import pytest

from voxsim.runtime.media import tts


def test_hello_world_is_speech_of_plausible_length_at_the_requested_rate() -> None:
    speech = tts.synthesize("hello world", 8000)
    assert speech.text == "hello world"
    assert speech.sample_rate == 8000
    assert speech.pcm.dtype == np.int16
    assert 0.4 < speech.duration < 1.5
    assert np.abs(speech.pcm).max() > 3000  # audible, not silence
    assert speech.warning is None


def test_longer_text_takes_longer() -> None:
    short = tts.synthesize("hi", 16000)
    long = tts.synthesize("hi, thank you for calling, how can I help you today", 16000)
    assert long.duration > 3 * short.duration


def test_rates_agree_on_duration() -> None:
    a = tts.synthesize("press one for sales", 8000)
    b = tts.synthesize("press one for sales", 24000)
    assert b.pcm.size == pytest.approx(3 * a.pcm.size, rel=1e-3)
    assert a.at_rate(24000).pcm.size == pytest.approx(b.pcm.size, rel=1e-3)


def test_speed_changes_duration() -> None:
    slow = tts.synthesize("one two three four", 8000, wpm=120)
    fast = tts.synthesize("one two three four", 8000, wpm=260)
    assert slow.duration > 1.5 * fast.duration


@pytest.mark.parametrize(
    "name, voice",
    [
        (None, "en-us"),
        ("VoiceList.Google.en_US_Standard_A", "en-us"),
        ("US_ENGLISH_FEMALE", "en-us+f3"),
        ("UK_ENGLISH_MALE", "en+m3"),
        ("RUSSIAN_FEMALE", "ru+f3"),
        ("de-DE", "de"),
        ("VoiceList.TBank.ru_RU_Alyona", "ru"),
        ("pt_BR", "pt-br"),
        ("fr", "fr"),
    ],
)
def test_voice_names_map_to_espeak(name, voice) -> None:
    choice = tts.resolve_voice(name)
    assert choice.espeak_voice == voice
    assert choice.warning is None


def test_unknown_voice_falls_back_with_warning(caplog) -> None:
    speech = tts.synthesize("hello", 8000, "VoiceList.Acme.Klingon_Worf")
    assert speech.voice.espeak_voice == tts.DEFAULT_VOICE
    assert "Klingon_Worf" in (speech.warning or "")
    assert "no offline equivalent" in caplog.text
    assert speech.duration > 0.2


def test_every_legacy_language_is_available_in_espeak() -> None:
    missing = {k: v for k, v in tts._LEGACY_LANGUAGES.items() if v not in tts.espeak_languages()}
    assert missing == {}


def test_german_voice_sounds_different_from_english() -> None:
    en = tts.synthesize("Guten Tag", 8000, "en-US")
    de = tts.synthesize("Guten Tag", 8000, "de-DE")
    assert en.pcm.size != de.pcm.size or not np.array_equal(en.pcm, de.pcm)


def test_ssml_tags_are_not_spoken() -> None:
    plain = tts.synthesize("hello there", 8000)
    tagged = tts.synthesize("<speak>hello there</speak>", 8000)
    assert tagged.text == "<speak>hello there</speak>"
    assert abs(tagged.duration - plain.duration) < 0.15


def test_text_over_limit_is_an_error() -> None:
    with pytest.raises(tts.TTSError, match="1500"):
        tts.synthesize("a" * 1501)


def test_results_are_read_only_and_cached() -> None:
    a = tts.synthesize("cache me", 8000)
    b = tts.synthesize("cache me", 8000)
    assert a.pcm is b.pcm
    with pytest.raises(ValueError):
        a.pcm[0] = 1
