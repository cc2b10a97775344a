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
    [Step("text", "{\"event\": \"media_output\", \"stream_id\": \"sid_fuzz\", \"med"), ack(), Step("bytes", b"\xff\xfe")],
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
