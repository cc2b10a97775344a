"""The plugin as a user meets it: loaded from the entry point, fixtures in plain and async tests, failure output."""

from __future__ import annotations

import pytest

from voxsim.tools.trace import TraceBuilder, write_trace

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def inner_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")


@pytest.fixture
def flow_trace(pytester: pytest.Pytester) -> str:
    b = TraceBuilder()
    b.event("Application.CallAlerting", data={"call": "call-1"})
    b.at(0.1).event("Call.Connected", "call-1")
    b.at(0.5).event("Cartesia.Agents.ACK", "agent-1")
    b.at(0.6).speech("agent-1", "call-1", "Hello there", until=1.5)
    b.at(1.6).event("Call.Disconnected", "call-1")
    return str(write_trace(b.records, pytester.path / "flow.jsonl"))


def test_the_entry_point_loads_the_plugin(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*voxsim call-flow tests*", "*--voxsim-trace-dir=DIR*", "*--voxsim-real-time*"])
    pytester.makepyfile("def test_f(voxsim):\n    assert callable(voxsim) and hasattr(voxsim, 'arun')\n")
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_failed_expectation_shows_the_timeline_not_plugin_frames(pytester: pytest.Pytester, flow_trace: str) -> None:
    pytester.makepyfile(
        f"""
        def test_ack_budget(voxsim):
            result = voxsim.trace({flow_trace!r})
            result.expect("Call.Connected").then("Cartesia.Agents.ACK", within_ms=300)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*TraceAssertionError: expected 'Cartesia.Agents.ACK' within 300 ms after Call.Connected at t=0.100s, "
            "but it came 400 ms later (t=0.500s)",
            "*>>>*0.500s*agent-1*Cartesia.Agents.ACK",
        ]
    )
    # __tracebackhide__: the user's line is shown, voxsim's own frames are not.
    assert "expect.py" not in result.stdout.str()
    result.stdout.fnmatch_lines(['*result.expect("Call.Connected").then("Cartesia.Agents.ACK", within_ms=300)*'])


def test_passing_flows_in_plain_and_async_tests(pytester: pytest.Pytester, flow_trace: str) -> None:
    pytester.makepyfile(
        f"""
        def test_plain(voxsim):
            result = voxsim.trace({flow_trace!r})
            result.expect("Call.Connected").then("Cartesia.Agents.ACK", within_ms=400).then("Call.Disconnected")
            result.caller.heard("hello there")
            result.no_errors()

        async def test_async(voxsim):
            result = voxsim.trace({flow_trace!r})
            result.never("Call.Failed")
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)
