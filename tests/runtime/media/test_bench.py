"""`voxsim bench media` runs and reports what it promises (tiny sizes: a smoke test, not a measurement)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from voxsim.tools.bench import media as bench


def test_routing_measurement_moves_two_frames_per_bridged_call_per_tick() -> None:
    result = bench.measure_routing(calls=3, ticks=20)
    assert result["frames"] == 3 * 2 * 20
    assert result["ratio"] > 0 and result["frames_per_second"] > 0


def test_cli_json_has_routing_realtime_and_summary() -> None:
    out = CliRunner().invoke(bench.command, ["--json", "--calls", "2", "--seconds", "0.3", "--routing-calls", "2",
                                             "--agent-calls", "2"])
    assert out.exit_code == 0, out.output
    names = [b["name"] for b in json.loads(out.output)["benchmarks"]]
    assert names == ["media.routing", "media.agent_calls", "media.realtime.2", "media.realtime"]


def test_agent_calls_convert_both_ways_record_and_reach_the_callers_ear() -> None:
    result = bench.measure_agent_calls(calls=2, ticks=150)
    assert result["converters"] == 2  # every call got agent audio (16 kHz -> 8 kHz)
    assert result["frames_heard_by_callers"] >= 2 * 50  # the agent talks 1 s of every 2
    assert result["us_per_call_tick"] > 0 and result["ratio"] > 0


def test_realtime_sessions_mode_gives_each_call_its_own_graph() -> None:
    result = bench.measure_realtime(3, seconds=0.3, sessions=True)
    assert result["graphs"] == 3 and result["name"] == "media.realtime.sessions.3"
    assert result["ticks"] >= 3 * 10 and result["frames_heard"] > 0 and result["us_per_call_tick"] > 0
