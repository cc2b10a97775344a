"""One browser call: a VoxEngine session whose inbound call's far end is the browser's WebRTC peer.

The session starts only once the peer connection is up, so the scenario's first words (the agent's greeting) are
not spent on an unconnected line. Every trace record is kept as a JSON line and fanned out to subscribers (the page's
Server-Sent Events stream); ``softphone`` records (codec, keypad, state) are the server's own and never reach the trace.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender, RTCSessionDescription

from voxsim.runtime.network import Network
from voxsim.runtime.session import Session, SessionOptions

from .voice import MicRemote

__all__ = ["PhoneCall", "PhoneCallOptions", "CODECS", "DTMF_KEYS"]

log = logging.getLogger("voxsim.softphone")

#: Codec choices of the page -> aiortc mime type.
CODECS = {"opus": "audio/opus", "pcmu": "audio/PCMU"}
DTMF_KEYS = frozenset("0123456789*#ABCD")
CONNECT_TIMEOUT = 15.0  # seconds for ICE + DTLS before the call is given up
_render_lock = threading.Lock()  # matplotlib is not safe to drive from two threads at once


@dataclass
class PhoneCallOptions:
    """What a browser call runs: the scenario files, the caller, the codec, session settings."""

    scenarios: tuple[Path, ...]
    work_dir: Path
    callerid: str = "+15551230000"
    destination: str = "+18005550100"
    codec: str = "opus"
    custom_data: str = ""
    max_seconds: float = 3600.0
    settings: Mapping[str, Any] = field(default_factory=dict)


class PhoneCall:
    """A call from the page: ``await accept(offer)`` returns the answer; ``subscribe()`` streams its records."""

    def __init__(self, call_id: str, options: PhoneCallOptions) -> None:
        self.id = call_id
        self.options = options
        self.lines: list[str] = []  # every record, as JSON, in order
        self.ended = asyncio.Event()
        self.timeline: Path | None = None
        self.codec: str | None = None
        self.digits: list[str] = []
        self.session: Session | None = None
        self.call: Any = None
        self.remote = MicRemote(8000, on_voice=self._voice)
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self._subscribers: set[asyncio.Queue[str | None]] = set()
        self._connected = asyncio.Event()
        self._hung_up = False
        self._media_closed = False
        self._task: asyncio.Task[None] | None = None

    # -- the event stream ------------------------------------------------------------------------------------------

    def subscribe(self) -> asyncio.Queue[str | None]:
        """A queue that gets every record from the start (JSON lines), then ``None`` once the call has ended."""
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        for line in self.lines:
            queue.put_nowait(line)
        if self.ended.is_set():
            queue.put_nowait(None)
        else:
            self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[str | None]) -> None:
        """Stop feeding ``queue``."""
        self._subscribers.discard(queue)

    def _publish(self, line: str) -> None:
        self.lines.append(line)
        for queue in self._subscribers:
            queue.put_nowait(line)

    def note(self, **fields: Any) -> None:
        """A ``softphone`` record for the page (not part of the session trace)."""
        t = self.session.clock.now() if self.session is not None else 0.0
        self._publish(json.dumps({"type": "softphone", "t": round(t, 6), **fields}, default=str))

    # -- signalling ------------------------------------------------------------------------------------------------

    async def accept(self, sdp: str, kind: str = "offer") -> dict[str, str]:
        """Answer the browser's offer (non-trickle: the answer carries aiortc's candidates) and start the call.

        Raises ``voxsim.engine.errors.JSSyntaxError`` when a scenario does not compile.
        """
        opts = self.options
        network = Network().with_caller(callerid=opts.callerid, destination=opts.destination)
        settings = {"recordings_dir": str(opts.work_dir / "recordings"), **dict(opts.settings)}
        # Built in pieces (a loop turn after the realm, each installer and each compile): calls already live on this
        # loop keep their media ticks while a new one starts.
        self.session = session = await Session.create(SessionOptions(network=network, custom_data=opts.custom_data,
                                                                     settings=settings))
        session.trace.add_listener(lambda record: self._publish(record.to_json()))
        for path in opts.scenarios:
            await session.load_async(Path(path).read_text(encoding="utf-8"), filename=str(path))
        session.events.on("Application.CallAlerting", self._alerting)

        pc = self.pc
        pc.on("track", self._track)
        pc.on("datachannel", self._datachannel)
        pc.on("connectionstatechange", self._state_changed)
        # aiortc applies codec preferences while it reads the offer, and the offer's audio section takes the first
        # free transceiver of its kind: so the transceiver (with our track and preference) comes first.
        preferred = CODECS.get(opts.codec, CODECS["opus"]).lower()
        codecs = RTCRtpSender.getCapabilities("audio").codecs
        transceiver = pc.addTransceiver(self.remote.outbound, direction="sendrecv")
        transceiver.setCodecPreferences(sorted(codecs, key=lambda c: c.mimeType.lower() != preferred))
        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=kind))
        await pc.setLocalDescription(await pc.createAnswer())
        self.codec = negotiated_codec(pc.localDescription.sdp)
        self.note(state="answered", codec=self.codec, callerid=opts.callerid, destination=opts.destination)
        log.info("%s: %s -> %s, %s", self.id, opts.callerid, opts.destination, self.codec)
        self._task = asyncio.get_running_loop().create_task(self._run())
        return {"sdp": pc.localDescription.sdp, "type": pc.localDescription.type}

    def _track(self, track: Any) -> None:
        if track.kind == "audio":
            self.remote.attach_inbound(track)

    def _datachannel(self, channel: Any) -> None:
        def on_message(message: Any) -> None:
            text = message if isinstance(message, str) else message.decode("utf-8", "replace")
            for key in text.strip().upper():
                if key in DTMF_KEYS:
                    self.press(key)
                    channel.send(f"ack:{key}")

        channel.on("message", on_message)

    def _state_changed(self) -> None:
        state = self.pc.connectionState
        self.note(connection=state)
        if state == "connected":
            self._connected.set()
        elif state in ("failed", "closed") and not self._media_closed:  # the browser went away
            self.hangup()

    def _alerting(self, payload: Mapping[str, Any]) -> None:
        self.call = payload["call"]
        self.call.media.attach_remote(self.remote)
        self.call.events.on("Call.Disconnected", lambda payload: self._call_over(payload, "Call.Disconnected"))
        self.call.events.on("Call.Failed", lambda payload: self._call_over(payload, "Call.Failed"))

    def _call_over(self, payload: Mapping[str, Any], event: str) -> None:
        """The call is over (either side) while the session may go on: free the line, tell the page."""
        self.remote.stop_voice()
        if not self._hung_up:  # the scenario ended it; the page may still end the session with Hang up
            self.note(state="disconnected", event=event, code=payload.get("internalCode", payload.get("code")),
                      reason=payload.get("reason"))
        asyncio.get_running_loop().create_task(self._close_media())

    def _voice(self, action: str) -> None:
        """The caller started or stopped talking: a ``media`` speech span (no words: a real microphone)."""
        session, call = self.session, self.call
        if session is None or call is None or session.state != "running":
            return
        unit = call.media.media_unit
        target = {"target": unit.outputs[0].name} if unit.outputs else {}
        fields = {"kind": "speech"} if action == "start" else {"reason": "end"}
        session.trace.record("media", action=action, source=call.trace_id, **target, **fields)

    # -- the call --------------------------------------------------------------------------------------------------

    async def _run(self) -> None:
        session = self.session
        assert session is not None
        try:
            try:
                await asyncio.wait_for(self._connected.wait(), CONNECT_TIMEOUT)
            except TimeoutError:
                self.note(state="failed", reason=f"WebRTC did not connect in {CONNECT_TIMEOUT:g} s")
                return
            if self._hung_up:
                return
            await session.start(inbound=session.network.caller)
            await session.wait(max_seconds=self.options.max_seconds)
        except Exception as exc:  # the server must outlive a broken call; the page is told why
            log.exception("softphone call %s failed", self.id)
            self.note(state="error", reason=f"{type(exc).__name__}: {exc}")
        finally:
            await self._close_media()
            self.note(state="ended", errors=len(session.errors))
            await self._render_timeline()  # a second or more of matplotlib: the page already shows the end
            if self.timeline is not None:
                self.note(timeline=f"calls/{self.id}/timeline.png")
            log.info("%s: session %s%s", self.id, session.state,
                     f", timeline {self.timeline}" if self.timeline is not None else "")
            self.ended.set()
            for queue in self._subscribers:
                queue.put_nowait(None)
            self._subscribers.clear()

    def press(self, key: str) -> None:
        """A keypad digit from the page: ``Call.ToneReceived`` in the scenario (if it listens for tones)."""
        self.digits.append(key)
        self.note(dtmf=key)
        if self.call is not None and self.session is not None and self.session.state == "running":
            self.call.receive_tone(key)

    def hangup(self) -> None:
        """The page hung up: a connected call gets ``Disconnected`` (the scenario decides when its session ends,
        as on VoxEngine); an unanswered or never-connected one ends the session."""
        if self._hung_up:
            return
        self._hung_up = True
        self.note(state="hangup")
        session, call = self.session, self.call
        if session is None:
            return
        if call is not None and call.state == "CONNECTED":
            call.remote_hangup()
        elif session.state == "running":
            session.terminate()
        elif session.state == "new":
            self._connected.set()  # lets _run finish without starting the session

    async def _close_media(self) -> None:
        self._media_closed = True
        with contextlib.suppress(Exception):
            await self.remote.close()
        with contextlib.suppress(Exception):
            await self.pc.close()

    async def _render_timeline(self) -> None:
        session = self.session
        if session is None or session.state != "terminated":
            return
        from voxsim.tools.trace.timeline import render_timeline

        records = session.trace.records
        out = self.options.work_dir / f"{self.id}-timeline.png"

        def draw() -> Path:
            with _render_lock:
                return render_timeline(records, out, title=f"voxsim serve: {self.id}")

        try:
            self.timeline = await asyncio.get_running_loop().run_in_executor(None, draw)
        except Exception as exc:  # a picture is a bonus: the call itself is over and fine
            log.warning("timeline of %s not drawn: %s", self.id, exc)

    async def close(self) -> None:
        """Hang up and wait until the call has ended (server shutdown)."""
        self.hangup()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._task), 10)
        else:
            await self._close_media()
            self.ended.set()


def negotiated_codec(sdp: str) -> str | None:
    """The first codec of the audio m-line of an SDP (``opus/48000/2``, ``PCMU/8000``)."""
    m = re.search(r"^m=audio \S+ \S+ (\d+)", sdp, re.MULTILINE)
    if not m:
        return None
    rtpmap = re.search(rf"^a=rtpmap:{m.group(1)} (\S+)", sdp, re.MULTILINE)
    return rtpmap.group(1) if rtpmap else None
