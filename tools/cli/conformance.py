"""`voxsim conformance`: conformance suites, given by path (never vendored into the repo)."""

from __future__ import annotations

import click

from ._lazy import LazyGroup

__all__ = ["command", "SUITES"]

SUITES: dict[str, tuple[str, str]] = {
    "parser-tests": ("voxsim.tools.conformance.parser_tests", "tc39 test262-parser-tests: pass/fail/early counts."),
    "test262": ("voxsim.tools.conformance.test262", "A test262-layout directory, by tier."),
}


@click.group(name="conformance", cls=LazyGroup, lazy_commands=SUITES)
def command() -> None:
    """Run conformance suites (test262, test262-parser-tests)."""
