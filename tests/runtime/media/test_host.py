"""The media layer in a session, driven from Python: call.media members, far-end scripts, recordings at terminate."""

from __future__ import annotations

import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from voxsim.engine.values import UNDEFINED
from voxsim.runtime.call import Call
from voxsim.runtime.clock import run
from voxsim.runtime.media.host import CallMediaHost, MediaLayer, voice_name
from voxsim.runtime.network import Caller, Network
from voxsim.runtime.session import Session, SessionOptions


def play(tmp_path: Path, on_alerting: Callable[[Session, Any, list[Any]], None], caller: Caller,
         network: Network | None = None, seconds: float = 300) -> tuple[Session, list[Any]]:
    async def main() -> tuple[Session, list[Any]]:
        options = SessionOptions(network=network or Network(), epoch=0.0, settings={"recordings_dir": str(tmp_path)})
        session = Session(options)
        log: list[Any] = []
        session.events.on("Application.CallAlerting", lambda e: on_alerting(session, e["call"], log))
        await session.start(inbound=caller)
        await session.wait(max_seconds=seconds)
        session.close()
        return session, log

    return run(main(), virtual=True)


def watch(session: Session, call: Any, log: list[Any], *names: str) -> None:
    for name in names:
        call.events.on(f"Call.{name}", lambda e, name=name: log.append((round(session.clock.now(), 2), name, e)))


def test_layer_is_installed_and_attached_to_calls(tmp_path) -> None:
    seen = {}

    def alerting(session, call, log):
        seen["layer"] = session.extensions.get("media")
        seen["media"] = call.media
        call.reject()

    play(tmp_path, alerting, Caller())
    assert isinstance(seen["layer"], MediaLayer) and isinstance(seen["media"], CallMediaHost)


def test_say_events_inband_key_and_record_stopped_after_disconnected(tmp_path) -> None:
    def alerting(session, call, log):
        watch(session, call, log, "PlaybackReady", "PlaybackStarted", "PlaybackFinished", "ToneReceived",
              "Disconnected", "RecordStarted", "RecordStopped")
        call.handle_tones = True
        call.media.handle_tones(True)

        def connected(e):
            call.media.record({"stereo": True})
            call.media.say("Hello, press one for sales", {"language": "en-US"})

        call.events.on("Call.Connected", connected)
        call.events.on("Call.ToneReceived", lambda e: call.hangup())
        call.answer()

    session, log = play(tmp_path, alerting, Caller(extra={"speak": [{"at": 4, "digits": "1"}]}))
    names = [n for _, n, _ in log]
    assert names == ["RecordStarted", "PlaybackReady", "PlaybackStarted", "PlaybackFinished", "ToneReceived",
                     "Disconnected", "RecordStopped"]
    tone = log[4][2]
    assert tone["tone"] == "1" and tone["type"] == "2" and 4.0 < log[4][0] < 4.3
    stopped = log[-1][2]
    assert stopped["url"].startswith("file://") and abs(stopped["duration"] - log[5][0]) < 0.05
    path = Path(stopped["url"][len("file://"):])
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2)
    assert np.abs(data[: 2 * 8000, 1]).max() > 3000  # the announcement, right channel
    assert np.abs(data[: 2 * 8000, 0]).max() < 100
    assert np.abs(data[4 * 8000 :, 0]).max() > 3000  # the key press, left channel
    tts = session.trace.find("media", kind="tts")
    assert tts and tts[0].fields["text"] == "Hello, press one for sales"


def test_recording_is_a_valid_wav_after_terminate(tmp_path) -> None:
    def alerting(session, call, log):
        call.events.on("Call.Connected", lambda e: (call.media.record(UNDEFINED),
                                                    session.clock.call_later(3, session.terminate)))
        call.answer()

    play(tmp_path, alerting, Caller(extra={"speak": [{"at": 0.5, "tone": 440, "duration": 5}]}))
    wavs = list(tmp_path.glob("*.wav"))
    assert len(wavs) == 1
    with wave.open(str(wavs[0])) as w:
        assert w.getnchannels() == 1 and abs(w.getnframes() / 8000 - 3.0) < 0.05


def test_bridged_calls_carry_words_and_send_digits(tmp_path) -> None:
    parties: dict[str, Any] = {}

    def alerting(session, inbound, log):
        def connected(e):
            out = Call.outgoing(session, kind="pstn", number="+15550001111", callerid="+15551230000")

            def out_connected(e2):
                inbound.send_media_to(out)
                out.send_media_to(inbound)
                out.send_digits("42")

            out.events.on("Call.Connected", out_connected)
            parties["in"], parties["out"] = inbound.media.party, out.media.party

        inbound.events.on("Call.Connected", connected)
        inbound.answer()

    network = Network(callees={"+15550001111": {"answer_after": 1, "hangup_after": 8}})
    caller = Caller(extra={"speak": [{"at": 2, "say": "I would like to book a table"}]}, hangup_after=10)
    play(tmp_path, alerting, caller, network)
    assert parties["out"].heard.transcript == "I would like to book a table"
    assert parties["out"].heard.digit_string == "42", parties["out"].heard.digits
    assert parties["in"].heard.digit_string == ""


