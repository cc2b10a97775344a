"""`voxsim agent`: serves the Calls API until interrupted; a bad agent script is a usage error."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from click.testing import CliRunner

from voxsim.tools.cli import EXIT_USAGE, main


def test_bad_agent_script_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "agent.yaml"
    bad.write_text("replies: [{say: hi, do: [{hangup: true}]}]\n")
    result = CliRunner().invoke(main, ["agent", "--agent", str(bad)])
    assert result.exit_code == EXIT_USAGE
    assert "unknown action 'hangup'" in result.output


@pytest.mark.looptime(False)
async def test_serves_the_calls_api(tmp_path: Path) -> None:
    exe = shutil.which("voxsim") or str(Path(sys.executable).parent / "voxsim")
    proc = subprocess.Popen([exe, "agent", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert proc.stdout is not None
        line = await asyncio.get_running_loop().run_in_executor(None, proc.stdout.readline)
        base = line.split(" on ", 1)[1].split()[0]
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{base}/access-token", json={"grants": {"agent": True}},
                                    headers={"Authorization": "Bearer sk"}) as response:
                token = (await response.json())["token"]
            url = base.replace("http", "ws", 1) + "/agents/stream/agent_x"
            async with session.ws_connect(url, headers={"Authorization": f"Bearer {token}"}) as ws:
                await ws.send_str(json.dumps({"event": "start", "config": {"input_format": "pcm_16000"}}))
                ack = json.loads((await ws.receive(timeout=10)).data)
                assert ack["event"] == "ack" and ack["stream_id"].startswith("sid_")
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
