"""``voxsim load``: real-time calls against a scenario, spread over worker processes (docs/cli.md, "voxsim load").

``run_load(LoadConfig(scenarios=(...,)), calls=N, concurrency=C, processes=P) -> LoadReport``; the coordinator
(``coordinator.py``) hands calls to workers (``worker.py``), each a real-time event loop running sessions built by
``calls.CallFactory`` against one shared agent emulator per worker.
"""

from __future__ import annotations

from .calls import DEFAULT_CALLER, CallFactory, CallOutcome, LoadConfig, SharedEmulator
from .coordinator import LoadError, LoadReport, Progress, run_load
from .gcpolicy import GC_POLICIES, GcStats, GcWatch, apply_gc_policy

__all__ = ["DEFAULT_CALLER", "CallFactory", "CallOutcome", "LoadConfig", "SharedEmulator", "LoadError",
           "LoadReport", "Progress", "run_load", "GC_POLICIES", "GcStats", "GcWatch", "apply_gc_policy"]
