"""Protocol fuzz of the Cartesia client: random and mutated server frames at ``scenarios/cartesia_inbound.js``.

Why: the connector faces a remote service; whatever arrives on the socket (frames of every type with fields dropped,
retyped or huge, truncated JSON, binary, invalid UTF-8, frames over the size limit, out-of-order ack/media/clear,
pings, odd token replies, abrupt closes) must be *reported* to the scenario as docs/cartesia.md says, never raise in
Python, and never keep a session from ending. Each case is a script for an in-process fuzzing agent (the emulator's
``MemoryTransport`` with a scripted server in place of ``AgentStream``) that the bundled inbound scenario talks to on
virtual time while a simulated caller hangs up after ``HANGUP_AFTER`` seconds.

A case passes when the session has no internal error, nothing was logged at ERROR level (a swallowed listener
failure, an unretrieved task exception), the session ended by itself within ``VIRTUAL_BOUND`` session seconds, and its
trace ends in ``Application.Terminated``. Cases are drawn from a :class:`Source`: :class:`RandomSource` (seeded, for
``voxsim soak protocol``) or a hypothesis ``data`` object (tests), so the same generators serve both.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import json
import logging
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from aiohttp import web

__all__ = [
    "Source",
    "RandomSource",
    "Step",
    "CartesiaCase",
    "CaseOutcome",
    "FuzzReport",
    "FuzzAgentServer",
    "cartesia_case",
    "run_cartesia_case",
    "run_cartesia_fuzz",
    "ErrorLogCapture",
    "valid_frame",
    "mutate_frame",
    "mutate_text",
    "ws_frame",
    "raw_frame",
    "STREAM_ID",
]

T = TypeVar("T")

HANGUP_AFTER = 8.0  # the simulated caller hangs up this long after the call connects
VIRTUAL_BOUND = 30.0  # session seconds a case may take (the caller ends it at ~8 s whatever the agent does)
HUGE = 17 * 1024 * 1024  # over the client's 16 MiB message limit (→ 1009)
STREAM_ID = "sid_fuzz"


class Source(Protocol):
    """Where a generator's choices come from (a seeded ``random.Random`` or hypothesis draws)."""

    def integer(self, lo: int, hi: int) -> int: ...

    def choice(self, options: Sequence[T]) -> T: ...

    def binary(self, n: int) -> bytes: ...


class RandomSource:
    """A :class:`Source` on ``random.Random(seed)``: case *i* of a run is reproducible from the seed."""

    def __init__(self, seed: int | str) -> None:
        self.rng = random.Random(seed)

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def choice(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]

    def binary(self, n: int) -> bytes:
        return self.rng.randbytes(n)


def _chance(src: Source, percent: int) -> bool:
    return src.integer(1, 100) <= percent


# -- frames ---------------------------------------------------------------------------------------------------------

#: Values a mutated field may take instead of its own: wrong types, edge numbers, huge and invalid text.
ODD_VALUES: tuple[Any, ...] = (
    None, 0, -1, 1.5, True, False, "", "x", [], {}, [1, "a", None], {"a": {"b": []}}, 10**30, 10**400,
    float("nan"), float("inf"), -0.0, "\ud800", "\x00", "é" * 3, "x" * 70_000, "not base64!!", "AAAA", "AAA=",
    "sid_other", "#", "12", "*",
)

#: Whole frames that are not Calls API objects.
ODD_TEXTS: tuple[str, ...] = (
    "", " ", "null", "[]", "42", '"ack"', "{}", '{"event": null}', '{"event": 5}', '{"event": "ACK"}',
    '{"type": "error", "error": "Invalid API key"}', '{"type": 7}', '{"event": "ack"', "\ufeff{}", "{'event': 'ack'}",
    '{"event": "ack", "stream_id": "a", "stream_id": 5}', "NaN", '{"event": "custom", "metadata": {"n": NaN}}',
    '{"event": "media_output", "media": {"payload": "' + "A" * 4 + '"}, "stream_id": 1e999}',
)

EVENTS = ("ack", "media_output", "clear", "dtmf", "custom", "transfer_call", "error", "unknown")


