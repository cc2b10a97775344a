"""Garbage collection in a process that keeps starting sessions next to live media: a policy and a watch.

Why: every session leaves ~4,000 container objects in the oldest generation, and CPython's full (generation 2)
collection walks every tracked object at once — 50–110 ms with 40 sessions alive, landing on whatever media tick
is due. ``freeze`` moves what exists after the worker's warm-up (modules, parser tables, caches: ~80,000 objects)
out of the collector's sight for good, so a full pass walks only the sessions. ``tuned`` does that and also asks for
full passes less often (the third threshold), trading memory held by dead sessions' cycles for fewer long stalls.
``GcWatch`` measures what the passes cost (``gc.callbacks``), so a load report can show it.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass

__all__ = ["GC_POLICIES", "DEFAULT_GC_POLICY", "TUNED_THRESHOLDS", "LEAN_THRESHOLDS", "GcStats", "GcWatch", "apply_gc_policy"]

GC_POLICIES = ("default", "freeze", "tuned", "lean")
DEFAULT_GC_POLICY = "tuned"
#: ``gc.set_threshold`` for ``tuned``: generations 0 and 1 as CPython's defaults, a full pass after 100 (not 10)
#: generation-1 passes — and still only when the objects promoted since the last one are a quarter of the old ones.
TUNED_THRESHOLDS = (700, 10, 100)
#: ``gc.set_threshold`` for ``lean``: a middle-generation pass every 4 young ones (not 10), so each walks fewer of the
#: sessions started meanwhile (max 4.7 -> 2.8 ms at 200 bridged calls), and full passes as rare as (700, 10, 1000):
#: ~100x rarer than CPython's default. Safe only because ``lean`` workers also cut each ended session's cycles
#: (``teardown.py``), so dead sessions do not pile up for the pass.
LEAN_THRESHOLDS = (700, 4, 2500)


@dataclass
class GcStats:
    """Collections seen by a :class:`GcWatch`: full (generation 2) passes and the young ones (wall-clock ms)."""

    full: int = 0
    full_total_ms: float = 0.0
    full_max_ms: float = 0.0
    full_max_cpu_ms: float = 0.0  # the longest one in CPU time (on a busy machine the wall time includes waiting)
    young: int = 0
    young_max_ms: float = 0.0


class GcWatch:
    """Times every collection while started (``gc.callbacks``); the clock is ``perf_counter``, as these are pauses
    of the whole process, not session time."""

    def __init__(self) -> None:
        self.stats = GcStats()
        self._t0 = 0.0
        self._c0 = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            # process_time is a system call (~1 µs here) and young passes come by the hundred a second: read it
            # for full passes only, which are the ones whose CPU time is reported
            self._t0 = time.perf_counter()
            if info.get("generation") == 2:
                self._c0 = time.process_time()
            return
        ms = (time.perf_counter() - self._t0) * 1000
        if info.get("generation") == 2:
            self.stats.full += 1
            self.stats.full_total_ms += ms
            self.stats.full_max_ms = max(self.stats.full_max_ms, ms)
            self.stats.full_max_cpu_ms = max(self.stats.full_max_cpu_ms, (time.process_time() - self._c0) * 1000)
        else:
            self.stats.young += 1
            self.stats.young_max_ms = max(self.stats.young_max_ms, ms)

    def start(self) -> GcWatch:
        if self._callback not in gc.callbacks:
            gc.callbacks.append(self._callback)
        return self

    def stop(self) -> GcStats:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)
        return self.stats


def apply_gc_policy(policy: str) -> None:
    """Apply ``policy`` (one of :data:`GC_POLICIES`) once the process has warmed up (imports done, first session
    built and ended): ``default`` changes nothing."""
    if policy not in GC_POLICIES:
        raise ValueError(f"unknown GC policy {policy!r}; expected one of {', '.join(GC_POLICIES)}")
    if policy == "default":
        return
    gc.collect()  # what the warm-up left as garbage is not frozen with the rest
    gc.freeze()
    if policy == "tuned":
        gc.set_threshold(*TUNED_THRESHOLDS)
    elif policy == "lean":
        gc.set_threshold(*LEAN_THRESHOLDS)