def test_voice_names_from_js_values() -> None:
    assert voice_name({"provider": "Language", "name": "US_ENGLISH_FEMALE", "language": "en-US"}) == "en-US_FEMALE"
    assert voice_name({"provider": "Google", "name": "en_US_Standard_A", "language": "en-US"}) == "en-US"
    assert voice_name({"voice": {"provider": "Google", "name": "de_DE_Wavenet_B", "language": "de-DE"}}) == "de-DE"
    assert voice_name({"language": "fr-FR"}) == "fr-FR"
    assert voice_name(None) is None and voice_name(UNDEFINED) is None


def test_far_end_speech_and_players_are_traced_as_media_spans(tmp_path) -> None:
    def alerting(session, call, log):
        call.events.on("Call.Connected", lambda e: call.media.say("hi there", UNDEFINED))
        call.answer()

    caller = Caller(extra={"speak": [{"at": 2, "say": "hello agent"}]}, hangup_after=5)
    session, _ = play(tmp_path, alerting, caller)
    spans = [(r.fields["action"], r.fields["source"], r.fields.get("kind"), r.fields.get("text"))
             for r in session.trace.find("media")]
    assert ("start", "call-1", "speech", "hello agent") in spans
    assert ("start", "player-1", "tts", "hi there") in spans
    assert [a for a, s, _, _ in spans if s == "call-1"] == ["start", "stop"]
    assert [a for a, s, _, _ in spans if s == "player-1"] == ["start", "stop"]


def test_far_end_answers_after_an_event(tmp_path) -> None:
    heard = {}

    def alerting(session, call, log):
        def connected(e):
            call.media.say("how can I help", UNDEFINED)
            asr = session.extensions["media"].create_asr(UNDEFINED)
            asr.asr.listen(lambda name, p: heard.setdefault(name, (round(session.clock.now(), 2), p)))
            call.media.send_media_to(asr)

        call.events.on("Call.Connected", connected)
        call.answer()

    caller = Caller(extra={"speak": [{"after": "PlaybackFinished", "delay": 0.5, "say": "sales please"}]},
                    hangup_after=8)
    session, _ = play(tmp_path, alerting, caller)
    t, result = heard["ASR.Result"]
    assert result["text"] == "sales please" and 2.0 < t < 4.0


def test_attach_remote_replaces_the_simulated_party(tmp_path) -> None:
    class Recorder:
        def __init__(self) -> None:
            self.heard = 0

        def next_frame(self):
            return None

        def hear(self, frame) -> None:
            self.heard += 1

    remote = Recorder()

    def alerting(session, call, log):
        call.media.attach_remote(remote)
        call.events.on("Call.Connected", lambda e: call.media.say("for the softphone", UNDEFINED))
        call.answer()

    play(tmp_path, alerting, Caller(hangup_after=4))
    assert remote.heard > 30  # about a second of TTS went to the attached far end


def test_far_end_says_goodbye_and_hangs_up_after_speaking(tmp_path) -> None:
    def alerting(session, call, log):
        watch(session, call, log, "Disconnected")
        call.answer()

    caller = Caller(extra={"speak": [{"at": 1, "say": "thanks, goodbye"}, {"at": 1, "hangup": True}]})
    session, log = play(tmp_path, alerting, caller)
    (t, name, payload), = log
    assert name == "Disconnected" and 1.8 < t < 2.5  # after the words, not at 1 s


def test_a_second_say_replaces_the_first_in_the_trace(tmp_path) -> None:
    def alerting(session, call, log):
        def connected(e):
            call.media.say("first announcement that is long", UNDEFINED)
            session.clock.call_later(0.5, lambda: call.media.say("second", UNDEFINED))

        call.events.on("Call.Connected", connected)
        call.answer()

    session, _ = play(tmp_path, alerting, Caller(hangup_after=4))
    stops = [(r.fields["source"], r.fields["reason"]) for r in session.trace.find("media", action="stop")]
    assert stops == [("player-1", "replaced"), ("player-2", "end")]


def test_inbound_early_media_reaches_the_caller_before_answer(tmp_path) -> None:
    parties = {}

    def alerting(session, call, log):
        parties["caller"] = call.media.party
        call.start_early_media()
        call.media.say("please hold", UNDEFINED)
        session.clock.call_later(3, call.answer)

    play(tmp_path, alerting, Caller(hangup_after=2))
    heard = parties["caller"].heard.texts
    assert heard and heard[0][1] == "please hold" and heard[0][0] < 0.5
