"""A fixed sample of ../shared/test262 (every 50th test of every tier) must not regress.

The full run is `voxsim conformance test262 --suite ../shared/test262`; this sample keeps the normal suite fast while
any regression of the engine on the sampled tests fails here, against the committed expected-failures list.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from voxsim.tools.conformance.test262 import expected_failures, run_cases
from voxsim.tools.conformance.test262_suite import load_manifest

SAMPLE_EVERY = 50


@pytest.mark.slow
@pytest.mark.shared
def test_test262_sample_has_no_regressions(shared_dir: Path) -> None:
    suite = shared_dir / "test262"
    if not suite.is_dir():
        pytest.skip("../shared/test262 is absent")
    cases = load_manifest(suite)[::SAMPLE_EVERY]
    results = run_cases(suite, cases, jobs=os.cpu_count() or 1, timeout=60.0)
    known = expected_failures()
    regressions = {p: why for p, (ok, why) in results.items() if not ok and p not in known}
    assert not regressions, "test262 regressions (fix them, or justify adding them to the expected list):\n" + "\n".join(
        f"  {p}: {why}" for p, why in sorted(regressions.items())
    )
    assert len(results) == len(cases)
