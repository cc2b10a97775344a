"""Media from JavaScript: call.say/record/handleTones/sendDigits, players, ASR, in a session on virtual time."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from voxsim.runtime.clock import run
from voxsim.runtime.network import Caller, Network
from voxsim.runtime.session import Session, SessionOptions

import voxsim.engine.script  # noqa: F401 - these tests run JS


def play(source: str, tmp_path: Path, caller: Caller | None = None, network: Network | None = None,
         seconds: float = 600) -> Session:
    async def main() -> Session:
        options = SessionOptions(network=network or Network(), epoch=0.0,
                                 settings={"recordings_dir": str(tmp_path)})
        session = Session(options)
        session.load(source)
        await session.start(inbound=caller or Caller())
        await session.wait(max_seconds=seconds)
        session.close()
        return session

    return run(main(), virtual=True)


def logs(session: Session) -> list[tuple[float, str]]:
    return [(round(r.t, 2), r.fields.get("text", "")) for r in session.trace.find("log")]


def texts(session: Session) -> list[str]:
    return [t for _, t in logs(session)]


def test_say_then_caller_presses_a_key_inband_then_recording_is_finalized(tmp_path) -> None:
    source = """
    VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
      const call = e.call;
      call.handleTones(true);
      call.addEventListener(CallEvents.Connected, () => {
        call.record({stereo: true});
        call.say("Hello, press one for sales", Language.US_ENGLISH_FEMALE);
      });
      call.addEventListener(CallEvents.PlaybackStarted, () => Logger.write("started"));
      call.addEventListener(CallEvents.PlaybackFinished, () => Logger.write("finished"));
      call.addEventListener(CallEvents.RecordStarted, (ev) => Logger.write("recording " + ev.url.slice(0, 7)));
      call.addEventListener(CallEvents.ToneReceived, (ev) => {
        Logger.write("tone " + ev.tone + " type " + ev.type);
        call.hangup();
      });
      call.addEventListener(CallEvents.Disconnected, () => Logger.write("disconnected"));
      call.addEventListener(CallEvents.RecordStopped, (ev) => {
        Logger.write("record stopped " + Math.round(ev.duration));
        VoxEngine.terminate();
      });
      call.answer();
    });
    """
    caller = Caller(extra={"speak": [{"at": 4, "digits": "1"}]})
    session = play(source, tmp_path, caller)
    assert texts(session) == ["recording file://", "started", "finished", "tone 1 type 2", "disconnected",
                              "record stopped 4"]
    wavs = list(tmp_path.glob("*.wav"))
    assert len(wavs) == 1
    with wave.open(str(wavs[0])) as w:
        assert w.getnchannels() == 2
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2)
    assert np.abs(data[: 2 * 8000, 1]).max() > 3000  # the announcement on the right (sent to the caller)
    assert np.abs(data[int(4.0 * 8000):, 0]).max() > 3000  # the caller's key press on the left
    tts = session.trace.find("media", kind="tts")
    assert tts and tts[0].fields["text"] == "Hello, press one for sales"


def test_bridged_calls_carry_the_callers_words_and_send_digits(tmp_path) -> None:
    source = """
    VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
      const inbound = e.call;
      inbound.answer();
      inbound.addEventListener(CallEvents.Connected, () => {
        const out = VoxEngine.callPSTN("+15550001111", "+15551230000");
        out.addEventListener(CallEvents.Connected, () => {
          VoxEngine.sendMediaBetween(inbound, out);
          out.sendDigits("42");
        });
      });
    });
    """
    network = Network(callees={"+15550001111": {"answer_after": 1, "hangup_after": 8}})
    caller = Caller(extra={"speak": [{"at": 2, "say": "I would like to book a table"}]}, hangup_after=10)

    async def main() -> tuple[Session, Any]:
        options = SessionOptions(network=network, epoch=0.0, settings={"recordings_dir": str(tmp_path)})
        session = Session(options)
        session.load(source)
        await session.start(inbound=caller)
        await session.clock.sleep(0.5)
        parties = {}
        await session.clock.sleep(2)
        for call in session.calls.values():
            parties[call.trace_id] = call.media.party
        await session.wait(max_seconds=100)
        session.close()
        return session, parties

    session, parties = run(main(), virtual=True)
    callee = parties["call-2"]
    assert callee.heard.transcript == "I would like to book a table"
    assert callee.heard.digit_string == "42"


def test_players_asr_and_events_from_js(tmp_path) -> None:
    source = """
    const asr = VoxEngine.createASR({profile: "en-US", interimResults: false});
    asr.addEventListener(ASREvents.Result, (e) => Logger.write("asr " + e.text + " " + (e.asr === asr)));
    const p = VoxEngine.createTTSPlayer("good morning everybody");
    p.addEventListener(PlayerEvents.Started, (e) => Logger.write("player started " + (e.player === p)));
    p.addEventListener(PlayerEvents.PlaybackFinished, () => Logger.write("player finished"));
    p.addMarker(300);
    p.addEventListener(PlayerEvents.PlaybackMarkerReached, (e) => Logger.write("marker " + e.offset));
    p.sendMediaTo(asr);
    const t = VoxEngine.createToneScriptPlayer("425@-10;*(1/1/1)");
    t.addEventListener(PlayerEvents.Stopped, () => { Logger.write("tone stopped"); VoxEngine.terminate(); });
    setTimeout(() => t.stop(), 5000);
    const bad = VoxEngine.createURLPlayer("/does/not/exist.wav");
    bad.addEventListener(PlayerEvents.Error, (e) => Logger.write("error " + e.error.includes("not found")));
    Logger.write(typeof p.id() + " " + (p.id() !== t.id()));
    """
    session = play(source, tmp_path, caller=None)
    assert texts(session) == ["string true", "error true", "player started true", "marker 300",
                              "player finished", "asr good morning everybody true", "tone stopped"]


def test_send_media_to_a_non_unit_is_a_type_error(tmp_path) -> None:
    source = """
    const p = VoxEngine.createTTSPlayer("x");
    try { p.sendMediaTo({}); } catch (e) { Logger.write(e.name + ": " + e.message.slice(0, 21)); }
    VoxEngine.terminate();
    """
    session = play(source, tmp_path, caller=None)
    assert texts(session) == ["TypeError: expected a media unit"]


def test_asr_module_profiles_and_call_audio_to_asr(tmp_path) -> None:
    source = """
    require(Modules.ASR);
    VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
      const call = e.call;
      call.answer();
      call.addEventListener(CallEvents.Connected, () => {
        const asr = VoxEngine.createASR({profile: ASRProfileList.Google.en_US});
        asr.addEventListener(ASREvents.Result, (ev) => {
          Logger.write(asr.language() + ": " + ev.text);
          VoxEngine.terminate();
        });
        call.sendMediaTo(asr);
      });
    });
    """
    caller = Caller(extra={"speak": [{"at": 1, "say": "I need a taxi"}]})
    session = play(source, tmp_path, caller)
    assert texts(session) == ["en-US: I need a taxi"]
