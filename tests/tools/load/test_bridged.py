"""The bundled bridged call under load: both parties talk through the bridge, the call lasts ``call_seconds``."""

from __future__ import annotations

import asyncio
from importlib.resources import files
from pathlib import Path

from voxsim.runtime.clock import run
from voxsim.tools.load import CallFactory, CallOutcome, LoadConfig
from voxsim.tools.load.calls import _default_caller

SCENARIO = Path(str(files("voxsim.scenarios").joinpath("bridged_call.js")))


def test_the_bridged_scenario_gets_its_callers_file_by_default() -> None:
    assert _default_caller((str(SCENARIO),)) == str(SCENARIO.parent / "callers" / "bridged_call.yaml")
    assert _default_caller((str(SCENARIO.parent / "inbound_say.js"),)) is None


def test_one_bridged_call_of_a_chosen_length(tmp_path: Path) -> None:
    async def main() -> tuple[CallOutcome, list[str], list[str]]:
        factory = CallFactory(LoadConfig(scenarios=(str(SCENARIO),), call_seconds=2.5), tmp_path / "work")
        said: list[str] = []
        logs: list[str] = []

        async def watch() -> None:  # read the live session's trace (the outcome keeps figures only)
            while not factory.live:
                await asyncio.sleep(0.01)
            session = next(iter(factory.live.values()))
            session.trace.add_listener(lambda r: said.append(str(r.get("text")))
                                       if r.type == "media" and r.get("kind") == "speech" else None)
            session.trace.add_listener(lambda r: logs.append(str(r.get("text"))) if r.type == "log" else None)

        try:
            watcher = asyncio.create_task(watch())
            outcome = await factory.run(1)
            await watcher
            return outcome, said, logs
        finally:
            await factory.close()

    outcome, said, logs = run(main(), virtual=False)
    assert outcome.ok, outcome.error
    # 1 s to answer (callee), then the caller hangs up 2.5 s after connecting: far shorter than the ~70 s script
    assert 3.3 <= outcome.seconds < 20.0, outcome.seconds
    assert len(outcome.lateness) >= 100  # the session's media graph ticked through the call
    assert any("front desk" in s for s in said), said  # the callee's first line went over the bridge
    assert "bridge: the caller ended the call" in logs, logs
