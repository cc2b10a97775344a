"""The control URL's header timeout: a client that never finishes its request head (slowloris) is cut off, unanswered
and unseen by any session, while other connections are served meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from voxsim.runtime.clock import run
from voxsim.runtime.http import HEADER_TIMEOUT, ControlServer, HttpRequestEvent

PREFIX = b"/request/k/s"
GOOD = b"GET " + PREFIX + b" HTTP/1.1\r\nHost: x\r\n\r\n"
SLOW_PARTS = [b"", b"GET " + PREFIX[:6], b"GET " + PREFIX + b" HTTP/1.1\r\nHost: x\r\nX-Slow: 1"]


@pytest.fixture
async def server() -> AsyncIterator[tuple[ControlServer, list[HttpRequestEvent]]]:
    seen: list[HttpRequestEvent] = []

    def handler(event: HttpRequestEvent) -> object:
        seen.append(event)
        return {"n": len(seen)}

    async with ControlServer(tls=False, header_timeout=0.4) as srv:
        srv.register(handler, key="k", secret="s")
        yield srv, seen


async def _closed_after(port: int, *parts: bytes, gap: float = 0.0, wait: float = 5.0) -> tuple[bytes, float]:
    """Send ``parts`` (``gap`` seconds apart), then read to EOF; returns what came back and the seconds from
    connecting to EOF on the loop's clock (or ``wait``, if the server kept the connection open)."""
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        try:
            for i, part in enumerate(parts):
                if i and gap:
                    await asyncio.sleep(gap)
                if part:
                    writer.write(part)
                    await writer.drain()
        except ConnectionError:  # closed by the server while we were still sending
            return b"", loop.time() - t0
        try:
            data = await asyncio.wait_for(reader.read(), wait)
        except (TimeoutError, ConnectionError):
            return b"", wait
        return data, loop.time() - t0
    finally:
        writer.close()


async def _get(port: int, raw: bytes = GOOD) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2.0)
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length"))
        return head + await asyncio.wait_for(reader.readexactly(length), 2.0)
    finally:
        writer.close()


async def test_slow_heads_are_closed_unanswered_while_a_normal_request_is_served(
        server: tuple[ControlServer, list[HttpRequestEvent]]) -> None:
    srv, seen = server
    slow = [asyncio.ensure_future(_closed_after(srv.http_port, part)) for part in SLOW_PARTS]
    # a byte every 0.1 s: each gap is under the timeout, the head as a whole is not
    slow.append(asyncio.ensure_future(_closed_after(srv.http_port, *(bytes([b]) for b in GOOD[:-4]), gap=0.1)))
    await asyncio.sleep(0.1)
    ok = await _get(srv.http_port)  # served while the slow ones are still open
    assert ok.startswith(b"HTTP/1.1 200 ") and ok.endswith(b'{"n": 1}')
    assert not any(task.done() for task in slow)
    for data, after in await asyncio.gather(*slow):
        assert data == b""  # closed without an answer
        assert 0.3 < after < 2.0, after  # at the timeout (0.4 s), not at the 5 s the reader would wait
    assert [e.path for e in seen] == [PREFIX.decode()]  # only the complete request reached the session


async def test_a_kept_alive_connection_gets_the_timeout_again_after_each_response(
        server: tuple[ControlServer, list[HttpRequestEvent]]) -> None:
    srv, seen = server
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.http_port)
    try:
        for _ in range(3):  # three requests 0.3 s apart on one connection: each within the timeout of the last answer
            writer.write(GOOD)
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2.0)
            assert head.startswith(b"HTTP/1.1 200 ")
            await reader.readuntil(b"}")
            await asyncio.sleep(0.3)
        writer.write(GOOD[:20])  # then half a head: closed
        assert await asyncio.wait_for(reader.read(), 2.0) == b""
    finally:
        writer.close()
    assert len(seen) == 3


def test_on_virtual_time_a_set_timeout_closes_at_that_session_time_and_the_default_does_not_apply() -> None:
    async def main(header_timeout: float | None) -> tuple[bytes, float]:
        async with ControlServer(tls=False, header_timeout=header_timeout) as srv:
            srv.register(lambda event: "seen", key="k", secret="s")
            return await _closed_after(srv.http_port, SLOW_PARTS[2], wait=600.0)

    data, after = run(main(30.0), virtual=True)
    assert data == b"" and after == pytest.approx(30.0, abs=0.01)  # deterministic: the loop jumps to the timeout
    # unset on virtual time: the loop jumping ahead must not cut off a client that is still sending
    assert run(main(None), virtual=True) == (b"", 600.0)


def test_session_settings_reach_the_shared_server() -> None:
    from voxsim.runtime.session import Session, SessionOptions

    async def main() -> tuple[bytes, float, list[str]]:
        session = Session(SessionOptions(settings={"http": {"header_timeout": 0.3, "tls": False}}))
        session.load("VoxEngine.addEventListener(AppEvents.HttpRequest, (e) => 'ok');")
        await session.start()
        port = session.extensions["http"].server.http_port
        prefix = session.extensions["http"].endpoint.prefix.encode()
        data, after = await _closed_after(port, b"POST " + prefix + b" HTTP/1.1\r\nContent-Length: 2\r\n")
        ok = await _get(port, b"GET " + prefix + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        session.terminate()
        await session.wait()
        session.close()
        requests = [r.get("phase") for r in session.trace.find("http")]
        return data + ok[-2:], after, requests

    data, after, requests = run(main(), virtual=False)
    assert data == b"ok" and 0.2 < after < 2.0
    assert requests == ["request", "response"]  # the cut-off request never became an HttpRequest event


@pytest.mark.slow
async def test_on_real_time_the_default_applies() -> None:
    async with ControlServer(tls=False) as srv:
        data, after = await _closed_after(srv.http_port, SLOW_PARTS[1], wait=HEADER_TIMEOUT + 5)
    assert data == b"" and HEADER_TIMEOUT - 0.5 < after < HEADER_TIMEOUT + 2


async def test_a_stalled_tls_handshake_or_head_on_the_https_port_is_cut_off_too() -> None:
    async with ControlServer(header_timeout=0.4) as srv:
        srv.register(lambda event: "ok", key="k", secret="s")
        port = srv.https_port
        context = srv.client_ssl_context()
        stalled = [asyncio.ensure_future(_closed_after(port)),  # no ClientHello at all
                   asyncio.ensure_future(_closed_after(port, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"))]
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)  # handshake done, then stalls
        writer.write(b"GET " + PREFIX + b" HTTP/1.1\r\n")
        assert await asyncio.wait_for(reader.read(), 5.0) == b""
        after_tls = loop.time() - t0
        writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)  # a good one meanwhile
        writer.write(GOOD)
        assert (await asyncio.wait_for(reader.readuntil(b"ok"), 5.0)).startswith(b"HTTP/1.1 200 ")
        writer.close()
        for data, after in await asyncio.gather(*stalled):
            assert data == b"" and 0.3 < after < 2.0, after  # asyncio's own handshake limit is 60 s
        assert 0.3 < after_tls < 2.0
