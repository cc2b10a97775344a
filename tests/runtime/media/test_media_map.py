"""Public media URLs offline: the media map, --media-dir, the stand-in with its warning, strict mode, the CLI."""

from __future__ import annotations

import json
import socket
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings as hsettings, strategies as st

from voxsim.runtime.clock import run
from voxsim.runtime.media.audiofile import AudioFileError
from voxsim.runtime.media.media_map import STANDIN_SECONDS, MediaMap, MediaMapError
from voxsim.runtime.network import Caller, Network
from voxsim.runtime.session import Session, SessionOptions

import voxsim.engine.script  # noqa: F401 - these tests run JS


def write_wav(path: Path, seconds: float, hz: float = 1000.0, rate: int = 8000) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    pcm = (0.3 * 32767 * np.sin(2 * np.pi * hz * t)).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


PLAY_ON_CONNECT = """
VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  const call = e.call;
  call.answer();
  call.addEventListener(CallEvents.Connected, () => call.startPlayback(%s));
  call.addEventListener(CallEvents.PlaybackReady, () => Logger.write("ready"));
  call.addEventListener(CallEvents.PlaybackStarted, (ev) => Logger.write("started " + ev.duration));
  call.addEventListener(CallEvents.PlaybackFinished, (ev) => {
    Logger.write("finished " + (ev.error === undefined ? "ok" : ev.error));
    call.hangup();
  });
  call.addEventListener(CallEvents.Disconnected, () => VoxEngine.terminate());
});
"""


def session_run(source: str, settings: dict[str, Any], tmp_path: Path, seconds: float = 120) -> tuple[Session, Any]:
    """Run ``source`` with an inbound caller on virtual time; returns the session and the caller's party."""

    async def main() -> tuple[Session, Any]:
        options = SessionOptions(network=Network(), epoch=0.0,
                                 settings={"recordings_dir": str(tmp_path / "rec"), **settings})
        session = Session(options)
        session.load(source)
        await session.start(inbound=Caller(hangup_after=100))
        await session.clock.sleep(0.01)
        party = next(iter(session.calls.values())).media.party
        await session.wait(max_seconds=seconds)
        session.close()
        return session, party

    return run(main(), virtual=True)


def logs(session: Session) -> list[tuple[float, str]]:
    return [(r.t, r.fields.get("text", "")) for r in session.trace.find("log")]


def at(session: Session, prefix: str) -> float:
    return next(t for t, text in logs(session) if text.startswith(prefix))


def loud(party: Any, start: float, end: float) -> float:
    values = [rms for t, rms in party.heard.energy if start <= t < end]
    return float(np.mean(values)) if values else 0.0


def test_mapped_url_plays_the_local_wav_with_the_normal_events(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "hold.wav", 2.0)
    url = "https://cdn.voximplant.com/toto.mp3"
    session, party = session_run(PLAY_ON_CONNECT % json.dumps(url), {"media_map": {url: str(wav)}}, tmp_path)
    texts = [text for _, text in logs(session)]
    assert texts == ["ready", "started 2", "finished ok"]
    started, finished = at(session, "started"), at(session, "finished")
    assert finished - started == pytest.approx(2.0, abs=0.06)
    assert loud(party, started + 0.2, finished - 0.2) > 1000  # the 1 kHz tone at -10 dBFS reached the caller
    assert not session.trace.find("warning")


def test_a_glob_maps_every_matching_url_query_string_included(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "prompt.wav", 1.0)
    mapping = tmp_path / "media.yaml"
    mapping.write_text('"https://*.s3.amazonaws.com/prompts/*.mp3": prompt.wav\n"https://x.test/a.mp3": silence:2\n')
    url = "https://bucket.s3.amazonaws.com/prompts/welcome.mp3?v=3"
    session, party = session_run(PLAY_ON_CONNECT % json.dumps(url), {"media_map": str(mapping)}, tmp_path)
    assert [text for _, text in logs(session)] == ["ready", "started 1", "finished ok"]
    assert loud(party, at(session, "started") + 0.1, at(session, "finished") - 0.1) > 1000
    assert MediaMap.load(mapping).resolve(url).target == str(wav.resolve())


