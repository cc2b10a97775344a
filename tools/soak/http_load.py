"""The session control URL under load: R requests/s for S seconds spread over K sessions.

Why: a CI harness or an agent tool drives sessions through their control URL; every request must produce exactly one
``AppEvents.HttpRequest`` and one response, none lost or duplicated. The sessions run on a real-time loop in this
process; the load client runs in ``clients`` separate processes (``python -m voxsim.tools.soak.http_load``), so the
figure measures the server rather than a client sharing its core. Each request carries a unique id that the
scenario echoes with the number of times it saw that id; the client paces on its own monotonic clock and measures
latency from the moment a request was due (so queueing in the client counts against the server, never hides it).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any
from urllib.parse import urlsplit


__all__ = ["SCENARIO", "measure_http_load", "client_main"]

SCENARIO = """\
const seen = {};
VoxEngine.addEventListener(AppEvents.HttpRequest, (e) => {
  const id = JSON.parse(e.content).id;
  seen[id] = (seen[id] || 0) + 1;
  return { id, times: seen[id] };
});
"""


# -- the client (its own process) -------------------------------------------------------------------------------


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[int, bytes]:
    """One request on a keep-alive HTTP/1.1 connection: status and body (the server always sends Content-Length)."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def _client(config: dict[str, Any]) -> dict[str, Any]:
    """Send this client's share: request ids ``index, index + clients, ...`` at ``rps / clients`` per second.

    A minimal HTTP/1.1 client on ``connections`` keep-alive sockets (a tenth of aiohttp's client cost per request, so
    one client process drives 1,000 requests/s on a busy core); a request waits for a free connection, and that wait
    counts in its latency.
    """
    urls = [urlsplit(u) for u in config["urls"]]
    host, port = urls[0].hostname or "127.0.0.1", urls[0].port or 80
    index, clients = int(config["index"]), int(config["clients"])
    rps, total = float(config["rps"]), int(config["total"])
    timeout = float(config["timeout"])
    latencies: list[float] = []
    failures: list[str] = []
    counts = {"duplicates": 0, "mismatched": 0, "sent": 0}
    last_answer = 0.0
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    cpu0 = time.process_time()

    def request(rid: int) -> bytes:
        body = json.dumps({"id": rid}).encode()
        path = urls[rid % len(urls)].path
        return (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode() + body

    async def worker() -> None:
        nonlocal last_answer
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        while (item := await queue.get()) is not None:
            rid, due = item
            try:
                async with asyncio.timeout(timeout):  # no task per request, unlike wait_for
                    if conn is not None and conn[0].at_eof():  # the server closed it while idle (its header timeout)
                        conn[1].close()
                        conn = None
                    if conn is None:
                        conn = await asyncio.open_connection(host, port)
                    status, raw = await _exchange(*conn, request(rid))
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                    ValueError, IndexError) as exc:
                failures.append(f"{type(exc).__name__}: {exc}"[:120])
                if conn is not None:
                    conn[1].close()
                conn = None
                continue
            if status != 200:
                failures.append(f"HTTP {status}")
                continue
            last_answer = time.perf_counter()
            latencies.append(last_answer - due)
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            if not isinstance(body, dict) or body.get("id") != rid:
                counts["mismatched"] += 1
            elif body.get("times") != 1:
                counts["duplicates"] += 1
        if conn is not None:
            conn[1].close()

    workers = [asyncio.create_task(worker()) for _ in range(int(config.get("connections", 32)))]
    t0 = time.perf_counter() + index / rps  # the clients interleave their sends
    for k, rid in enumerate(range(index, total, clients)):
        due = t0 + k * clients / rps
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((rid, due))
        counts["sent"] += 1
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    return {"latencies": latencies, "failures": failures, "started": t0, "last_answer": last_answer,
            "cpu_seconds": time.process_time() - cpu0, **counts}


