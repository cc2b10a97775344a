"""`voxsim check` on files: findings with file:line, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from voxsim.tools.cli import EXIT_OK, EXIT_SCENARIO_ERROR, EXIT_USAGE, main

import voxsim.engine.parser  # noqa: F401 - the checker parses with it

BAD = """VoxEngine.addEventListener(AppEvents.CallAlerting, function (e) {
  e.call.answer();
  const player = VoxEngine.createTTSPlayer("hi");
  player.addEventListener(PlayerEvents.PlaybackError, function () {});
  e.call.transfer({ to: "+1" });
});
"""


def test_findings_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.js"
    path.write_text(BAD)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == EXIT_SCENARIO_ERROR, result.output
    assert f"{path}:4:" in result.output and "PlayerEvents has no member 'PlaybackError'" in result.output
    assert f"{path}:5:" in result.output and "has no member 'transfer'" in result.output
    assert "undefined-event" in result.output


def test_json_output(tmp_path: Path) -> None:
    path = tmp_path / "bad.js"
    path.write_text(BAD)
    result = CliRunner().invoke(main, ["check", "--json", str(path)])
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert {(r["line"], r["code"]) for r in rows} >= {(4, "unknown-member"), (4, "undefined-event"), (5, "unknown-member")}


def test_clean_file_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "ok.js"
    path.write_text("VoxEngine.addEventListener(AppEvents.Started, function () { Logger.write('hi'); });\n")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == EXIT_OK, result.output


def test_syntax_error_and_missing_file_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.js"
    path.write_text("VoxEngine.addEventListener(AppEvents.Started, function () {\n")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == EXIT_USAGE
    assert "SyntaxError" in result.output
    assert CliRunner().invoke(main, ["check", str(tmp_path / "none.js")]).exit_code == EXIT_USAGE


def test_a_folder_checks_every_js_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.js").write_text("Logger.write('ok');\n")
    (tmp_path / "sub" / "b.js").write_text("PlayerEvents.PlaybackError;\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == EXIT_SCENARIO_ERROR
    assert "b.js:1:" in result.output and "1 problem in 2 files" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    assert CliRunner().invoke(main, ["check", str(empty)]).exit_code == EXIT_USAGE
