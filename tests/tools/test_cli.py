"""The console script: --help, --version, unknown sub-commands, sub-commands not built yet."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from voxsim.tools.cli import COMMANDS, EXIT_USAGE, main


def test_help_lists_every_subcommand() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("voxsim ")


def test_unknown_subcommand_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["frobnicate"])
    assert result.exit_code == EXIT_USAGE
    assert "No such command 'frobnicate'" in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_subcommand_help(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output


def test_console_script_installed() -> None:
    exe = shutil.which("voxsim") or str(__import__("pathlib").Path(sys.executable).parent / "voxsim")
    result = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("voxsim ")


@pytest.mark.parametrize("group", ["bench", "conformance"])
def test_groups_list_their_members(group: str) -> None:
    result = CliRunner().invoke(main, [group, "--help"])
    assert result.exit_code == 0
    assert "Commands:" in result.output


def test_not_built_subcommand_exits_2_with_one_line() -> None:
    # A sub-command not built yet must say so, never be a silent no-op.
    from voxsim.tools.cli import not_built

    result = CliRunner().invoke(not_built("serve", "the softphone issue"), [])
    assert result.exit_code == EXIT_USAGE
    assert "not built yet" in result.output
