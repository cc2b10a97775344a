"""Run one scenario session to the end for a test, on virtual time by default, and collect its result.

Imported only when a fixture runs a session (it imports the runtime and the engine).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Mapping, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

from voxsim.runtime.clock import run as run_on_clock
from voxsim.runtime.network import Caller, Network
from voxsim.runtime.session import Session, SessionOptions

from .result import SessionResult

__all__ = ["TEST_EPOCH", "RunSpec", "resolve_scenario", "run_scenario", "arun_scenario"]

#: A fixed Unix time for runs in tests, so ``Date`` and storage expiry are reproducible.
TEST_EPOCH = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def resolve_scenario(scenario: str | Path, base: Path | None = None) -> Path:
    """A scenario file: a path (absolute, from the working directory, or beside the test), or a bundled name.

    Raises:
        FileNotFoundError: naming every place looked at.
    """
    path = Path(scenario)
    tried = [path] if path.is_absolute() else [Path.cwd() / path] + ([base / path] if base else [])
    for candidate in tried:
        if candidate.is_file():
            return candidate
    name = path.name if path.suffix == ".js" else f"{path.name}.js"
    bundled = files("voxsim.scenarios").joinpath(name)
    if bundled.is_file():
        return Path(str(bundled))
    raise FileNotFoundError(
        f"scenario {str(scenario)!r} not found; looked at {', '.join(map(str, tried))} and bundled {name!r}"
    )


class RunSpec:
    """Everything one run is configured with (the ``voxsim`` fixture's keyword arguments)."""

    def __init__(
        self,
        scenarios: Sequence[Path],
        run_dir: Path,
        *,
        caller: Caller | str | Mapping[str, Any] | bool | None = None,
        network: Network | Mapping[str, Any] | str | Path | None = None,
        custom_data: str = "",
        secrets: Mapping[str, str] | None = None,
        storage: str | Path | None = None,
        settings: Mapping[str, Any] | None = None,
        agent: str | Path | Mapping[str, Any] | None = None,
        cartesia: Mapping[str, Any] | None = None,
        max_seconds: float | None = 600.0,
        virtual: bool = True,
        epoch: float | None = TEST_EPOCH,
    ) -> None:
        self.scenarios = list(scenarios)
        self.run_dir = run_dir
        self.network = _network(network)
        self.caller = _caller(caller, self.network)
        self.custom_data = custom_data
        self.secrets = dict(secrets or {})
        self.storage = Path(storage) if storage is not None else run_dir / "storage.sqlite"
        self.settings = dict(settings or {})
        # The Cartesia connector reads settings["cartesia"] (docs/cartesia.md); ``agent`` is the emulator's brain.
        if agent is not None or cartesia:
            merged = dict(self.settings.get("cartesia") or {})
            merged.update(cartesia or {})
            if agent is not None:
                merged["agent"] = str(agent) if isinstance(agent, Path) else agent
            self.settings["cartesia"] = merged
        # Recordings go under the run's folder (where the result finds them), never into the user's project.
        self.settings.setdefault("recordings_dir", str(run_dir / "recordings"))
        self.max_seconds = max_seconds
        self.virtual = virtual
        self.epoch = epoch

    @property
    def trace_path(self) -> Path:
        return self.run_dir / "trace.jsonl"


def _network(spec: Network | Mapping[str, Any] | str | Path | None) -> Network:
    if spec is None:
        return Network()
    if isinstance(spec, Network):
        return spec
    if isinstance(spec, Mapping):
        return Network.from_dict(spec)
    return Network.from_file(spec)


def _caller(spec: Caller | str | Mapping[str, Any] | bool | None, network: Network) -> Caller | None:
    if spec is None or spec is False:
        return None
    if spec is True:
        return network.caller
    if isinstance(spec, Caller):
        return spec
    return Caller.from_spec(spec)


async def _run(spec: RunSpec) -> SessionResult:
    spec.run_dir.mkdir(parents=True, exist_ok=True)
    options = SessionOptions(
        network=spec.network,
        custom_data=spec.custom_data,
        trace_path=spec.trace_path,
        storage_path=spec.storage,
        secrets=spec.secrets,
        epoch=spec.epoch,
        settings=spec.settings,
    )
    # in pieces on real time (a loop turn after the realm, each installer, each compile); the same session as
    # Session(options) + load() on virtual time
    session = await Session.create(options)
    ended = False
    try:
        for path in spec.scenarios:
            await session.load_async(Path(path).read_text(encoding="utf-8"), filename=str(path))
        await session.start(inbound=spec.caller)
        ended = await session.wait(max_seconds=spec.max_seconds)
    finally:
        duration = session.clock.now()
        session.close()
    return SessionResult(
        session.trace.records,
        trace_path=spec.trace_path,
        run_dir=spec.run_dir,
        errors=session.errors,
        internal_errors=session.internal_errors,
        ended_by_itself=ended,
        duration=duration,
    )


def _run_blocking(spec: RunSpec) -> SessionResult:
    return run_on_clock(_run(spec), virtual=spec.virtual)


def run_scenario(spec: RunSpec) -> SessionResult:
    """Run the session to the end on a fresh loop (virtual or real time). Called inside a running loop (an async
    test), the session runs on a worker thread, since one thread cannot run two loops; the caller's loop waits."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_blocking(spec)
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="voxsim-session") as pool:
        return pool.submit(_run_blocking, spec).result()


async def arun_scenario(spec: RunSpec) -> SessionResult:
    """Run the session on a worker thread while the caller's loop keeps running (fakes served from it work)."""
    return await asyncio.to_thread(_run_blocking, spec)
