"""The control-URL server under malformed input: found by `voxsim soak protocol --target http`, fixed, kept fixed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from voxsim.runtime.http import ControlServer, HttpRequestEvent

PREFIX = b"/request/k/s"


@pytest.fixture
async def server() -> AsyncIterator[tuple[ControlServer, list[HttpRequestEvent]]]:
    seen: list[HttpRequestEvent] = []

    def handler(event: HttpRequestEvent) -> object:
        seen.append(event)
        return {"n": len(seen)}

    async with ControlServer(tls=False, body_timeout=0.5) as srv:
        srv.register(handler, key="k", secret="s")
        yield srv, seen


async def exchange(port: int, *parts: bytes, wait: float = 3.0) -> bytes:
    """Send ``parts`` (a pause between them), then read until the server closes or ``wait`` passes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for i, part in enumerate(parts):
            if i:
                await asyncio.sleep(0.05)
            writer.write(part)
            await writer.drain()
        data = b""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while (left := deadline - loop.time()) > 0:
            try:
                chunk = await asyncio.wait_for(reader.read(65536), left)
            except asyncio.TimeoutError:
                break
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data and data.split(b"\r\n\r\n", 1)[0].startswith(b"HTTP/1."):
                head, body = data.split(b"\r\n\r\n", 1)
                length = [int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")]
                if length and len(body) >= length[0]:
                    break
        return data
    finally:
        writer.close()


@pytest.mark.parametrize("line", [b"GET " + PREFIX + b"\r\n", b"GET " + PREFIX + b" HTTP/2.0\r\n", b"GET /x\r\n"])
async def test_a_request_line_without_http_1x_is_closed_and_never_reaches_the_session(
        server: tuple[ControlServer, list[HttpRequestEvent]], line: bytes) -> None:
    srv, seen = server
    # aiohttp answered these with "HTTP/0.9 200 OK" plus headers (unparseable) after firing HttpRequest
    assert await exchange(srv.http_port, line + b"Host: x\r\n\r\n") == b""
    assert seen == []


async def test_a_malformed_chunked_body_split_across_reads_gets_408_not_a_hang(
        server: tuple[ControlServer, list[HttpRequestEvent]]) -> None:
    srv, seen = server
    raw = (b"POST " + PREFIX + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"4\r\nabcd\r\n5\r\nab\r\n0\r\n\r\n")
    # whole, aiohttp's parser answers 400 at once; with the last CRLF in its own read it waited forever
    assert (await exchange(srv.http_port, raw)).startswith(b"HTTP/1.")
    data = await exchange(srv.http_port, raw[:-2], raw[-2:])
    assert data.startswith(b"HTTP/1.1 408 "), data[:80]
    assert seen == []


async def test_client_faults_are_not_logged_as_errors(server: tuple[ControlServer, list[HttpRequestEvent]],
                                                      caplog: pytest.LogCaptureFixture) -> None:
    srv, seen = server
    caplog.set_level(logging.INFO)
    bad = [b"GET " + PREFIX + b" HTTP/1.1\r\nBad Header: x\r\n\r\n",
           b"POST " + PREFIX + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
           b"POST " + PREFIX + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"]
    for raw in bad:
        assert (await exchange(srv.http_port, raw)).startswith(b"HTTP/1.0 400 ")
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.http_port)  # a client gone mid-body
    writer.write(b"POST " + PREFIX + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
    await writer.drain()
    writer.close()
    await asyncio.sleep(0.2)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert seen == []
    ok = await exchange(srv.http_port, b"GET " + PREFIX + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert ok.startswith(b"HTTP/1.1 200 ") and ok.endswith(b'{"n": 1}')
