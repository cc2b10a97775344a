"""The ``voxsim`` fixture under pytest-xdist (``-n 2``): every test passes and each run keeps its own files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("xdist", reason="pytest-xdist is in the test extra")

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.slow  # an inner pytest with two xdist workers running nine sessions: ~30 s

# Eight call-flow tests, each with its own caller number; each writes where its run went and which worker ran it.
SUITE = '''
import json, os
from pathlib import Path

import pytest

OUT = Path(__file__).parent / "out"


def _note(name, result, number):
    OUT.mkdir(exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps({
        "worker": os.environ.get("PYTEST_XDIST_WORKER"), "pid": os.getpid(), "number": number,
        "trace": str(result.trace_path), "run_dir": str(result.run_dir),
        "recordings": [str(p) for p in result.recordings]}))


@pytest.mark.parametrize("n", range(4))
def test_inbound_say(voxsim, n):
    number = f"+1555000100{n}"
    result = voxsim("inbound_say", caller=number)
    result.expect("Call.Connected").then("Call.Disconnected")
    result.caller.heard("you have reached voxsim")
    _note(f"say{n}", result, number)


@pytest.mark.parametrize("n", range(3))
def test_cartesia_inbound(voxsim, n):
    number = f"+1555000200{n}"
    result = voxsim("cartesia_inbound", caller={"callerid": number, "script": [
        {"wait": "agent.silent"}, {"say": "I want to book a table"}, {"wait": "agent.silent"}, "hangup"]})
    result.expect("Call.Connected").then("Cartesia.Agents.ACK", within_ms=2000)
    result.caller.heard("for how many people")
    _note(f"cartesia{n}", result, number)


async def test_async_flow(voxsim):
    number = "+15550003000"
    result = await voxsim.arun("inbound_say", caller=number)
    result.no_errors()
    _note("async", result, number)


def test_fails_on_purpose(voxsim):
    voxsim("inbound_say", caller="+15550004000").never("Call.Connected")
'''


def test_a_call_flow_suite_under_xdist_two_workers(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_flows=SUITE)
    artifacts = pytester.path / "artifacts"
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", f"--voxsim-trace-dir={artifacts}",
                                           timeout=300)
    result.assert_outcomes(passed=8, failed=1)
    result.stdout.fnmatch_lines(["*2 workers*"])

    notes = {p.stem: json.loads(p.read_text()) for p in (pytester.path / "out").glob("*.json")}
    assert len(notes) == 8
    assert {n["worker"] for n in notes.values()} == {"gw0", "gw1"}  # spread over both workers
    assert len({n["pid"] for n in notes.values()}) == 2
    traces = [Path(n["trace"]) for n in notes.values()]
    assert len(set(traces)) == 8 and len({n["run_dir"] for n in notes.values()}) == 8
    for note in notes.values():  # every trace is its own test's call, not clobbered by another worker
        text = Path(note["trace"]).read_text()
        assert note["number"] in text
        assert not set(re.findall(r"\+1555000\d{4}", text)) - {note["number"]}
    recordings = [r for n in notes.values() for r in n["recordings"]]
    assert len(recordings) == len(set(recordings)) >= 3  # cartesia_inbound records each call

    # The failing test's trace and timeline land in the shared trace dir under its own node id.
    saved = sorted(p.name for p in artifacts.iterdir())
    assert any(name.startswith("test_flows.py_test_fails_on_purpose") and name.endswith(".jsonl") for name in saved)
    assert any(name.endswith(".png") for name in saved)
