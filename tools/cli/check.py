"""`voxsim check`: report VoxEngine API members a scenario uses that do not exist, and listeners for undefined events."""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import EXIT_OK, EXIT_SCENARIO_ERROR, EXIT_USAGE

__all__ = ["command"]


@click.command(name="check")
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON Lines (file, line, column, code, message).")
def command(scenarios: tuple[Path, ...], as_json: bool) -> None:
    """Statically check SCENARIO files (or every *.js under a folder) against the VoxEngine API.

    Reports member reads that are undefined on the platform (PlayerEvents.PlaybackError, call.transfer) and
    addEventListener calls whose event is undefined, as file:line:column. Exit status: 0 clean, 1 findings,
    2 a file that cannot be read or parsed.
    """
    from voxsim.runtime.checker import check_source, format_finding

    try:
        from voxsim.engine.errors import JSSyntaxError
        from voxsim.engine.parser import parse_script  # noqa: F401 - only to know the parser is there
    except ImportError:
        click.echo("voxsim check: the engine's parser is not built yet", err=True)
        raise SystemExit(EXIT_USAGE) from None

    files = [p for s in scenarios for p in (sorted(s.rglob("*.js")) if s.is_dir() else [s])]
    if not files:
        click.echo("voxsim check: no .js files found", err=True)
        raise SystemExit(EXIT_USAGE)
    total = 0
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            click.echo(f"voxsim check: cannot read {path}: {exc.strerror or exc}", err=True)
            raise SystemExit(EXIT_USAGE) from None
        try:
            findings = check_source(text, str(path))
        except JSSyntaxError as exc:
            click.echo(str(exc), err=True)
            raise SystemExit(EXIT_USAGE) from None
        total += len(findings)
        for finding in findings:
            if as_json:
                click.echo(json.dumps({"file": finding.filename, "line": finding.line, "column": finding.column,
                                       "code": finding.code, "message": finding.message}))
            else:
                click.echo(format_finding(finding))
    if not as_json:
        count = f"{len(files)} file{'s' if len(files) != 1 else ''}"
        click.echo(f"{total} problem{'s' if total != 1 else ''} in {count}" if total else f"{count} checked: no problems found",
                   err=True)
    raise SystemExit(EXIT_SCENARIO_ERROR if total else EXIT_OK)
