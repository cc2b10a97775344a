"""``Net.httpRequest`` / ``Net.httpRequestAsync``: outgoing HTTP with VoxEngine's options, result shape, codes and limits.

Requests go through a pluggable :class:`Transport`: :class:`AiohttpTransport` talks to real servers,
:class:`voxsim.runtime.net_fake.FakeTransport` maps URL patterns to canned responses or Python handlers so tests
can fake external services.
:class:`Net` applies VoxEngine's rules on top of either: at most 3 requests in flight, the rest queued, and the 36th
outstanding request is refused with "Exceeded the HTTP connection count limit!". Timeouts run on the asyncio loop's
clock, so they are virtual in tests.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import re
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Protocol

import aiohttp
import yarl
from aiohttp.abc import AbstractResolver, ResolveResult

__all__ = [
    "HttpRequest",
    "HttpResponse",
    "NetError",
    "NetLimitError",
    "Transport",
    "AiohttpTransport",
    "RealTimeHold",
    "Net",
    "parse_options",
    "MAX_CONCURRENT",
    "MAX_PENDING",
    "MAX_RESPONSE_BYTES",
    "LIMIT_MESSAGE",
    "CODE_LIMITS",
    "CODE_UNKNOWN",
    "CODE_MALFORMED_URL",
    "CODE_HOST_NOT_FOUND",
    "CODE_CONNECTION_ERROR",
    "CODE_TOO_MANY_REDIRECTS",
    "CODE_NETWORK_ERROR",
    "CODE_TIMEOUT",
    "CODE_INTERNAL",
    "CODE_TOO_LARGE",
]

MAX_CONCURRENT = 3
MAX_PENDING = 35
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
DEFAULT_TIMEOUT = 90.0
DEFAULT_CONNECT_TIMEOUT = 6.0
USER_AGENT = "VoxEngine/1.0"
LIMIT_MESSAGE = "Exceeded the HTTP connection count limit!"

CODE_LIMITS = 0
CODE_UNKNOWN = -1
CODE_MALFORMED_URL = -2
CODE_HOST_NOT_FOUND = -3
CODE_CONNECTION_ERROR = -4
CODE_TOO_MANY_REDIRECTS = -5
CODE_NETWORK_ERROR = -6
CODE_TIMEOUT = -7
CODE_INTERNAL = -8
CODE_TOO_LARGE = -9

_ERROR_TEXT = {
    CODE_LIMITS: "VoxEngine limits are violated",
    CODE_UNKNOWN: "Unknown error",
    CODE_MALFORMED_URL: "Malformed URL",
    CODE_HOST_NOT_FOUND: "Host not found",
    CODE_CONNECTION_ERROR: "Connection error",
    CODE_TOO_MANY_REDIRECTS: "Too many redirects",
    CODE_NETWORK_ERROR: "Network error",
    CODE_TIMEOUT: "Timeout",
    CODE_INTERNAL: "Internal error",
    CODE_TOO_LARGE: "Server response is larger than 2 MB",
}

_BINARY_TYPES = ("audio/", "video/", "image/", "application/octet-stream", "application/zip", "application/pdf")


class NetError(Exception):
    """A request failed before an HTTP status was known; ``code`` is VoxEngine's negative internal code."""

    def __init__(self, code: int, detail: str = "") -> None:
        self.code = code
        self.detail = detail or _ERROR_TEXT.get(code, "Unknown error")
        super().__init__(f"{code}: {self.detail}")


class NetLimitError(RuntimeError):
    """Too many outstanding requests; the JS binding throws it synchronously from ``httpRequest(Async)``."""

    def __init__(self) -> None:
        super().__init__(LIMIT_MESSAGE)


@dataclass(slots=True)
class HttpRequest:
    """A request after VoxEngine's options were applied."""

    url: str
    method: str = "GET"
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None
    timeout: float = DEFAULT_TIMEOUT
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    raw_output: bool = False

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (case-insensitive)."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    @property
    def text(self) -> str:
        """The body as UTF-8 text ("" when there is none)."""
        return (self.body or b"").decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.text)


