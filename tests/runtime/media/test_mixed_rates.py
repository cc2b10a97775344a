"""A far end at another rate than its call leg (a 16 kHz remote on an 8 kHz µ-law leg): recordings, the ear, DTMF."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from voxsim.engine.values import UNDEFINED
from voxsim.runtime.clock import Clock, run
from voxsim.runtime.media import callmedia as CM
from voxsim.runtime.media import frames
from voxsim.runtime.media.analysis import peak_hz, rms_db
from voxsim.runtime.media.dtmf import digits_audio
from voxsim.runtime.media.frames import Frame, RateConverter, silent_frame, split_frames
from voxsim.runtime.media.recorder import CallRecorder
from voxsim.runtime.media.speakers import SimulatedParty
from voxsim.runtime.media.tones import sine
from voxsim.runtime.network import Caller, Network
from voxsim.runtime.session import Session, SessionOptions


def _session_call(tmp_path: Path, stereo: bool) -> tuple[list[Any], Path]:
    """An inbound PSTN call (8 kHz leg, µ-law wire) whose far end is a 16 kHz party playing a 1 kHz tone; the
    scenario records the call and says something back."""
    log: list[Any] = []

    async def main() -> None:
        options = SessionOptions(network=Network(), epoch=0.0, settings={"recordings_dir": str(tmp_path)})
        session = Session(options)
        party = SimulatedParty(session.clock, 16000, name="wideband")

        def alerting(e: Any) -> None:
            call = e["call"]
            call.media.attach_remote(party)
            call.events.on("Call.RecordStopped", lambda p: log.append(p))

            def connected(_: Any) -> None:
                call.media.record(session.to_js({"stereo": stereo}))
                party.tone(1000, 1.0, level_db=-10)
                call.media.say("thank you for calling", UNDEFINED)  # the other side: both channels carry audio
                party.at(session.clock.now() + 1.5, party.tone, 600, 1.0, -10)

            call.events.on("Call.Connected", connected)
            call.answer()

        session.events.on("Application.CallAlerting", alerting)
        await session.start(inbound=Caller(hangup_after=3))
        await session.wait(max_seconds=10)
        session.close()

    run(main(), virtual=True)
    files = sorted(tmp_path.glob("*.wav"))
    assert len(files) == 1
    return log, files[0]


@pytest.mark.parametrize("stereo", [False, True])
def test_a_16khz_far_end_on_an_8khz_leg_is_recorded_at_8khz(tmp_path, stereo) -> None:
    log, path = _session_call(tmp_path, stereo)
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getframerate()) == (2 if stereo else 1, 8000)
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2")
    incoming = data.reshape(-1, 2)[:, 0] if stereo else data
    duration = log[0]["duration"]
    assert incoming.size == round(duration * 8000)
    assert 2.9 < duration < 3.1
    tone = incoming[int(0.2 * 8000) : int(0.8 * 8000)]
    assert abs(peak_hz(tone, 8000) - 1000) < 2 and abs(rms_db(tone) + 13) < 1
    second = incoming[int(1.7 * 8000) : int(2.3 * 8000)]
    assert abs(peak_hz(second, 8000) - 600) < 2
    if stereo:
        assert rms_db(data.reshape(-1, 2)[:, 1]) > -40  # the scenario's say() on the right


def test_inband_keys_from_a_16khz_far_end_are_detected_on_an_8khz_leg(vrun) -> None:
    async def body(clock, graph):
        party = SimulatedParty(clock, 16000, name="wideband")
        call = CM.CallMedia(graph, party, 8000, wire="mulaw_8000", name="call-1")
        keys: list[str] = []
        call.listen(lambda name, payload: keys.append(payload["tone"]) if name == CM.TONE_RECEIVED else None)
        call.handle_tones(True)
        call.start()
        party.press("159#")
        await asyncio.sleep(2)
        call.end()
        return keys

    assert "".join(vrun(body)) == "159#"


# --- the recorder on its own: frames at other rates than the recording's -------------------------------------------


def _sine_snr_db(x: np.ndarray, hz: float, rate: int) -> float:
    """How far ``x`` is from one sine at ``hz`` (least-squares fit of its phase and level): a click at every 20 ms
    frame edge (a converter restarted per frame) shows up as noise."""
    t = np.arange(x.size) / rate
    basis = np.stack([np.sin(2 * np.pi * hz * t), np.cos(2 * np.pi * hz * t), np.ones_like(t)], axis=1)
    signal = x.astype(np.float64)
    fit = basis @ np.linalg.lstsq(basis, signal, rcond=None)[0]
    return float(10 * np.log10(np.sum(fit**2) / max(np.sum((signal - fit) ** 2), 1e-9)))


def _record(vrun, path: Path, stereo: bool,
            ticks: list[tuple[Frame | None, Frame | None]]) -> tuple[CallRecorder, np.ndarray]:
    async def body(clock, graph):
        rec = CallRecorder(graph, path, 8000, stereo)
        for incoming, outgoing in ticks:
            if incoming is not None:
                rec.incoming(incoming)
            if outgoing is not None:
                rec.outgoing(outgoing)
            rec.write_tick()
        assert rec.stop() == pytest.approx(len(ticks) * 0.02)
        return rec

    rec = vrun(body)
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getframerate()) == (2 if stereo else 1, 8000)
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2")
    return rec, (data.reshape(-1, 2) if stereo else data)


def _tone_frames(hz: float, rate: int, seconds: float, level_db: float = -10) -> list[Frame]:
    return split_frames(sine([(hz, level_db)], seconds, rate), rate)


@pytest.mark.parametrize("in_rate, out_rate", [(16000, 8000), (16000, 48000), (8000, 24000)])
def test_stereo_recording_converts_each_side_with_its_own_converter(vrun, tmp_path, in_rate, out_rate) -> None:
    left = _tone_frames(1000, in_rate, 1.0)
    right = _tone_frames(600, out_rate, 1.0, -16)
    rec, data = _record(vrun, tmp_path / "s.wav", True, list(zip(left, right)))
    assert data.shape == (8000, 2)  # 50 ticks of 20 ms at the recording's rate: the duration is right
    mid = slice(800, 7200)
    assert abs(peak_hz(data[mid, 0], 8000) - 1000) < 1 and abs(peak_hz(data[mid, 1], 8000) - 600) < 1
    assert abs(rms_db(data[mid, 0]) + 13) < 0.5 and abs(rms_db(data[mid, 1]) + 19) < 0.5
    # no click at the frame edges: one filter runs on across them (a converter per frame is ~10-20 dB here)
    assert _sine_snr_db(data[mid, 0], 1000, 8000) > 60 and _sine_snr_db(data[mid, 1], 600, 8000) > 60
    converters = (rec._in, rec._out)
    assert [c is not None for c in converters] == [in_rate != 8000, out_rate != 8000]


def test_mono_recording_mixes_a_16khz_side_with_an_8khz_side(vrun, tmp_path) -> None:
    left = _tone_frames(1000, 16000, 1.0)
    right = _tone_frames(600, 8000, 1.0, -16)
    _, data = _record(vrun, tmp_path / "m.wav", False, list(zip(left, right)))
    assert data.shape == (8000,)
    spectrum = np.abs(np.fft.rfft(data[800:7200] * np.hanning(6400)))
    hz = np.fft.rfftfreq(6400, 1 / 8000)
    top = sorted(hz[np.argsort(spectrum)[-2:]])
    assert top == [600, 1000]
    fit = _sine_snr_db(data[800:7200] - sine([(600, -16)], 0.8, 8000, phase_samples=800), 1000, 8000)
    assert fit > 40  # what is left after the 8 kHz side is taken out is the 16 kHz side's tone, clean


def test_a_side_that_falls_silent_leaves_its_filter_tail_in_the_next_tick(vrun, tmp_path) -> None:
    burst = _tone_frames(1000, 16000, 0.2)
    ticks: list[tuple[Frame | None, Frame | None]] = [(f, None) for f in burst] + [(None, None)] * 5
    rec, data = _record(vrun, tmp_path / "t.wav", False, ticks)
    reference = RateConverter(16000, 8000)
    expected = np.concatenate([reference.convert(f).pcm for f in burst + [silent_frame(16000)] * 5])
    assert data.size == 15 * 160
    np.testing.assert_array_equal(data, expected)  # as if the side had sent silence: the tail is not lost
    assert np.any(data[10 * 160 : 11 * 160]) and not np.any(data[11 * 160 :])
    assert rec._in.idle


def test_odd_sized_frames_of_different_lengths_are_padded_not_fatal(vrun, tmp_path) -> None:
    odd = Frame(np.full(100, 1000, np.int16), 8000)
    full = Frame(np.full(160, 500, np.int16), 8000)
    _, mono = _record(vrun, tmp_path / "o.wav", False, [(odd, full)])
    assert mono.size == 160 and set(mono[:100]) == {1500} and set(mono[100:]) == {500}


# --- the party's ear -----------------------------------------------------------------------------------------------


def test_an_8khz_ear_hears_a_16khz_tone_through_one_converter(monkeypatch) -> None:
    made: list[tuple[int, int]] = []

    class Counting(RateConverter):
        def __init__(self, from_rate: int, to_rate: int) -> None:
            made.append((from_rate, to_rate))
            super().__init__(from_rate, to_rate)

    monkeypatch.setattr(frames, "RateConverter", Counting)  # kept_converter makes the party ear's converters

    async def main() -> SimulatedParty:
        party = SimulatedParty(Clock(), 8000, keep_audio=True)
        voiced: list[float] = []
        party.on_voiced.append(voiced.append)
        frames = _tone_frames(1000, 16000, 1.0) + [silent_frame(16000)] * 10 + split_frames(
            digits_audio("42", 16000), 16000)
        levels = [party.hear(f) for f in frames]
        assert all(lv > 5000 for lv in levels[1:50]) and levels[55:60] == [0.0] * 5
        assert len(voiced) >= 50
        return party

    party = run(main(), virtual=True)
    assert made == [(16000, 8000)]  # one converter for the whole stream, not one per frame
    audio = np.concatenate([pcm for _, pcm in party.audio_heard])
    assert all(pcm.size == 160 for _, pcm in party.audio_heard)
    tone = audio[800:7200]
    assert abs(peak_hz(tone, 8000) - 1000) < 1 and abs(rms_db(tone) + 13) < 0.5
    assert _sine_snr_db(tone, 1000, 8000) > 60
    assert party.heard.digit_string == "42"
    assert len(party.heard.energy) == len(party.audio_heard)


@pytest.mark.parametrize("wire", ["mulaw_8000", None])
def test_an_8khz_far_end_on_a_16khz_leg_is_recorded_at_16khz(vrun, tmp_path, wire) -> None:
    path = tmp_path / "wide.wav"

    async def body(clock, graph):
        party = SimulatedParty(clock, 8000, name="narrow")
        call = CM.CallMedia(graph, party, 16000, wire=wire, name="call-1")
        call.start()
        stopped: list[float] = []
        call.listen(lambda name, payload: stopped.append(payload["duration"]) if name == CM.RECORD_STOPPED else None)
        call.record(path=path)
        party.tone(1000, 1.0)
        await asyncio.sleep(1.5)
        call.end()
        return stopped[0]

    duration = vrun(body)
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getframerate()) == (1, 16000)
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2")
    assert duration == pytest.approx(1.5, abs=0.03) and data.size == round(duration * 16000)
    tone = data[int(0.2 * 16000) : int(0.8 * 16000)]
    assert abs(peak_hz(tone, 16000) - 1000) < 1 and abs(rms_db(tone) + 13) < 1
    assert _sine_snr_db(tone, 1000, 16000) > (30 if wire else 60)  # µ-law's own noise floor is ~35-38 dB