def _audio(src: Source) -> str:
    n = src.choice((0, 1, 2, 319, 640, 641, 3200, 32_000))
    audio = src.binary(64) * (n // 64) + src.binary(n % 64) if n > 64 else src.binary(n)
    return base64.b64encode(audio).decode()


def valid_frame(src: Source, stream_id: str) -> dict[str, Any]:
    """A well-formed server frame of a random type (``error``/``unknown`` are valid JSON the client does not know)."""
    event = src.choice(EVENTS)
    if event == "ack":
        return {"event": "ack", "stream_id": stream_id, "config": {"input_format": "pcm_16000"}}
    if event == "media_output":
        frame: dict[str, Any] = {"event": "media_output", "stream_id": stream_id, "media": {"payload": _audio(src)}}
        if _chance(src, 30):
            frame["voxsim"] = {"text": src.choice(("hello", "", "é ü 日本", "x" * 2000))}
        return frame
    if event == "clear":
        return {"event": "clear", "stream_id": stream_id}
    if event == "dtmf":
        return {"event": "dtmf", "stream_id": stream_id, "dtmf": src.choice("0123456789*#")}
    if event == "custom":
        return {"event": "custom", "stream_id": stream_id, "metadata": {"k": src.choice(ODD_VALUES[:14])}}
    if event == "transfer_call":
        return {"event": "transfer_call", "stream_id": stream_id, "transfer": {"target_phone_number": "+15550100"}}
    if event == "error":
        return {"type": "error", "error": src.choice(("Invalid API key", "rate limited", ""))}
    return {"event": src.choice(("turn_start", "agent_state", "média", "", " ack")), "stream_id": stream_id}


def _odd_value(src: Source) -> Any:
    """One of ODD_VALUES, copied: a later mutation of the frame must not change the table (hypothesis replays a
    case and needs the same draws)."""
    return copy.deepcopy(src.choice(ODD_VALUES))


def mutate_frame(src: Source, frame: dict[str, Any]) -> dict[str, Any]:
    """Drop, retype or add fields (at the top or one level down), or rename the event."""
    frame = json.loads(json.dumps(frame))  # a deep copy
    for _ in range(src.integer(1, 3)):
        nested = [v for v in frame.values() if isinstance(v, dict) and v]
        target = src.choice(nested) if nested and _chance(src, 40) else frame
        keys = sorted(target)
        how = src.integer(0, 3)
        if how == 0 and keys:
            target.pop(src.choice(keys))
        elif how == 1 and keys:
            target[src.choice(keys)] = _odd_value(src)
        elif how == 2:
            target[src.choice(("extra", "voxsim", "media", "config", "event", "type"))] = _odd_value(src)
        else:
            frame["event"] = src.choice(("ack", "clear", "media_output", "dtmf", "custom", "transfer_call", "Ack",
                                         "ack\x00", "custom ", ""))
    return frame


def mutate_text(src: Source, text: str) -> str:
    """Text-level damage: truncate, splice garbage, wrap, nest deeply, prefix a BOM."""
    how = src.integer(0, 5)
    if how == 0:
        return text[: src.integer(0, max(0, len(text) - 1))]
    if how == 1:
        at = src.integer(0, len(text))
        return text[:at] + src.choice(("\x00", "}", '"', "\\", "\ud800", "\ufffd", "{{", "\n")) + text[at:]
    if how == 2:
        return f"[{text}]"
    if how == 3:
        depth = src.choice((50, 1000, 100_000))
        return '{"event": "custom", "stream_id": "x", "metadata": ' + "[" * depth + "]" * depth + "}"
    if how == 4:
        return "\ufeff" + text
    return text + text


@dataclass(frozen=True, slots=True)
class Step:
    """One thing the fuzzing agent does: ``text`` / ``bytes`` (a frame), ``ping``, ``sleep`` (session seconds),
    ``close`` (code, reason), ``abort`` (the connection is lost without a close frame) or, over TCP only, ``raw``
    (bytes written to the socket as they are: hand-made WebSocket frames)."""

    kind: str
    data: Any = None
    code: int = 1000

    def describe(self) -> str:
        if self.kind in ("text", "bytes", "raw"):
            shown = self.data if len(self.data) <= 160 else self.data[:160]
            return f"{self.kind}[{len(self.data)}] {shown!r}"
        if self.kind == "close":
            return f"close {self.code} {self.data!r}"[:200]
        return f"{self.kind} {self.data}" if self.data is not None else self.kind


def ws_frame(opcode: int, payload: bytes, *, fin: bool = True, rsv: int = 0, mask: bool = False,
             length: int | None = None) -> bytes:
    """A server-to-client WebSocket frame (RFC 6455 §5.2), valid or not: any opcode, RSV bits, a mask a server must
    not set, or a ``length`` that differs from the payload's."""
    n = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | (rsv & 7) << 4 | (opcode & 0xF)])
    bit = 0x80 if mask else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([bit | 127]) + n.to_bytes(8, "big")
    return head + (b"\0\0\0\0" if mask else b"") + payload


