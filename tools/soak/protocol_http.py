"""Protocol fuzz of the session control URL (``runtime/http.py``): random methods, paths, headers, bodies, framing.

Why: the control URL is an open port that a CI harness, an agent's tools and anything else on the machine can reach.
Each case sends one raw request (random method; a path that is the session's own, another session's key with the
wrong secret, ``..`` segments, percent-encoding, a very long one; huge, duplicated, contradictory or chunked framing
headers; binary, invalid UTF-8 or oversized bodies), delivered whole, slowly in pieces, cut off mid-request, over
TLS, as plaintext to the HTTPS port, or as a head that stalls before its end (slowloris). It passes when every byte
the server sent back parses as well-formed HTTP/1.x responses, at most one per request sent (or the connection
closed cleanly), a complete request got its answer within ``ANSWER_WITHIN`` seconds, a stalled head was cut off
within ``HEADER_TIMEOUT`` (plus ``ANSWER_WITHIN``) and never answered 200, a 200 only ever came from the session
whose secret the path carries, and a good request to each session succeeds right after. At the end the sessions
must have no internal error, still be running, and have answered every ``HttpRequest`` event they saw.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from .protocol import ErrorLogCapture, FuzzReport, RandomSource, Source

__all__ = ["HttpCase", "Target", "http_case", "parse_responses", "run_http_fuzz", "ANSWER_WITHIN", "HEADER_TIMEOUT"]

ANSWER_WITHIN = 5.0  # seconds a complete request may wait for its response on a busy machine
BODY_TIMEOUT = 2.0  # the control server's limit for a request body to arrive, in these runs
INCOMPLETE_WAIT = 0.3  # how long to watch an incomplete request for stray bytes
HEADER_TIMEOUT = 0.5  # the control server's limit for a request head to arrive, in these runs (``slowhead`` cases)

SCENARIO = """\
const NAME = %s;
let n = 0;
%s
VoxEngine.addEventListener(AppEvents.HttpRequest, (e) => { n += 1; return { s: NAME, n: n, m: e.method }; });
VoxEngine.addEventListener(AppEvents.WebSocket, (e) => e.websocket.close());
"""

_STATUS = re.compile(rb"HTTP/1\.[01] (\d{3})(?: [^\r\n]*)?")
_HEADER = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[ \t]*[^\r\n]*")


@dataclass(frozen=True, slots=True)
class Target:
    """One session's control URL parts."""

    name: str
    key: str
    secret: str

    @property
    def prefix(self) -> str:
        return f"/request/{self.key}/{self.secret}"


@dataclass(slots=True)
class HttpCase:
    """One raw request and how it is delivered (``whole``, ``slow``, ``drop``, ``half``, ``tls`` (plaintext to the
    HTTPS port), ``https``, ``slowhead`` (the head cut short, then the connection held open))."""

    method: str
    path: str
    raw: bytes
    delivery: str = "whole"
    pieces: int = 1
    complete: bool = True  # the request is whole by its own framing: an answer is due
    requests: int = 1  # requests the bytes hold (trailing bytes past a short Content-Length are a second one)

    def describe(self) -> dict[str, Any]:
        shown = self.raw if len(self.raw) <= 400 else self.raw[:300] + b"..." + self.raw[-60:]
        return {"delivery": self.delivery, "bytes": len(self.raw), "complete": self.complete, "raw": repr(shown)}


