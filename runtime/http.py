"""The session control URL: ``accessURL`` / ``accessSecureURL`` served by aiohttp.

One :class:`ControlServer` (an HTTP and an HTTPS listener on loopback) serves every session of a run. Each session
registers and gets ``/request/<session-key>/<secret>`` on both; the secret is 128 random bits, so the URL is
unguessable. A request under that prefix becomes an ``AppEvents.HttpRequest`` payload handed to the session's
handler, whose return value is the response body: a string as-is (text/plain), a number as its decimal text,
``None`` as an empty body, anything else as JSON. Wrong key or secret → 404, a body over 64 KB → 413. A WebSocket
upgrade on the same URL is offered to the session when it called ``allowWebSocketConnections()`` (else 403).

A connection must deliver a complete request head within ``header_timeout`` of opening (or of its previous response,
when kept alive), else it is closed without an answer and no session sees it: a slow client (slowloris) cannot hold
sockets; the TLS handshake on the HTTPS port has the same time. A body then has ``body_timeout`` (then 408).

HTTPS uses a self-signed certificate generated at ``start()`` for ``localhost``, ``127.0.0.1`` and ``::1``; a
client trusts it through :attr:`ControlServer.certificate_path` (``curl --cacert``, ``ssl.create_default_context
(cafile=...)``) or :meth:`ControlServer.client_ssl_context`.
"""

from __future__ import annotations

import asyncio
import datetime
import inspect
import ipaddress
import json
import logging
import math
import secrets
import socket
import ssl
import tempfile
import threading
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from .clock import is_virtual

__all__ = [
    "install",
    "shared_server",
    "ControlServer",
    "ControlEndpoint",
    "HttpRequestEvent",
    "MAX_BODY_BYTES",
    "BODY_TIMEOUT",
    "HEADER_TIMEOUT",
    "generate_self_signed",
    "response_body",
]

MAX_BODY_BYTES = 64 * 1024
BODY_TIMEOUT = 10.0
#: Seconds a connection has, on real time, to send a complete request head (``settings["http"]["header_timeout"]``).
HEADER_TIMEOUT = 5.0

log = logging.getLogger("voxsim.http")


class _ClientFaultsAtDebug(logging.Filter):
    """aiohttp logs a malformed request or a client gone mid-request with a traceback at ERROR; the client already got
    its 400 (or is gone), so those are debug noise here. A failure of our own handler stays an ERROR."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, (HttpProcessingError, ConnectionError)):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return log.isEnabledFor(logging.DEBUG)
        return True


log.addFilter(_ClientFaultsAtDebug())


@web.middleware
async def _http1_only(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                      ) -> web.StreamResponse:
    """A request line without ``HTTP/1.0``/``HTTP/1.1`` (an HTTP/0.9 one, ``HTTP/2.0``) never reaches a session and
    gets a clean close: aiohttp would answer it with a status line of that version (``HTTP/0.9 200 OK`` plus
    headers), which no client can parse."""
    if request.version[0] != 1:
        if request.transport is not None:
            request.transport.close()  # what aiohttp then writes goes nowhere
        raise web.HTTPVersionNotSupported(text="HTTP/1.0 or HTTP/1.1 only")
    return await handler(request)


class _TlsSite(web.SockSite):
    """A listener whose TLS handshake has the header timeout too (asyncio's default is 60 s): a client that connects
    to the HTTPS port and stalls before its ClientHello ends is cut off as a stalled request head is."""

    __slots__ = ("_handshake_timeout",)

    def __init__(self, runner: web.AppRunner, sock: socket.socket, *, ssl_context: ssl.SSLContext,
                 handshake_timeout: float | None) -> None:
        super().__init__(runner, sock, ssl_context=ssl_context)
        self._handshake_timeout = handshake_timeout

    async def start(self) -> None:
        if self._handshake_timeout is None:
            await super().start()
            return
        await web.BaseSite.start(self)  # registers the site with its runner, as SockSite.start() does first
        assert self._runner.server is not None
        self._server = await asyncio.get_running_loop().create_server(
            self._runner.server, sock=self._sock, ssl=self._ssl_context, backlog=self._backlog,
            ssl_handshake_timeout=self._handshake_timeout)


RequestHandler = Callable[["HttpRequestEvent"], Union[Any, Awaitable[Any]]]
WebSocketHandler = Callable[["HttpRequestEvent", web.WebSocketResponse], Awaitable[None]]


@dataclass(slots=True)
class HttpRequestEvent:
    """The ``AppEvents.HttpRequest`` payload: method, path (with query), raw body text, X- headers as ``{key, value}``."""

    method: str
    path: str
    content: str
    headers: list[dict[str, str]] = field(default_factory=list)

    def to_js(self) -> dict[str, Any]:
        """The payload fields as the JS event object carries them (the binding adds ``name``)."""
        return {"method": self.method, "path": self.path, "content": self.content, "headers": list(self.headers)}


def response_body(value: Any) -> tuple[str, str]:
    """The body and content type for a handler's return value (already converted to Python)."""
    if value is None:
        return "", "text/plain"
    if isinstance(value, str):
        return value, "text/plain"
    if isinstance(value, bool):
        return json.dumps(value), "application/json"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return ("NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")), "text/plain"
        if float(value).is_integer():
            return str(int(value)), "text/plain"
        return repr(float(value)), "text/plain"
    return json.dumps(value, ensure_ascii=False, default=str), "application/json"


