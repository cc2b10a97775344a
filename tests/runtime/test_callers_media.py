"""The media shortcuts the caller path relies on: tagged speech skips DTMF analysis, keys around it are still found."""

from __future__ import annotations

import asyncio

import numpy as np

from voxsim.runtime.clock import Clock
from voxsim.runtime.media.dtmf import DTMFDetector, digits_audio
from voxsim.runtime.media.frames import split_frames
from voxsim.runtime.media.speakers import SimulatedParty


def test_party_ear_finds_keys_around_tagged_speech() -> None:
    loop = asyncio.new_event_loop()
    try:
        party = SimulatedParty(Clock(loop), 8000)
        keys = digits_audio("12", 8000)
        for frame in split_frames(keys, 8000):
            party.hear(frame)
        for frame in split_frames(digits_audio("9", 8000), 8000, text="words", utterance=1):  # tagged: not keys
            party.hear(frame)
        for frame in split_frames(np.concatenate([np.zeros(800, np.int16), keys]), 8000):
            party.hear(frame)
        assert party.heard.digit_string == "1212"
        assert party.heard.transcript == "words"
    finally:
        loop.close()


def test_detector_skip_starts_afresh_and_quiet_blocks_are_cheap() -> None:
    detector = DTMFDetector(8000)
    assert detector.process(digits_audio("5", 8000)) == ["5"]
    detector.skip()
    assert detector.process(digits_audio("#", 8000)) == ["#"]
    key = digits_audio("7", 8000)
    assert detector.process(key[:400]) == ["7"]
    detector.skip()  # a key cut by a skip counts again: the detector has forgotten it
    assert detector.process(key) == ["7"]
    assert detector.process(np.zeros(8000, np.int16)) == []
    assert detector.process(np.full(8000, 3, np.int16)) == []  # below the level floor


def test_party_ear_calls_on_voiced_for_speech_and_loud_frames_only() -> None:
    from voxsim.runtime.clock import new_event_loop

    loop = new_event_loop(virtual=True)
    try:
        party = SimulatedParty(Clock(loop), 8000)
        voiced: list[float] = []
        party.on_voiced.append(voiced.append)
        party.voiced_level = 200.0
        quiet = np.full(160, 150, np.int16)  # RMS 150: below the level
        loud = np.full(160, 250, np.int16)
        levels = [party.hear(f) for f in split_frames(np.concatenate([quiet, np.zeros(160, np.int16), loud]), 8000)]
        assert levels == [150.0, 0.0, 250.0] and len(voiced) == 1
        for frame in split_frames(np.zeros(320, np.int16), 8000, text="words", utterance=2):  # tagged: voiced at 0
            party.hear(frame)
        assert len(voiced) == 3 and voiced == [0.0] * 3
    finally:
        loop.close()
