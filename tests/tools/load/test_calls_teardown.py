"""``CallFactory.enable_teardown`` after the workers' warm-up freeze: the shared objects stay out of the cut."""

from __future__ import annotations

import asyncio
import gc
from importlib.resources import files
from pathlib import Path

from voxsim.runtime.clock import run
from voxsim.tools.load import CallFactory, LoadConfig

SCENARIO = str(Path(str(files("voxsim.scenarios"))) / "bridged_call.js")


def test_teardown_after_a_freeze_leaves_shared_objects_alone(tmp_path: Path) -> None:
    """A worker applies its GC policy (gc.freeze) before enabling the teardown; gc.get_objects() does not list the
    permanent generation, so a snapshot taken then missed every shared object and the cut cleared the network's
    caller (later calls failed with "'Caller' object has no attribute 'headers'")."""

    async def main() -> tuple[list[bool], bool, int]:
        factory = CallFactory(LoadConfig(scenarios=(SCENARIO,), call_seconds=1.0), tmp_path / "w")
        try:
            assert (await factory.run(0)).ok
            gc.collect()
            gc.freeze()
            frozen = gc.get_freeze_count()
            factory.enable_teardown()
            kept = factory.teardown_keep is not None and id(factory.network.caller) in factory.teardown_keep
            refrozen = gc.get_freeze_count() >= frozen
            ok = [(await factory.run(1)).ok]
            await asyncio.sleep(1.5)  # the ended call is torn down (TEARDOWN_DELAY)
            assert factory.teardown_stats["sessions"] == 1
            ok.append((await factory.run(2)).ok)  # shared objects intact: the next call works
            return ok, kept and refrozen, len(vars(factory.network.caller))
        finally:
            gc.unfreeze()
            await factory.close()

    ok, kept, caller_fields = run(main(), virtual=True)
    assert ok == [True, True] and kept and caller_fields > 0