@dataclass(slots=True)
class ControlEndpoint:
    """One session's control URLs; ``close()`` makes them answer 404."""

    server: ControlServer
    session_key: str
    secret: str
    handler: RequestHandler
    websocket_handler: WebSocketHandler | None = None
    allow_websockets: bool = False

    @property
    def prefix(self) -> str:
        """The URL path every request to this session starts with."""
        return f"/request/{self.session_key}/{self.secret}"

    @property
    def access_url(self) -> str:
        """``accessURL`` (http)."""
        return f"http://{self.server.url_host}:{self.server.http_port}{self.prefix}"

    @property
    def access_secure_url(self) -> str:
        """``accessSecureURL`` (https, self-signed certificate)."""
        return f"https://{self.server.url_host}:{self.server.https_port}{self.prefix}"

    def close(self) -> None:
        """Stop answering for this session."""
        self.server._endpoints.pop(self.session_key, None)


def generate_self_signed(directory: Path, hosts: list[str]) -> tuple[Path, Path]:
    """Write ``cert.pem`` and ``key.pem`` (EC P-256, valid one year, SANs for ``hosts``) into ``directory``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "voxsim control URL")])
    # Certificate validity is wall-clock by nature (TLS peers check it against real time), not session time.
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return cert_path, key_path


class ControlServer:
    """HTTP + HTTPS listeners for the control URLs of every session in a run.

    Args:
        host: the address to bind (loopback by default).
        http_port / https_port: 0 picks free ports.
        tls: also serve HTTPS (``accessSecureURL``); without it the secure URL is not served.
        body_timeout: seconds a request body may take to arrive on real time (then 408 and the connection closes).
        header_timeout: seconds from a connection's opening (or its previous response) to a complete request head,
            else the connection closes unanswered. ``None``: :data:`HEADER_TIMEOUT` on real time, none on virtual
            time (the loop would jump past a client still sending); a number applies on both.
    """

    def __init__(self, host: str = "127.0.0.1", http_port: int = 0, https_port: int = 0, *, tls: bool = True,
                 body_timeout: float = BODY_TIMEOUT, header_timeout: float | None = None) -> None:
        self.host = host
        self.body_timeout = body_timeout
        self.header_timeout = header_timeout
        self.url_host = f"[{host}]" if ":" in host else host
        self._ports = (http_port, https_port)
        self._tls = tls
        self.http_port = 0
        self.https_port = 0
        self._endpoints: dict[str, ControlEndpoint] = {}
        self._runner: web.AppRunner | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.certificate_path: Path | None = None

    async def start(self) -> ControlServer:
        """Bind the listeners (and generate the certificate)."""
        app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[_http1_only])
        app.router.add_route("*", "/request/{key}/{secret}", self._handle)
        app.router.add_route("*", "/request/{key}/{secret}/{tail:.*}", self._handle)
        header_timeout = self.header_timeout
        if header_timeout is None and not is_virtual(asyncio.get_running_loop()):
            header_timeout = HEADER_TIMEOUT
        # aiohttp's keep-alive timer is armed when a connection opens and again after each response, and closes the
        # connection if by then no complete request head has arrived: with our timeout it is the header timeout
        # (an idle kept-alive connection closes after it too). Without one, aiohttp's default (about an hour).
        extra: dict[str, Any] = {} if header_timeout is None else {"keepalive_timeout": float(header_timeout)}
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, logger=log, **extra)
        await self._runner.setup()
        http_sock = self._bind(self._ports[0])
        self.http_port = http_sock.getsockname()[1]
        await web.SockSite(self._runner, http_sock).start()
        if self._tls:
            self._tmp = tempfile.TemporaryDirectory(prefix="voxsim-tls-")
            cert, key = generate_self_signed(Path(self._tmp.name), sorted({"localhost", "127.0.0.1", "::1", self.host}))
            self.certificate_path = cert
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            https_sock = self._bind(self._ports[1])
            self.https_port = https_sock.getsockname()[1]
            await _TlsSite(self._runner, https_sock, ssl_context=context, handshake_timeout=header_timeout).start()
        return self

    def _bind(self, port: int) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, port))
        sock.setblocking(False)
        return sock

    def client_ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's certificate (and nothing else)."""
        if self.certificate_path is None:
            raise RuntimeError("the control server has no HTTPS listener (tls=False or not started)")
        return ssl.create_default_context(cafile=str(self.certificate_path))

    def register(self, handler: RequestHandler, *, websocket_handler: WebSocketHandler | None = None,
                 key: str | None = None, secret: str | None = None) -> ControlEndpoint:
        """Give a session its URLs; ``handler`` gets each :class:`HttpRequestEvent` and returns the body value.
        ``key``/``secret`` default to fresh random ones (the session passes its own)."""
        if self._runner is None:
            raise RuntimeError("ControlServer.register() before start()")
        if key is None or key in self._endpoints:
            key = secrets.token_hex(8)
            while key in self._endpoints:
                key = secrets.token_hex(8)
        endpoint = ControlEndpoint(self, key, secret or secrets.token_urlsafe(16), handler, websocket_handler)
        self._endpoints[key] = endpoint
        return endpoint

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        endpoint = self._endpoints.get(request.match_info["key"])
        if endpoint is None or not secrets.compare_digest(endpoint.secret, request.match_info["secret"]):
            raise web.HTTPNotFound(text="Not Found")
        headers = [{"key": k, "value": v} for k, v in request.headers.items() if k.lower().startswith("x-")]
        if request.headers.get("Upgrade", "").lower() == "websocket":
            if not endpoint.allow_websockets or endpoint.websocket_handler is None:
                raise web.HTTPForbidden(text="WebSocket connections are not allowed by this session")
            ws = web.WebSocketResponse(autoping=True, heartbeat=None, max_msg_size=4 * 1024 * 1024)
            await ws.prepare(request)
            await endpoint.websocket_handler(HttpRequestEvent(request.method, request.path_qs, "", headers), ws)
            return ws
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY_BYTES, actual_size=request.content_length)
        # A body must arrive within body_timeout (real time only: on virtual time the loop would jump past a client
        # still sending). aiohttp's C parser can wait forever on a malformed chunked body split across reads.
        # A body already complete (the usual case: it came with the head) is read without arming a timer.
        limit = None if request.content.is_eof() or is_virtual(asyncio.get_running_loop()) else self.body_timeout
        try:
            async with asyncio.timeout(limit):
                raw = await request.read()  # aiohttp answers 413 itself for a chunked body over client_max_size
        except TimeoutError:
            raise web.HTTPRequestTimeout(text=f"the request body did not arrive within {limit:g} s",
                                         headers={"Connection": "close"}) from None
        except (HttpProcessingError, ConnectionError) as exc:  # bad chunked framing, a body cut short by the client
            raise web.HTTPBadRequest(text=f"bad request body: {exc}"[:200], headers={"Connection": "close"}) from None
        event = HttpRequestEvent(request.method, request.path_qs, raw.decode("utf-8", "replace"), headers)
        value = endpoint.handler(event)
        if inspect.isawaitable(value):
            value = await value
        body, content_type = response_body(value)
        return web.Response(text=body, content_type=content_type, charset="utf-8")

    async def close(self) -> None:
        """Stop listening and delete the certificate."""
        self._endpoints.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    async def __aenter__(self) -> ControlServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


