"""The scanner: token classes, values (UTF-16 strings), positions, line-break flags and lexical errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voxsim.engine import ast
from voxsim.engine.errors import JSSyntaxError
from voxsim.engine.source import Source
from voxsim.engine.tokens import Tokenizer, scan_all, to_utf16


def kinds(src: str) -> list[tuple[str, object]]:
    return [(t.type, t.value) for t in scan_all(src)[:-1]]


def test_punctuators_longest_match() -> None:
    assert [t for t, _ in kinds("a >>>= b ... c ?. d ?? e ** f => g")] == [
        "IDENT", "ASSIGN_OP", "IDENT", "...", "IDENT", "?.", "IDENT", "BINOP", "IDENT", "BINOP", "IDENT", "=>", "IDENT"]
    # `?.` followed by a digit is a conditional and a number
    assert [t for t, _ in kinds("a?.5:0")] == ["IDENT", "?", "NUMBER", ":", "NUMBER"]


@pytest.mark.parametrize(
    "src, value",
    [("0", 0.0), ("1_000_000", 1e6), ("0x1F", 31.0), ("0o17", 15.0), ("0b101", 5.0), ("017", 15.0), ("019", 19.0),
     (".5e1", 5.0), ("1e-2", 0.01), ("1E+2", 100.0), ("2e400", float("inf"))],
)
def test_numbers(src: str, value: float) -> None:
    [(typ, got)] = kinds(src)
    assert typ == "NUMBER" and got == value and isinstance(got, float)


def test_bigint_and_legacy_octal_flag() -> None:
    tok = scan_all("0x10n")[0]
    assert tok.value == ast.BigIntLiteral("16")
    assert scan_all("017")[0].octal and not scan_all("17")[0].octal


@pytest.mark.parametrize("src", ["1__0", "1_", "0_1", "1._5", "1e_1", "0x_1", "3in x", "0b2", "08n"])
def test_bad_numbers(src: str) -> None:
    with pytest.raises(JSSyntaxError):
        scan_all(src)


@given(st.integers(min_value=0, max_value=10**30), st.integers(min_value=1, max_value=4))
def test_numeric_separators_roundtrip(n: int, group: int) -> None:
    digits = str(n)
    grouped = "_".join(digits[max(0, i - group):i] for i in range(len(digits), 0, -group))[::-1]
    grouped = "_".join(part[::-1] for part in grouped.split("_"))
    if grouped.startswith("0") and len(digits) > 1:
        return
    [(typ, value)] = kinds(grouped)
    assert value == float(n)


@pytest.mark.parametrize(
    "src, value",
    [
        (r"'a\nb'", "a\nb"),
        (r"'\x41\u0042\u{43}'", "ABC"),
        (r"'\u{1F600}'", "\ud83d\ude00"),
        ("'😀'", "\ud83d\ude00"),
        ("'a\\\nb'", "ab"),
        (r"'\0'", "\0"),
        (r"'\101'", "A"),
        ("'\u2028'", "\u2028"),
        (r"'\q'", "q"),
    ],
)
def test_strings(src: str, value: str) -> None:
    [(typ, got)] = kinds(src)
    assert typ == "STRING" and got == value


def test_string_octal_flag_and_errors() -> None:
    assert scan_all(r"'\101'")[0].octal and not scan_all(r"'\0'")[0].octal
    for bad in ["'abc", "'a\nb'", r"'\x4'", r"'\u{110000}'"]:
        with pytest.raises(JSSyntaxError):
            scan_all(bad)


def test_templates_cooked_raw_and_nesting() -> None:
    toks = scan_all("`a${ {b: `c${d}e`} }f\r\ng`")
    types = [t.type for t in toks]
    assert types == ["TEMPLATE_HEAD", "{", "IDENT", ":", "TEMPLATE_HEAD", "IDENT", "TEMPLATE_TAIL", "}",
                     "TEMPLATE_TAIL", "$END"]
    assert toks[0].value == ("a", "a")
    assert toks[-2].value == ("f\ng", "f\ng")
    bad = scan_all(r"`\unicode`")[0]
    assert bad.value[0] is None and bad.value[1] == r"\unicode"


def test_regex_rescan_and_flags() -> None:
    tk = Tokenizer(Source(r"/[/]\//gi.x"))
    slash = tk.next()
    assert slash.type == "/"
    regex = tk.rescan_regex(slash)
    assert regex.value == ast.RegExpLiteral(r"[/]\/", "gi")
    assert tk.next().type == "."
    for bad in ["/a/gg", "/a/z", "/a\n/"]:
        tk = Tokenizer(Source(bad))
        with pytest.raises(JSSyntaxError):
            tk.rescan_regex(tk.next())


def test_identifiers_unicode_and_escapes() -> None:
    toks = scan_all("caf\\u00e9 ℘ x‿y $_ 𐊧")
    assert [t.value for t in toks[:-1]] == ["café", "℘", "x‿y", "$_", "𐊧"]
    assert toks[0].escaped and not toks[1].escaped
    with pytest.raises(JSSyntaxError):
        scan_all("\\u0030abc")


def test_newline_flags_and_positions() -> None:
    toks = scan_all("a /* x\n */ b // c\n  c\r\nd\u2028e")
    assert [(t.value, t.nl) for t in toks[:-1]] == [("a", False), ("b", True), ("c", True), ("d", True), ("e", True)]
    assert [(t.line, t.column) for t in toks[:-1]] == [(1, 0), (2, 4), (3, 2), (4, 0), (5, 0)]
    tpl = scan_all("x = `a\nb` + y")
    assert (tpl[2].line, tpl[2].end_line, tpl[2].end_column) == (1, 2, 2)
    assert (tpl[4].line, tpl[4].column, tpl[4].nl) == (2, 5, False)


def test_unterminated_comment_and_bad_characters() -> None:
    for bad in ["/* never closed", "a ¬ b", "#", "`abc"]:
        with pytest.raises(JSSyntaxError):
            scan_all(bad)


def test_to_utf16() -> None:
    assert to_utf16("a😀b") == "a\ud83d\ude00b"
    assert len(to_utf16("😀")) == 2


def test_hashbang_and_html_comments() -> None:
    assert [t.value for t in scan_all("#!/usr/bin/env node\nx")[:-1]] == ["x"]
    assert [t.value for t in scan_all("a <!-- b\n--> c\nd")[:-1]] == ["a", "d"]
    assert [t.type for t in scan_all("a-->b")[:-1]] == ["IDENT", "--", "BINOP", "IDENT"]


def test_comments_are_never_rescanned_as_tokens() -> None:
    assert [t.value for t in scan_all("a  // Don't\nb")[:-1]] == ["a", "b"]
    assert [t.value for t in scan_all("a<!--b\nc")[:-1]] == ["a", "c"]
    assert [t.value for t in scan_all("a<!--b")[:-1]] == ["a"]
    assert [t.value for t in scan_all("a /* 'x' */ b")[:-1]] == ["a", "b"]


def test_regex_pattern_is_a_js_string() -> None:
    tk = Tokenizer(Source("/😀+/u"))
    regex = tk.rescan_regex(tk.next())
    assert regex.value.pattern == "\ud83d\ude00+" and regex.value.flags == "u"


@pytest.mark.parametrize("src, value", [
    ("\U00031350", "\U00031350"),          # ID_Start since Unicode 15.0 (Python 3.11's tables are 14.0)
    ("a\u0cf3", "a\u0cf3"),                # ID_Continue since Unicode 15.0
    ("a\u0897", "a\u0897"),                # ID_Continue since Unicode 16.0
    ("\\u{31350}x", "\U00031350x"),        # the same characters written as escapes
    ("a\\u0cf3", "a\u0cf3"),
    ("x\u00b7y", "x\u00b7y"),              # Other_ID_Continue
    ("\u2118", "\u2118"),                  # Other_ID_Start
])
def test_identifiers_newer_unicode(src: str, value: str) -> None:
    toks = scan_all(src)
    assert [(t.type, t.value) for t in toks[:-1]] == [("IDENT", value)]


@pytest.mark.parametrize("src", ["\u00b2", "a\u200b", "\\u00b2", "\u0cf3a", "#\u00b2", "\U00031350\u00b2"])
def test_not_identifier_characters(src: str) -> None:
    with pytest.raises(JSSyntaxError):
        scan_all(src)


def test_private_name_with_newer_unicode() -> None:
    toks = scan_all("#a\u0cf3 = 1")
    assert (toks[0].type, toks[0].value) == ("PRIVATE_NAME", "a\u0cf3")
