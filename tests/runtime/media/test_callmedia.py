"""Calls as media units: bridged audio through µ-law, say(), recording, DTMF both ways."""

from __future__ import annotations

import asyncio
import wave

import numpy as np
import pytest

from voxsim.runtime.media import callmedia as CM
from voxsim.runtime.media.analysis import peak_hz, rms_db
from voxsim.runtime.media.speakers import SimulatedParty


def _bridge(clock, graph, rate_a=8000, rate_b=8000, wire="mulaw_8000"):
    a = SimulatedParty(clock, rate_a, name="caller", keep_audio=True)
    b = SimulatedParty(clock, rate_b, name="callee", keep_audio=True)
    ca = CM.CallMedia(graph, a, rate_a, wire=wire, name="call-1")
    cb = CM.CallMedia(graph, b, rate_b, wire=wire, name="call-2")
    ca.start()
    cb.start()
    ca.send_media_to(cb)
    cb.send_media_to(ca)
    return a, b, ca, cb


def _events(clock, unit):
    out = []
    unit.listen(lambda name, payload: out.append((round(clock.now(), 3), name, payload)))
    return out


@pytest.mark.parametrize("rate_b", [8000, 16000])
def test_1khz_tone_crosses_a_mulaw_bridge_with_frequency_and_level(vrun, rate_b) -> None:
    async def body(clock, graph):
        a, b, ca, cb = _bridge(clock, graph, 8000, rate_b)
        a.tone(1000, 1.0, level_db=-10)
        await asyncio.sleep(1.5)
        return np.concatenate([p for _, p in b.audio_heard])

    heard = vrun(body)
    mid = heard[int(0.2 * rate_b) : int(0.8 * rate_b)]
    assert abs(peak_hz(mid, rate_b) - 1000) < 2
    expected_db = -10 - 3.01  # a sine's RMS is 3 dB under its peak
    assert abs(rms_db(mid) - expected_db) < 1.0


def test_say_reaches_the_remote_party_with_its_text_and_events(vrun) -> None:
    async def body(clock, graph):
        a, b, ca, cb = _bridge(clock, graph)
        ev = _events(clock, ca)
        ca.say("welcome to voxsim")
        await asyncio.sleep(3)
        return a.heard.transcript, [n for _, n, _ in ev]

    transcript, names = vrun(body)
    assert transcript == "welcome to voxsim"
    assert names == [CM.PLAYBACK_READY, CM.PLAYBACK_STARTED, CM.PLAYBACK_FINISHED]


def test_two_say_in_a_row_only_the_second_is_heard(vrun) -> None:
    async def body(clock, graph):
        a, b, ca, cb = _bridge(clock, graph)
        ca.say("first sentence")
        ca.say("second sentence")
        await asyncio.sleep(3)
        return a.heard.transcript

    assert vrun(body) == "second sentence"


def test_say_replaces_the_bridged_peer_then_stop_playback_silences(vrun) -> None:
    async def body(clock, graph):
        a, b, ca, cb = _bridge(clock, graph)
        ev = _events(clock, ca)
        b.tone(700, 3.0)
        await asyncio.sleep(0.51)
        ca.say("an announcement that is rather long and will be cut short")
        await asyncio.sleep(0.5)
        ca.stop_playback()
        await asyncio.sleep(0.5)
        return a, ca, [n for _, n, _ in ev]

    a, ca, names = vrun(body)
    assert ca.source is None  # the player left with stopPlayback; the peer does not come back by itself
    assert CM.PLAYBACK_FINISHED not in names
    energy = dict((round(t, 2), e) for t, e in a.heard.energy)
    assert energy[0.5] > 1000  # the peer's tone until say() took over
    assert max(t for t, _ in a.heard.energy) < 1.02  # nothing after stopPlayback: the peer stays replaced
    assert a.heard.transcript.startswith("an announcement")


