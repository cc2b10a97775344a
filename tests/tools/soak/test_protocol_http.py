"""Protocol fuzz of the control URL: the response parser, the request generator, a short run, the soak command."""

from __future__ import annotations

import json

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.tools.cli import main
from voxsim.tools.soak.protocol import RandomSource
from voxsim.tools.soak.protocol_http import Target, http_case, parse_responses, run_http_fuzz

A, B = Target("A", "a" * 16, "S" * 32), Target("B", "b" * 16, "T" * 32)


def test_parse_responses() -> None:
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
    assert parse_responses(ok) == ([200], None, False)
    assert parse_responses(ok[:-1]) == ([200], None, True)
    assert parse_responses(b"HTTP/1.1 100 Continue\r\n\r\n" + ok + ok) == ([200, 200], None, False)
    assert parse_responses(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", head=True) == ([200], None, False)
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"
    assert parse_responses(chunked) == ([200], None, False)
    assert parse_responses(b"HTTP/0.9 200 OK\r\n\r\n")[1] == "bad status line b'HTTP/0.9 200 OK'"
    assert parse_responses(b"HTTP/1.1 200 OK\r\nbad\r\n\r\n")[1] is not None


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**9))
def test_generated_requests_are_bytes_with_a_request_line(seed: int) -> None:
    case = http_case(RandomSource(seed), A, B)
    assert isinstance(case.raw, bytes) and case.requests in (1, 2)
    if case.delivery == "slowhead":  # a head that never ends
        assert b"\r\n\r\n" not in case.raw and not case.complete
    elif case.delivery != "drop":
        assert b"\r\n\r\n" in case.raw


def test_a_short_run_finds_nothing() -> None:
    report = run_http_fuzz(40, seed=11)
    assert report.cases == 40
    assert report.failures == [], report.as_dict()["examples"]
    assert report.seen["slowhead"] == 3  # stalled heads, each cut off by the server's header timeout


def test_cli_json() -> None:
    res = CliRunner().invoke(main, ["soak", "protocol", "--target", "http", "--cases", "10", "--seed", "2", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["target"] == "http" and data["cases"] == 10 and data["failures"] == 0
