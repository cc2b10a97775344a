"""`voxsim bench`: benchmarks, each a ratio against a peer measured in the same run (never an absolute assertion).

Every `voxsim bench NAME --json` prints one object
``{"benchmarks": [{"name": str, "ratio": float, "peer": str, "unit": str, ...}]}`` where ratio = voxsim time / peer time.
"""

from __future__ import annotations

import click

from ._lazy import LazyGroup

__all__ = ["command", "BENCHMARKS"]

BENCHMARKS: dict[str, tuple[str, str]] = {
    "parse": ("voxsim.tools.bench.parse", "Parse speed against esprima-fork."),
    "engine": ("voxsim.tools.bench.engine", "Engine speed against plain CPython (and js2py)."),
    "media": ("voxsim.tools.bench.media", "Frames routed per second; bridged calls on real time."),
    "agent": ("voxsim.tools.bench.agent", "Latency added on the Cartesia agent path; virtual-time speed-up."),
}


@click.group(name="bench", cls=LazyGroup, lazy_commands=BENCHMARKS)
def command() -> None:
    """Run benchmarks; each prints a ratio against a peer measured in the same run."""