def test_stereo_recording_has_caller_left_and_peer_right_at_the_right_times(vrun, tmp_path) -> None:
    path = tmp_path / "rec.wav"

    async def body(clock, graph):
        a, b, ca, cb = _bridge(clock, graph)
        ev = _events(clock, ca)
        ca.record(stereo=True, path=path)
        a.at(1.0, a.tone, 500, 1.0)
        b.at(3.0, b.tone, 900, 1.0)
        await asyncio.sleep(5)
        ca.end()
        cb.end()
        return ev

    ev = vrun(body)
    assert ev[0][1] == "Call.RecordStarted" and ev[0][2]["url"] == path.resolve().as_uri()
    assert ev[-1][1] == "Call.RecordStopped" and ev[-1][2]["duration"] == pytest.approx(5.0, abs=0.05)
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getframerate(), w.getsampwidth()) == (2, 8000, 2)
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2)
    left, right = data[:, 0], data[:, 1]

    def seg(x, t0, t1):
        return x[int(t0 * 8000) : int(t1 * 8000)]

    assert rms_db(seg(left, 1.2, 1.8)) > -20 and abs(peak_hz(seg(left, 1.2, 1.8), 8000) - 500) < 5
    assert rms_db(seg(right, 1.2, 1.8)) < -80
    assert rms_db(seg(right, 3.2, 3.8)) > -20 and abs(peak_hz(seg(right, 3.2, 3.8), 8000) - 900) < 5
    assert rms_db(seg(left, 3.2, 3.8)) < -80
    assert rms_db(seg(left, 0.1, 0.9)) < -80 and rms_db(seg(right, 4.2, 4.9)) < -80


def test_mono_recording_mixes_both_directions(vrun, tmp_path) -> None:
    path = tmp_path / "mono.wav"

    async def body(clock, graph):
        a, b, ca, cb = _bridge(clock, graph)
        ca.record(path=path)
        a.tone(500, 0.5)
        b.at(1.0, b.tone, 900, 0.5)
        await asyncio.sleep(2)
        ca.stop_record()

    vrun(body)
    with wave.open(str(path)) as w:
        assert w.getnchannels() == 1
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2")
    assert abs(peak_hz(data[800:3200], 8000) - 500) < 5
    assert abs(peak_hz(data[8800:11200], 8000) - 900) < 5


def test_wav_is_valid_while_recording_even_if_the_process_dies(vrun, tmp_path) -> None:
    path = tmp_path / "live.wav"

    async def body(clock, graph):
        a, b, ca, cb = _bridge(clock, graph)
        ca.record(stereo=True, path=path)
        a.tone(440, 10)
        await asyncio.sleep(3.5)
        # read the file as another process would after a kill -9: the recorder was never stopped
        with wave.open(str(path)) as w:
            return w.getnframes() / w.getframerate(), path.stat().st_size

    seconds, size = vrun(body)
    assert 2.5 <= seconds <= 3.5
    assert size >= 44 + int(seconds * 8000) * 4


def test_dtmf_from_the_caller_is_detected_inband(vrun) -> None:
    async def body(clock, graph):
        a, b, ca, cb = _bridge(clock, graph)
        ev = _events(clock, ca)
        ca.handle_tones(True)
        a.at(0.5, a.press, "19*#")
        await asyncio.sleep(2)
        return [(p["tone"], p["type"]) for _, n, p in ev if n == CM.TONE_RECEIVED]

    assert vrun(body) == [("1", "2"), ("9", "2"), ("*", "2"), ("#", "2")]


def test_no_tone_events_without_handle_tones(vrun) -> None:
    async def body(clock, graph):
        a, b, ca, cb = _bridge(clock, graph)
        ev = _events(clock, ca)
        a.press("5")
        await asyncio.sleep(1)
        return ev

    assert vrun(body) == []


def test_send_digits_reaches_the_remote_party_inband(vrun) -> None:
    async def body(clock, graph):
        a, b, ca, cb = _bridge(clock, graph)
        b.tone(300, 2.0)  # the peer talks meanwhile: the digits override it while they play
        cb.send_digits("42#")
        await asyncio.sleep(2)
        return b.heard.digit_string, a.heard.digit_string

    assert vrun(body) == ("42#", "")


def test_end_stops_media_and_leaves_the_graph(vrun) -> None:
    async def body(clock, graph):
        a, b, ca, cb = _bridge(clock, graph)
        a.tone(440, 5)
        await asyncio.sleep(0.5)
        ca.end()
        heard = len(b.audio_heard)
        await asyncio.sleep(0.5)
        return heard, len(b.audio_heard), ca.id in graph.units

    before, after, present = vrun(body)
    assert before == after and not present


def test_an_idle_connected_call_does_not_tick_until_its_party_speaks(vrun) -> None:
    async def body(clock, graph):
        party = SimulatedParty(clock, 8000)
        call = CM.CallMedia(graph, party, 8000)
        call.start()
        await asyncio.sleep(60)
        idle_ticks = graph.ticks
        party.tone(440, 1.0)
        await asyncio.sleep(2)
        return idle_ticks, graph.ticks

    idle, total = vrun(body)
    assert idle <= 1
    assert 50 <= total - idle <= 52  # one second of tone, then idle again
