"""Players and their events: TTS, file/URL, tone scripts, sequences, markers, stop/pause semantics."""

from __future__ import annotations

import asyncio
import wave

import numpy as np
import pytest

from voxsim.runtime.media import players as P
from voxsim.runtime.media.analysis import peak_hz
from voxsim.runtime.media.tones import ToneScriptError, parse_tone_script, render_tone_script
from voxsim.runtime.media.units import Sink


def _events(clock, player):
    out = []
    player.listen(lambda name, payload: out.append((round(clock.now(), 3), name, payload)))
    return out


def test_tts_player_event_order_markers_and_speech_tags(vrun) -> None:
    async def body(clock, graph):
        player = P.create_tts_player(graph, "hello world", sample_rate=16000)
        ev = _events(clock, player)
        player.add_marker(200)
        player.add_marker(-100)
        sink = Sink(graph, 8000)
        player.send_media_to(sink)
        await asyncio.sleep(2)
        return ev, sink, player

    ev, sink, player = vrun(body)
    names = [n for _, n, _ in ev]
    assert names == [P.CREATED, P.PLAYBACK_READY, P.STARTED, P.PLAYBACK_MARKER_REACHED, P.PLAYBACK_MARKER_REACHED,
                     P.PLAYBACK_FINISHED]
    duration = ev[2][2]["duration"]
    assert 0.6 < duration < 1.0
    assert ev[3][0] == pytest.approx(0.2) and ev[3][2] == {"offset": 200.0}
    assert ev[4][0] == pytest.approx(duration - 0.1, abs=0.021)
    assert ev[5][0] == pytest.approx(duration, abs=0.021)  # finishes when the last frame has sounded
    assert {f.speech.text for _, f in sink.frames} == {"hello world"}
    assert sink.frames[-1][1].speech.last


def test_stop_emits_stopped_and_never_finished(vrun) -> None:
    async def body(clock, graph):
        player = P.create_tts_player(graph, "this sentence is long enough to be interrupted")
        ev = _events(clock, player)
        await asyncio.sleep(0.5)
        player.stop()
        await asyncio.sleep(5)
        return [n for _, n, _ in ev]

    assert vrun(body) == [P.CREATED, P.PLAYBACK_READY, P.STARTED, P.STOPPED]


def test_pause_and_resume_keep_the_position(vrun) -> None:
    async def body(clock, graph):
        player = P.create_tts_player(graph, "one two three four five six")
        sink = Sink(graph)
        player.send_media_to(sink)
        await asyncio.sleep(0.31)
        player.pause()
        before = len(sink.frames)
        await asyncio.sleep(1)
        during = len(sink.frames)
        player.resume()
        await asyncio.sleep(5)
        samples, per_frame = round(player.duration * player.sample_rate), player.sample_rate // 50
        return before, during, len(sink.frames), -(-samples // per_frame)  # the last part-frame is padded

    before, during, total, expected = vrun(body)
    assert before == during == 16
    assert total == expected


def test_url_player_plays_a_wav_file(vrun, tmp_path) -> None:
    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        t = np.arange(16000) / 16000
        w.writeframes((0.3 * 32767 * np.sin(2 * np.pi * 600 * t)).astype("<i2").tobytes())

    async def body(clock, graph):
        player = P.create_url_player(graph, path.as_uri())
        ev = _events(clock, player)
        sink = Sink(graph)
        player.send_media_to(sink)
        await asyncio.sleep(1.5)
        return ev, sink.audio()

    ev, audio = vrun(body)
    assert [n for _, n, _ in ev][-1] == P.PLAYBACK_FINISHED
    assert ev[2][2]["duration"] == pytest.approx(1.0)
    assert abs(peak_hz(audio, 8000) - 600) < 10


@pytest.mark.parametrize("url, why", [("/no/such/file.wav", "not found"),
                                      ("http://example.com/a.mp3", "local servers only"),
                                      ("ftp://127.0.0.1/a.wav", "unsupported media URL")])
def test_bad_urls_give_error_and_finished_with_error(vrun, url, why) -> None:
    async def body(clock, graph):
        player = P.create_url_player(graph, url)
        ev = _events(clock, player)
        await asyncio.sleep(0.1)
        return ev

    ev = vrun(body)
    assert [n for _, n, _ in ev] == [P.CREATED, P.ERROR, P.PLAYBACK_FINISHED]
    assert why in ev[1][2]["error"] and why in ev[2][2]["error"]


def test_undecodable_file_is_an_error(vrun, tmp_path) -> None:
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"this is not audio" * 10)

    async def body(clock, graph):
        player = P.create_url_player(graph, str(bad))
        ev = _events(clock, player)
        await asyncio.sleep(0.1)
        return ev

    ev = vrun(body)
    assert ev[1][1] == P.ERROR and "cannot decode" in ev[1][2]["error"]