@dataclass(slots=True)
class HttpResponse:
    """What a transport got back: status, headers in order, body bytes."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    reason: str = ""
    version: str = "HTTP/1.1"


class Transport(Protocol):
    """Sends one request; raises :class:`NetError` for failures that have no HTTP status."""

    async def send(self, request: HttpRequest) -> HttpResponse: ...

    async def aclose(self) -> None: ...


def parse_options(url: str, options: Mapping[str, Any] | None) -> HttpRequest:
    """Apply ``HttpRequestOptions`` (already converted to Python) to ``url``; raises ``NetError(-2)`` on a bad URL.

    ``headers`` may be an object map, an array of ``"Name: value"`` strings (legacy) or an array of ``{key, value}``.
    ``postData`` may be a string (sent as UTF-8) or an array of byte values. ``timeout`` / ``connectionTimeout`` can
    only lower the defaults (90 s / 6 s).
    """
    opts = dict(options or {})
    try:
        parsed = yarl.URL(str(url))
    except (ValueError, TypeError) as exc:
        raise NetError(CODE_MALFORMED_URL, f"Malformed URL: {url!r}") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise NetError(CODE_MALFORMED_URL, f"Malformed URL: {url!r}")
    params = opts.get("params")
    if isinstance(params, Mapping) and params:
        parsed = parsed.update_query({str(k): _str(v) for k, v in params.items()})
    method = str(opts.get("method") or "GET").upper()
    headers = _parse_headers(opts.get("headers"))
    if not any(k.lower() == "user-agent" for k, _ in headers):
        headers.append(("User-Agent", USER_AGENT))
    body: bytes | None = None
    post = opts.get("postData")
    if isinstance(post, str):
        body = post.encode("utf-8", "surrogatepass")
    elif isinstance(post, Sequence) and not isinstance(post, (bytes, str)):
        body = bytes(int(b) & 0xFF for b in post)
    elif isinstance(post, (bytes, bytearray)):
        body = bytes(post)
    elif isinstance(post, (int, float)) and not isinstance(post, bool):
        body = _str(post).encode()
    return HttpRequest(
        url=str(parsed),
        method=method,
        headers=headers,
        body=body,
        timeout=_limited(opts.get("timeout"), DEFAULT_TIMEOUT),
        connect_timeout=_limited(opts.get("connectionTimeout"), DEFAULT_CONNECT_TIMEOUT),
        raw_output=bool(opts.get("rawOutput")),
    )


def _str(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _limited(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value <= 0:
        return default
    return min(float(value), default)


def _parse_headers(raw: Any) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    if isinstance(raw, Mapping):
        headers.extend((str(k), _str(v)) for k, v in raw.items())
    elif isinstance(raw, Sequence) and not isinstance(raw, str):
        for item in raw:
            if isinstance(item, str) and ":" in item:
                name, _, value = item.partition(":")
                headers.append((name.strip(), value.strip()))
            elif isinstance(item, Mapping) and ("key" in item or "name" in item):
                headers.append((str(item.get("key", item.get("name"))), _str(item.get("value", ""))))
    return headers


def _result(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    content_type = next((v for k, v in response.headers if k.lower() == "content-type"), "")
    charset = "utf-8"
    match = re.search(r"charset=([\w.-]+)", content_type, re.I)
    if match:
        charset = match.group(1)
    reason = response.reason or _reason(response.status)
    raw_lines = [f"{response.version} {response.status} {reason}".rstrip()] + [f"{k}: {v}" for k, v in response.headers]
    result: dict[str, Any] = {
        "code": response.status,
        "headers": [{"key": k, "value": v} for k, v in response.headers],
        "raw_headers": "\r\n".join(raw_lines) + "\r\n\r\n",
    }
    if not content_type.lower().startswith(_BINARY_TYPES):
        try:
            result["text"] = response.body.decode(charset, "replace")
        except LookupError:
            result["text"] = response.body.decode("utf-8", "replace")
    if request.raw_output:
        result["data"] = list(response.body)
    return result


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _error_result(error: NetError) -> dict[str, Any]:
    return {"code": error.code, "error": error.detail, "headers": [], "raw_headers": ""}


class _FailingResolver(AbstractResolver):
    """A resolver for tests and offline runs: every name except the given ones is 'host not found'."""

    def __init__(self, known: Mapping[str, str]) -> None:
        self._known = dict(known)

    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[ResolveResult]:
        import socket

        if host not in self._known:
            raise OSError(socket.EAI_NONAME, f"Name or service not known: {host}")
        return [
            {"hostname": host, "host": self._known[host], "port": port, "family": socket.AF_INET, "proto": 0, "flags": 0}
        ]

    async def close(self) -> None:
        return None


class _Gate(concurrent.futures.Executor):
    """An executor without threads: ``submit(make)`` returns the future ``make()`` gives, completed by its owner."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = fn(*args, **kwargs)
        return future


