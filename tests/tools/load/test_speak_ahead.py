"""A load worker synthesizes its scripts' phrases before the run, so no call's media waits for espeak-ng."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from voxsim.runtime.media.tts import _synth_cached
from voxsim.tools.load import CallFactory, LoadConfig

SCENARIOS = Path(str(files("voxsim.scenarios")))


def test_the_caller_and_callee_phrases_are_in_the_tts_cache_after_speak_ahead(tmp_path: Path) -> None:
    config = LoadConfig(scenarios=(str(SCENARIOS / "bridged_call.js"),),
                        caller_script=str(SCENARIOS / "callers" / "bridged_call.yaml"))
    factory = CallFactory(config, tmp_path)
    _synth_cached.cache_clear()
    phrases = factory.speak_ahead(rates=(8000,))
    callee = next(iter(factory.script.callees.values()))["script"]
    assert phrases == len({s.text for s in factory.script.steps + callee.steps if s.kind == "say"})
    assert phrases > 20  # both parties' lines of scripts/callers/bridged_call.yaml
    misses = _synth_cached.cache_info().misses
    from voxsim.runtime.media.tts import synthesize

    synthesize("Hello, this is the front desk, how can I help you?", 8000)  # the callee's first line
    synthesize("Hi, I would like to book a table for tonight.", 8000)  # the caller's
    assert _synth_cached.cache_info().misses == misses  # both were cached
