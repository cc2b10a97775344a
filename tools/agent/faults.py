"""Fault injection for the agent emulator: what a real agent service does on a bad day.

A script (YAML ``faults:``) or ``EmulatorConfig.faults`` lists faults; each fires ``after`` seconds (loop clock) after
the stream's ``start`` arrived, except ``no_ack`` (the ack is never sent) and ``refuse_auth`` (``at: token`` → 401 on
``POST /access-token``; ``at: upgrade`` (default) → 401 at the WebSocket upgrade).

```yaml
faults:
  - {kind: drop, after: 3}                # connection lost without a close frame (client sees 1006)
  - {kind: no_ack}
  - {kind: garbage, after: 1}             # a text frame that is not JSON
  - {kind: half_json, after: 1}           # a JSON frame cut in the middle
  - {kind: binary, after: 1, bytes: 320}  # a binary frame (the Calls API is JSON only)
  - {kind: huge, after: 1, bytes: 20000000}  # larger than the client's 16 MiB limit (client closes 1009)
  - {kind: stall, after: 1, seconds: 30}  # neither read nor write for 30 s, then carry on
  - {kind: close, after: 2, code: 4001, reason: "agent crashed"}
  - {kind: refuse_auth, at: upgrade}
```
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Fault", "FaultError", "FAULT_KINDS", "parse_faults", "inject", "abort_socket"]

FAULT_KINDS = ("drop", "no_ack", "garbage", "half_json", "binary", "huge", "stall", "close", "refuse_auth")


class FaultError(ValueError):
    """A fault spec that cannot be used; the message names the place."""


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str
    after: float = 0.0
    code: int = 4000
    reason: str = ""
    bytes: int | None = None  # binary: 320, huge: 20,000,000
    seconds: float = 30.0
    at: str = "upgrade"


def parse_faults(raw: Any, where: str = "faults") -> tuple[Fault, ...]:
    """Validate a list of fault mappings (or kind strings)."""
    if raw is None:
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, (str, bytes)):
        raise FaultError(f"{where}: expected a list of faults")
    out: list[Fault] = []
    for i, item in enumerate(raw):
        here = f"{where}[{i}]"
        if isinstance(item, str):
            item = {"kind": item}
        if not isinstance(item, Mapping):
            raise FaultError(f"{here}: expected a mapping or a kind name")
        unknown = sorted(set(item) - set(Fault.__slots__))
        if unknown:
            raise FaultError(f"{here}: unknown keys {unknown}")
        if item.get("kind") not in FAULT_KINDS:
            raise FaultError(f"{here}: kind must be one of {list(FAULT_KINDS)}, got {item.get('kind')!r}")
        if item.get("at", "upgrade") not in ("upgrade", "token"):
            raise FaultError(f"{here}: at must be 'upgrade' or 'token'")
        try:
            fault = Fault(kind=item["kind"], after=float(item.get("after", 0.0)), code=int(item.get("code", 4000)),
                          reason=str(item.get("reason", "")), bytes=int(item["bytes"]) if "bytes" in item else None,
                          seconds=float(item.get("seconds", 30.0)), at=str(item.get("at", "upgrade")))
        except (TypeError, ValueError) as exc:
            raise FaultError(f"{here}: {exc}") from None
        if not (1000 <= fault.code <= 4999) or fault.code in (1004, 1005, 1006, 1015):
            raise FaultError(f"{here}: close code {fault.code} cannot be sent on the wire")
        out.append(fault)
    return tuple(out)


def abort_socket(ws: Any) -> None:
    """Drop the connection under ``ws`` with no close frame (a crash, a cable pulled)."""
    abort = getattr(ws, "abort", None)  # MemorySocket
    if abort is not None:
        abort()
        return
    request = getattr(ws, "_req", None)  # aiohttp's WebSocketResponse keeps its request
    transport = getattr(request, "transport", None)
    if transport is not None:
        transport.abort()


async def inject(stream: Any, fault: Fault) -> None:
    """Perform one timed fault on an AgentStream (runs as its own task)."""
    if fault.after > 0:
        await asyncio.sleep(fault.after)
    ws = stream.ws
    if ws.closed:
        return
    stream._record("fault", fault.kind, after=fault.after)
    with contextlib.suppress(ConnectionResetError, RuntimeError):
        if fault.kind == "drop":
            stream._closing = True
            stream.close_code, stream.close_reason = 1006, "dropped (fault)"
            abort_socket(ws)
        elif fault.kind == "garbage":
            await ws.send_str("this is not JSON {{{")
        elif fault.kind == "half_json":
            await ws.send_str('{"event": "media_output", "stream_id": "' + (stream.stream_id or "") + '", "med')
        elif fault.kind == "binary":
            n = 320 if fault.bytes is None else fault.bytes
            await ws.send_bytes(bytes(range(256)) * (n // 256) + bytes(n % 256))
        elif fault.kind == "huge":
            pad = "x" * max(0, (20_000_000 if fault.bytes is None else fault.bytes) - 80)
            await ws.send_str('{"event": "custom", "stream_id": "' + (stream.stream_id or "") +
                              '", "metadata": {"pad": "' + pad + '"}}')
        elif fault.kind == "stall":
            stream.stall(fault.seconds)
        elif fault.kind == "close":
            await stream.close(fault.code, fault.reason)
