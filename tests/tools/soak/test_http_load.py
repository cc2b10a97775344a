"""voxsim soak http, small: every request gives one HttpRequest event and one response, none lost or duplicated."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from voxsim.tools.cli import main
from voxsim.tools.soak.http_load import measure_http_load


def test_one_event_and_one_response_per_request() -> None:
    report = measure_http_load(rps=150, seconds=1.0, sessions=3)
    assert report["sent"] == 150 and report["answered"] == 150
    assert report["lost"] == report["duplicates"] == report["mismatched"] == report["failed"] == 0
    assert report["http_request_events"] == report["responses_traced"] == 150
    assert 0 < report["latency_p50_ms"] <= report["latency_p99_ms"] <= report["latency_max_ms"]
    assert report["internal_errors"] == 0 and report["server_cpu_us_per_request"] > 0


def test_cli_json() -> None:
    res = CliRunner().invoke(main, ["soak", "http", "--rps", "50", "--seconds", "0.5", "--sessions", "2", "--clients", "2",
                                       "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["sent"] == 25 and data["lost"] == 0 and data["http_request_events"] == 25
    assert data["clients"] == 2 and data["duplicates"] == data["mismatched"] == 0


@pytest.mark.slow
def test_connections_the_server_closed_while_idle_are_reopened() -> None:
    # at 5 requests/s each of the client's 32 connections idles 6.4 s, past the control URL's 5 s header timeout
    report = measure_http_load(rps=5, seconds=8.0, sessions=1)
    assert report["sent"] == report["answered"] == 40 and report["failures"] == []
