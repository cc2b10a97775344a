"""A test262-layout directory: its manifest of tiers, each test's metadata, and the source each run evaluates.

Follows test262's INTERPRETING.md as summarised in the subset's README: harness files first, ``"use strict";``
prepended for strict runs, ``raw`` tests run alone, negative tests by phase and error constructor name.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Test262Case", "Test262Run", "load_manifest", "runs_for", "scripts_of", "SuiteError", "TIERS"]

TIERS = ("T1", "T2", "T3", "T4", "T5")
_FRONTMATTER = re.compile(r"/\*---(.*?)---\*/", re.S)


class SuiteError(Exception):
    """The directory is not a test262 layout this runner understands."""


@dataclass(frozen=True, slots=True)
class Test262Case:
    """One test file and the metadata of its frontmatter (taken from MANIFEST.tsv)."""

    __test__ = False  # not a pytest test class, despite the name

    path: str
    tier: str
    flags: frozenset[str]
    negative_phase: str
    negative_type: str
    includes: tuple[str, ...]
    features: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Test262Run:
    """One evaluation of a case: strict or sloppy, and the harness files evaluated before the test."""

    __test__ = False

    case: Test262Case
    strict: bool
    prelude: tuple[str, ...]  # harness file names evaluated before the test, in order

    @property
    def label(self) -> str:
        return f"{self.case.path} ({'strict' if self.strict else 'sloppy'})"


def _split(field: str) -> tuple[str, ...]:
    return tuple(x for x in (s.strip() for s in field.split(",")) if x)


def load_manifest(suite: Path) -> list[Test262Case]:
    """Read MANIFEST.tsv of a test262 subset; without one, scan ``test/`` and read each frontmatter."""
    manifest = suite / "MANIFEST.tsv"
    if not (suite / "harness").is_dir() or not (suite / "test").is_dir():
        raise SuiteError(f"{suite} has no harness/ and test/ folders: not a test262 layout")
    if manifest.is_file():
        with manifest.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        return [
            Test262Case(
                path=row["path"],
                tier=row["tier"],
                flags=frozenset(_split(row["flags"])),
                negative_phase=row["negative_phase"],
                negative_type=row["negative_type"],
                includes=_split(row["includes"]),
                features=_split(row["features"]),
            )
            for row in rows
        ]
    return [case_from_file(suite, p) for p in sorted((suite / "test").rglob("*.js")) if "_FIXTURE" not in p.name]


def case_from_file(suite: Path, file: Path) -> Test262Case:
    """Metadata from a test's YAML frontmatter (used when there is no manifest); tier is ``-``."""
    import yaml

    match = _FRONTMATTER.search(file.read_text(encoding="utf-8"))
    meta = (yaml.safe_load(match.group(1)) if match else None) or {}
    negative = meta.get("negative") or {}
    return Test262Case(
        path=file.relative_to(suite).as_posix(),
        tier="-",
        flags=frozenset(meta.get("flags") or ()),
        negative_phase=str(negative.get("phase", "")),
        negative_type=str(negative.get("type", "")),
        includes=tuple(meta.get("includes") or ()),
        features=tuple(meta.get("features") or ()),
    )


def runs_for(case: Test262Case) -> list[Test262Run]:
    """The runs a case needs: raw alone; onlyStrict/noStrict one; otherwise sloppy and strict."""
    if "raw" in case.flags:
        return [Test262Run(case, False, ())]
    prelude = ["assert.js", "sta.js"]
    if "async" in case.flags:
        prelude.append("doneprintHandle.js")
    prelude.extend(i for i in case.includes if i not in prelude)
    modes = [True] if "onlyStrict" in case.flags else [False] if "noStrict" in case.flags else [False, True]
    return [Test262Run(case, strict, tuple(prelude)) for strict in modes]


@lru_cache(maxsize=64)
def read_harness(suite: Path, name: str) -> str:
    return (suite / "harness" / name).read_bytes().decode("utf-8")  # no newline translation: CR/LF matter to some tests


def scripts_of(suite: Path, run: Test262Run) -> list[tuple[str, str]]:
    """The scripts a run evaluates in one realm, in order, as (file name, text): each harness file, then the test;
    every one starts with ``"use strict";`` in a strict run. Evaluating the harness as scripts of its own (rather
    than one concatenation) lets the engine reuse their parse across runs, which halves the time of a full run."""
    prefix = '"use strict";\n' if run.strict else ""
    scripts = [(f"harness/{name}", prefix + read_harness(suite, name)) for name in run.prelude]
    scripts.append((run.case.path, prefix + (suite / run.case.path).read_bytes().decode("utf-8")))
    return scripts
