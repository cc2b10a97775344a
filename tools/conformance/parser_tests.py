"""`voxsim conformance parser-tests --suite DIR [--json]`: tc39's test262-parser-tests against our parser.

`pass/` and `pass-explicit/` must parse, `fail/` and `early/` must raise a SyntaxError. `*.module.js` files are
modules (out of scope for scripts): skipped and counted separately. npm release 0.0.5 still files two programs under
`fail/` that are valid since ES2019 (U+2028/U+2029 in strings); they are treated as must-parse (`MUST_PARSE`).
The suite is fetched with `npm pack test262-parser-tests`, never vendored.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

__all__ = ["command", "run_suite", "MUST_PARSE", "CATEGORIES"]

CATEGORIES = ("pass", "pass-explicit", "fail", "early")
MUST_PARSE = frozenset(["647e21f8f157c338.js", "8af69d8f15295ed2.js"])


def _expect_parse(category: str, name: str) -> bool:
    return category in ("pass", "pass-explicit") or name in MUST_PARSE


def run_one(path: Path) -> tuple[bool, str]:
    """Parse one file: (parsed, error message or '')."""
    from voxsim.engine.errors import JSSyntaxError
    from voxsim.engine.parser import parse_script

    text = path.read_bytes().decode("utf-8", errors="surrogatepass")
    try:
        parse_script(text, path.name)
    except JSSyntaxError as exc:
        return False, exc.message
    except Exception as exc:  # noqa: BLE001 - a crash is a failure of the test, reported as such
        return False, f"CRASH {type(exc).__name__}: {exc}"
    return True, ""


def run_suite(suite: Path) -> dict[str, Any]:
    """Counts per category plus the list of failing files (``category/name``) and crashes."""
    result: dict[str, Any] = {}
    failures: list[str] = []
    crashes: list[str] = []
    modules = 0
    for category in CATEGORIES:
        folder = suite / category
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.js")):
            if path.name.endswith(".module.js"):
                modules += 1
                continue
            counted = "pass" if path.name in MUST_PARSE else category
            counts = result.setdefault(counted, {"passed": 0, "total": 0})
            counts["total"] += 1
            parsed, message = run_one(path)
            if parsed == _expect_parse(category, path.name):
                counts["passed"] += 1
            else:
                failures.append(f"{category}/{path.name}")
            if message.startswith("CRASH"):
                crashes.append(f"{category}/{path.name}: {message}")
    result["modules_skipped"] = modules
    result["failures"] = failures
    result["crashes"] = crashes
    return result


@click.command(name="parser-tests")
@click.option("--suite", "suite", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The unpacked test262-parser-tests directory (with pass/, fail/, early/).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the counts.")
@click.option("--list-failures", is_flag=True, help="Also print the failing files.")
def command(suite: Path, as_json: bool, list_failures: bool) -> None:
    """tc39 test262-parser-tests: pass/fail/early counts."""
    started = time.perf_counter()
    result = run_suite(suite)
    elapsed = time.perf_counter() - started
    if as_json:
        out = {k: result[k] for k in CATEGORIES if k in result}
        out["modules_skipped"] = result["modules_skipped"]
        out["seconds"] = round(elapsed, 2)
        if list_failures:
            out["failures"] = result["failures"]
        click.echo(json.dumps(out))
        return
    for category in CATEGORIES:
        if category in result:
            c = result[category]
            pct = 100.0 * c["passed"] / c["total"] if c["total"] else 0.0
            click.echo(f"{category:14} {c['passed']:5} / {c['total']:5}  ({pct:.1f}%)")
    click.echo(f"modules skipped: {result['modules_skipped']}; {elapsed:.1f} s")
    for crash in result["crashes"]:
        click.echo(crash, err=True)
    if list_failures:
        for name in result["failures"]:
            click.echo(name)
    sys.stdout.flush()
