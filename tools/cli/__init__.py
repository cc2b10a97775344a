"""The ``voxsim`` console script.

Each sub-command lives in its own module of this package and is imported only when it runs,
so ``voxsim --help`` stays fast. Exit codes (documented in docs/cli.md):
0 success, 1 the scenario threw, 2 bad usage / SyntaxError / not built yet, 70 internal error.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import click

from ._lazy import LazyGroup

__all__ = ["main", "EXIT_OK", "EXIT_SCENARIO_ERROR", "EXIT_USAGE", "EXIT_INTERNAL"]

EXIT_OK = 0
EXIT_SCENARIO_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("voxsim.tools.cli.run", "Run a scenario in a simulated session."),
    "call": ("voxsim.tools.cli.call", "Place an interactive inbound call from the terminal."),
    "serve": ("voxsim.tools.cli.serve", "Serve a browser softphone that calls the scenario."),
    "demo": ("voxsim.tools.cli.demo", "Run the bundled Cartesia inbound demo on the local agent emulator."),
    "check": ("voxsim.tools.cli.check", "Statically check a scenario against the VoxEngine API."),
    "bench": ("voxsim.tools.cli.bench", "Run benchmarks; each prints a ratio against a peer measured in the same run."),
    "agent": ("voxsim.tools.cli.agent", "Run the local Cartesia Line agent emulator alone."),
    "conformance": ("voxsim.tools.cli.conformance", "Run conformance suites (test262, test262-parser-tests)."),
    "timeline": ("voxsim.tools.cli.timeline", "Draw a JSONL trace as a timeline picture (PNG or SVG)."),
    "soak": ("voxsim.tools.cli.soak", "Robustness soak runs (fuzzing) that print a figure."),
    "load": ("voxsim.tools.cli.load", "Real-time calls against a scenario over worker processes, with a report."),
}


def _version() -> str:
    try:
        return version("voxsim")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


@click.group(cls=LazyGroup, lazy_commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), "--version", prog_name="voxsim", message="%(prog)s %(version)s")
def main() -> None:
    """voxsim — an offline VoxEngine.

    Runs Voximplant VoxEngine scenarios unchanged on a simulated phone network, with real audio,
    virtual time and a local Cartesia Line agent emulator.
    """


def not_built(name: str, issue: str) -> click.Command:
    """A placeholder sub-command that says it is not built yet and exits with status 2."""

    @click.command(
        name=name,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        help=f"{COMMANDS[name][1] if name in COMMANDS else name} (not built yet)",
    )
    def placeholder() -> None:
        click.echo(f"voxsim {name}: not built yet ({issue})", err=True)
        raise SystemExit(EXIT_USAGE)

    return placeholder