def test_unmapped_remote_url_plays_a_stand_in_and_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: socket.socket, address: Any) -> None:
        raise AssertionError(f"voxsim opened a connection to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)  # the stand-in never touches the network
    url = "https://cdn.voximplant.com/toto.mp3"
    session, party = session_run(PLAY_ON_CONNECT % json.dumps(url), {}, tmp_path)
    assert [text for _, text in logs(session)] == ["ready", f"started {STANDIN_SECONDS:g}", "finished ok"]
    started, finished = at(session, "started"), at(session, "finished")
    assert finished - started == pytest.approx(STANDIN_SECONDS, abs=0.06)
    assert loud(party, started, finished) > 100  # audible but soft
    warnings = session.trace.find("warning")
    assert len(warnings) == 1
    assert url in warnings[0]["message"] and "--media-map" in warnings[0]["message"]


def test_stand_in_loops_with_loop_true_until_stopped(tmp_path: Path) -> None:
    source = """
    const p = VoxEngine.createURLPlayer("https://example.com/music/hold.ogg", {loop: true});
    p.addEventListener(PlayerEvents.PlaybackReady, () => Logger.write("ready"));
    p.addEventListener(PlayerEvents.Started, (e) => Logger.write("started " + e.duration));
    p.addEventListener(PlayerEvents.PlaybackFinished, () => Logger.write("finished"));
    p.addEventListener(PlayerEvents.Stopped, () => { Logger.write("stopped"); VoxEngine.terminate(); });
    setTimeout(() => p.stop(), 25000);
    """

    async def main() -> Session:
        session = Session(SessionOptions(epoch=0.0, settings={"recordings_dir": str(tmp_path)}))
        session.load(source)
        await session.start()
        await session.wait(max_seconds=60)
        session.close()
        return session

    session = run(main(), virtual=True)
    assert [text for _, text in logs(session)] == ["ready", "started 10", "stopped"]
    assert at(session, "stopped") == pytest.approx(25.0, abs=0.05)
    assert len(session.trace.find("warning")) == 1


def test_strict_media_gives_player_error(tmp_path: Path) -> None:
    source = """
    const p = VoxEngine.createURLPlayer("https://cdn.voximplant.com/toto.mp3");
    p.addEventListener(PlayerEvents.Error, (e) => Logger.write("error " + e.error.includes("--media-map")));
    p.addEventListener(PlayerEvents.PlaybackFinished, (e) => { Logger.write("finished"); VoxEngine.terminate(); });
    """

    async def main() -> Session:
        session = Session(SessionOptions(epoch=0.0, settings={"strict_media": True}))
        session.load(source)
        await session.start()
        await session.wait(max_seconds=10)
        session.close()
        return session

    session = run(main(), virtual=True)
    assert [text for _, text in logs(session)] == ["error true", "finished"]
    assert not session.trace.find("warning")


def test_media_dir_finds_the_url_file_name(tmp_path: Path) -> None:
    write_wav(tmp_path / "toto.mp3.wav", 0.1)
    wav = write_wav(tmp_path / "toto.wav", 0.5)
    media = MediaMap(media_dir=tmp_path)
    source = media.resolve("https://cdn.voximplant.com/sounds/toto.wav?x=1")
    assert (source.kind, source.target, source.mapped_by) == ("file", str(wav), "media_dir")
    assert media.resolve("https://cdn.voximplant.com/other.wav").kind == "standin"


def test_map_targets_and_precedence(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "a.wav", 0.5)
    media = MediaMap.from_mapping({"https://h.test/*": "tone:440/3", "https://h.test/exact.mp3": str(wav),
                                   "https://h.test/q/*": "silence:1.5"})
    assert media.resolve("https://h.test/exact.mp3").kind == "file"  # exact wins over an earlier glob
    tone = media.resolve("https://h.test/x/y.mp3")
    assert tone.kind == "tone" and tone.load(8000).size == 3 * 8000
    assert np.abs(tone.load(8000)).max() > 1000
    assert media.resolve("https://h.test/q/z").kind == "tone"  # globs in order: the first one matches
    assert MediaMap.from_mapping({"https://h.test/q/*": "silence:1.5"}).resolve("https://h.test/q/z").load(
        16000).size == 24000
    with pytest.raises(MediaMapError, match="silence"):
        MediaMap.from_mapping({"u": "silence:soon"})
    with pytest.raises(MediaMapError, match="tone script"):
        MediaMap.from_mapping({"u": "tone:loud"})
    with pytest.raises(MediaMapError, match="not found"):
        MediaMap.from_mapping({"u": str(tmp_path / "missing.wav")})
    with pytest.raises(MediaMapError, match="loopback"):
        MediaMap.from_mapping({"u": "https://example.com/real.mp3"})
    with pytest.raises(AudioFileError, match="media-map"):
        MediaMap(strict=True).resolve("http://example.com/a.mp3")


@hsettings(max_examples=60, deadline=None)
@given(host=st.from_regex(r"[a-z][a-z0-9-]{0,20}\.(com|net|org|io)", fullmatch=True),
       path=st.from_regex(r"(/[A-Za-z0-9_.-]{1,12}){0,4}", fullmatch=True))
def test_a_public_url_never_resolves_to_a_download(host: str, path: str) -> None:
    url = f"https://{host}{path}"
    assert MediaMap().resolve(url).kind == "standin"
    with pytest.raises(AudioFileError):
        MediaMap(strict=True).resolve(url)


def test_voxsim_run_with_media_map(tmp_path: Path) -> None:
    from voxsim.tools.cli import main

    write_wav(tmp_path / "hold.wav", 1.0)
    (tmp_path / "map.json").write_text(json.dumps({"https://cdn.voximplant.com/*": "hold.wav"}))
    scenario = tmp_path / "hold.js"
    scenario.write_text(PLAY_ON_CONNECT % json.dumps("https://cdn.voximplant.com/toto.mp3"))
    result = CliRunner().invoke(main, ["run", str(scenario), "--call", "+15551234567",
                                       "--media-map", str(tmp_path / "map.json")])
    assert result.exit_code == 0, result.output
    assert "started 1" in result.output and "finished ok" in result.output
    assert "stand-in" not in result.output

    result = CliRunner().invoke(main, ["run", str(scenario), "--call", "+15551234567"])
    assert result.exit_code == 0, result.output
    assert "started 10" in result.output and "--media-map" in result.output  # the stand-in's warning line

    (tmp_path / "bad.yaml").write_text("https://x.test/a.mp3: nowhere.wav\n")
    result = CliRunner().invoke(main, ["run", str(scenario), "--media-map", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 2 and "nowhere.wav" in result.output


def test_the_pytest_fixture_takes_the_map_as_settings(voxsim: Any, tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "hold.wav", 1.5)
    scenario = tmp_path / "hold.js"
    scenario.write_text(PLAY_ON_CONNECT % json.dumps("https://cdn.voximplant.com/hold/music.mp3"))
    mapped = voxsim(scenario, caller="+15551234567",
                    settings={"media_map": {"https://cdn.voximplant.com/hold/*": str(wav)}})
    mapped.expect("Call.PlaybackStarted").then("Call.PlaybackFinished", within_ms=1600)
    assert not [r for r in mapped.records if r.type == "warning"]
    strict = voxsim(scenario, caller="+15551234567", settings={"strict_media": True})
    assert [r for r in strict.records if r.type == "log"][-1]["text"].startswith("finished ")
    assert "media-map" in [r for r in strict.records if r.type == "log"][-1]["text"]


def test_sequence_player_url_segments_use_the_map(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text('media:\n  "https://x.test/gap.mp3": silence:1.5\n')
    source = """
    const p = VoxEngine.createSequencePlayer({segments: [
      {type: "url", url: "https://x.test/gap.mp3"}, {type: "tone", script: "440@-19;0.5(0.5/0/1)"},
      {type: "url", url: "https://elsewhere.test/beep.wav"}]});
    p.addEventListener(SequencePlayerEvents.Started, (e) => Logger.write("started " + e.duration));
    p.addEventListener(SequencePlayerEvents.PlaybackFinished, (e) => {
      Logger.write("finished " + e.error); VoxEngine.terminate();
    });
    """

    async def main() -> Session:
        session = Session(SessionOptions(epoch=0.0, settings={"media_map": str(tmp_path / "m.yaml")}))
        session.load(source)
        await session.start()
        await session.wait(max_seconds=60)
        session.close()
        return session

    session = run(main(), virtual=True)
    assert [text for _, text in logs(session)] == [f"started {1.5 + 0.5 + STANDIN_SECONDS:g}", "finished undefined"]
    assert ["https://elsewhere.test/beep.wav" in w["message"] for w in session.trace.find("warning")] == [True]


@pytest.mark.parametrize("command", ["serve", "load", "call"])
def test_other_commands_take_the_media_flags_and_reject_a_bad_map(command: str, tmp_path: Path) -> None:
    from voxsim.tools.cli import main

    scenario = tmp_path / "s.js"
    scenario.write_text("VoxEngine.terminate();")
    (tmp_path / "bad.json").write_text(json.dumps({"https://x.test/*": "tone:not-a-tone"}))
    result = CliRunner().invoke(main, [command, str(scenario), "--media-map", str(tmp_path / "bad.json")])
    assert result.exit_code == 2, result.output
    assert "--media-map" in result.output and "tone" in result.output
