"""The ``voxsim`` console script.

Each sub-command lives in its own module of this package and is imported only when it runs,
so ``voxsim --help`` stays fast. Exit codes (documented in docs/cli.md):
0 success, 1 the scenario threw, 2 bad usage / SyntaxError / not built yet, 70 internal error.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version

import click

__all__ = ["main", "EXIT_OK", "EXIT_SCENARIO_ERROR", "EXIT_USAGE", "EXIT_INTERNAL"]

EXIT_OK = 0
EXIT_SCENARIO_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70

# name -> (module in this package, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run", "Run a scenario in a simulated session."),
    "call": ("call", "Place an interactive inbound call from the terminal."),
    "serve": ("serve", "Serve a browser softphone that calls the scenario."),
    "demo": ("demo", "Run the bundled Cartesia inbound demo on the local agent emulator."),
    "check": ("check", "Statically check a scenario against the VoxEngine API."),
    "bench": ("bench", "Run benchmarks; each prints a ratio against a peer measured in the same run."),
    "conformance": ("conformance", "Run conformance suites (test262, test262-parser-tests)."),
}


def _version() -> str:
    try:
        return version("voxsim")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


class LazyGroup(click.Group):
    """A click group whose sub-commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(f"{__name__}.{entry[0]}")
        command: click.Command = module.command
        command.help = command.help or entry[1]
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
        help=f"{COMMANDS[name][1]} (not built yet)",
    )
    def placeholder() -> None:
        click.echo(f"voxsim {name}: not built yet ({issue})", err=True)
        raise SystemExit(EXIT_USAGE)

    return placeholder