def test_progress_tone_loops_until_stopped(vrun) -> None:
    async def body(clock, graph):
        player = P.create_progress_tone_player(graph, "US")
        ev = _events(clock, player)
        sink = Sink(graph)
        player.send_media_to(sink)
        await asyncio.sleep(12.01)
        player.stop()
        return ev, sink.audio()

    ev, audio = vrun(body)
    assert [n for _, n, _ in ev] == [P.CREATED, P.PLAYBACK_READY, P.STARTED, P.STOPPED]
    assert audio.size == 601 * 160
    # US ring-back: 2 s of 440+480 Hz, 4 s off, repeated
    on = audio[: 2 * 8000]
    assert np.abs(audio[3 * 8000 : 5 * 8000]).max() == 0
    assert np.abs(audio[6 * 8000 : 8 * 8000]).max() > 1000
    spectrum = np.abs(np.fft.rfft(on))
    top2 = sorted(np.argsort(spectrum)[-2:] * 8000 / on.size)
    assert top2 == pytest.approx([440, 480], abs=2)


def test_tone_scripts_parse_and_render() -> None:
    ts = parse_tone_script("350@-19,440@-19;10(*/0/1+2)")
    assert ts.freqs == ((350.0, -19.0), (440.0, -19.0))
    pcm, loops = render_tone_script("425@-10;2(0.5/0.5/1);1(0.1/0.1/1)", 8000)
    assert pcm.size == 3 * 8000 and not loops
    for bad in ("425@-10", "abc;1(1/1/1)", "425;1(1/1/3)", "425;x(1/1)"):
        with pytest.raises(ToneScriptError):
            parse_tone_script(bad)


def test_sequence_player_concatenates_segments(vrun) -> None:
    async def body(clock, graph):
        player = P.create_sequence_player(graph, [
            {"type": "tts", "text": "first"},
            {"type": "silence", "duration": 0.5},
            {"type": "tone", "script": "1000@-10;0.4(0.4/0/1)"},
        ])
        ev = _events(clock, player)
        sink = Sink(graph)
        player.send_media_to(sink)
        await asyncio.sleep(3)
        return ev, sink

    ev, sink = vrun(body)
    assert [n for _, n, _ in ev][-1] == P.PLAYBACK_FINISHED
    texts = [f.speech.text if f.speech else None for _, f in sink.frames]
    assert texts[0] == "first" and texts[-1] is None
    tail = sink.audio()[-int(0.4 * 8000):]
    assert abs(peak_hz(tail, 8000) - 1000) < 25


def test_player_plays_without_any_target(vrun) -> None:
    async def body(clock, graph):
        player = P.create_tts_player(graph, "nobody listens")
        ev = _events(clock, player)
        await asyncio.sleep(3)
        return [n for _, n, _ in ev]

    assert vrun(body)[-1] == P.PLAYBACK_FINISHED


def test_url_player_fetches_from_a_local_http_server(tmp_path) -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from voxsim.runtime.clock import Clock, run
    from voxsim.runtime.media.units import MediaGraph

    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        t = np.arange(4000) / 8000
        w.writeframes((0.3 * 32767 * np.sin(2 * np.pi * 800 * t)).astype("<i2").tobytes())

    async def main():
        async def tone(request: web.Request) -> web.FileResponse:
            return web.FileResponse(path)

        app = web.Application()
        app.router.add_get("/tone.wav", tone)
        server = TestServer(app, host="127.0.0.1", port=0)
        await server.start_server()
        clock = Clock()
        graph = MediaGraph(clock)
        player = P.create_url_player(graph, f"http://127.0.0.1:{server.port}/tone.wav")
        ev = _events(clock, player)
        sink = Sink(graph)
        player.send_media_to(sink)
        for _ in range(100):
            await asyncio.sleep(0.1)
            if any(n == P.PLAYBACK_FINISHED for _, n, _ in ev):
                break
        await server.close()
        graph.stop()
        return ev, sink.audio()

    ev, audio = run(main(), virtual=False)  # the fetch runs in a thread against a server on this loop: real time
    assert [n for _, n, _ in ev] == [P.CREATED, P.PLAYBACK_READY, P.STARTED, P.PLAYBACK_FINISHED]
    assert abs(peak_hz(audio, 8000) - 800) < 5
