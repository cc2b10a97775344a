"""Reading a test262 layout: manifest rows, runs per flags, the source of a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from voxsim.tools.conformance.test262_suite import SuiteError, load_manifest, runs_for, scripts_of


def make_suite(root: Path, with_manifest: bool) -> Path:
    (root / "harness").mkdir(parents=True)
    for name in ("assert.js", "sta.js", "doneprintHandle.js", "compareArray.js"):
        (root / "harness" / name).write_text(f"// {name}\n")
    tests = root / "test" / "language"
    tests.mkdir(parents=True)
    (tests / "plain.js").write_text("/*---\nincludes: [compareArray.js]\n---*/\n1;\n")
    (tests / "strict.js").write_text("/*---\nflags: [onlyStrict]\n---*/\n2;\n")
    (tests / "raw.js").write_text("/*---\nflags: [raw]\n---*/\n3;\n")
    (tests / "neg.js").write_text("/*---\nnegative:\n  phase: parse\n  type: SyntaxError\nflags: [async, noStrict]\n---*/\n")
    if with_manifest:
        (root / "MANIFEST.tsv").write_text(
            "path\ttier\tflags\tnegative_phase\tnegative_type\tincludes\tfeatures\n"
            "test/language/plain.js\tT1\t\t\t\tcompareArray.js\t\n"
            "test/language/strict.js\tT1\tonlyStrict\t\t\t\t\n"
            "test/language/raw.js\tT1\traw\t\t\t\t\n"
            "test/language/neg.js\tT2\tasync,noStrict\tparse\tSyntaxError\t\tfoo,bar\n"
        )
    return root


@pytest.mark.parametrize("with_manifest", [True, False])
def test_manifest_and_frontmatter_agree(tmp_path: Path, with_manifest: bool) -> None:
    suite = make_suite(tmp_path, with_manifest)
    cases = {c.path: c for c in load_manifest(suite)}
    neg = cases["test/language/neg.js"]
    assert neg.flags == {"async", "noStrict"}
    assert (neg.negative_phase, neg.negative_type) == ("parse", "SyntaxError")
    assert cases["test/language/plain.js"].includes == ("compareArray.js",)


def test_runs_follow_the_flags(tmp_path: Path) -> None:
    suite = make_suite(tmp_path, True)
    cases = {c.path: c for c in load_manifest(suite)}
    plain = runs_for(cases["test/language/plain.js"])
    assert [r.strict for r in plain] == [False, True]
    assert plain[0].prelude == ("assert.js", "sta.js", "compareArray.js")
    assert [r.strict for r in runs_for(cases["test/language/strict.js"])] == [True]
    raw = runs_for(cases["test/language/raw.js"])
    assert len(raw) == 1 and raw[0].prelude == () and not raw[0].strict
    neg = runs_for(cases["test/language/neg.js"])
    assert [r.strict for r in neg] == [False] and "doneprintHandle.js" in neg[0].prelude


def test_strict_source_starts_with_the_directive(tmp_path: Path) -> None:
    suite = make_suite(tmp_path, True)
    cases = {c.path: c for c in load_manifest(suite)}
    strict_run = runs_for(cases["test/language/plain.js"])[1]
    scripts = scripts_of(suite, strict_run)
    assert [name for name, _ in scripts][:2] == ["harness/assert.js", "harness/sta.js"]
    assert scripts[-1][0] == "test/language/plain.js"
    assert all(text.startswith('"use strict";\n') for _, text in scripts)
    assert scripts[0][1].startswith('"use strict";\n// assert.js\n')
    assert scripts[-1][1].endswith("1;\n")


def test_not_a_suite(tmp_path: Path) -> None:
    with pytest.raises(SuiteError):
        load_manifest(tmp_path)
