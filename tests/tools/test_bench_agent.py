"""`voxsim bench agent`'s virtual-time and start-up measurements run and report sane figures (short versions)."""

from __future__ import annotations

import pytest

from voxsim.tools.bench.agent import measure_speedup, measure_startup


@pytest.mark.slow
def test_virtual_speedup_reports_wall_and_cpu() -> None:
    result = measure_speedup(20.0)
    assert result["turns_heard"] >= 1 and result["recorded_seconds"] == pytest.approx(20.0)
    assert result["speedup"] > 1 and result["cpu_speedup"] > 1  # virtual time runs faster than the call
    assert result["bare_ticks_cpu_speedup"] > result["cpu_speedup"]  # the clock alone is the ceiling
    assert result["tcp_cpu_speedup"] > 1
    assert result["bare_ticks_cpu_us_per_tick"] < result["cpu_us_per_tick"]


@pytest.mark.slow
def test_session_startup_reaches_the_agent_and_measures_stalls() -> None:
    result = measure_startup(2)
    assert result["sessions"] == 2
    assert 0 < result["cpu_ms"] < 5000 and 0 <= result["stall_ms"] <= result["stall_max_ms"]
    assert result["wall_ms"] < 30000  # the agent acknowledged (the wait gives up at 30 s)