def raw_frame(src: Source) -> bytes:
    """One hand-made frame (or pair) that aiohttp's client parser must reject or accept without harm."""
    ack = b'{"event": "custom", "stream_id": "sid_fuzz", "metadata": {"a": 1}}'
    kind = src.integer(0, 13)
    if kind == 0:
        return ws_frame(0x1, b'{"event": "ack", "x": "\xff\xfe"}')  # text that is not UTF-8
    if kind == 1:
        return ws_frame(src.choice((0x3, 0x7, 0xB, 0xF)), b"x")  # reserved opcodes
    if kind == 2:
        return ws_frame(0x1, ack, rsv=src.choice((1, 2, 4)))  # RSV bits without an extension
    if kind == 3:
        return ws_frame(0x1, ack[:10], fin=False) + ws_frame(0x0, ack[10:])  # fragmented, valid
    if kind == 4:
        return ws_frame(0x0, ack)  # a continuation with nothing to continue
    if kind == 5:
        return ws_frame(0x9, b"p" * 200)  # a control frame over 125 bytes
    if kind == 6:
        return ws_frame(0x9, b"p", fin=False)  # a fragmented control frame
    if kind == 7:
        return ws_frame(0x8, src.choice((b"\x03", b"\x03\xe7", b"\x03\xed", b"\x0f\xa0bye", b"\x03\xe8\xff\xfe")))
    if kind == 8:
        return ws_frame(0x1, ack, mask=True)  # servers never mask
    if kind == 9:
        return ws_frame(0x1, b"{", length=2**62)  # announces an exabyte
    if kind == 10:
        return ws_frame(0x1, ack)[: src.integer(1, 20)]  # a frame cut short (the next bytes continue it)
    if kind == 11:
        return ws_frame(0x1, ack[:10], fin=False) + ws_frame(0x9, b"") + ws_frame(0x0, ack[10:])  # ping between
    if kind == 12:
        return ws_frame(0x1, ack[:10], fin=False) + ws_frame(0x1, ack)  # a new message inside a fragmented one
    return src.binary(src.integer(1, 64))


@dataclass(slots=True)
class CartesiaCase:
    """A fuzzing agent's script: how it answers the token request and the upgrade, then its steps.

    ``tcp`` cases are served over a real aiohttp server on 127.0.0.1 (the client parses WebSocket frames itself and
    ``raw`` steps may break the framing); the others over the emulator's in-process transport.
    """

    token: tuple[int, str] | None = None  # (status, body) instead of a fresh token
    refuse_upgrade: int | None = None  # an HTTP status for the WebSocket upgrade
    steps: list[Step] = field(default_factory=list)
    tcp: bool = False

    def describe(self) -> list[str]:
        head = ["over TCP"] if self.tcp else []
        if self.token is not None:
            head.append(f"token reply {self.token[0]} {self.token[1][:100]!r}")
        if self.refuse_upgrade is not None:
            head.append(f"upgrade refused {self.refuse_upgrade}")
        return head + [s.describe() for s in self.steps]


def cartesia_case(src: Source) -> CartesiaCase:
    """Draw one case: mostly an ack (or not), then 1–8 frames, pings and pauses, then maybe a close or an abort."""
    case = CartesiaCase(tcp=_chance(src, 25))
    if _chance(src, 8):
        case.token = (src.choice((200, 201, 400, 401, 500)),
                      src.choice(('{"token": 5}', "not json", "[]", '{"token": ""}', '{"token": null}', "",
                                  '{"token": "' + "t" * 100_000 + '"}', '{"token": "tok_ok"}')))
    if _chance(src, 5):
        case.refuse_upgrade = src.choice((400, 401, 403, 404, 500, 503))
    stream_id = src.choice((STREAM_ID, STREAM_ID, STREAM_ID, "sid_other", ""))
    if _chance(src, 85):
        case.steps.append(Step("text", json.dumps({"event": "ack", "stream_id": STREAM_ID,
                                                   "config": {"input_format": "pcm_16000"}})))
    for _ in range(src.integer(1, 8)):
        if case.tcp and _chance(src, 35):
            case.steps.append(Step("raw", raw_frame(src)))
            continue
        roll = src.integer(1, 100)
        if roll <= 30:
            case.steps.append(Step("text", json.dumps(valid_frame(src, stream_id), ensure_ascii=False)))
        elif roll <= 60:
            frame = mutate_frame(src, valid_frame(src, stream_id))
            case.steps.append(Step("text", json.dumps(frame, ensure_ascii=_chance(src, 50))))
        elif roll <= 72:
            text = json.dumps(valid_frame(src, stream_id))
            case.steps.append(Step("text", mutate_text(src, text)))
        elif roll <= 78:
            case.steps.append(Step("text", src.choice(ODD_TEXTS)))
        elif roll <= 84:
            raw = src.choice((b"", b"\xff\xfe\x00", "é".encode()[:1], json.dumps(valid_frame(src, stream_id)).encode(),
                              src.binary(src.integer(1, 400))))
            case.steps.append(Step("bytes", raw))
        elif roll <= 88:
            case.steps.append(Step("ping", src.choice((b"", b"x" * 125))))
        elif roll <= 89:
            case.steps.append(Step("text", '{"event": "custom", "stream_id": "x", "metadata": {"pad": "' +
                                   "x" * HUGE + '"}}'))

        else:
            case.steps.append(Step("sleep", src.choice((0.0, 0.02, 0.3, 1.0, 2.5))))
    ending = src.integer(1, 100)
    if ending <= 20:
        code = src.choice((1000, 1001, 1002, 1003, 1007, 1008, 1009, 1011, 1012, 1013, 3000, 4000, 4999))
        case.steps.append(Step("close", src.choice(("", "call ended by agent", "é" * 40, "x" * 200)), code))
    elif ending <= 30:
        case.steps.append(Step("abort"))
    return case


