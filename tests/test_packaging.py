"""The install gives one package, voxsim, and never top-level engine/runtime/tools."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # -P: do not put the working directory on sys.path, exactly like an installed console script.
    return subprocess.run([sys.executable, "-P", "-c", code], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_voxsim_subpackages_import_from_any_directory(tmp_path: Path) -> None:
    result = run_python("import voxsim.engine, voxsim.runtime, voxsim.tools, voxsim.scenarios; print('ok')", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("name", ["engine", "runtime", "tools", "scenarios"])
def test_no_top_level_package(tmp_path: Path, name: str) -> None:
    result = run_python(f"import {name}", tmp_path)
    assert result.returncode != 0
    assert "ModuleNotFoundError" in result.stderr


def test_scenarios_are_package_data(tmp_path: Path) -> None:
    code = (
        "from importlib.resources import files\n"
        "names = sorted(p.name for p in files('voxsim.scenarios').iterdir() if p.name.endswith('.js'))\n"
        "print(len(names))\n"
    )
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 1


def test_version_matches_metadata(tmp_path: Path) -> None:
    result = run_python("from importlib.metadata import version; print(version('voxsim'))", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().count(".") >= 2


def _test_only_imports() -> set[str]:
    """Import names of the packages that only the `test` extra installs (read from pyproject.toml)."""
    import re
    import tomllib

    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]

    def names(reqs: list[str]) -> set[str]:
        return {re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0].strip().lower().replace("-", "_") for r in reqs}

    return (names(project["optional-dependencies"]["test"]) - names(project["dependencies"])) | {"_pytest"}


BLOCK_TEST_EXTRAS = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"{name} is only in the test extra")
sys.meta_path.insert(0, Block())
"""


@pytest.mark.parametrize(
    "module",
    ["voxsim.runtime.session", "voxsim.runtime.clock", "voxsim.tools.cli.demo", "voxsim.tools.cli.run",
     "voxsim.tools.trace.timeline", "voxsim.tools.agent"],
)
def test_product_modules_import_without_test_extras(tmp_path: Path, module: str) -> None:
    """What `voxsim demo`/`run` import must come from `dependencies`, not from the `test` extra."""
    blocked = f"BLOCKED = {sorted(_test_only_imports())!r}\n"
    result = run_python(blocked + BLOCK_TEST_EXTRAS + f"import importlib; importlib.import_module({module!r}); print('ok')",
                        tmp_path)
    assert result.returncode == 0, result.stderr
