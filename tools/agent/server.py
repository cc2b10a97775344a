"""The local Cartesia Line agent emulator: an aiohttp server speaking the Calls API on 127.0.0.1.

Routes (as on api.cartesia.ai): ``POST /access-token`` (mint a short-lived token from an API key),
``GET /agents/stream/{agent_id}`` (the Calls API WebSocket, see ``stream.py``), ``GET /tts/websocket`` (Cartesia TTS
WebSocket subset for ``Cartesia.createRealtimeTTSPlayer``, see ``tts.py``). voxsim starts one itself; ``voxsim agent``
runs one alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import aiohttp
from aiohttp import web

from .brain import Brain
from .faults import Fault, parse_faults
from .memory import MemoryTransport
from .script import load_brain_factory
from .stream import AgentStream, StreamConfig
from .tts import serve_tts, tts_websocket

__all__ = ["AgentEmulator", "EmulatorConfig", "BrainFactory"]

BrainFactory = Callable[[], Brain]


@dataclass(slots=True)
class EmulatorConfig:
    """What the emulator accepts. ``api_key=None`` accepts any (or no) credentials; ``agents=None`` any agent id."""

    api_key: str | None = None
    agents: frozenset[str] | None = None
    require_version: bool = False
    token_ttl_max: int = 3600
    stream: StreamConfig = field(default_factory=StreamConfig)
    faults: tuple[Fault, ...] = ()  # tools/agent/faults.py; a script's own ``faults:`` add to these

    def __post_init__(self) -> None:
        if not all(isinstance(f, Fault) for f in self.faults):
            self.faults = parse_faults(list(self.faults))


class AgentEmulator:
    """Start with ``await emulator.start()`` (binds 127.0.0.1, port 0 by default); ``base_url`` is then the HTTP base.

    ``brains`` maps agent ids to brain factories; other ids use ``default_brain`` (the built-in script unless given).
    Every stream served is kept in ``streams`` for assertions.
    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        default_brain: BrainFactory | None = None,
        brains: dict[str, BrainFactory] | None = None,
    ) -> None:
        self.config = config or EmulatorConfig()
        self.default_brain = default_brain or load_brain_factory(None)
        self.brains = dict(brains or {})
        self.streams: list[AgentStream] = []
        self.token_requests: list[dict[str, Any]] = []
        self.rejected: list[dict[str, Any]] = []
        self._tokens: dict[str, tuple[float, dict[str, Any]]] = {}
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.host = "127.0.0.1"
        self.port = 0
        self.app = web.Application()
        self.app.router.add_post("/access-token", self._access_token)
        self.app.router.add_get("/agents/stream/{agent_id}", self._agents_stream)
        self.app.router.add_get("/tts/websocket", self._tts)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` — give it to the client as its base URL (it derives ``ws://`` itself)."""
        return f"http://{self.host}:{self.port}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Bind and serve; returns ``base_url``."""
        self._runner = web.AppRunner(self.app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = cast(asyncio.Server, site._server)
        self.host, self.port = host, server.sockets[0].getsockname()[1]
        self._http = aiohttp.ClientSession()
        return self.base_url

    async def stop(self) -> None:
        """Close every stream and the server."""
        for stream in list(self.streams):
            with contextlib.suppress(Exception):
                await stream.ws.close(code=1001, message=b"emulator shutting down")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._http is not None:
            await self._http.close()
            self._http = None
        for factory in {id(f): f for f in [self.default_brain, *self.brains.values()]}.values():
            stop = getattr(factory, "stop", None)
            if stop is not None:
                with contextlib.suppress(Exception):
                    await stop()

    async def __aenter__(self) -> AgentEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- auth ---------------------------------------------------------------------------------------------------------

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def _token_ok(self, token: str) -> bool:
        entry = self._tokens.get(token)
        return entry is not None and entry[0] > self._now() and bool(entry[1].get("agent"))

    def _authorised(self, request: web.Request) -> bool:
        key = self.config.api_key
        bearer = request.headers.get("Authorization", "")
        bearer = bearer[7:].strip() if bearer.lower().startswith("bearer ") else ""
        header_key = request.headers.get("X-API-Key", "")
        query_token = request.query.get("access_token", "")
        if key is None:
            return True
        return (
            header_key == key
            or bearer == key
            or (bool(bearer) and self._token_ok(bearer))
            or (bool(query_token) and self._token_ok(query_token))
        )

    def _version(self, request: web.Request) -> str | None:
        return request.headers.get("Cartesia-Version") or request.query.get("cartesia_version")

    async def _access_token(self, request: web.Request) -> web.Response:
        bearer = request.headers.get("Authorization", "")
        api_key = bearer[7:].strip() if bearer.lower().startswith("bearer ") else request.headers.get("X-API-Key", "")
        entry: dict[str, Any] = {"version": self._version(request), "api_key_given": bool(api_key)}
        self.token_requests.append(entry)
        if not self._version(request) and self.config.require_version:
            return web.json_response({"error": "Cartesia-Version header is required"}, status=400)
        if (not api_key or (self.config.api_key is not None and api_key != self.config.api_key)
                or self._refuse_auth(None, "token")):
            entry["status"] = 401
            return web.json_response({"error": "Invalid API key"}, status=401)
        try:
            body = await request.json()
        except ValueError:
            body = None
        grants = body.get("grants") if isinstance(body, dict) else None
        expires_in = body.get("expires_in", 3600) if isinstance(body, dict) else None
        if not isinstance(grants, dict) or not isinstance(expires_in, int) or isinstance(expires_in, bool):
            entry["status"] = 400
            return web.json_response({"error": "expected {grants: {...}, expires_in: int}"}, status=400)
        if not 0 < expires_in <= self.config.token_ttl_max:
            entry["status"] = 400
            return web.json_response({"error": f"expires_in must be 1..{self.config.token_ttl_max}"}, status=400)
        token = "tok_" + secrets.token_hex(16)
        self._tokens[token] = (self._now() + expires_in, {k: bool(v) for k, v in grants.items()})
        entry["status"] = 200
        return web.json_response({"token": token})

    # -- routes -------------------------------------------------------------------------------------------------------

    def _faults(self, agent_id: str | None) -> tuple[Fault, ...]:
        factory = self.brains.get(agent_id, self.default_brain) if agent_id is not None else self.default_brain
        return tuple(self.config.faults) + tuple(getattr(factory, "faults", ()))

    def _refuse_auth(self, agent_id: str | None, at: str) -> bool:
        return any(f.kind == "refuse_auth" and f.at == at for f in self._faults(agent_id))

    def _refusal(self, request: Any, agent_id: str) -> web.Response | None:
        """Why the upgrade is refused (401 / 400 / 404), or None to accept it."""
        if not self._authorised(request) or self._refuse_auth(agent_id, "upgrade"):
            self.rejected.append({"agent_id": agent_id, "status": 401})
            return web.json_response({"error": "Unauthorized"}, status=401)
        if self.config.require_version and not self._version(request):
            self.rejected.append({"agent_id": agent_id, "status": 400})
            return web.json_response({"error": "Cartesia-Version header or cartesia_version query is required"}, status=400)
        if self.config.agents is not None and agent_id not in self.config.agents:
            self.rejected.append({"agent_id": agent_id, "status": 404})
            return web.json_response({"error": f"agent {agent_id} not found"}, status=404)
        return None

    async def _serve(self, ws: Any, agent_id: str) -> None:
        factory = self.brains.get(agent_id, self.default_brain)
        if self._http is None:
            self._http = aiohttp.ClientSession()
        stream = AgentStream(ws, agent_id, factory(), self.config.stream, self._http, faults=self._faults(agent_id))
        self.streams.append(stream)
        await stream.run(new_stream_id="sid_" + secrets.token_hex(8))

    async def _agents_stream(self, request: web.Request) -> web.StreamResponse:
        agent_id = request.match_info["agent_id"]
        refused = self._refusal(request, agent_id)
        if refused is not None:
            return refused
        ws = web.WebSocketResponse(autoping=False, max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        await self._serve(ws, agent_id)
        return ws

    def memory_transport(self) -> MemoryTransport:
        """An in-process way in (same routes, same frames, no sockets) for sessions on virtual time."""
        return MemoryTransport(self._access_token, self._refusal, self._serve, serve_tts)  # type: ignore[arg-type]

    async def _tts(self, request: web.Request) -> web.StreamResponse:
        if not self._authorised(request) and request.query.get("api_key") != self.config.api_key:
            return web.json_response({"error": "Unauthorized"}, status=401)
        return await tts_websocket(request)