# -- the session binding ----------------------------------------------------------------------------------------

_SHARED: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[asyncio.Future[ControlServer], int]] = (
    weakref.WeakKeyDictionary())
_SHARED_LOCK = threading.Lock()  # sessions on loops in different threads (the pytest plugin's arun) share the map
PROMISE_WAIT = 30.0  # seconds an async HttpRequest handler may take before the response goes out empty


async def shared_server(settings: Mapping[str, Any] | None = None) -> ControlServer:
    """The loop's control server, started on first use and shared by the loop's sessions (reference counted)."""
    loop = asyncio.get_running_loop()
    with _SHARED_LOCK:
        entry = _SHARED.get(loop)
        if entry is not None:
            _SHARED[loop] = (entry[0], entry[1] + 1)
            starting = entry[0]
        else:
            starting = loop.create_future()
            _SHARED[loop] = (starting, 1)
    if entry is not None:
        try:
            return await asyncio.shield(starting)  # a session starting at the same time waits for the same server
        except BaseException:
            await release_shared_server()
            raise
    opts = dict(settings or {})
    header_timeout = opts.get("header_timeout")
    server = ControlServer(opts.get("host", "127.0.0.1"), int(opts.get("http_port", 0)), int(opts.get("https_port", 0)),
                           tls=bool(opts.get("tls", True)), body_timeout=float(opts.get("body_timeout", BODY_TIMEOUT)),
                           header_timeout=None if header_timeout is None else float(header_timeout))
    try:
        await server.start()
    except BaseException as exc:
        with _SHARED_LOCK:
            _SHARED.pop(loop, None)
        starting.set_exception(exc)
        starting.exception()  # retrieved: the waiters re-raise it
        raise
    starting.set_result(server)
    return server