# -- the fuzzing agent ---------------------------------------------------------------------------------------------


class FuzzAgentServer:
    """``settings["cartesia"]["server"]`` for one case: ``start()``/``stop()`` and ``memory_transport()``.

    Token requests and the upgrade are answered per the case; each stream waits for the client's first frame (its
    ``start``), plays the steps on the loop clock, and drains whatever the client sends meanwhile.
    """

    def __init__(self, case: CartesiaCase) -> None:
        self.case = case
        self.received: list[str] = []
        self.errors: list[str] = []
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        if not self.case.tcp:
            return "http://fuzz-agent.invalid"
        app = web.Application()
        app.router.add_post("/access-token", self._token)
        app.router.add_get("/agents/stream/{agent_id}", self._upgrade)
        # its own logger: what the fuzzing agent's server thinks of the client's requests is not the client's failure
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None,
                                     logger=logging.getLogger("fuzz_agent.server"))
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _upgrade(self, request: web.Request) -> web.StreamResponse:
        refused = self._refusal(request, request.match_info["agent_id"])
        if refused is not None:
            return refused
        ws = web.WebSocketResponse(autoping=False, max_msg_size=0)
        await ws.prepare(request)
        await self._serve(ws, request.match_info["agent_id"], request.transport)
        return ws

    def memory_transport(self) -> Any:
        from voxsim.tools.agent.memory import MemoryTransport

        return MemoryTransport(self._token, self._refusal, self._serve)

    async def _token(self, request: Any) -> web.Response:
        if self.case.token is not None:
            status, body = self.case.token
            return web.Response(status=status, text=body)
        return web.json_response({"token": "tok_fuzz"})

    def _refusal(self, request: Any, agent_id: str) -> web.Response | None:
        if self.case.refuse_upgrade is not None:
            return web.json_response({"error": "refused"}, status=self.case.refuse_upgrade)
        return None

    async def _serve(self, ws: Any, agent_id: str, transport: Any = None) -> None:
        from aiohttp import WSMsgType

        first = asyncio.get_running_loop().create_future()

        async def drain() -> None:
            while True:
                msg = await ws.receive()
                if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                    break
                if msg.type == WSMsgType.TEXT:
                    self.received.append(msg.data[:100])
                if not first.done():
                    first.set_result(None)
            if not first.done():
                first.set_result(None)

        reader = asyncio.create_task(drain())
        try:
            await first
            for step in self.case.steps:
                if ws.closed:
                    break
                with contextlib.suppress(ConnectionResetError, RuntimeError):
                    if step.kind == "text" and transport is not None:  # lone surrogates go out as invalid UTF-8
                        transport.write(ws_frame(0x1, step.data.encode("utf-8", "surrogatepass")))
                    elif step.kind == "text":
                        await ws.send_str(step.data)
                    elif step.kind == "bytes":
                        await ws.send_bytes(step.data)
                    elif step.kind == "ping":
                        await ws.ping(step.data)
                    elif step.kind == "sleep":
                        await asyncio.sleep(step.data)
                    elif step.kind == "close":
                        await ws.close(code=step.code, message=step.data.encode())
                    elif step.kind == "raw" and transport is not None:
                        transport.write(step.data)
                    elif step.kind == "abort":
                        if transport is not None:
                            transport.abort()
                        else:
                            ws.abort()
            await reader
        except Exception as exc:  # the fuzzing agent's own failure is reported, not the client's
            self.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            reader.cancel()


