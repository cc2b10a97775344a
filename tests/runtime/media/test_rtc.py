"""Real time over aiortc: two RTCPeerConnections on 127.0.0.1 (iceServers=[]) carry tones both ways over PCMU."""

from __future__ import annotations

import asyncio

import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender

from voxsim.runtime.clock import Clock, run
from voxsim.runtime.media import players as P
from voxsim.runtime.media.analysis import peak_hz, rms_db
from voxsim.runtime.media.callmedia import CallMedia
from voxsim.runtime.media.rtc import RtcRemote, loopback_only
from voxsim.runtime.media.units import MediaGraph, Sink


def _voiced(audio: np.ndarray) -> int:
    return int(np.count_nonzero(np.abs(audio) > 1000))


async def _connect(pc1: RTCPeerConnection, pc2: RTCPeerConnection) -> None:
    await pc1.setLocalDescription(await pc1.createOffer())
    await pc2.setRemoteDescription(pc1.localDescription)
    await pc2.setLocalDescription(await pc2.createAnswer())
    await pc1.setRemoteDescription(pc2.localDescription)


def test_tones_cross_a_loopback_webrtc_link_both_ways() -> None:
    async def main():
        clock = Clock()
        graph = MediaGraph(clock)
        near, far = RtcRemote(8000), RtcRemote(8000)  # voxsim's call leg, and the "softphone"
        call = CallMedia(graph, near, 8000, name="call-1")
        phone = CallMedia(graph, far, 8000, name="softphone")
        to_phone = P.create_tone_script_player(graph, "1000@-10;*(1/0/1)")
        to_call = P.create_tone_script_player(graph, "600@-10;*(1/0/1)")
        to_phone.send_media_to(call)
        to_call.send_media_to(phone)
        heard_by_phone, heard_by_call = Sink(graph), Sink(graph)
        phone.send_media_to(heard_by_phone)
        call.send_media_to(heard_by_call)
        call.start()
        phone.start()
        config = RTCConfiguration(iceServers=[])
        pc1, pc2 = RTCPeerConnection(config), RTCPeerConnection(config)
        pcmu = [c for c in RTCRtpSender.getCapabilities("audio").codecs if c.mimeType == "audio/PCMU"]
        pc1.addTransceiver(near.outbound, direction="sendrecv").setCodecPreferences(pcmu)
        pc2.addTrack(far.outbound)
        pc1.on("track", near.attach_inbound)
        pc2.on("track", far.attach_inbound)
        with loopback_only():
            await _connect(pc1, pc2)
            for _ in range(60):  # up to 15 s on a loaded machine; normally ~2 s
                await asyncio.sleep(0.25)
                if min(_voiced(heard_by_phone.audio()), _voiced(heard_by_call.audio())) > 12000:
                    break
        to_phone.stop()
        to_call.stop()
        await near.close()
        await far.close()
        await pc1.close()
        await pc2.close()
        graph.stop()
        return heard_by_phone.audio(), heard_by_call.audio(), graph.lateness

    at_phone, at_call, lateness = run(main(), virtual=False)
    for audio, hz in ((at_phone, 1000), (at_call, 600)):
        assert _voiced(audio) > 12000  # 1.5 s of the tone made it across
        tail = audio[-8000:]
        assert abs(peak_hz(tail, 8000) - hz) < 5
        frames = tail.reshape(-1, 160)
        voiced = frames[np.abs(frames).max(axis=1) > 1000]  # a late packet on a loaded machine is a silent frame
        assert abs(rms_db(voiced.reshape(-1)) - (-13.01)) < 1.0  # PCMU (µ-law) keeps the level within 1 dB
    assert np.percentile(lateness, 50) < 0.02
