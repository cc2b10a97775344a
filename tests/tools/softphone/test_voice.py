"""The caller's speech spans: webrtcvad over 20 ms frames, with a start run and a hangover."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.runtime.media.frames import Frame
from voxsim.runtime.media.tts import synthesize
from voxsim.tools.softphone.voice import MicRemote, VoiceActivity


def _frames(pcm: np.ndarray) -> list[np.ndarray]:
    pcm = np.concatenate([pcm, np.zeros(-pcm.size % 160, np.int16)])
    return list(pcm.reshape(-1, 160))


def test_an_utterance_between_silences_is_one_span() -> None:
    speech = synthesize("Hello, I would like to book a table.", sample_rate=8000).pcm
    pcm = np.concatenate([np.zeros(8000, np.int16), speech, np.zeros(8000, np.int16)])
    vad = VoiceActivity(8000)
    events = [(i, e) for i, f in enumerate(_frames(pcm)) if (e := vad.step(f)) is not None]
    assert [e for _, e in events] == ["start", "stop"]
    start, stop = events[0][0] * 0.02, events[1][0] * 0.02
    assert 0.95 < start < 1.3  # a few voiced frames after the second of silence
    assert abs(stop - (1.0 + speech.size / 8000 + 0.5)) < 0.35  # the end of speech plus the hangover


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(-150, 150), min_size=160, max_size=160), st.integers(1, 60))
def test_quiet_noise_never_opens_a_span(samples: list[int], frames: int) -> None:
    vad = VoiceActivity(8000)
    frame = np.array(samples, np.int16)
    assert all(vad.step(frame) is None for _ in range(frames))


def test_mic_remote_reports_spans_and_closes_an_open_one() -> None:
    seen: list[str] = []
    remote = MicRemote(8000, on_voice=seen.append)
    for f in _frames(synthesize("one two three four", sample_rate=8000).pcm):
        remote.incoming.put(Frame(f, 8000))
        assert remote.next_frame() is not None
    assert seen == ["start"]
    remote.stop_voice()
    remote.stop_voice()
    assert seen == ["start", "stop"]
