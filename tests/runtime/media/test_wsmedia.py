"""WebSocket media framing: start/media/stop out, the same format in, MEDIA_STARTED/ENDED, clear."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from voxsim.runtime.media import formats as f
from voxsim.runtime.media import wsmedia as W
from voxsim.runtime.media.analysis import peak_hz
from voxsim.runtime.media.callmedia import CallMedia
from voxsim.runtime.media.speakers import SimulatedParty
from voxsim.runtime.media.units import Sink


def _media_messages(pcm: np.ndarray, encoding: str = "ULAW", tag: str | None = None) -> list[str]:
    fmt = f.websocket_format(encoding)
    out = [json.dumps({"event": "start", "sequenceNumber": 0,
                       "start": {"mediaFormat": {"encoding": encoding, "sampleRate": fmt.sample_rate},
                                 "tag": tag, "customParameters": {"k": "v"}}})]
    n = fmt.sample_rate // 50
    for i in range(0, pcm.size, n):
        payload = f.b64_encode(f.encode(pcm[i : i + n], fmt))
        out.append(json.dumps({"event": "media", "sequenceNumber": 1 + i // n, "media": {"payload": payload}}))
    return out


@pytest.mark.parametrize("encoding, rate, width", [("ULAW", 8000, 1), ("PCM8", 8000, 2), ("PCM16", 16000, 2),
                                                   ("ALAW", 8000, 1)])
def test_call_audio_leaves_as_start_media_stop_frames(vrun, encoding, rate, width) -> None:
    async def body(clock, graph):
        sent: list[dict] = []
        party = SimulatedParty(clock, 8000)
        call = CallMedia(graph, party)
        call.start()
        ws = W.WebSocketMedia(graph, lambda text: sent.append(json.loads(text)))
        ws.configure(encoding, tag="caller", custom_parameters={"lang": "en"})
        call.send_media_to(ws)
        party.tone(1000, 0.5)
        await asyncio.sleep(0.59)
        call.stop_media_to(ws)
        await asyncio.sleep(0.1)
        return sent

    sent = vrun(body)
    assert [m["sequenceNumber"] for m in sent] == list(range(len(sent)))
    assert sent[0]["event"] == "start"
    assert sent[0]["start"] == {"mediaFormat": {"encoding": encoding, "sampleRate": rate},
                                "customParameters": {"lang": "en"}, "tag": "caller"}
    media = [m for m in sent if m["event"] == "media"]
    assert len(media) == 30 and sent[-1]["event"] == "stop"
    assert {len(f.b64_decode(m["media"]["payload"])) for m in media} == {rate // 50 * width}
    fmt = f.websocket_format(encoding)
    pcm = np.concatenate([f.decode(f.b64_decode(m["media"]["payload"]), fmt) for m in media])
    assert abs(peak_hz(pcm[: rate // 2], rate) - 1000) < 3
    assert sent[-1]["stop"]["mediaInfo"]["duration"] == pytest.approx(0.6)


def test_incoming_media_plays_into_the_call_and_reports_start_and_end(vrun) -> None:
    async def body(clock, graph):
        ws = W.WebSocketMedia(graph, lambda text: None)
        ev = []
        ws.listen(lambda n, p: ev.append((round(clock.now(), 2), n, p)))
        party = SimulatedParty(clock, 8000, keep_audio=True)
        call = CallMedia(graph, party)
        call.start()
        ws.send_media_to(call)
        t = np.arange(8000) / 8000
        tone = f.as_pcm(0.3 * np.sin(2 * np.pi * 600 * t))
        for text in _media_messages(tone, "ULAW", tag="agent"):  # 1 s of audio arrives at once
            assert ws.feed(text)
        assert not ws.feed('{"event": "something else"}') and not ws.feed("not json")
        await asyncio.sleep(3)
        return ev, np.concatenate([p for _, p in party.audio_heard])

    ev, heard = vrun(body)
    assert [n for _, n, _ in ev] == [W.MEDIA_STARTED, W.MEDIA_ENDED]
    assert ev[0][2] == {"encoding": "ULAW", "tag": "agent", "customParameters": {"k": "v"}}
    assert ev[1][0] == pytest.approx(2.0, abs=0.05)  # 1 s of playout, then 1 s of silence
    assert ev[1][2]["mediaInfo"]["duration"] == pytest.approx(1.0)
    assert heard.size == 8000 and abs(peak_hz(heard, 8000) - 600) < 3


def test_clear_drops_the_queued_incoming_audio(vrun) -> None:
    async def body(clock, graph):
        ws = W.WebSocketMedia(graph, lambda text: None)
        sink = Sink(graph)
        ws.send_media_to(sink)
        for text in _media_messages(np.ones(16000, np.int16), "PCM8"):  # 2 s
            ws.feed(text)
        await asyncio.sleep(0.49)
        dropped = ws.clear_media_buffer()
        ws.feed(json.dumps({"event": "clear"}))
        await asyncio.sleep(1)
        return dropped, len(sink.frames)

    dropped, received = vrun(body)
    assert (dropped, received) == (75, 25)


@given(st.binary(min_size=0, max_size=200).map(lambda b: b[: len(b) // 2 * 2]))
def test_pcm_payloads_round_trip_through_json(payload) -> None:
    pcm = f.pcm_from_bytes(payload)
    fmt = f.websocket_format("PCM16")
    text = json.dumps({"media": {"payload": f.b64_encode(f.encode(pcm, fmt))}})
    assert np.array_equal(f.decode(f.b64_decode(json.loads(text)["media"]["payload"]), fmt), pcm)


def test_incoming_format_names() -> None:
    assert W.parse_incoming_format({"encoding": "audio/x-mulaw", "sampleRate": 8000}) == f.AudioFormat("mulaw", 8000)
    assert W.parse_incoming_format({"encoding": "PCM16"}) == f.AudioFormat("pcm_s16le", 16000)
    assert W.parse_incoming_format({"encoding": "pcm", "sampleRate": 24000}) == f.AudioFormat("pcm_s16le", 24000)
    assert W.parse_incoming_format(None) == f.AudioFormat("pcm_s16le", 8000)
