"""Differential test: our ESTree output equals esprima-fork's (the `bench` extra) on scenario-style code."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pytest

from voxsim.engine.parser import parse_script
from voxsim.tools.bench.parse import _inputs, generate_scenario

esprima = pytest.importorskip("esprima", reason="esprima-fork (the bench extra) is not installed")

_SKIP_KEYS = {"range", "loc", "raw", "sourceType", "directive", "each", "number"}


def normalize(x: Any) -> Any:
    """Drop what the two parsers legitimately differ in (positions, raw texts, esprima-only keys)."""
    if isinstance(x, dict):
        t = x.get("type")
        out = {}
        for k, v in x.items():
            if k in _SKIP_KEYS or (k == "optional" and t not in ("MemberExpression", "CallExpression")) or (
                    k == "options" and t == "ImportExpression"):
                continue
            if k == "expression" and t in ("FunctionDeclaration", "FunctionExpression"):
                continue
            if k == "value" and t == "Literal":
                if "regex" in x or "bigint" in x:
                    v = None
                elif x.get("number") == "Infinity" or (isinstance(v, float) and math.isinf(v)):
                    v = "Infinity"  # esprima-fork gives value None and number "Infinity"
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    v = "NaN" if math.isnan(v) else float(v)
            out[k] = normalize(v)
        return out
    if isinstance(x, list):
        return [normalize(v) for v in x]
    if isinstance(x, str):
        return x.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return x


def same_as_esprima(src: str) -> bool:
    return normalize(parse_script(src).to_estree()) == normalize(esprima.parseScript(src).toDict())


def test_scenarios_and_generated_code_match_esprima() -> None:
    for _, text in _inputs():
        assert same_as_esprima(text)
    assert same_as_esprima(generate_scenario(200))


@pytest.mark.parametrize(
    "src",
    [
        "a?.b.c(d)?.[e]", "x = (a ?? b) || c && d | e ^ f & g == h < i << j + k * l ** m ** n",
        "({a, b: [c = 1, ...d], ...e} = f)", "async function* g() { for await (const x of y) yield* x }",
        "class A extends (B, C) { static #p = 1; static { this.x = 1 } get [k]() {} }",
        "label: for (var i = 0, j; i < 10; i++) { if (i) continue label; else break label }",
        "switch (a) { case 1: case 2: b(); break; default: c() }", "try { a() } catch { b() } finally { c() }",
        "new A.B(...c)", "tag`a${b}c${d}`", "x = function* () { yield\n1 }", "var {a = (b, c)} = d",
    ],
)
def test_constructs_match_esprima(src: str) -> None:
    assert same_as_esprima(src)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("VOXSIM_PARSER_TESTS"), reason="set VOXSIM_PARSER_TESTS to the suite dir")
def test_test262_pass_files_match_esprima() -> None:
    folder = Path(os.environ["VOXSIM_PARSER_TESTS"]) / "pass"
    mismatches = []
    compared = 0
    for path in sorted(folder.glob("*.js")):
        if path.name.endswith(".module.js"):
            continue
        src = path.read_text(encoding="utf-8", errors="surrogatepass")
        if "<!--" in src or "-->" in src:  # Annex B HTML-like comments: not supported
            continue
        try:
            ours = normalize(parse_script(src).to_estree())
            theirs = normalize(esprima.parseScript(src).toDict())
        except Exception:  # noqa: BLE001 - pass/ failures are tracked by the conformance test
            continue
        compared += 1
        if ours != theirs:
            mismatches.append(path.name)
    assert compared > 1800
    assert not mismatches, mismatches[:20]