_GATE = _Gate()


class RealTimeHold:
    """While held, a virtual-time loop runs at real pace: a peer outside the loop (a real HTTP or WebSocket server)
    answers in real time, so virtual time must not jump past it.

    looptime waits for executor futures in real time, moving its clock in step; the hold is such a future (from a
    thread-less executor), completed by :meth:`release`. On a real-time loop it does nothing.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        from .clock import is_virtual

        self._future: concurrent.futures.Future[None] | None = None
        if is_virtual(loop):
            gate: concurrent.futures.Future[None] = concurrent.futures.Future()
            loop.run_in_executor(_GATE, lambda: gate)
            self._future = gate

    @property
    def active(self) -> bool:
        """Whether this hold slows a virtual clock down (and has not been released)."""
        return self._future is not None and not self._future.done()

    def release(self) -> None:
        """Let virtual time jump again."""
        if self._future is not None and not self._future.done():
            self._future.set_result(None)

    def __enter__(self) -> RealTimeHold:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class AiohttpTransport:
    """Real HTTP(S) over aiohttp; maps failures to VoxEngine's negative codes.

    Args:
        ssl_context: TLS settings for https (e.g. one that trusts a test server's self-signed certificate).
        hosts: when given, a static name → IP map replaces DNS; any other name is "host not found".
        max_redirects: redirects followed before giving -5.
        hold_clock: on virtual time, run the clock at real pace while a request is in flight (the server is outside
            the loop and answers in real time); pass False when the server runs in the same loop (tests).
    """

    def __init__(self, *, ssl_context: ssl.SSLContext | None = None, hosts: Mapping[str, str] | None = None,
                 max_redirects: int = 10, hold_clock: bool = True) -> None:
        self._ssl: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
        self._hosts = hosts
        self._max_redirects = max_redirects
        self._hold_clock = hold_clock
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            resolver = _FailingResolver(self._hosts) if self._hosts is not None else None
            connector = aiohttp.TCPConnector(ssl=self._ssl, resolver=resolver, limit=0)
            self._session = aiohttp.ClientSession(connector=connector, auto_decompress=True)
        return self._session

    async def send(self, request: HttpRequest) -> HttpResponse:
        """One request; the body is read up to 2 MB."""
        if not self._hold_clock:
            return await self._send(request)
        with RealTimeHold(asyncio.get_running_loop()):
            return await self._send(request)

    async def _send(self, request: HttpRequest) -> HttpResponse:
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=request.connect_timeout)
        try:
            async with self._client().request(
                request.method,
                yarl.URL(request.url, encoded=True),
                headers=request.headers,
                data=request.body,
                timeout=timeout,
                max_redirects=self._max_redirects,
                skip_auto_headers=("User-Agent",),
            ) as resp:
                body = bytearray()
                async for chunk in resp.content.iter_chunked(65536):
                    body.extend(chunk)
                    if len(body) > MAX_RESPONSE_BYTES:
                        raise NetError(CODE_TOO_LARGE)
                version = f"HTTP/{resp.version.major}.{resp.version.minor}" if resp.version else "HTTP/1.1"
                return HttpResponse(resp.status, _raw_headers(resp), bytes(body), resp.reason or "", version)
        except NetError:
            raise
        except aiohttp.TooManyRedirects as exc:
            raise NetError(CODE_TOO_MANY_REDIRECTS) from exc
        except (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError) as exc:
            raise NetError(CODE_MALFORMED_URL, f"Malformed URL: {request.url!r}") from exc
        except aiohttp.ClientConnectorDNSError as exc:
            raise NetError(CODE_HOST_NOT_FOUND, f"Host not found: {exc.host}") from exc
        except (aiohttp.ConnectionTimeoutError, aiohttp.SocketTimeoutError, asyncio.TimeoutError) as exc:
            raise NetError(CODE_TIMEOUT) from exc
        except aiohttp.ClientConnectorError as exc:
            raise NetError(CODE_CONNECTION_ERROR, f"Connection error: {exc.os_error}") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise NetError(CODE_NETWORK_ERROR, f"Network error: {exc}") from exc

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None


def _raw_headers(resp: aiohttp.ClientResponse) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.raw_headers]


class Net:
    """VoxEngine's ``Net`` for one session: options, result shape, concurrency limit and queue.

    ``request()`` returns an asyncio Task whose result is the JS-shaped ``HttpRequestResult`` dict; it never fails
    for network reasons (negative codes instead), so ``httpRequestAsync`` resolves even on errors.
    """

    def __init__(self, transport: Transport | None = None, *, max_concurrent: int = MAX_CONCURRENT, max_pending: int = MAX_PENDING,
                 on_result: Callable[[HttpRequest, dict[str, Any]], None] | None = None) -> None:
        self.transport: Transport = transport if transport is not None else AiohttpTransport()
        self.max_pending = max_pending
        self._slots = asyncio.Semaphore(max_concurrent)
        self._outstanding = 0
        self._tasks: set[asyncio.Task[dict[str, Any]]] = set()
        self._on_result = on_result

    @property
    def outstanding(self) -> int:
        """Requests queued or in flight."""
        return self._outstanding

    def request(self, url: str, options: Mapping[str, Any] | None = None) -> asyncio.Task[dict[str, Any]]:
        """Start a request; raises :class:`NetLimitError` when 35 are already outstanding."""
        if self._outstanding >= self.max_pending:
            raise NetLimitError()
        self._outstanding += 1
        task = asyncio.get_running_loop().create_task(self._run(url, options))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self, url: str, options: Mapping[str, Any] | None) -> dict[str, Any]:
        request: HttpRequest | None = None
        try:
            request = parse_options(url, options)
            async with self._slots:
                try:
                    response = await asyncio.wait_for(self.transport.send(request), request.timeout)
                except asyncio.TimeoutError:
                    raise NetError(CODE_TIMEOUT) from None
            result = _result(request, response)
        except NetError as error:
            result = _error_result(error)
        except Exception as exc:  # a transport bug must still resolve the scenario's promise
            result = _error_result(NetError(CODE_INTERNAL, f"Internal error: {type(exc).__name__}: {exc}"))
        finally:
            self._outstanding -= 1
        if self._on_result is not None:
            self._on_result(request or HttpRequest(url=str(url)), result)
        return result

    async def aclose(self) -> None:
        """Cancel what is still running and close the transport."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.transport.aclose()


# -- the JS binding ---------------------------------------------------------------------------------------------

_TRACE_BODY = 1000


class _NetService:
    """Closes the session's ``Net`` after ``Terminated`` (a Terminating handler may still make one request)."""

    def __init__(self, net: Net) -> None:
        self.net = net

    async def start(self, session: Any) -> None:
        return None

    async def close(self, session: Any) -> None:
        await self.net.aclose()


def install(session: Any) -> None:
    """Define the ``Net`` global: ``httpRequest``, ``httpRequestAsync`` and ``new Net.HttpRequestOptions()``.

    The transport is ``session.options.settings["net_transport"]`` when given (e.g. a :class:`FakeTransport`),
    otherwise real HTTP over aiohttp.
    """
    from voxsim.engine.errors import JSErrorFromHost, JSTypeError
    from voxsim.engine.host import to_py
    from voxsim.engine.operations import to_string
    from voxsim.engine.values import UNDEFINED, JSFunction, JSObject

    realm = session.realm

    def traced(request: HttpRequest, result: dict[str, Any]) -> None:
        fields: dict[str, Any] = {"direction": "out", "phase": "response", "method": request.method, "url": request.url,
                                  "status": result["code"], "target": "session"}
        if "text" in result:
            fields["body"] = result["text"][:_TRACE_BODY]
        if "error" in result:
            fields["error"] = result["error"]
        session.trace.record("http", **fields)

    net = Net(session.options.settings.get("net_transport"), on_result=traced)
    session.extensions["net"] = net
    session.add_service(_NetService(net))

    after_terminating: list[bool] = []

    def start(url: Any, options: Any, api: str) -> asyncio.Task[dict[str, Any]] | dict[str, Any] | None:
        if session.state == "terminated":
            return None
        if session.state == "terminating":
            if after_terminating:  # VoxEngine allows exactly one request once Terminating has fired
                session.warn(f"Net.{api} after AppEvents.Terminating: only one request is allowed", target="session")
                return _error_result(NetError(CODE_LIMITS))
            after_terminating.append(True)
        opts = to_py(options) if isinstance(options, JSObject) else None
        if opts is not None and not isinstance(opts, dict):
            raise JSTypeError(f"Net.{api}: options must be an object")
        text = to_py(to_string(url)) if url is not UNDEFINED else ""
        body = opts.get("postData") if opts else None
        record: dict[str, Any] = {"direction": "out", "phase": "request", "url": text, "target": "session",
                                  "method": str((opts or {}).get("method") or "GET").upper()}
        if isinstance(body, str):
            record["body"] = body[:_TRACE_BODY]
        session.trace.record("http", **record)
        try:
            return net.request(text, opts)
        except NetLimitError:
            raise JSErrorFromHost(LIMIT_MESSAGE) from None

    def deliver(task: asyncio.Task[dict[str, Any]] | dict[str, Any], use: Callable[[Any], Any]) -> None:
        if isinstance(task, dict):
            result = task
            session.loop.call_soon(lambda: use(result) if session.state != "terminated" else None)
            return

        def done(t: asyncio.Task[dict[str, Any]]) -> None:
            if t.cancelled() or session.state == "terminated":
                return
            result = t.result()
            use(result)

        task.add_done_callback(done)

    def http_request_async(url: Any = UNDEFINED, options: Any = UNDEFINED) -> Any:
        task = start(url, options, "httpRequestAsync")
        promise, resolve, _reject = realm.new_promise()
        if task is not None:
            deliver(task, lambda result: session.run_js(lambda: resolve(session.to_js(result)), where="Net.httpRequestAsync"))
        return promise

    def http_request(url: Any = UNDEFINED, callback: Any = UNDEFINED, options: Any = UNDEFINED) -> Any:
        if callback is not UNDEFINED and not isinstance(callback, JSFunction):
            raise JSTypeError("Net.httpRequest: the callback must be a function")
        task = start(url, options, "httpRequest")
        if task is not None and isinstance(callback, JSFunction):
            deliver(task, lambda result: session.call_js(callback, UNDEFINED, [result], where="Net.httpRequest callback"))
        return UNDEFINED

    def options_constructor(r: Any, args: list[Any], new_target: Any) -> Any:
        return realm.new_object()

    def options_call(r: Any, this: Any, args: list[Any]) -> Any:
        raise JSTypeError("Class constructor HttpRequestOptions cannot be invoked without 'new'")

    namespace = realm.new_object()
    namespace.define("httpRequest", realm.new_host_function("httpRequest", http_request, 3))
    namespace.define("httpRequestAsync", realm.new_host_function("httpRequestAsync", http_request_async, 2))
    namespace.define("HttpRequestOptions", realm.new_function("HttpRequestOptions", options_call, 0, options_constructor))
    for name in ("sendMail", "sendMailAsync"):
        namespace.define(name, realm.new_host_function(name, _not_emulated(f"Net.{name}", JSErrorFromHost), 6))
    session.define_global("Net", namespace)


def _not_emulated(what: str, error: type[Exception]) -> Callable[..., Any]:
    def fail(*args: Any) -> Any:
        raise error(f"{what} is not emulated yet (voxsim sends no e-mail)")

    return fail


__all__ += ["install"]
