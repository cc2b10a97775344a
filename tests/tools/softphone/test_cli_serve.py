"""`voxsim serve` as a user runs it: the URL line, the page's config, Ctrl-C; bad scenarios and busy ports exit 2."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from voxsim.tools.cli.serve import command

SCENARIO = Path(__file__).resolve().parents[3] / "scenarios" / "cartesia_inbound.js"


@pytest.mark.slow
def test_serve_prints_its_url_serves_the_page_and_stops_on_ctrl_c() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "from voxsim.tools.cli import main; main()", "serve", str(SCENARIO), "--port", "0",
                             "--call", "+15557770000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("voxsim softphone: open http://127.0.0.1:"), line
        url = line.split()[3]
        with urllib.request.urlopen(url + "config", timeout=10) as resp:  # loopback only
            config = json.load(resp)
        assert config["scenarios"] == ["cartesia_inbound.js"] and config["callerid"] == "+15557770000"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_syntax_error_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.js"
    broken.write_text("let = ;\n", encoding="utf-8")
    result = CliRunner().invoke(command, [str(broken), "--port", "0"])
    assert result.exit_code == 2 and "SyntaxError" in result.output


def test_a_busy_port_exits_2() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = CliRunner().invoke(command, [str(SCENARIO), "--port", str(busy.getsockname()[1])])
    assert result.exit_code == 2 and "voxsim serve:" in result.output