def _path(src: Source, a: Target, b: Target) -> str:
    kind = src.integer(0, 14)
    if kind <= 3:
        return a.prefix
    if kind == 4:
        return b.prefix + src.choice(("", "/", "/x/y", "?q=1&q=2", "/%2e%2e/%2e%2e"))
    if kind == 5:
        return f"/request/{b.key}/{a.secret}"  # another session's key with this one's secret
    if kind == 6:
        return f"/request/{a.key}/{a.secret[:-1]}" + src.choice(("A", "", "%00", "/"))
    if kind == 7:
        return src.choice(("/", "/request", "/request/", f"/request/{a.key}", "*", "//", "/request//",
                           f"http://127.0.0.1{a.prefix}", f"/request/{a.key}/{a.secret}/../../{b.key}/{b.secret}"))
    if kind == 8:
        return a.prefix + "/../" + src.choice(("x", "..", f"../{b.key}/{b.secret}"))
    if kind == 9:  # percent-encode some characters of the real prefix
        out = []
        for ch in a.prefix:
            out.append(f"%{ord(ch):02X}" if ch != "/" and src.integer(0, 3) == 0 else ch)
        return "".join(out)
    if kind == 10:
        return a.prefix + "/" + "x" * src.choice((100, 8_000, 70_000))
    if kind == 11:
        return a.prefix + "?" + src.choice(("a=%ZZ", "%", "a=\u00e9", "x=" + "y" * 9000, "&&==", "#frag"))
    if kind == 12:
        return a.prefix + src.choice(("/ space", "/\t", "/\x00", "/\u00e9\u65e5", "/%FF%FE", "/\x7f"))
    if kind == 13:
        return src.choice((a.prefix.upper(), a.prefix + "%2F", "/REQUEST" + a.prefix[8:]))
    return "/" + "".join(src.choice("abc/%.?#;=&") for _ in range(src.integer(0, 30)))


def _body(src: Source) -> bytes:
    kind = src.integer(0, 7)
    if kind <= 2:
        return json.dumps({"id": src.integer(0, 10**6)}).encode()
    if kind == 3:
        return b""
    if kind == 4:
        return src.binary(src.integer(1, 300))
    if kind == 5:
        return src.choice((b"\xff\xfe\xfd", b"\xed\xa0\x80", b"caf\xc3", "é日本".encode()))
    if kind == 6:
        return b"x" * src.choice((64 * 1024, 64 * 1024 + 1, 300_000))
    return b"a=1&b=" + b"%" * src.integer(0, 10)


