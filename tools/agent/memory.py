"""An in-process connection to the emulator: the same HTTP and WebSocket exchange, without sockets.

On virtual time every loopback socket read costs the compacted loop idle cycles; a session that runs its agent in the
same process can skip the kernel. ``MemoryTransport`` offers what ``AgentsClient`` needs from aiohttp
(``http_post``, ``ws_connect``) and ``MemorySocket`` behaves like both ends of an aiohttp WebSocket (``receive``,
``async for``, ``send_str``, ``ping``/``pong``, ``close`` with code and reason, ``closed``, ``close_code``). Frames are
the same JSON text, so the protocol code on both sides is unchanged.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from aiohttp import WSMessage, WSMsgType, web
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

from voxsim.runtime.modules.cartesia.client import TransportHandshakeError

__all__ = ["MemorySocket", "MemoryRequest", "MemoryTransport", "socket_pair", "FastReceiver"]

log = logging.getLogger("voxsim.agent")

# A receiving end's synchronous way in: called with a text frame when its reader is idle (waiting, nothing queued);
# returns None when it handled the frame, or the message its reader should get instead (the frame itself, or a
# replacement that carries work left to do). It runs inside the sender's call, so it never sends and never raises.
FastReceiver = Callable[[WSMessage], "WSMessage | None"]


class MemorySocket:
    """One end of an in-memory WebSocket."""

    def __init__(self) -> None:
        # a deque and the readers waiting on it: what asyncio.Queue does, without its per-message bookkeeping
        # (two frames cross every 20 ms tick on virtual time)
        self._inbox: deque[WSMessage] = deque()
        self._waiters: list[asyncio.Future[None]] = []
        self.peer: MemorySocket | None = None
        self.closed = False
        self.close_code: int | None = None
        self._close_sent = False
        self.max_msg_size = 16 * 1024 * 1024  # aiohttp's default on both ends
        self._exception: BaseException | None = None
        # set by the server side on virtual time: one task wake per frame fewer, same order (see FastReceiver)
        self.fast_receiver: FastReceiver | None = None

    def abort(self) -> None:
        """Lose the connection without a close frame: the peer sees CLOSED and code 1006 (as over TCP)."""
        self._close_sent = True
        self.closed = True
        if self.close_code is None:
            self.close_code = 1006
        self._deliver(WSMsgType.CLOSED, None)

    def _deliver(self, kind: WSMsgType, data: Any, extra: Any = None) -> None:
        peer = self.peer
        if peer is not None:
            msg: WSMessage | None = WSMessage(kind, data, extra)
            hook = peer.fast_receiver
            if (hook is not None and kind == WSMsgType.TEXT and peer._waiters and not peer._inbox
                    and not peer._close_sent and len(data) <= peer.max_msg_size):
                try:
                    msg = hook(msg)  # type: ignore[arg-type]
                except Exception:  # the hook's contract is not to raise; never let it reach the sender
                    log.exception("in-memory fast receiver failed")
                    return
                if msg is None:
                    return
            peer._inbox.append(msg)  # type: ignore[arg-type]
            if peer._waiters:
                for waiter in peer._waiters:
                    if not waiter.done():
                        waiter.set_result(None)
                peer._waiters.clear()

    async def _next(self) -> WSMessage:
        while not self._inbox:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
        return self._inbox.popleft()

    async def send_str(self, data: str) -> None:
        if self._close_sent:
            raise ConnectionResetError("Cannot write to closing transport")
        self._deliver(WSMsgType.TEXT, data)

    async def send_bytes(self, data: bytes) -> None:
        if self._close_sent:
            raise ConnectionResetError("Cannot write to closing transport")
        self._deliver(WSMsgType.BINARY, data)

    async def send_json(self, data: Any) -> None:
        await self.send_str(json.dumps(data))

    async def ping(self, message: bytes = b"") -> None:
        self._deliver(WSMsgType.PING, message)

    async def pong(self, message: bytes = b"") -> None:
        self._deliver(WSMsgType.PONG, message)

    async def close(self, *, code: int = 1000, message: bytes = b"") -> bool:
        """Send a close frame (once); the peer echoes it."""
        if self._close_sent:
            return False
        self._close_sent = True
        if self.close_code is None:
            self.close_code = code
        self._deliver(WSMsgType.CLOSE, code, message.decode("utf-8", "replace"))
        self.closed = True
        return True

    async def receive(self, timeout: float | None = None) -> WSMessage:
        """The next message; after our own close, data still in flight is dropped until the peer's close echo."""
        while True:
            if self.closed and not self._inbox:
                return WSMessage(WSMsgType.CLOSED, None, None)
            msg = await self._next()
            if msg.type == WSMsgType.CLOSED:  # the peer aborted
                self._close_sent = True
                self.closed = True
                if self.close_code is None:
                    self.close_code = 1006
                return msg
            if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY) and len(msg.data) > self.max_msg_size:
                # as aiohttp: a too-big message is an ERROR and the connection is closed with 1009
                self._exception = ValueError(f"Message size {len(msg.data)} exceeds limit {self.max_msg_size}")
                await self.close(code=1009, message=b"message too big")
                return WSMessage(WSMsgType.ERROR, self._exception, None)
            if msg.type == WSMsgType.CLOSE:
                if self.close_code is None:
                    self.close_code = msg.data
                if not self._close_sent:
                    self._close_sent = True
                    self._deliver(WSMsgType.CLOSE, msg.data, msg.extra)
                self.closed = True
                return msg
            if not self._close_sent:
                return msg

    def exception(self) -> BaseException | None:
        return self._exception

    def __aiter__(self) -> MemorySocket:
        return self

    async def __anext__(self) -> WSMessage:
        msg = await self.receive()
        if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
            raise StopAsyncIteration
        return msg


