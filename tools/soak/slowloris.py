"""Slow clients against the session control URL: N connections that never finish their request head, while good
requests keep coming.

Why: the control URL is an open port; a client that opens many connections and trickles (or never sends) its request
head held a socket each for aiohttp's keep-alive time (about an hour) before the header timeout
(``settings["http"]["header_timeout"]``). This measures, on a real-time loop in one process (the clients share the
loop with the server, as a neighbour would share the core): how long each slow connection stays open (the server
must cut it off at the header timeout, unanswered), how many are still open at the end, and whether the good
requests sent meanwhile are all answered, each by one ``HttpRequest`` event, and how fast.

Run ``python -m voxsim.tools.soak.slowloris --connections 500 --seconds 8`` (JSON on stdout);
``--header-timeout 3600`` gives the server the behaviour from before the header timeout, for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any

__all__ = ["measure_slowloris", "main"]

SCENARIO = "VoxEngine.addEventListener(AppEvents.HttpRequest, (e) => 'ok');"


async def _open_slow(port: int, head: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, float] | None:
    """Open a connection and send ``head`` (no end)."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(head)
        await writer.drain()
    except OSError:
        return None
    return reader, writer, asyncio.get_running_loop().time()


async def _hold(conn: tuple[asyncio.StreamReader, asyncio.StreamWriter, float], closed: list[float],
                until: float) -> None:
    """Wait for the server to close the connection (or ``until``); the seconds it stayed open go to ``closed``."""
    reader, writer, t0 = conn
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(max(0.0, until - loop.time())):
            data = await reader.read()
        if data == b"":
            closed.append(loop.time() - t0)
    except (TimeoutError, ConnectionError):
        pass
    finally:
        writer.close()


async def _good(port: int, request: bytes, latencies: list[float], failures: list[str]) -> None:
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    try:
        async with asyncio.timeout(10.0):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(request)
                data = await reader.read()  # Connection: close
            finally:
                writer.close()
    except (OSError, TimeoutError) as exc:
        failures.append(f"{type(exc).__name__}: {exc}"[:120])
        return
    if data.startswith(b"HTTP/1.1 200 ") and data.endswith(b"\r\n\r\nok"):
        latencies.append(loop.time() - t0)
    else:
        failures.append(repr(data[:80]))


async def _measure(connections: int, seconds: float, rps: float, header_timeout: float | None) -> dict[str, Any]:
    from voxsim.runtime.session import Session, SessionOptions

    http: dict[str, Any] = {"tls": False}
    if header_timeout is not None:
        http["header_timeout"] = header_timeout
    session = Session(SessionOptions(settings={"http": http}, idle_timeout=10**7))
    session.load(SCENARIO, "slowloris_target.js")
    await session.start()
    service = session.extensions["http"]
    port, prefix = service.server.http_port, service.endpoint.prefix
    loop = asyncio.get_running_loop()
    head = f"GET {prefix} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".encode()
    request = f"GET {prefix} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    # opened in batches: a burst of connects past the listen backlog waits for SYN retries (1 s), not for the server
    opened: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
    for i in range(0, connections, 100):
        batch = await asyncio.gather(*(_open_slow(port, head) for _ in range(i, min(connections, i + 100))))
        opened += [conn for conn in batch if conn is not None]
    cpu0, t0 = time.process_time(), loop.time()
    until = t0 + seconds
    closed: list[float] = []
    latencies: list[float] = []
    failures: list[str] = []
    slow = [asyncio.ensure_future(_hold(conn, closed, until)) for conn in opened]
    good: list[asyncio.Future[None]] = []
    k = 0
    while (due := t0 + k / rps) < until:
        await asyncio.sleep(max(0.0, due - loop.time()))
        good.append(asyncio.ensure_future(_good(port, request, latencies, failures)))
        k += 1
    await asyncio.gather(*slow, *good)
    cpu = time.process_time() - cpu0
    events = len(session.trace.find(type="http", phase="request"))
    session.terminate()
    await session.wait()
    session.close()
    ms = sorted(x * 1000 for x in latencies)
    return {
        "connections": connections, "seconds": seconds, "header_timeout": header_timeout,
        "slow_opened": len(opened), "slow_closed_by_server": len(closed), "slow_still_open": len(opened) - len(closed),
        "slow_close_s_p50": round(statistics.median(closed), 3) if closed else None,
        "slow_close_s_max": round(max(closed), 3) if closed else None,
        "good_sent": len(good), "good_answered": len(latencies), "good_failures": failures[:5],
        "http_request_events": events,
        "good_latency_ms_p50": round(statistics.median(ms), 2) if ms else None,
        "good_latency_ms_p99": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 2) if ms else None,
        "good_latency_ms_max": round(ms[-1], 2) if ms else None,
        "cpu_seconds": round(cpu, 3),
    }


def measure_slowloris(connections: int = 500, seconds: float = 8.0, rps: float = 20.0,
                      header_timeout: float | None = None) -> dict[str, Any]:
    """Hold ``connections`` slow connections open against one real-time session for ``seconds`` while sending ``rps``
    good requests a second; ``header_timeout`` ``None`` is the server's default. See the module docstring."""
    from voxsim.runtime.clock import run

    return run(_measure(connections, seconds, rps, header_timeout), virtual=False)


def main(argv: list[str] | None = None) -> None:
    """``python -m voxsim.tools.soak.slowloris``: the measurement as JSON on stdout."""
    parser = argparse.ArgumentParser(prog="python -m voxsim.tools.soak.slowloris", description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rps", type=float, default=20.0)
    parser.add_argument("--header-timeout", type=float, default=None)
    args = parser.parse_args(argv)
    print(json.dumps(measure_slowloris(args.connections, args.seconds, args.rps, args.header_timeout)))


if __name__ == "__main__":
    main()
