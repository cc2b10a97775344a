"""Hypothesis: random token sequences and mutated scenario files give an AST or a JSSyntaxError, nothing else."""

from __future__ import annotations

from importlib import resources

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voxsim.engine.errors import JSSyntaxError
from voxsim.engine.parser import parse_script

TOKENS = [
    "var", "let", "const", "function", "async", "await", "yield", "class", "extends", "super", "new", "this", "return",
    "if", "else", "for", "of", "in", "while", "do", "break", "continue", "switch", "case", "default", "try", "catch",
    "finally", "throw", "get", "set", "static", "typeof", "delete", "void", "null", "true", "false", "x", "y", "_$",
    "\\u0061", "#p", "0", "1.5e3", "0x1F", "07", "1_0", "10n", "'s'", '"d\\n"', "`t`", "`a${", "}`", "/re/g", "/",
    "(", ")", "[", "]", "{", "}", ";", ",", ".", "...", "?.", "?", "??", ":", "=", "=>", "+", "-", "*", "**", "%",
    "++", "--", "<", ">>>", "===", "!", "~", "&&", "||=", "\n", " ", "// c\n", "/* c */", "'use strict';",
]

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parse_or_syntax_error(src: str) -> None:
    try:
        parse_script(src, "fuzz.js")
    except JSSyntaxError as exc:
        text = str(exc)
        assert text.startswith("fuzz.js:") and "SyntaxError" in text


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_random_token_sequences(tokens: list[str]) -> None:
    parse_or_syntax_error(" ".join(tokens))


@SETTINGS
@given(st.text(max_size=60))
def test_random_text(text: str) -> None:
    parse_or_syntax_error(text)


def _scenarios() -> list[str]:
    root = resources.files("voxsim.scenarios")
    return [p.read_text(encoding="utf-8") for p in sorted(root.iterdir(), key=lambda p: p.name)
            if p.name.endswith(".js")]


@SETTINGS
@given(st.data())
def test_mutated_scenarios(data: st.DataObject) -> None:
    scenarios = _scenarios()
    src = data.draw(st.sampled_from(scenarios))
    for _ in range(data.draw(st.integers(1, 4))):
        if not src:
            break
        i = data.draw(st.integers(0, len(src) - 1))
        j = data.draw(st.integers(i, min(len(src), i + 8)))
        op = data.draw(st.sampled_from(["delete", "insert", "replace"]))
        piece = data.draw(st.sampled_from(TOKENS))
        if op == "delete":
            src = src[:i] + src[j:]
        elif op == "insert":
            src = src[:i] + piece + src[i:]
        else:
            src = src[:i] + piece + src[j:]
    parse_or_syntax_error(src)


def test_scenarios_parse() -> None:
    for src in _scenarios():
        parse_script(src)
