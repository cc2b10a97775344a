"""Language behaviour as data: every tests/engine/snippets/*.js runs and prints what its ``// expect:`` lines say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from voxsim.engine.script import run_snippet

SNIPPETS = sorted((Path(__file__).parent / "snippets").glob("*.js"))
EXPECT = re.compile(r"// expect: ?(.*)$")


def expected_lines(text: str) -> list[str]:
    return [m.group(1) for line in text.splitlines() if (m := EXPECT.search(line))]


@pytest.mark.parametrize("path", SNIPPETS, ids=[p.stem for p in SNIPPETS])
def test_snippet(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    got = run_snippet(text).splitlines()
    want = expected_lines(text)
    assert got == want, "\n".join(
        f"{'  ' if g == w else '>>'} got {g!r:60} want {w!r}" for g, w in zip(got + [""] * len(want), want + [""] * len(got)))