# -- running cases --------------------------------------------------------------------------------------------------


class ErrorLogCapture(logging.Handler):
    """Collects ERROR records of voxsim, asyncio and aiohttp while installed (a swallowed exception is a failure)."""

    PREFIXES = ("voxsim", "asyncio", "aiohttp")

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(self.PREFIXES):
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                text += f": {type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
            self.messages.append(f"{record.name}: {text}"[:300])

    def __enter__(self) -> ErrorLogCapture:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self)


@dataclass(slots=True)
class CaseOutcome:
    """What one case did and why it failed (``problems`` empty when it passed)."""

    index: int
    problems: list[str]
    duration: float  # session seconds
    wall: float
    steps: list[str]
    events: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"case": self.index, "problems": self.problems, "duration": round(self.duration, 3),
                "wall": round(self.wall, 3), "steps": self.steps}


@dataclass(slots=True)
class FuzzReport:
    """A soak run: cases tried, the failing ones, and counts of what the scenario saw."""

    target: str
    seed: int
    cases: int = 0
    failures: list[CaseOutcome | dict[str, Any]] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self, max_examples: int = 10) -> dict[str, Any]:
        examples = [f.as_dict() if isinstance(f, CaseOutcome) else f for f in self.failures[:max_examples]]
        return {"target": self.target, "seed": self.seed, "cases": self.cases, "failures": len(self.failures),
                "examples": examples, "seen": dict(sorted(self.seen.items())), "seconds": round(self.seconds, 2)}


def _scenario_events(records: Sequence[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in records:
        if r.type == "log":
            text = str(r.get("text", ""))
            if text.startswith("===") and "===" in text[3:]:
                name = text[3:].split("===", 1)[0]
                counts[name] = counts.get(name, 0) + 1
    return counts


def run_cartesia_case(case: CartesiaCase, index: int = 0) -> CaseOutcome:
    """Run the bundled inbound scenario against a fuzzing agent playing ``case``; see the module docstring."""
    from voxsim.runtime.clock import run
    from voxsim.tools.pytest.runner import RunSpec, _run, resolve_scenario

    server = FuzzAgentServer(case)
    problems: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="voxsim-fuzz-") as tmp, ErrorLogCapture() as logs:
        spec = RunSpec([resolve_scenario("cartesia_inbound")], Path(tmp),
                       caller={"callerid": "+15551234567", "hangup_after": HANGUP_AFTER},
                       cartesia={"server": server, "in_process": not case.tcp}, max_seconds=VIRTUAL_BOUND)

        async def session() -> Any:
            try:
                return await _run(spec)
            finally:
                await server.stop()

        try:
            result = run(session(), virtual=True)
        except Exception as exc:  # the runner itself raised: the worst outcome
            return CaseOutcome(index, [f"run raised {type(exc).__name__}: {exc}"[:300]], 0.0,
                               time.perf_counter() - started, case.describe())
    problems += [f"internal error: {type(e).__name__}: {e}"[:300] for e in result.internal_errors]
    problems += [f"logged: {m}" for m in logs.messages]
    problems += [f"fuzzing agent: {e}" for e in server.errors]
    if not result.ended_by_itself:
        problems.append(f"the session did not end within {VIRTUAL_BOUND:g} session seconds")
    names = [r.get("name") for r in result.records if r.type == "event"]
    if not names or names[-1] != "Application.Terminated":
        problems.append(f"the trace does not end in Application.Terminated: {names[-3:]}")
    return CaseOutcome(index, problems, result.duration, time.perf_counter() - started, case.describe(),
                       _scenario_events(result.records))


def run_cartesia_fuzz(cases: int, seed: int = 0,
                      progress: Callable[[int, int], None] | None = None) -> FuzzReport:
    """``cases`` cases; case *i* is drawn from ``RandomSource(f"{seed}:{i}")`` so any one can be rerun alone."""
    report = FuzzReport("cartesia", seed)
    started = time.perf_counter()
    for i in range(cases):
        outcome = run_cartesia_case(cartesia_case(RandomSource(f"{seed}:{i}")), i)
        report.cases += 1
        for name, n in outcome.events.items():
            report.seen[name] = report.seen.get(name, 0) + n
        if outcome.problems:
            report.failures.append(outcome)
        if progress is not None:
            progress(report.cases, len(report.failures))
    report.seconds = time.perf_counter() - started
    return report