async def release_shared_server() -> None:
    """Drop one reference to the loop's control server; the last one closes it."""
    loop = asyncio.get_running_loop()
    with _SHARED_LOCK:
        entry = _SHARED.get(loop)
        if entry is None:
            return
        if entry[1] > 1:
            _SHARED[loop] = (entry[0], entry[1] - 1)
            return
        del _SHARED[loop]
    if entry[0].done() and not entry[0].cancelled() and entry[0].exception() is None:
        await entry[0].result().close()


class ControlService:
    """A session's control URL: registers with the shared server before ``Started`` and fires
    ``AppEvents.HttpRequest`` / ``AppEvents.WebSocket``; the last listener's return value is the response body
    (a returned Promise is awaited first [inferred])."""

    def __init__(self) -> None:
        self.endpoint: ControlEndpoint | None = None
        self.server: ControlServer | None = None

    async def start(self, session: Any) -> None:
        self.server = await shared_server(session.options.settings.get("http"))
        self.endpoint = self.server.register(
            lambda event: self._request(session, event),
            websocket_handler=lambda event, ws: self._websocket(session, event, ws),
            key=session.key,
            secret=session.secret,
        )
        session.access_url = self.endpoint.access_url
        if self.server.https_port:
            session.access_secure_url = self.endpoint.access_secure_url
        session.extensions["http"] = self

    async def close(self, session: Any) -> None:
        if self.endpoint is not None:
            self.endpoint.close()
            self.endpoint = None
            await release_shared_server()

    async def _request(self, session: Any, event: HttpRequestEvent) -> Any:
        from voxsim.engine.builtins.promise import PromiseObject
        from voxsim.engine.host import to_py
        from voxsim.engine.values import UNDEFINED

        session.trace.record("http", direction="in", phase="request", method=event.method, path=event.path,
                             body=event.content[:1000], target="session")
        results: list[Any] = []
        name = "Application.HttpRequest"
        await session.js_idle()  # a task suspended mid-slice ends first, without blocking the loop
        with session.synchronous():  # the listeners' return values are the answer: no time slicing here
            session.events.emit(name, event.to_js(), results=results)
        values = [v for v in results if v is not UNDEFINED and v is not None]
        value = values[-1] if values else UNDEFINED
        if isinstance(value, PromiseObject):
            value = await _settled(session, value)
        body_value = to_py(value) if value is not UNDEFINED else None
        body_value = _json_safe(body_value)
        session.trace.record("http", direction="in", phase="response", status=200, path=event.path,
                             body=response_body(body_value)[0][:1000], target="session")
        return body_value

    async def _websocket(self, session: Any, event: HttpRequestEvent, ws: web.WebSocketResponse) -> None:
        from .websocket import WebSocket

        sock = WebSocket(session, event.path)
        session.events.emit("AppEvents.NewWebSocketConnection", {**event.to_js(), "websocket": sock})
        await sock.link.serve(ws)


