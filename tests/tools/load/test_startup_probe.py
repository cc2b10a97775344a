"""The start-up stall probe: both ways of building a session run, and it reports stalls and CPU per way."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from voxsim.tools.load.startup import measure_startup_stalls


def test_both_ways_are_measured() -> None:
    doc = measure_startup_stalls(Path(str(files("voxsim.scenarios").joinpath("bridged_call.js"))), sessions=1)
    assert doc["scenario"] == "bridged_call.js"
    for way in ("whole", "pieces"):
        figures = doc[way]
        assert 0.0 <= figures["stall_p50_ms"] <= figures["stall_max_ms"]
        assert 0.0 < figures["turn_cpu_p50_ms"] <= figures["turn_cpu_max_ms"] <= figures["cpu_p50_ms"] * 3
        assert figures["cpu_p50_ms"] > 0.5  # a session start-up is never free


def test_a_live_bridged_call_holds_few_tracked_objects() -> None:
    from voxsim.tools.load.startup import count_session_objects

    doc = count_session_objects(Path(str(files("voxsim.scenarios").joinpath("bridged_call.js"))), calls=4)
    assert doc["ok"] == 4
    # 3,787 before host members, enums and helpers were shared or made on first use (2,680 after); the compile of
    # the scenario for each realm is ~1,350 of what is left.
    assert 1_000 < doc["objects_per_live_call"] < 3_200
