"""voxsim soak runaway, small: runaways end with a clear error next to bridged real-time calls."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from voxsim.tools.cli import main
from voxsim.tools.soak.runaway import measure_runaways


def test_loop_and_timer_storm_end_with_a_clear_error() -> None:
    report = measure_runaways(calls=3, max_steps=50_000, max_seconds=1.0, kinds=["loop", "timer_storm"])
    loop, timers = report["runaways"]
    assert loop["ended_by_itself"] and loop["terminated"]
    assert "step budget exceeded" in loop["error"] and loop["seconds"] < 5
    # too many timers is a JS Error (catchable): the session lives on, as on VoxEngine, until it is ended
    assert "Too many timers" in timers["error"] and timers["terminated"]
    assert loop["ticks"] >= 1 and report["baseline"]["ticks"] > 5


def test_cli_json_and_bad_kind() -> None:
    res = CliRunner().invoke(main, ["soak", "runaway", "--calls", "2", "--max-steps", "20000", "--kind", "loop",
                                    "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["runaways"][0]["kind"] == "loop" and data["runaways"][0]["ended_by_itself"]
    bad = CliRunner().invoke(main, ["soak", "runaway", "--kind", "nope"])
    assert bad.exit_code == 2 and "unknown --kind" in bad.output


def test_neighbours_keep_their_ticks_while_a_loop_runs_in_slices() -> None:
    # 2M steps of `while (true) {}` hold one core ~0.5-1 s: unsliced, every neighbour tick in that window is that late.
    report = measure_runaways(calls=3, max_steps=2_000_000, max_seconds=10.0, kinds=["loop"])
    [loop] = report["runaways"]
    assert loop["ended_by_itself"] and "step budget exceeded" in loop["error"]
    assert loop["ticks"] >= 10
    assert loop["lateness_p99_ms"] < 250, loop


@pytest.mark.slow
def test_without_slices_a_loop_stalls_the_neighbours() -> None:
    report = measure_runaways(calls=3, max_steps=2_000_000, max_seconds=10.0, kinds=["loop"],
                              settings={"slice_seconds": None})
    [loop] = report["runaways"]
    assert report["settings"] == {"slice_seconds": None, "max_steps": 2_000_000}
    # The stall is as long as the loop runs, which depends on the machine: compare it with the runaway's own life.
    assert loop["lateness_max_ms"] > max(50.0, 0.4 * loop["seconds"] * 1000), loop


def test_promise_storm_and_string_doubling_end_quickly_with_the_session_defaults() -> None:
    [storm] = measure_runaways(calls=2, max_steps=20_000_000, max_seconds=8.0, kinds=["promise_storm"])["runaways"]
    assert storm["ended_by_itself"] and storm["terminated"], storm
    assert storm["error"].startswith("memory budget exceeded: ~") and storm["seconds"] < 8, storm
    [doubling] = measure_runaways(calls=2, max_steps=20_000_000, max_seconds=1.0, kinds=["giant_string"])["runaways"]
    # s += s stops at the session's 2^23 characters with a catchable RangeError, before the copy that would fail
    assert "Invalid string length" in doubling["error"], doubling


def test_built_in_copies_and_object_piles_end_by_the_memory_budget() -> None:
    # Big strings from repeat are charged; a list of objects made one at a time ends by the watched heap. Each
    # within a second or so, long before the 10 s cap.
    report = measure_runaways(calls=2, max_steps=20_000_000, max_seconds=8.0, kinds=["repeat_strings", "object_chain"])
    for row in report["runaways"]:
        assert row["ended_by_itself"] and row["terminated"], row
        assert row["error"].startswith("memory budget exceeded: ~") and "the limit is" in row["error"], row
        assert row["seconds"] < 6, row
    assert "of new objects" in report["runaways"][1]["error"]


def test_memory_and_size_limits_are_session_settings() -> None:
    report = measure_runaways(calls=0, max_steps=20_000_000, max_seconds=3.0, kinds=["promise_storm"],
                              settings={"max_memory_mb": None, "max_task_seconds": 1.0})
    [storm] = report["runaways"]
    assert "time budget exceeded" in storm["error"], storm


def test_compare_runs_each_kind_with_the_old_limits_first() -> None:
    report = measure_runaways(calls=1, max_steps=20_000, max_seconds=2.0, kinds=["loop"], compare=True,
                              long_task_loops=150_000)
    before, after = report["runaways"]
    assert (before["variant"], after["variant"]) == ("before", "after")
    assert before["ended_by_itself"] and after["ended_by_itself"] and after["cleanup_gc_ms"] >= 0
    old, new = report["long_task"]
    assert old["immediate"] == 0 and old["paused"] >= 3 and new["paused"] <= 1 and new["immediate"] >= 3, (old, new)
    # the long task is watched (a read or more) at a small share of its time
    assert new["heap_reads"] >= 1 and new["heap_read_ms"] < 0.2 * new["wall_s"] * 1000, new
    res = CliRunner().invoke(main, ["soak", "runaway", "--compare", "--kind", "nope"])
    assert res.exit_code == 2 and "unknown --kind" in res.output
