"""The softphone's aiohttp server: the page, offer/answer, the event stream, keypad fallback, hang-up, timeline.

Routes (all JSON unless said):
``GET /`` the page; ``GET /static/*`` its JS/CSS; ``GET /config`` defaults and how microphone speech is heard;
``POST /calls`` ``{sdp, type, callerid?, destination?, codec?}`` -> ``{id, sdp, type, codec}``;
``GET /calls/{id}/events`` Server-Sent Events, one trace record (JSON) per ``data:`` line, ``event: end`` last;
``POST /calls/{id}/dtmf`` ``{digits}`` (the data channel is the normal way); ``POST /calls/{id}/hangup``;
``GET /calls/{id}/timeline.png`` once the call has ended; ``GET /calls`` the calls and their states.
The server binds 127.0.0.1 only: aioice is made to gather just the loopback candidate, for the server's lifetime.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web

from voxsim.runtime.media.rtc import loopback_only

from .phonecall import CODECS, PhoneCall, PhoneCallOptions

__all__ = ["SoftphoneConfig", "create_app", "serve", "hearing_note", "CONFIG_KEY", "CALLS_KEY"]

_STATIC = resources.files("voxsim.tools.softphone") / "static"


@dataclass
class SoftphoneConfig:
    """What ``voxsim serve`` was started with."""

    scenarios: tuple[Path, ...]
    host: str = "127.0.0.1"
    port: int = 8080
    callerid: str = "+15551234567"
    destination: str = "+18005550100"
    custom_data: str = ""
    max_seconds: float = 3600.0
    work_dir: Path | None = None
    settings: dict[str, Any] = field(default_factory=dict)


CONFIG_KEY = web.AppKey("config", SoftphoneConfig)
CALLS_KEY = web.AppKey("calls", dict)
_WORK_KEY = web.AppKey("work_dir", Path)


def hearing_note(settings: Mapping[str, Any] | None = None) -> str:
    """How speech from a real microphone is understood (shown on the page)."""
    from voxsim.runtime.media.asr import pocketsphinx_available

    asr = ("VoxEngine ASR in the scenario recognises it with pocketsphinx" if pocketsphinx_available()
           else "VoxEngine ASR in the scenario reports an error (pip install 'voxsim[asr]' adds pocketsphinx)")
    if ((settings or {}).get("cartesia") or {}).get("mode") == "live":
        return "Your speech goes to the real Cartesia service, which transcribes it itself. " + asr + "."
    return ("Your microphone has no transcript: the emulated Cartesia agent detects each utterance with its VAD and "
            "treats it as unrecognised speech (its script's silent_fallback reply). " + asr + ".")


async def _index(request: web.Request) -> web.Response:
    return web.Response(text=(_STATIC / "index.html").read_text(encoding="utf-8"), content_type="text/html")


async def _static(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    types = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}
    suffix = Path(name).suffix
    entry = _STATIC / name
    if "/" in name or name.startswith(".") or suffix not in types or not entry.is_file():
        raise web.HTTPNotFound()
    return web.Response(text=entry.read_text(encoding="utf-8"), content_type=types[suffix])


async def _config(request: web.Request) -> web.Response:
    config = request.app[CONFIG_KEY]
    return web.json_response({
        "scenarios": [p.name for p in config.scenarios],
        "callerid": config.callerid,
        "destination": config.destination,
        "codecs": list(CODECS),
        "hearing": hearing_note(config.settings),
    })


def _call(request: web.Request) -> PhoneCall:
    call = request.app[CALLS_KEY].get(request.match_info["id"])
    if call is None:
        raise web.HTTPNotFound(text="no such call")
    return call


async def _offer(request: web.Request) -> web.Response:
    from voxsim.engine.errors import JSSyntaxError

    try:
        body = await request.json()
        sdp, kind = str(body["sdp"]), str(body.get("type", "offer"))
    except (ValueError, KeyError, TypeError):
        raise web.HTTPBadRequest(text="expected JSON {sdp, type}") from None
    if kind != "offer":
        raise web.HTTPBadRequest(text="expected an offer")
    config = request.app[CONFIG_KEY]
    codec = str(body.get("codec") or "opus").lower()
    if codec not in CODECS:
        raise web.HTTPBadRequest(text=f"codec must be one of {', '.join(CODECS)}")
    calls = request.app[CALLS_KEY]
    call_id = f"c{len(calls) + 1}"  # calls stay listed after they end, so ids are never reused
    options = PhoneCallOptions(
        scenarios=config.scenarios, work_dir=request.app[_WORK_KEY],
        callerid=str(body.get("callerid") or config.callerid),
        destination=str(body.get("destination") or config.destination),
        codec=codec, custom_data=config.custom_data, max_seconds=config.max_seconds, settings=config.settings)
    calls[call_id] = call = PhoneCall(call_id, options)
    try:
        answer = await call.accept(sdp, kind)
    except JSSyntaxError as exc:
        await call.close()
        raise web.HTTPUnprocessableEntity(text=str(exc)) from None
    except ValueError as exc:  # aiortc: an SDP it cannot use
        await call.close()
        raise web.HTTPBadRequest(text=f"bad offer: {exc}") from None
    return web.json_response({"id": call_id, "codec": call.codec, **answer})


async def _events(request: web.Request) -> web.StreamResponse:
    call = _call(request)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    queue = call.subscribe()
    try:
        while True:
            line = await queue.get()
            if line is None:
                await response.write(b"event: end\ndata: {}\n\n")
                break
            await response.write(f"data: {line}\n\n".encode())
    except ConnectionResetError:
        pass
    finally:
        call.unsubscribe(queue)
    return response


async def _dtmf(request: web.Request) -> web.Response:
    call = _call(request)
    try:
        digits = str((await request.json())["digits"])
    except (ValueError, KeyError, TypeError):
        raise web.HTTPBadRequest(text="expected JSON {digits}") from None
    pressed = [d for d in digits.upper() if d in "0123456789*#ABCD"]
    for digit in pressed:
        call.press(digit)
    return web.json_response({"pressed": "".join(pressed)})


async def _hangup(request: web.Request) -> web.Response:
    call = _call(request)
    call.hangup()
    return web.json_response({"id": call.id, "ended": call.ended.is_set()})


async def _timeline(request: web.Request) -> web.FileResponse:
    call = _call(request)
    if call.timeline is None or not call.timeline.exists():
        raise web.HTTPNotFound(text="the timeline is drawn when the call has ended")
    return web.FileResponse(call.timeline, headers={"Content-Type": "image/png"})


async def _list(request: web.Request) -> web.Response:
    return web.json_response([
        {"id": c.id, "ended": c.ended.is_set(), "codec": c.codec,
         "session": c.session.state if c.session is not None else None}
        for c in request.app[CALLS_KEY].values()])


async def _lifetime(app: web.Application) -> AsyncIterator[None]:
    with contextlib.ExitStack() as stack:
        stack.enter_context(loopback_only())
        work = app[CONFIG_KEY].work_dir
        if work is None:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="voxsim-serve-")))
        work.mkdir(parents=True, exist_ok=True)
        app[_WORK_KEY] = work
        try:
            yield
        finally:
            calls = list(app[CALLS_KEY].values())
            await asyncio.gather(*(c.close() for c in calls), return_exceptions=True)


def create_app(config: SoftphoneConfig) -> web.Application:
    """The softphone application for ``config`` (run it with ``web.AppRunner`` or ``serve``)."""
    app = web.Application()
    app[CONFIG_KEY] = config
    app[CALLS_KEY] = {}
    app.cleanup_ctx.append(_lifetime)
    app.router.add_get("/", _index)
    app.router.add_get("/static/{name}", _static)
    app.router.add_get("/config", _config)
    app.router.add_get("/calls", _list)
    app.router.add_post("/calls", _offer)
    app.router.add_get("/calls/{id}/events", _events)
    app.router.add_post("/calls/{id}/dtmf", _dtmf)
    app.router.add_post("/calls/{id}/hangup", _hangup)
    app.router.add_get("/calls/{id}/timeline.png", _timeline)
    return app


async def serve(config: SoftphoneConfig, started: asyncio.Future[str] | None = None) -> None:
    """Run the softphone until cancelled; ``started`` gets the page's URL once it listens."""
    runner = web.AppRunner(create_app(config), handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, config.host, config.port).start()
        url = f"http://{config.host}:{runner.addresses[0][1]}/"
        if started is not None and not started.done():
            started.set_result(url)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
