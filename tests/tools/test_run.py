"""`voxsim run`: exit statuses, inbound/outbound starts, network files, the JSONL trace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from voxsim.tools.cli import EXIT_OK, EXIT_SCENARIO_ERROR, EXIT_USAGE, main

import voxsim.engine.script  # noqa: F401 - these tests run JS

INBOUND = """
VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  Logger.write('call from ' + e.callerid + ' to ' + e.destination);
  e.call.answer();
  e.call.addEventListener(CallEvents.Connected, () => setTimeout(() => e.call.hangup(), 2000));
  e.call.addEventListener(CallEvents.Disconnected, () => VoxEngine.terminate());
});
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_inbound_run_writes_a_trace(tmp_path: Path) -> None:
    scenario = write(tmp_path, "inbound.js", INBOUND)
    trace = tmp_path / "out" / "trace.jsonl"
    result = CliRunner().invoke(main, ["run", str(scenario), "--call", "+15551234567", "--to", "+18005550100",
                                       "--trace", str(trace)])
    assert result.exit_code == EXIT_OK, result.output
    assert "call from +15551234567 to +18005550100" in result.output
    records = [json.loads(line) for line in trace.read_text().splitlines()]
    assert all({"t", "type"} <= set(r) for r in records)
    names = [(r["t"], r["name"], r["target"]) for r in records if r["type"] == "event"]
    assert names[0] == (0.0, "Application.Started", "session")
    assert (0.0, "Application.CallAlerting", "session") in names
    assert (2.0, "Call.Disconnected", "call-1") in names
    assert names[-1] == (2.0, "Application.Terminated", "session")


def test_started_run_with_custom_data_and_network_file(tmp_path: Path) -> None:
    scenario = write(tmp_path, "out.js", """
        VoxEngine.addEventListener(AppEvents.Started, () => {
          const call = VoxEngine.callPSTN(VoxEngine.customData(), '+1800');
          call.addEventListener(CallEvents.Failed, (e) => { Logger.write('failed ' + e.code); VoxEngine.terminate(); });
        });
    """)
    network = write(tmp_path, "net.yaml", "callees:\n  '+15550001111': unavailable\n")
    result = CliRunner().invoke(main, ["run", str(scenario), "--custom-data", "+15550001111", "--network", str(network)])
    assert result.exit_code == EXIT_OK, result.output
    assert "failed 480" in result.output


def test_handler_error_exits_1(tmp_path: Path) -> None:
    scenario = write(tmp_path, "bad.js", "VoxEngine.addEventListener(AppEvents.Started, () => { throw new Error('nope'); });")
    result = CliRunner().invoke(main, ["run", str(scenario), "--max-seconds", "5"])
    assert result.exit_code == EXIT_SCENARIO_ERROR
    assert "nope" in result.output


def test_syntax_error_exits_2(tmp_path: Path) -> None:
    scenario = write(tmp_path, "broken.js", "VoxEngine.addEventListener(AppEvents.Started, () => {\n  let = ;\n");
    result = CliRunner().invoke(main, ["run", str(scenario)])
    assert result.exit_code == EXIT_USAGE
    assert "SyntaxError" in result.output and "broken.js" in result.output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    scenario = write(tmp_path, "ok.js", "VoxEngine.terminate();")
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(scenario), "--custom-data", "x" * 201]).exit_code == EXIT_USAGE
    assert runner.invoke(main, ["run", str(tmp_path / "missing.js")]).exit_code == EXIT_USAGE
    latin = tmp_path / "latin1.js"
    latin.write_bytes(b"Logger.write('\xe9t\xe9');")
    result = runner.invoke(main, ["run", str(latin)])
    assert result.exit_code == EXIT_USAGE and "cannot read" in result.output
    bad_net = write(tmp_path, "bad.yaml", "callees: {'1': explode}\n")
    result = runner.invoke(main, ["run", str(scenario), "--network", str(bad_net)])
    assert result.exit_code == EXIT_USAGE and "explode" in result.output


def test_several_files_share_one_realm(tmp_path: Path) -> None:
    lib = write(tmp_path, "lib.js", "function greet(n) { return 'hello ' + n; }\nconst LIMIT = 3;\n")
    app = write(tmp_path, "app.js", "require('lib');\nLogger.write(greet('world') + ' ' + LIMIT);\nVoxEngine.terminate();\n")
    result = CliRunner().invoke(main, ["run", str(lib), str(app)])
    assert result.exit_code == EXIT_OK, result.output
    assert "hello world 3" in result.output


def test_max_seconds_stops_a_session_that_never_ends(tmp_path: Path) -> None:
    scenario = write(tmp_path, "forever.js", "setInterval(() => {}, 1000);")
    result = CliRunner().invoke(main, ["run", str(scenario), "--max-seconds", "30"])
    assert result.exit_code == EXIT_OK, result.output
    assert "--max-seconds 30 reached" in result.output
    assert "[   30.000] Application.Terminated" in result.output


def test_storage_file_persists_across_runs(tmp_path: Path) -> None:
    store = tmp_path / "storage.sqlite3"
    put = write(tmp_path, "put.js", """
        require(Modules.ApplicationStorage);
        ApplicationStorage.put('greeting', 'hello', 3600).then(() => VoxEngine.terminate());
    """)
    get = write(tmp_path, "get.js", """
        require(Modules.ApplicationStorage);
        ApplicationStorage.get('greeting').then((r) => { Logger.write('got ' + (r && r.value)); VoxEngine.terminate(); });
    """)
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(put), "--storage", str(store)]).exit_code == EXIT_OK
    result = runner.invoke(main, ["run", str(get), "--storage", str(store)])
    assert result.exit_code == EXIT_OK, result.output
    assert "got hello" in result.output
    fresh = runner.invoke(main, ["run", str(get)])
    assert "got null" in fresh.output


def test_a_lone_surrogate_in_a_log_line_prints_as_its_escape(tmp_path: Path) -> None:
    scenario = tmp_path / "surrogate.js"
    scenario.write_text('Logger.write("bad \\ud800 end"); VoxEngine.terminate();\n')
    result = CliRunner().invoke(main, ["run", str(scenario)])
    assert result.exit_code == 0, result.output
    assert "bad \\ud800 end" in result.output
    assert "internal error" not in result.output