def http_case(src: Source, a: Target, b: Target) -> HttpCase:
    """Draw one request aimed mostly at session ``a`` (``b`` is the other session)."""
    method = src.choice(("GET", "POST", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FOO",
                         "get", "M" * 300, "", "GE T", "POST\x00", "CONNECT"))
    path = _path(src, a, b)
    version = src.choice(("HTTP/1.1",) * 6 + ("HTTP/1.0", "HTTP/2.0", "HTTP/1.1x", ""))
    body = _body(src)
    headers: list[tuple[str, str]] = []
    if src.integer(0, 9):
        headers.append(("Host", "127.0.0.1"))
    complete, requests = True, 1
    framing = src.choice(("cl", "cl", "cl", "none", "short", "long", "bad", "dup", "chunked", "chunked_bad",
                          "chunked_open", "both"))
    payload = body
    if framing == "cl":
        headers.append(("Content-Length", str(len(body))))
    elif framing == "none":
        payload = b""
    elif framing == "short":
        headers.append(("Content-Length", str(max(0, len(body) - 3))))
        requests = 2 if len(body) > 0 else 1  # the rest of the bytes read as a (bad) second request
    elif framing == "long":
        headers.append(("Content-Length", str(len(body) + src.choice((1, 1000)))))
        complete = False
    elif framing == "bad":
        headers.append(("Content-Length", src.choice(("abc", "-1", "1 2", "0x10", "+5", "", "99999999999999999999"))))
    elif framing == "dup":
        headers += [("Content-Length", str(len(body))), ("Content-Length", str(len(body) + 1))]
    elif framing in ("chunked", "chunked_bad", "chunked_open", "both"):
        headers.append(("Transfer-Encoding", src.choice(("chunked", "chunked", "gzip, chunked", "Chunked"))))
        if framing == "both":
            headers.append(("Content-Length", str(len(body))))
        half = len(body) // 2
        parts = [body[:half], body[half:]]
        payload = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts if p)
        if framing == "chunked_bad":
            tail = src.choice((b"zz\r\n", b"5\r\nab\r\n0\r\n\r\n", b"-1\r\n\r\n", b"0\r\nX: y\r\n"))
            payload += tail
            complete = tail != b"0\r\nX: y\r\n"  # a trailer section still open: the server waits for its end
        elif framing == "chunked_open":
            complete = False
        else:
            payload += b"0\r\n\r\n"
    for _ in range(src.integer(0, 3)):
        headers.append(src.choice((
            ("X-Trace", "1"), ("X-Huge", "h" * src.choice((1_000, 9_000, 100_000))), ("X-Dup", "1"), ("X-Dup", "2"),
            ("X-Bin", "\u00e9\u00ff"), ("Connection", src.choice(("close", "keep-alive", "Upgrade"))),
            ("Upgrade", "websocket"), ("Sec-WebSocket-Key", src.choice(("dGhlIHNhbXBsZSBub25jZQ==", "bad"))),
            ("Sec-WebSocket-Version", "13"), ("Expect", "100-continue"), ("Content-Type", "application/json"),
            ("X-Many", "m"), ("Bad Header", "x"), ("X-Fold", "a\r\n folded"), ("", "empty name"),
        )))
    if src.integer(0, 19) == 0:
        headers += [(f"X-H{i}", "v") for i in range(src.choice((100, 1000)))]
    if src.integer(0, 7) == 0:  # a complete WebSocket handshake (the bytes after it are then WebSocket garbage)
        headers += [("Connection", "Upgrade"), ("Upgrade", "websocket"),
                    ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13")]
    head = f"{method} {path} {version}".rstrip() + "\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    raw = head.encode("utf-8", "surrogateescape") + payload
    if method == "CONNECT":  # a CONNECT has no body: whatever follows its head is read as the next request
        requests, complete = (2 if payload else 1), True
    delivery = src.choice(("whole",) * 6 + ("slow", "drop", "half", "tls", "https"))
    case = HttpCase(method, path, raw, delivery, src.integer(2, 6), complete, requests)
    if delivery == "drop":
        case.raw = raw[: src.integer(0, max(0, len(raw) - 1))]
        case.complete = False
    elif src.integer(0, 19) == 0:  # drawn last, so the cases of a seed from before slowloris cases stay the same
        case.delivery, case.complete = "slowhead", False
        case.raw = raw[: src.integer(0, len(head.encode("utf-8", "surrogateescape")) - 1)]  # not even the blank line
    return case


def parse_responses(data: bytes, head: bool = False) -> tuple[list[int], str | None, bool]:
    """Parse what the server sent: (final statuses, the first malformation or None, whether more bytes are due).

    Interim 1xx responses are skipped; 101 ends parsing (the connection is a WebSocket from there on).
    """
    statuses: list[int] = []
    pos = 0
    while pos < len(data):
        end = data.find(b"\r\n\r\n", pos)
        if end < 0:
            return statuses, None, True
        lines = data[pos:end].split(b"\r\n")
        match = _STATUS.fullmatch(lines[0])
        if match is None:
            return statuses, f"bad status line {lines[0][:80]!r}", False
        status = int(match.group(1))
        length: int | None = None
        chunked = False
        for line in lines[1:]:
            if _HEADER.fullmatch(line) is None:
                return statuses, f"bad header line {line[:80]!r}", False
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                if not value.strip().isdigit() or (length is not None and length != int(value)):
                    return statuses, f"bad Content-Length {value[:40]!r}", False
                length = int(value)
            elif name.lower() == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        pos = end + 4
        if status == 101:
            statuses.append(status)
            return statuses, None, False
        if 100 <= status < 200:
            continue
        statuses.append(status)
        if (head and len(statuses) == 1) or status in (204, 304):
            continue
        if chunked:
            while True:
                line_end = data.find(b"\r\n", pos)
                if line_end < 0:
                    return statuses, None, True
                size_text = data[pos:line_end].split(b";")[0].strip()
                if not re.fullmatch(rb"[0-9a-fA-F]+", size_text):
                    return statuses, f"bad chunk size {size_text[:20]!r}", False
                size = int(size_text, 16)
                if len(data) < line_end + 2 + size + 2:
                    return statuses, None, True
                pos = line_end + 2 + size + 2
                if size == 0:
                    break
        elif length is not None:
            if len(data) < pos + length:
                return statuses, None, True
            pos += length
        else:
            return statuses, None, False  # delimited by the close
    return statuses, None, False


async def _send_and_read(case: HttpCase, port: int, tls_port: int, wait: float,
                         ssl_context: ssl.SSLContext | None = None) -> tuple[bytes, bool]:
    """Deliver the case (``https``: over TLS to the HTTPS listener); returns (bytes read, whether the server closed
    the connection)."""
    if case.delivery == "https" and ssl_context is not None:
        reader, writer = await asyncio.open_connection("127.0.0.1", tls_port, ssl=ssl_context)
    else:
        reader, writer = await asyncio.open_connection("127.0.0.1", tls_port if case.delivery == "tls" else port)
    data = b""
    closed = False
    try:
        if case.delivery == "slow":
            step = max(1, len(case.raw) // case.pieces)
            for i in range(0, len(case.raw), step):
                writer.write(case.raw[i : i + step])
                await writer.drain()
                await asyncio.sleep(0.01)
        else:
            writer.write(case.raw)
            await writer.drain()
        if case.delivery == "drop":
            return b"", False
        if case.delivery == "slowhead":
            wait = HEADER_TIMEOUT + ANSWER_WITHIN  # the server must cut it off before this
        if case.delivery == "half" and writer.can_write_eof():
            writer.write_eof()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while (left := deadline - loop.time()) > 0:
            try:
                chunk = await asyncio.wait_for(reader.read(65536), left)
            except asyncio.TimeoutError:
                break
            if not chunk:
                closed = True
                break
            data += chunk
            statuses, error, more = parse_responses(data, case.method == "HEAD")
            if error or (len(statuses) >= case.requests and not more):
                break
    except (ConnectionError, OSError):
        closed = True
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    return data, closed


def _check(case: HttpCase, data: bytes, closed: bool, targets: list[Target]) -> list[str]:
    if case.delivery in ("drop", "tls"):
        return []
    problems: list[str] = []
    statuses, error, more = parse_responses(data, case.method == "HEAD")
    if case.delivery == "slowhead":  # a head the parser already rejects may get its 400; nothing else may come
        if not closed and not statuses:
            problems.append(f"a stalled request head was not cut off within {HEADER_TIMEOUT + ANSWER_WITHIN:g} s")
        if any(200 <= status < 300 or status == 101 for status in statuses):
            problems.append(f"a stalled request head was answered {statuses}")
    if error:
        problems.append(f"malformed response: {error}")
    if len(statuses) > case.requests:
        problems.append(f"{len(statuses)} responses to {case.requests} request(s): {statuses}")
    if case.complete and not statuses and not closed and case.delivery != "half":
        problems.append(f"no response and no close within {ANSWER_WITHIN:g} s")
    if 200 in statuses and case.method != "HEAD":
        body = data[data.find(b"\r\n\r\n") + 4 :]
        for t in targets:
            if f'"s":"{t.name}"'.encode() in body.replace(b" ", b"") and t.secret not in unquote(case.path):
                problems.append(f"session {t.name} answered a path without its secret")
    return problems


async def _good(port: int, t: Target) -> str | None:
    raw = (f"POST {t.prefix} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
           ).encode()
    case = HttpCase("POST", t.prefix, raw)
    try:
        data, _ = await _send_and_read(case, port, port, ANSWER_WITHIN)
    except (ConnectionError, OSError) as exc:
        return f"a good request to session {t.name} then failed: {type(exc).__name__}: {exc}"
    statuses, error, _ = parse_responses(data)
    if statuses != [200] or error:
        return f"a good request to session {t.name} then failed: {statuses} {error} {data[:200]!r}"
    if f'"s":"{t.name}"'.encode() not in data.replace(b" ", b""):
        return f"a good request to session {t.name} got another's answer: {data[-200:]!r}"
    return None


async def _fuzz(cases: int, seed: int, progress: Callable[[int, int], None] | None) -> FuzzReport:
    from voxsim.runtime.session import Session, SessionOptions

    report = FuzzReport("http", seed)
    started = time.perf_counter()
    # the server gives a body BODY_TIMEOUT s (408 then), well inside the time a complete request's answer may take
    # (and lives however long the run takes: a session without calls otherwise ends after 60 s, as on VoxEngine)
    http = {"body_timeout": BODY_TIMEOUT, "header_timeout": HEADER_TIMEOUT}
    sessions = {name: Session(SessionOptions(settings={"http": http}, idle_timeout=10**7)) for name in "AB"}
    for name, s in sessions.items():
        allow = "VoxEngine.allowWebSocketConnections();" if name == "B" else ""
        s.load(SCENARIO % (json.dumps(name), allow), f"fuzz_{name}.js")
        await s.start()
    service = sessions["A"].extensions["http"]
    port, tls_port = service.server.http_port, service.server.https_port or service.server.http_port
    context = service.server.client_ssl_context() if service.server.https_port else None
    targets = [Target(n, s.extensions["http"].endpoint.session_key, s.extensions["http"].endpoint.secret)
               for n, s in sessions.items()]
    try:
        with ErrorLogCapture() as logs:
            for i in range(cases):
                src = RandomSource(f"{seed}:{i}")
                a, b = (targets[0], targets[1]) if src.integer(0, 1) else (targets[1], targets[0])
                case = http_case(src, a, b)
                wait = ANSWER_WITHIN if case.complete else INCOMPLETE_WAIT
                try:
                    data, closed = await _send_and_read(case, port, tls_port, wait, context)
                    problems = _check(case, data, closed, targets)
                except (ConnectionError, OSError) as exc:
                    problems = [f"cannot reach the server: {exc}"]
                    data = b""
                for t in targets:
                    bad = await _good(port, t)
                    if bad:
                        problems.append(bad)
                problems += [f"logged: {m}" for m in logs.messages]
                problems += [f"session {n} ended: {s.errors[-3:]} {s.internal_errors[-3:]}"
                             for n, s in sessions.items() if s.terminated]
                logs.messages.clear()
                report.cases += 1
                report.seen[case.delivery] = report.seen.get(case.delivery, 0) + 1
                for status in parse_responses(data, case.method == "HEAD")[0]:
                    report.seen[str(status)] = report.seen.get(str(status), 0) + 1
                if problems:
                    report.failures.append({"case": i, "problems": problems, **case.describe(),
                                            "response": repr(data[:300])})
                if progress is not None:
                    progress(report.cases, len(report.failures))
                if any(s.terminated for s in sessions.values()):
                    break  # nothing more to learn from this run
        await asyncio.sleep(0.1)  # handlers of dropped connections finish
        end: list[str] = []
        for name, s in sessions.items():
            events = len(s.trace.find(type="http", phase="request"))
            answered = len(s.trace.find(type="http", phase="response"))
            if events != answered:
                end.append(f"session {name}: {events} HttpRequest events, {answered} answered")
            if s.internal_errors:
                end.append(f"session {name}: internal errors {s.internal_errors[:3]}")
            if s.terminated:
                end.append(f"session {name} terminated")
        if end:
            report.failures.append({"case": "end", "problems": end})
    finally:
        for s in sessions.values():
            s.terminate()
        for s in sessions.values():
            await s.wait()
            s.close()
    report.seconds = time.perf_counter() - started
    return report


def run_http_fuzz(cases: int, seed: int = 0, progress: Callable[[int, int], None] | None = None) -> FuzzReport:
    """Fuzz the control URL of two real-time sessions with ``cases`` requests; see the module docstring."""
    from voxsim.runtime.clock import run

    return run(_fuzz(cases, seed, progress), virtual=False)

