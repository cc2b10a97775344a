"""test262-parser-tests regressions against engine/parser_known_failures.txt (needs VOXSIM_PARSER_TESTS=DIR)."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import pytest

from voxsim.tools.conformance.parser_tests import MUST_PARSE, run_suite

SUITE = os.environ.get("VOXSIM_PARSER_TESTS")


def known_failures() -> set[str]:
    text = resources.files("voxsim.engine").joinpath("parser_known_failures.txt").read_text(encoding="utf-8")
    return {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}


def test_known_failures_list_is_well_formed() -> None:
    names = known_failures()
    assert names, "the list exists"
    for name in names:
        category, _, file = name.partition("/")
        assert category in ("pass", "pass-explicit", "fail", "early") and file.endswith(".js"), name


@pytest.mark.slow
@pytest.mark.skipif(not SUITE, reason="set VOXSIM_PARSER_TESTS to an unpacked test262-parser-tests directory")
def test_no_regressions_against_known_failures() -> None:
    result = run_suite(Path(SUITE))  # type: ignore[arg-type]
    assert not result["crashes"], result["crashes"][:10]
    regressions = sorted(set(result["failures"]) - known_failures())
    assert not regressions, f"new failures (fix them or add to the known-failures list): {regressions[:20]}"
    assert result["pass"]["passed"] / result["pass"]["total"] >= 0.98
    assert result["fail"]["passed"] / result["fail"]["total"] >= 0.95
    assert result["early"]["passed"] / result["early"]["total"] >= 0.80


def test_runner_counts_on_a_tiny_suite(tmp_path: Path) -> None:
    for category, name, text in [
        ("pass", "a.js", "var a = 1;"),
        ("pass", "m.module.js", "export default 1"),
        ("pass-explicit", "a.js", "var a = (1);"),
        ("fail", "b.js", "var = ;"),
        ("fail", next(iter(MUST_PARSE)), "'\u2028'"),
        ("early", "c.js", "let a; let a;"),
        ("early", "d.js", "let a; let b;"),
    ]:
        (tmp_path / category).mkdir(exist_ok=True)
        (tmp_path / category / name).write_text(text, encoding="utf-8")
    result = run_suite(tmp_path)
    assert result["pass"] == {"passed": 2, "total": 2}
    assert result["fail"] == {"passed": 1, "total": 1}
    assert result["early"] == {"passed": 1, "total": 2}
    assert result["modules_skipped"] == 1
    assert result["failures"] == ["early/d.js"]


def test_cli_json_output(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from voxsim.tools.conformance.parser_tests import command

    for category, text in [("pass", "a => a"), ("fail", "a =>"), ("early", "break;")]:
        (tmp_path / category).mkdir()
        (tmp_path / category / "x.js").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(command, ["--suite", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["pass"] == {"passed": 1, "total": 1}
    assert data["fail"] == {"passed": 1, "total": 1}
    assert data["early"] == {"passed": 1, "total": 1}


@pytest.mark.slow
def test_bench_parse_json() -> None:
    import json

    from click.testing import CliRunner

    pytest.importorskip("esprima", reason="esprima-fork (the bench extra) is not installed")
    from voxsim.tools.bench.parse import command

    result = CliRunner().invoke(command, ["--json", "--repeat", "1"])
    assert result.exit_code == 0, result.output
    benchmarks = json.loads(result.output)["benchmarks"]
    assert {b["name"] for b in benchmarks} >= {"parse-generated-2000-lines"}
    for b in benchmarks:
        assert b["peer"] == "esprima-fork" and b["ratio"] > 0 and b["lines_per_second"] > 0
