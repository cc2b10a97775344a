"""The WAV writer and the Recorder unit; simulated party scripts."""

from __future__ import annotations

import asyncio
import wave

import numpy as np
import pytest

from voxsim.runtime.media import players as P
from voxsim.runtime.media.analysis import peak_hz
from voxsim.runtime.media.recorder import RECORDER_STARTED, RECORDER_STOPPED, Recorder, WavWriter
from voxsim.runtime.media.speakers import ScriptError, SimulatedParty


def test_wav_header_is_patched_every_second_and_on_close(tmp_path) -> None:
    path = tmp_path / "w.wav"
    writer = WavWriter(path, 8000, 2)
    writer.write(np.ones((4000, 2), np.int16))
    with wave.open(str(path)) as w:
        assert w.getnframes() == 0  # half a second: not patched yet, but already a valid (empty) WAV
    writer.write(np.ones((4000, 2), np.int16))
    with wave.open(str(path)) as w:
        assert w.getnframes() == 8000 and w.getnchannels() == 2
    writer.write(np.ones((100, 2), np.int16))
    writer.close()
    writer.close()
    with wave.open(str(path)) as w:
        assert w.getnframes() == 8100
    with pytest.raises(ValueError, match="closed"):
        writer.write(np.ones((1, 2), np.int16))


def test_recorder_unit_records_what_it_is_sent_with_silence_between(vrun, tmp_path) -> None:
    path = tmp_path / "r.wav"

    async def body(clock, graph):
        rec = Recorder(graph, path)
        ev = []
        rec.listen(lambda n, p: ev.append((round(clock.now(), 2), n, p)))
        await asyncio.sleep(0.5)
        tone = P.create_tone_script_player(graph, "700@-10;1(1/0/1)")
        tone.send_media_to(rec)
        await asyncio.sleep(2)
        rec.stop()
        return ev

    ev = vrun(body)
    assert [n for _, n, _ in ev] == [RECORDER_STARTED, RECORDER_STOPPED]
    assert ev[1][2]["duration"] == pytest.approx(2.5, abs=0.03) and ev[1][2]["url"] == path.resolve().as_uri()
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2")
    assert np.abs(data[: 3900]).max() == 0
    assert abs(peak_hz(data[4400:11600], 8000) - 700) < 3
    assert np.abs(data[12400:]).max() == 0


def test_party_script_validation_and_order(vrun) -> None:
    async def body(clock, graph):
        party = SimulatedParty(clock, 8000)
        with pytest.raises(ScriptError, match="expected one of"):
            party.run_script([{"at": 1, "sing": "la"}])
        with pytest.raises(ScriptError, match="'after' needs events"):
            party.run_script([{"after": "PlaybackFinished", "say": "x"}])
        party.run_script([{"at": 1, "tone": 500, "duration": 0.2}, {"at": 1, "silence": 0.3},
                          {"at": 1, "digits": "7"}])
        await asyncio.sleep(1.01)
        frames = []
        while (f := party.next_frame()) is not None:
            frames.append(f.pcm)
        return np.concatenate(frames)

    audio = vrun(body)
    assert audio.size == int((0.2 + 0.3 + 0.16) * 8000)  # tone, silence, one key (100 ms + 60 ms gap), in order
    assert np.abs(audio[1600:4000]).max() == 0


def test_an_interrupted_process_still_leaves_a_finished_header(tmp_path) -> None:
    import subprocess
    import sys

    path = tmp_path / "cut.wav"
    code = (
        "import numpy as np\n"
        "from voxsim.runtime.media.recorder import WavWriter\n"
        f"w = WavWriter({str(path)!r}, 8000)\n"
        "w.write(np.ones(4000, np.int16))\n"  # half a second: no periodic patch yet
        "raise KeyboardInterrupt\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert result.returncode != 0 and b"KeyboardInterrupt" in result.stderr
    with wave.open(str(path)) as w:
        assert w.getnframes() == 4000