def socket_pair() -> tuple[MemorySocket, MemorySocket]:
    """Two connected ends (client, server)."""
    a, b = MemorySocket(), MemorySocket()
    a.peer, b.peer = b, a
    return a, b


class MemoryRequest:
    """The parts of an aiohttp request the emulator's handlers read."""

    def __init__(self, url: str, headers: dict[str, str], body: Any = None, params: dict[str, str] | None = None) -> None:
        parts = urlsplit(url)
        self.path = parts.path
        self.headers: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict(headers))
        query = MultiDict(parse_qsl(parts.query))
        query.extend(params or {})
        self.query: MultiDictProxy[str] = MultiDictProxy(query)
        self.match_info: dict[str, str] = {}
        self._body = body

    async def json(self) -> Any:
        if self._body is None:
            raise ValueError("no body")
        return self._body


class MemoryTransport:
    """What an AgentsClient uses instead of aiohttp to reach ``http_handler`` / ``ws_handler`` in process."""

    def __init__(
        self,
        http_handler: Callable[[MemoryRequest], Awaitable[web.Response]],
        ws_refusal: Callable[[MemoryRequest, str], web.Response | None],
        ws_serve: Callable[[MemorySocket, str], Awaitable[None]],
        tts_serve: Callable[[MemorySocket], Awaitable[None]] | None = None,
    ) -> None:
        self._http = http_handler
        self._refusal = ws_refusal
        self._serve = ws_serve
        self._tts = tts_serve
        self._tasks: set[asyncio.Task[None]] = set()

    async def http_post(self, url: str, headers: dict[str, str], body: Any) -> tuple[int, str]:
        response = await self._http(MemoryRequest(url, headers, body))
        return response.status, response.text or ""

    async def ws_connect(self, url: str, headers: dict[str, str], params: dict[str, str]) -> MemorySocket:
        request = MemoryRequest(url, headers, params=params)
        prefix = "/agents/stream/"
        if request.path.endswith("/tts/websocket") and self._tts is not None:
            client, server = socket_pair()
            self._spawn(self._tts(server))
            return client
        if prefix not in request.path:
            raise TransportHandshakeError(404, "Not Found")
        agent_id = request.path.split(prefix, 1)[1]
        refused = self._refusal(request, agent_id)
        if refused is not None:
            raise TransportHandshakeError(refused.status, refused.text or "")
        client, server = socket_pair()
        self._spawn(self._serve(server, agent_id))
        return client

    def _spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
