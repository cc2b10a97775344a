"""The session control URL under load: R requests/s for S seconds spread over K sessions in one process.

Why: a CI harness or an agent tool drives sessions through their control URL; every request must produce exactly one
``AppEvents.HttpRequest`` and one response, none lost or duplicated. The client runs on the same loop as the sessions
(one core), paced on the loop clock; each request carries a unique id that the scenario echoes with the number of
times it saw that id.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

import aiohttp
import numpy as np

from voxsim.runtime.clock import run
from voxsim.runtime.session import Session, SessionOptions

__all__ = ["SCENARIO", "measure_http_load"]

SCENARIO = """\
const seen = {};
VoxEngine.addEventListener(AppEvents.HttpRequest, (e) => {
  const id = JSON.parse(e.content).id;
  seen[id] = (seen[id] || 0) + 1;
  return { id, times: seen[id] };
});
"""


async def _load(rps: float, seconds: float, sessions: int, timeout: float) -> dict[str, Any]:
    group = [Session(SessionOptions()) for _ in range(sessions)]
    for s in group:
        s.load(SCENARIO, "http_load.js")
        await s.start()
    urls = [s.access_url for s in group]
    latencies: list[float] = []
    failures: list[str] = []
    duplicates = mismatched = 0
    ids = itertools.count()
    loop = asyncio.get_running_loop()

    async def one(client: aiohttp.ClientSession, url: str, rid: int) -> None:
        nonlocal duplicates, mismatched
        t0 = loop.time()
        try:
            async with client.post(url, data=json.dumps({"id": rid})) as response:
                body = await response.json(content_type=None)
                if response.status != 200:
                    failures.append(f"HTTP {response.status}")
                    return
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            failures.append(f"{type(exc).__name__}: {exc}"[:120])
            return
        latencies.append(loop.time() - t0)
        if body.get("id") != rid:
            mismatched += 1
        elif body.get("times") != 1:
            duplicates += 1

    connector = aiohttp.TCPConnector(limit=256)
    started = time.perf_counter()
    sent = 0
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)) as client:
            tasks: list[asyncio.Task[None]] = []
            t0 = loop.time()
            total = int(rps * seconds)
            for k in range(total):
                due = t0 + k / rps
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                rid = next(ids)
                tasks.append(asyncio.create_task(one(client, urls[rid % sessions], rid)))
                sent += 1
            await asyncio.gather(*tasks)
    finally:
        elapsed = time.perf_counter() - started
        events = sum(len(s.trace.find(type="http", phase="request")) for s in group)
        responses = sum(len(s.trace.find(type="http", phase="response")) for s in group)
        for s in group:
            s.terminate()
        for s in group:
            await s.wait()
            s.close()
    late = np.array(latencies or [0.0]) * 1000
    return {"rps": rps, "seconds": seconds, "sessions": sessions, "sent": sent, "answered": len(latencies),
            "failed": len(failures), "duplicates": duplicates, "mismatched": mismatched,
            "http_request_events": events, "responses_traced": responses, "lost": sent - len(latencies),
            "achieved_rps": round(sent / elapsed, 1),
            "latency_p50_ms": round(float(np.percentile(late, 50)), 2),
            "latency_p99_ms": round(float(np.percentile(late, 99)), 2),
            "latency_max_ms": round(float(late.max()), 2), "failures": failures[:5]}


def measure_http_load(rps: float = 1000, seconds: float = 30, sessions: int = 1, timeout: float = 30.0) -> dict[str, Any]:
    """Run the load on a fresh real-time loop; see the module docstring for what is counted."""
    return run(_load(rps, seconds, sessions, timeout), virtual=False)
