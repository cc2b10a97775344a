"""The softphone server with an aiortc client peer standing in for the browser (real time, loopback only)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
import pytest
from aiohttp import web
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from voxsim.runtime.clock import run
from voxsim.runtime.media.rtc import RtcRemote
from voxsim.runtime.media.tts import synthesize
from voxsim.tools.softphone import SoftphoneConfig, create_app
from voxsim.tools.softphone.phonecall import negotiated_codec
from voxsim.tools.softphone.server import CALLS_KEY

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"


class Phone:
    """A scripted browser: one peer connection, the 'dtmf' data channel, the SSE log."""

    def __init__(self, base: str, http: aiohttp.ClientSession) -> None:
        self.base, self.http = base, http
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.remote = RtcRemote(8000)
        self.heard: list[np.ndarray] = []
        self.records: list[dict[str, Any]] = []
        self.acks: list[str] = []
        self.ended = asyncio.Event()
        self.id = ""
        self.codec = ""

    async def call(self, codec: str = "opus", callerid: str = "+15550001111") -> None:
        pc = self.pc
        pc.addTrack(self.remote.outbound)
        self.channel = pc.createDataChannel("dtmf")
        self.channel.on("message", self.acks.append)
        pc.on("track", self.remote.attach_inbound)
        await pc.setLocalDescription(await pc.createOffer())
        body = {"sdp": pc.localDescription.sdp, "type": "offer", "codec": codec, "callerid": callerid}
        async with self.http.post(self.base + "calls", json=body) as resp:
            assert resp.status == 200, await resp.text()
            answer = await resp.json()
        self.id, self.codec = answer["id"], answer["codec"]
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type=answer["type"]))
        self._events = asyncio.ensure_future(self._read_events())
        self._ear = asyncio.ensure_future(self._listen())

    async def _read_events(self) -> None:
        async with self.http.get(f"{self.base}calls/{self.id}/events") as resp:
            assert resp.headers["Content-Type"].startswith("text/event-stream")
            async for raw in resp.content:
                line = raw.decode().strip()
                if line.startswith("event: end"):
                    break
                if line.startswith("data: "):
                    self.records.append(json.loads(line[6:]))
        self.ended.set()

    async def _listen(self) -> None:
        while True:
            frame = self.remote.next_frame()
            if frame is None:
                await asyncio.sleep(0.02)
            else:
                self.heard.append(frame.pcm)

    def seen(self, name: str, **data: Any) -> bool:
        return any(r.get("name") == name and all((r.get("data") or {}).get(k) == v for k, v in data.items())
                   for r in self.records)

    async def until(self, predicate: Any, timeout: float = 20.0) -> None:
        for _ in range(int(timeout / 0.05)):
            if predicate():
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out; records: {[r.get('name') or r.get('type') for r in self.records]}")

    async def say(self, text: str) -> None:
        """Talk into the call in real time, as a microphone would (no transcript travels with the audio)."""
        pcm = synthesize(text, sample_rate=8000).pcm
        pcm = np.concatenate([pcm, np.zeros(-pcm.size % 160, np.int16)])
        for frame in pcm.reshape(-1, 160):
            self.remote.outbound.put(frame)
            await asyncio.sleep(0.02)

    def peak(self) -> int:
        return int(max((np.abs(p).max() for p in self.heard), default=0))

    async def close(self) -> None:
        self._ear.cancel()
        await self.remote.close()
        await self.pc.close()


async def _serve(config: SoftphoneConfig) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(create_app(config))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/"


def _config(tmp_path: Path) -> SoftphoneConfig:
    return SoftphoneConfig(scenarios=(SCENARIOS / "cartesia_inbound.js",), port=0, work_dir=tmp_path)


@pytest.mark.slow
def test_two_simultaneous_calls_hear_the_agent_send_keys_and_hang_up(tmp_path: Path) -> None:
    async def main() -> list[Phone]:
        runner, base = await _serve(_config(tmp_path))
        async with aiohttp.ClientSession() as http:
            async with http.get(base) as resp:
                assert resp.status == 200 and "<html" in (await resp.text()).lower()
            async with http.get(base + "config") as resp:
                assert "unrecognised speech" in (await resp.json())["hearing"]
            phones = [Phone(base, http), Phone(base, http)]
            await phones[0].call("opus", "+15550001111")
            await phones[1].call("pcmu", "+15550002222")
            for phone in phones:
                await phone.until(lambda p=phone: p.seen("Cartesia.Agents.ACK") and p.peak() > 3000)
            await phones[0].say("I would like a table by the window")
            await phones[0].until(lambda: any(r["type"] == "media" and r.get("text") == "Sorry, I did not catch that."
                                              for r in phones[0].records))
            phones[0].channel.send("5")
            await phones[0].until(lambda: phones[0].seen("Call.ToneReceived", tone="5") and "ack:5" in phones[0].acks)
            async with http.post(f"{base}calls/{phones[1].id}/dtmf", json={"digits": "7x"}) as resp:
                assert (await resp.json())["pressed"] == "7"
            await phones[1].until(lambda: phones[1].seen("Call.ToneReceived", tone="7"))
            for phone in phones:
                async with http.post(f"{base}calls/{phone.id}/hangup") as resp:
                    assert resp.status == 200
            for phone in phones:
                await asyncio.wait_for(phone.ended.wait(), 20)
                ended, last = phone.records[-2:]
                assert ended["type"] == "softphone" and ended["state"] == "ended" and ended["errors"] == 0
                async with http.get(base + last["timeline"]) as resp:
                    assert resp.status == 200 and (await resp.read())[:4] == b"\x89PNG"
                await phone.close()
            async with http.get(base + "calls") as resp:
                states = {c["id"]: c["session"] for c in await resp.json()}
        await runner.cleanup()
        assert states == {phones[0].id: "terminated", phones[1].id: "terminated"}
        return phones

    first, second = run(main(), virtual=False)
    assert first.codec.lower().startswith("opus") and second.codec.upper().startswith("PCMU")
    assert first.id != second.id
    for phone in (first, second):
        names = [r.get("name") for r in phone.records]
        assert names.index("Call.Connected") < names.index("Cartesia.Agents.ACK")
        assert "Application.Terminated" in names
        assert phone.seen("Call.Disconnected", internalCode=200)
        assert not any(r["type"] == "error" for r in phone.records)
    voice = [r for r in first.records if r["type"] == "media" and r["source"] == "call-1"]
    assert [r["action"] for r in voice[:2]] == ["start", "stop"] and voice[0]["kind"] == "speech"
    assert "text" not in voice[0]  # a microphone's speech has no words


def test_bad_requests_are_refused(tmp_path: Path) -> None:
    async def main() -> list[int]:
        runner, base = await _serve(_config(tmp_path))
        codes = []
        async with aiohttp.ClientSession() as http:
            for body in ({"nope": 1}, {"sdp": "v=0", "type": "answer"}, {"sdp": "x", "type": "offer", "codec": "g729"},
                         {"sdp": "v=0\r\nm=video 9 RTP 96\r\n", "type": "offer"}):
                async with http.post(base + "calls", json=body) as resp:
                    codes.append(resp.status)
            for path in ("calls/c99/events", "calls/c99/timeline.png", "static/..%2Fserver.py", "static/nope.js"):
                async with http.get(base + path) as resp:
                    codes.append(resp.status)
            async with http.get(base + "static/app.js") as resp:
                codes.append(resp.status)
        await runner.cleanup()
        return codes

    assert run(main(), virtual=False) == [400, 400, 400, 400, 404, 404, 404, 404, 200]


def test_a_scenario_that_does_not_compile_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.js"
    broken.write_text("VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {\n", encoding="utf-8")

    async def main() -> tuple[int, str]:
        runner, base = await _serve(SoftphoneConfig(scenarios=(broken,), work_dir=tmp_path))
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.addTransceiver("audio")
        await pc.setLocalDescription(await pc.createOffer())
        async with aiohttp.ClientSession() as http:
            async with http.post(base + "calls", json={"sdp": pc.localDescription.sdp, "type": "offer"}) as resp:
                result = resp.status, await resp.text()
        await pc.close()
        await runner.cleanup()
        return result

    status, text = run(main(), virtual=False)
    assert status == 422 and "SyntaxError" in text


def test_negotiated_codec_reads_the_first_payload_type() -> None:
    sdp = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0 111\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n"
    assert negotiated_codec(sdp) == "PCMU/8000"
    assert negotiated_codec(sdp.replace("SAVPF 0 111", "SAVPF 111 0")) == "opus/48000/2"
    assert negotiated_codec("v=0\r\n") is None


def test_the_scenario_hangs_up_and_the_page_ends_the_lingering_session(tmp_path: Path) -> None:
    scenario = tmp_path / "lingers.js"
    scenario.write_text("""
VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  e.call.addEventListener(CallEvents.Connected, () => {
    e.call.say("Short and sweet.");
    e.call.addEventListener(CallEvents.PlaybackFinished, () => e.call.hangup());
  });
  e.call.answer();   // no terminate(): VoxEngine would keep the session 60 s after the call
});
""", encoding="utf-8")

    async def main() -> tuple[Phone, str, str]:
        runner, base = await _serve(SoftphoneConfig(scenarios=(scenario,), work_dir=tmp_path))
        async with aiohttp.ClientSession() as http:
            phone = Phone(base, http)
            await phone.call("pcmu")
            await phone.until(lambda: any(r.get("state") == "disconnected" for r in phone.records))
            call = runner.app[CALLS_KEY][phone.id]
            lingering = call.session.state
            async with http.post(f"{base}calls/{phone.id}/hangup") as resp:
                assert resp.status == 200
            await asyncio.wait_for(phone.ended.wait(), 10)
            await phone.close()
        await runner.cleanup()
        return phone, lingering, call.session.state

    phone, lingering, final = run(main(), virtual=False)
    assert (lingering, final) == ("running", "terminated")
    assert phone.peak() > 3000  # "Short and sweet." was heard
    note = next(r for r in phone.records if r.get("state") == "disconnected")
    assert note["event"] == "Call.Disconnected" and note["code"] == 200
    names = [r.get("name") for r in phone.records]
    assert names.count("Call.Disconnected") == 1 and names[-1] is None  # softphone records close the stream


def test_the_page_says_how_microphone_speech_is_heard() -> None:
    from voxsim.tools.softphone.server import hearing_note

    assert "unrecognised speech" in hearing_note({"cartesia": {"mode": "local"}})
    assert "unrecognised speech" in hearing_note(None)
    assert "real Cartesia service" in hearing_note({"cartesia": {"mode": "live"}})
    assert "pocketsphinx" in hearing_note(None)
