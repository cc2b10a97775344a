"""WebSocket media from JavaScript: call audio out as start/media frames, socket audio into the call, MEDIA events."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import numpy as np
import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

from voxsim.runtime.clock import run
from voxsim.runtime.media import formats as f
from voxsim.runtime.media.analysis import peak_hz
from voxsim.runtime.media.tones import sine
from voxsim.runtime.network import Caller, Network
from voxsim.runtime.session import Session, SessionOptions

import voxsim.engine.script  # noqa: F401 - these tests run JS

SCENARIO = """
VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  const call = e.call;
  call.answer();
  call.addEventListener(CallEvents.Connected, () => {
    const ws = VoxEngine.createWebSocket(URL);
    ws.addEventListener(WebSocketEvents.OPEN, () => {
      call.sendMediaTo(ws, {encoding: WebSocketAudioEncoding.ULAW, tag: "caller", customParameters: {a: "b"}});
      ws.sendMediaTo(call);
    });
    ws.onmediastarted = (ev) => Logger.write("media started " + ev.encoding + " " + ev.tag);
    ws.addEventListener(WebSocketEvents.MEDIA_ENDED, (ev) => {
      Logger.write("media ended " + ev.mediaInfo.duration.toFixed(1));
      ws.close();
      call.hangup();
    });
  });
  call.addEventListener(CallEvents.Disconnected, () => VoxEngine.terminate());
});
"""


def test_call_audio_to_a_websocket_and_back(tmp_path) -> None:
    received: list[dict[str, Any]] = []

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        reply = f.ulaw_encode(sine([(600.0, -10.0)], 1.0, 8000))
        await ws.send_str(json.dumps({"event": "start", "sequenceNumber": 0,
                                      "start": {"mediaFormat": {"encoding": "ULAW", "sampleRate": 8000},
                                                "tag": "bot"}}))
        for i in range(0, len(reply), 160):
            await ws.send_str(json.dumps({"event": "media", "media": {"payload": f.b64_encode(reply[i : i + 160])}}))
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                received.append(json.loads(msg.data))
        return ws

    async def main() -> tuple[Session, Any]:
        app = web.Application()
        app.router.add_get("/", handler)
        server = TestServer(app, host="127.0.0.1", port=0)
        await server.start_server()
        options = SessionOptions(network=Network(), epoch=0.0, settings={"recordings_dir": str(tmp_path)})
        session = Session(options)
        session.load(SCENARIO.replace("URL", json.dumps(f"ws://127.0.0.1:{server.port}/")))
        caller = Caller(extra={"speak": [{"at": 0.5, "tone": 1000, "duration": 1.0}]})
        await session.start(inbound=caller)
        await asyncio.sleep(0.1)
        party = next(iter(session.calls.values())).media.party
        party.keep_audio = True
        await session.wait(max_seconds=60)
        session.close()
        await server.close()
        return session, party

    session, party = run(main(), virtual=True)
    logs = [r.fields.get("text") for r in session.trace.find("log")]
    assert logs == ["media started ULAW bot", "media ended 1.0"]
    assert received[0]["event"] == "start"
    assert received[0]["start"] == {"mediaFormat": {"encoding": "ULAW", "sampleRate": 8000},
                                    "customParameters": {"a": "b"}, "tag": "caller"}
    media = [m for m in received if m["event"] == "media"]
    pcm = np.concatenate([f.ulaw_decode(f.b64_decode(m["media"]["payload"])) for m in media])
    loud = pcm[np.abs(pcm) > 1000]
    assert loud.size > 4000 and abs(peak_hz(pcm, 8000) - 1000) < 5  # the caller's tone went out
    heard = np.concatenate([p for _, p in party.audio_heard])
    assert abs(peak_hz(heard, 8000) - 600) < 5  # the socket's tone came in