def client_main() -> None:
    """Entry point of a client process: a JSON config on stdin, a JSON result on stdout."""
    config = json.loads(sys.stdin.read())
    print(json.dumps(asyncio.run(_client(config))))


# -- the server side (this process) --------------------------------------------------------------------------------


async def _spawn_client(config: dict[str, Any]) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "voxsim.tools.soak.http_load",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate(json.dumps(config).encode())
    if proc.returncode != 0:
        raise RuntimeError(f"load client {config['index']} failed (exit {proc.returncode}): {err.decode()[-500:]}")
    result: dict[str, Any] = json.loads(out)
    return result


async def _load(rps: float, seconds: float, sessions: int, timeout: float, clients: int) -> dict[str, Any]:
    import numpy as np

    from voxsim.runtime.session import Session, SessionOptions

    # a session without calls ends after 60 s (VoxEngine's rule): these live for the whole run
    group = [Session(SessionOptions(idle_timeout=seconds + 3600)) for _ in range(sessions)]
    for s in group:
        s.load(SCENARIO, "http_load.js")
        await s.start()
    total = int(rps * seconds)
    results: list[dict[str, Any]] = []
    cpu0 = time.process_time()  # this process's CPU while it serves: the server's cost, apart from the clients'
    try:
        base = {"urls": [s.access_url for s in group], "clients": clients, "rps": rps, "total": total,
                "timeout": timeout}
        results = list(await asyncio.gather(*(_spawn_client({**base, "index": i}) for i in range(clients))))
    finally:
        server_cpu = time.process_time() - cpu0
        events = sum(len(s.trace.find(type="http", phase="request")) for s in group)
        responses = sum(len(s.trace.find(type="http", phase="response")) for s in group)
        internal = sum(len(s.internal_errors) for s in group)
        for s in group:
            s.terminate()
        for s in group:
            await s.wait()
            s.close()
    latencies = [x for r in results for x in r["latencies"]]
    failures = [f for r in results for f in r["failures"]]
    sent = sum(r["sent"] for r in results)
    started = min((r["started"] for r in results), default=0.0)
    finished = max((r["last_answer"] for r in results), default=0.0)
    elapsed = finished - started if finished > started else float("nan")
    late = np.array(latencies or [0.0]) * 1000
    return {"rps": rps, "seconds": seconds, "sessions": sessions, "clients": clients, "sent": sent,
            "answered": len(latencies), "failed": len(failures),
            "duplicates": sum(r["duplicates"] for r in results), "mismatched": sum(r["mismatched"] for r in results),
            "http_request_events": events, "responses_traced": responses, "internal_errors": internal,
            "lost": sent - len(latencies),
            "achieved_rps": round(len(latencies) / elapsed, 1) if latencies else 0.0,
            "latency_p50_ms": round(float(np.percentile(late, 50)), 2),
            "latency_p99_ms": round(float(np.percentile(late, 99)), 2),
            "latency_max_ms": round(float(late.max()), 2),
            "server_cpu_us_per_request": round(server_cpu / max(1, sent) * 1e6, 1),
            "client_cpu_us_per_request": round(sum(r["cpu_seconds"] for r in results) / max(1, sent) * 1e6, 1),
            "failures": failures[:5]}


def measure_http_load(rps: float = 1000, seconds: float = 30, sessions: int = 1, timeout: float = 30.0,
                      clients: int = 1) -> dict[str, Any]:
    """Serve the load on a fresh real-time loop while ``clients`` processes send it; see the module docstring.

    ``achieved_rps`` is answers per second from the first due send to the last answer: with a server that keeps up it
    equals ``rps``; one that falls behind stretches the run and shows it. ``server_cpu_us_per_request`` is this
    process's CPU time while serving divided by the requests: the server's capacity on a core of its own is its
    inverse, whatever else the machine runs.
    """
    from voxsim.runtime.clock import run  # imported here: a client process needs none of the runtime

    return run(_load(rps, seconds, sessions, timeout, clients), virtual=False)


if __name__ == "__main__":
    client_main()
