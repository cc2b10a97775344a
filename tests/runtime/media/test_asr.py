"""The emulated ASR unit: transcripts carried by simulated speech, VAD timing, pocketsphinx fallback."""

from __future__ import annotations

import asyncio
import time

import pytest

from voxsim.runtime.media import asr as A
from voxsim.runtime.media import players as P
from voxsim.runtime.media.callmedia import CallMedia
from voxsim.runtime.media.speakers import SimulatedParty


def _events(clock, unit):
    out = []
    unit.listen(lambda name, payload: out.append((round(clock.now(), 3), name, payload)))
    return out


def test_say_text_reaches_an_asr_unit_with_vad_timing(vrun) -> None:
    async def body(clock, graph):
        asr = A.ASRUnit(graph, interim_results=True)
        ev = _events(clock, asr)
        player = P.create_tts_player(graph, "book a table for two")
        player.send_media_to(asr)
        await asyncio.sleep(4)
        return ev, player.duration

    ev, duration = vrun(body)
    names = [n for _, n, _ in ev if n != A.INTERIM_RESULT]
    assert names == [A.STARTED, A.CAPTURE_STARTED, A.SPEECH_CAPTURED, A.RESULT]
    interim = [p["text"] for _, n, p in ev if n == A.INTERIM_RESULT]
    assert interim[-1] == "book a table for two" and len(interim) >= 3  # the words arrive as they are spoken
    assert all(b.startswith(a) for a, b in zip(interim, interim[1:]))
    result = ev[-1]
    assert result[2]["text"] == "book a table for two" and result[2]["confidence"] == 1.0
    assert ev[1][0] < 0.3  # capture starts within the first words
    assert duration + 0.3 < result[0] < duration + 1.0  # after the trailing silence


def test_caller_speech_through_a_call_gives_one_result_per_utterance(vrun) -> None:
    async def body(clock, graph):
        party = SimulatedParty(clock, 8000)
        call = CallMedia(graph, party, 8000, wire="mulaw_8000")
        call.start()
        asr = A.ASRUnit(graph)
        ev = _events(clock, asr)
        call.send_media_to(asr)
        party.at(0.5, party.say, "I want to talk to sales")
        party.at(4.0, party.say, "yes please")
        await asyncio.sleep(7)
        return [(t, p["text"]) for t, n, p in ev if n == A.RESULT]

    results = vrun(body)
    assert [text for _, text in results] == ["I want to talk to sales", "yes please"]
    assert 1.5 < results[0][0] < 4.0 and results[1][0] > 4.5


def test_single_utterance_stops_after_the_first_result(vrun) -> None:
    async def body(clock, graph):
        party = SimulatedParty(clock, 16000)
        call = CallMedia(graph, party, 16000)
        call.start()
        asr = A.ASRUnit(graph, single_utterance=True)
        ev = _events(clock, asr)
        call.send_media_to(asr)
        party.say("first")
        party.at(3, party.say, "second")
        await asyncio.sleep(6)
        return [n for _, n, _ in ev], asr.results

    names, results = vrun(body)
    assert names[-1] == A.STOPPED and results == ["first"]


def test_silence_and_noise_give_no_result(vrun) -> None:
    async def body(clock, graph):
        party = SimulatedParty(clock, 8000)
        call = CallMedia(graph, party, 8000)
        call.start()
        asr = A.ASRUnit(graph)
        ev = _events(clock, asr)
        call.send_media_to(asr)
        party.silence(2)
        await asyncio.sleep(3)
        return [n for _, n, _ in ev]

    assert vrun(body) == [A.STARTED]


def test_untagged_speech_without_pocketsphinx_is_an_error_that_says_why(vrun, monkeypatch) -> None:
    monkeypatch.setattr(A, "pocketsphinx_available", lambda: False)
    from voxsim.runtime.media.tts import synthesize

    async def body(clock, graph):
        party = SimulatedParty(clock, 16000)
        call = CallMedia(graph, party, 16000)
        call.start()
        asr = A.ASRUnit(graph)
        ev = _events(clock, asr)
        call.send_media_to(asr)
        party.play(synthesize("hello world", 16000).pcm, 16000)  # raw audio: no transcript travels with it
        await asyncio.sleep(3)
        return ev

    ev = vrun(body)
    assert ev[-1][1] == A.ERROR and "pocketsphinx is not installed" in ev[-1][2]["error"]


@pytest.mark.skipif(not A.pocketsphinx_available(), reason="pocketsphinx is not installed")
def test_untagged_speech_is_recognised_by_pocketsphinx_with_phrase_hints(vrun) -> None:
    from voxsim.runtime.media.tts import synthesize

    A._decoder(("hello world", "press one", "talk to sales"))  # load the model before the clock starts

    async def body(clock, graph):
        party = SimulatedParty(clock, 16000)
        call = CallMedia(graph, party, 16000)
        call.start()
        asr = A.ASRUnit(graph, phrase_hints=["hello world", "press one", "talk to sales"])
        ev = _events(clock, asr)
        call.send_media_to(asr)
        party.play(synthesize("hello world", 16000, wpm=130).pcm, 16000)
        await asyncio.sleep(3)
        for _ in range(600):  # the decoder runs in a thread: wait for it in real time (an executor wait)
            if asr.results:
                break
            await asyncio.get_running_loop().run_in_executor(None, time.sleep, 0.05)
        return ev

    ev = vrun(body)
    result = [p for _, n, p in ev if n == A.RESULT]
    assert result and result[0]["text"] == "hello world" and result[0]["confidence"] < 1.0
