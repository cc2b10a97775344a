"""The voxsim pytest plugin: the ``voxsim`` factory fixture and ``--voxsim-*`` options.

Registered through the ``pytest11`` entry point ``voxsim``, so installing voxsim makes it available. This module
imports nothing heavy: the runtime is imported when a test first runs a session.

    def test_greeting(voxsim):
        result = voxsim("cartesia_inbound", caller="+15551234567")
        result.expect("Call.Connected").then("Cartesia.Agents.ACK", within_ms=300)
        result.caller.heard("how can I help")
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from voxsim.runtime.trace import TraceRecord

    from .expect import TraceResult
    from .result import SessionResult
    from .runner import RunSpec

__all__ = ["Voxsim", "voxsim", "pytest_addoption", "pytest_runtest_makereport"]

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("voxsim", "voxsim call-flow tests")
    group.addoption(
        "--voxsim-trace-dir",
        metavar="DIR",
        default=None,
        help="when a test fails, copy the JSONL trace of each voxsim run into DIR and draw its timeline PNG",
    )
    group.addoption(
        "--voxsim-real-time",
        action="store_true",
        default=False,
        help="run voxsim sessions on real time instead of virtual time (slow; for debugging timing)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "voxsim(**options): default keyword arguments for every voxsim(...) run in the test "
        "(e.g. agent=, network=, caller=); arguments given to the call win",
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


class Voxsim:
    """The ``voxsim`` fixture: runs scenarios to the end and returns ``SessionResult``s.

    Call it from a plain ``def`` test (``voxsim(...)``) or an async one (``await voxsim.arun(...)``, which leaves
    the test's loop free while the session runs on its own virtual-time loop).
    """

    def __init__(self, base_dir: Path, tmp_path: Path, *, real_time: bool = False,
                 defaults: dict[str, Any] | None = None) -> None:
        self.base_dir = base_dir
        self.tmp_path = tmp_path
        self.real_time = real_time
        self.defaults = dict(defaults or {})
        self.results: list[SessionResult] = []

    def __call__(self, scenario: str | Path, *more: str | Path, allow_errors: bool = False,
                 **options: Any) -> SessionResult:
        """Run ``scenario`` (plus ``more`` files, loaded in order) until the session terminates.

        Args:
            scenario: a path (from the working directory or beside the test file) or a bundled scenario name.
            allow_errors: by default an uncaught scenario error fails the test; True leaves it to the test.
            options: ``caller`` (a number, a mapping, a ``Caller``, or True for the network's caller; omit for a
                session without an inbound call), ``network`` (a ``Network``, a mapping or a YAML/JSON path),
                ``custom_data``, ``secrets``, ``storage`` (sqlite path; default inside the run's folder),
                ``settings`` (free-form, for runtime parts), ``agent`` (the Cartesia emulator's brain: a script
                file, a mapping or ``module:factory``), ``cartesia`` (more ``settings["cartesia"]`` keys), ``max_seconds`` (session time, default 600),
                ``virtual`` (default True), ``epoch`` (Unix time at session start; fixed by default).
        """
        __tracebackhide__ = True
        from .runner import run_scenario

        result = run_scenario(self._spec(scenario, more, options))
        return self._checked(result, allow_errors)

    async def arun(self, scenario: str | Path, *more: str | Path, allow_errors: bool = False,
                   **options: Any) -> SessionResult:
        """Like calling the fixture, from an async test."""
        __tracebackhide__ = True
        from .runner import arun_scenario

        result = await arun_scenario(self._spec(scenario, more, options))
        return self._checked(result, allow_errors)

    def trace(self, source: str | Path | Sequence[TraceRecord]) -> TraceResult:
        """Assertions over a trace written elsewhere (a JSONL path, e.g. from ``voxsim run``) or over records."""
        from voxsim.tools.trace.reader import read_trace

        from .expect import TraceResult

        if isinstance(source, (str, Path)):
            return TraceResult(read_trace(source))
        return TraceResult(source)

    def _spec(self, scenario: str | Path, more: Sequence[str | Path], options: dict[str, Any]) -> RunSpec:
        from .runner import RunSpec, resolve_scenario

        files = [resolve_scenario(s, self.base_dir) for s in (scenario, *more)]
        options = {**self.defaults, **options}
        options.setdefault("virtual", not self.real_time)
        run_dir = self.tmp_path / f"voxsim-run-{len(self.results) + 1}"
        return RunSpec(files, run_dir, **options)

    def _checked(self, result: SessionResult, allow_errors: bool) -> SessionResult:
        __tracebackhide__ = True
        self.results.append(result)
        if result.internal_errors:
            exc = result.internal_errors[0]
            result.fail(f"voxsim failed internally (not the scenario's fault): {type(exc).__name__}: {exc}",
                        next((i for i, r in enumerate(result.records)
                              if r.type == "error" and r.get("source") == "internal"), None))
        if not allow_errors:
            result.no_errors()
        return result

    def save_artifacts(self, dest: Path, stem: str) -> list[Path]:
        """Copy every run's trace to ``dest`` and draw its timeline; returns the files written."""
        from voxsim.tools.trace.timeline import render_timeline

        written: list[Path] = []
        dest.mkdir(parents=True, exist_ok=True)
        for n, result in enumerate(self.results, 1):
            trace = dest / f"{stem}-run{n}.jsonl"
            if result.trace_path.is_file():
                shutil.copyfile(result.trace_path, trace)
                written.append(trace)
            written.append(render_timeline(result.records, trace.with_suffix(".png"), title=f"{stem} run {n}"))
        return written


@pytest.fixture
def voxsim(request: pytest.FixtureRequest, tmp_path: Path) -> Generator[Voxsim, None, None]:
    """Run VoxEngine scenarios on virtual time: ``result = voxsim("scenario.js", caller="+1555…")``."""
    defaults: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers("voxsim"))):  # the closest marker wins
        defaults.update(marker.kwargs)
    factory = Voxsim(
        Path(request.node.path).parent,
        tmp_path,
        real_time=bool(request.config.getoption("voxsim_real_time")),
        defaults=defaults,
    )
    yield factory
    trace_dir = request.config.getoption("voxsim_trace_dir")
    report = request.node.stash.get(_REPORTS, {}).get("call")
    if trace_dir and factory.results and report is not None and report.failed:
        stem = re.sub(r"[^\w.-]+", "_", request.node.nodeid).strip("_")
        factory.save_artifacts(Path(trace_dir), stem)
