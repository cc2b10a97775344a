"""Protocol fuzz of the Cartesia client: frame generators under hypothesis, fixed regressions, the soak command."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voxsim.runtime.modules.cartesia.protocol import ProtocolError, parse_message
from voxsim.tools.cli import main
from voxsim.tools.soak.protocol import (
    STREAM_ID,
    CartesiaCase,
    RandomSource,
    Step,
    cartesia_case,
    mutate_frame,
    mutate_text,
    run_cartesia_case,
    valid_frame,
    ws_frame,
)

T = TypeVar("T")


class HypothesisSource:
    """The generators' Source on hypothesis draws, so a failing case shrinks."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def integer(self, lo: int, hi: int) -> int:
        return self.data.draw(st.integers(lo, hi))

    def choice(self, options: Sequence[T]) -> T:
        return self.data.draw(st.sampled_from(options))

    def binary(self, n: int) -> bytes:
        return self.data.draw(st.binary(min_size=n, max_size=n))


def ack() -> Step:
    return Step("text", json.dumps({"event": "ack", "stream_id": STREAM_ID, "config": {"input_format": "pcm_16000"}}))


def assert_passes(case: CartesiaCase) -> Any:
    outcome = run_cartesia_case(case)
    assert outcome.problems == [], (outcome.problems, outcome.steps)
    assert outcome.duration < 30
    return outcome


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_parse_message_raises_only_protocol_error(data: st.DataObject) -> None:
    src = HypothesisSource(data)
    frame = valid_frame(src, src.choice((STREAM_ID, "", "sid_other")))
    if src.integer(0, 1):
        frame = mutate_frame(src, frame)
    text = json.dumps(frame, ensure_ascii=src.integer(0, 1) == 1)
    if src.integer(0, 2) == 0:
        text = mutate_text(src, text)
    try:
        message = parse_message(text, side="server")
    except ProtocolError:
        return
    assert isinstance(message.raw, dict) and isinstance(message.event, str)


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_server_frames_are_reported_and_the_session_ends(data: st.DataObject) -> None:
    case = cartesia_case(HypothesisSource(data))
    case.steps = [s for s in case.steps if not (s.kind == "text" and len(s.data) > 1_000_000)]  # keep examples quick
    assert_passes(case)


def test_a_seeded_case_is_reproducible() -> None:
    assert cartesia_case(RandomSource("7:3")).describe() == cartesia_case(RandomSource("7:3")).describe()


def test_lone_surrogate_reaches_the_scenario_and_the_trace_file() -> None:
    # regression: a "\ud800" escape from the server reached Logger.write and the trace file raised UnicodeEncodeError
    outcome = assert_passes(CartesiaCase(steps=[ack(), Step("text", '{"event": "custom", "stream_id": "sid_fuzz", '
                                                                    '"metadata": {"k": "\\ud800"}}')]))
    assert outcome.events.get("Custom") == 1


def test_integer_beyond_double_range_is_infinity() -> None:
    # regression: 10**400 in a frame raised OverflowError converting to a JS number
    assert parse_message('{"event": "custom", "stream_id": "a", "metadata": {"n": 1' + "0" * 400 + "}}"
                         ).raw["metadata"]["n"] == float("inf")
    outcome = assert_passes(CartesiaCase(steps=[ack(), Step("text", '{"event": "custom", "stream_id": "sid_fuzz", '
                                                                    '"metadata": {"n": -1' + "0" * 400 + "}}")]))
    assert outcome.events.get("Custom") == 1


@pytest.mark.parametrize("steps", [
    [Step("text", '{"event": "media_output", "stream_id": "sid_fuzz", "med'), ack(), Step("bytes", b"\xff\xfe")],
    [ack(), Step("text", '{"event": "custom", "stream_id": "x", "metadata": ' + "[" * 100_000 + "]" * 100_000 + "}")],
    [ack(), Step("ping", b"x"), Step("close", "x" * 200, 4999)],
    [Step("text", '{"event": "clear"}'), Step("abort")],
])
def test_bad_frames_are_connector_information_and_the_session_ends(steps: list[Step]) -> None:
    outcome = assert_passes(CartesiaCase(steps=steps))
    assert outcome.events.get("ConnectorInformation", 0) >= 1 or outcome.events.get("ON_WEB_SOCKET_CLOSE")


def test_refused_token_and_upgrade_end_the_session() -> None:
    assert_passes(CartesiaCase(token=(200, '{"token": 5}')))
    assert_passes(CartesiaCase(refuse_upgrade=503))


def test_cli_json() -> None:
    res = CliRunner().invoke(main, ["soak", "protocol", "--target", "cartesia", "--cases", "2", "--seed", "3",
                                    "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["cases"] == 2 and data["failures"] == 0 and data["examples"] == []


def test_ws_frame_layout() -> None:
    assert ws_frame(0x1, b"hi") == b"\x81\x02hi"
    assert ws_frame(0x9, b"", fin=False) == b"\x09\x00"
    assert ws_frame(0x1, b"x" * 200)[:4] == b"\x81\x7e\x00\xc8"
    assert ws_frame(0x1, b"{", length=2**62)[:10] == b"\x81\x7f" + (2**62).to_bytes(8, "big")
    assert ws_frame(0x2, b"", rsv=4, mask=True) == b"\xc2\x80\x00\x00\x00\x00"


@pytest.mark.parametrize("raw,seen", [
    (ws_frame(0x1, b'{"event": "clear", "x": "\xff"}'), "WebSocketError"),  # a text frame that is not UTF-8
    (ws_frame(0xB, b"x"), "WebSocketError"),  # a reserved opcode
    (ws_frame(0x9, b"p" * 200), "WebSocketError"),  # a control frame over 125 bytes
    (ws_frame(0x1, b"{", length=2**62), "WebSocketError"),  # an exabyte announced
    (ws_frame(0x1, b'{"event": "cl', fin=False) + ws_frame(0x0, b'ear", "stream_id": "sid_fuzz"}'), "Clear"),
])
def test_hand_made_frames_over_tcp(raw: bytes, seen: str) -> None:
    # the aiohttp client's own frame parser: a protocol error is a lost connection for the scenario (WebSocketError,
    # then onWebSocketClose, which ends this scenario); a fragmented message is put together
    outcome = assert_passes(CartesiaCase(tcp=True, steps=[ack(), Step("raw", raw), Step("sleep", 1.0)]))
    assert outcome.events.get("ACK") == 1 and outcome.events.get(seen) == 1, outcome.events
    assert (outcome.events.get("ON_WEB_SOCKET_CLOSE") == 1) == (seen == "WebSocketError")