async def _settled(session: Any, promise: Any) -> Any:
    """Wait (on the session clock) for a JS promise; a rejection or a timeout gives ``undefined``."""
    from voxsim.engine.values import UNDEFINED

    loop = asyncio.get_running_loop()
    done: asyncio.Future[Any] = loop.create_future()
    realm = session.realm

    def on_fulfilled(value: Any = UNDEFINED) -> Any:
        if not done.done():
            done.set_result(value)
        return UNDEFINED

    def on_rejected(reason: Any = UNDEFINED) -> Any:
        if not done.done():
            done.set_result(UNDEFINED)
        return UNDEFINED

    then = promise.get("then", promise)
    session.run_js(lambda: realm.call(then, promise, [realm.new_host_function("", on_fulfilled, 1),
                                                       realm.new_host_function("", on_rejected, 1)]))
    try:
        return await asyncio.wait_for(done, PROMISE_WAIT)
    except asyncio.TimeoutError:
        session.warn(f"the HttpRequest handler's promise did not settle in {PROMISE_WAIT:g} s; answering empty",
                     target="session")
        return UNDEFINED


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return None  # functions, host objects: JSON.stringify would drop or mangle them


def install(session: Any) -> None:
    """Give the session its control URL service and ``VoxEngine.allowWebSocketConnections``."""
    service = ControlService()
    session.add_service(service)
    try:
        from .voxengine import extend
    except ImportError:
        return

    def allow() -> Any:
        from voxsim.engine.values import UNDEFINED

        if service.endpoint is not None:  # services start before the scripts run, so it is there
            service.endpoint.allow_websockets = True
        return UNDEFINED

    def diagnostics_switch() -> Any:  # statistics and trace uploads are Voximplant cloud features: accepted, no effect
        from voxsim.engine.values import UNDEFINED

        return UNDEFINED

    if "voxengine" in session.extensions:
        extend(session, "allowWebSocketConnections", allow, 0)
        for name in ("enableStatisticsForIncomingWebsockets", "disableStatisticsForIncomingWebsockets",
                     "enableTraceForIncomingWebsockets", "disableTraceForIncomingWebsockets"):
            extend(session, name, diagnostics_switch, 0)
