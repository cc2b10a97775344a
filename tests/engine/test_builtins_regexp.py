"""RegExp: the JS→regex translation (flags, escapes, Annex B), exec/lastIndex, and the Symbol methods."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, strategies as st

from voxsim.engine.builtins.json import JSSyntaxErrorHost
from voxsim.engine.builtins.regexp import regexp_create
from voxsim.engine.errors import JSTypeError
from voxsim.engine.host import to_py
from voxsim.engine.realm import Realm
from voxsim.engine.regex_translate import RegexSyntaxError, translate
from voxsim.engine.values import UNDEFINED, PropertyDescriptor


@pytest.fixture(scope="module")
def realm() -> Realm:
    return Realm()


def exec_(realm: Realm, pattern: str, flags: str, s: str) -> Any:
    r = regexp_create(realm, pattern, flags)
    out = r.get("exec").call(r, [s])
    return None if out is None else to_py(out)


@pytest.mark.parametrize("pattern, flags, s, out", [
    (r"a.c", "", "a\nc", None), (r"a.c", "s", "a\nc", ["a\nc"]), (r"a.c", "", "a\u2028c", None),
    (r"a$", "", "a\n", None), (r"a$", "m", "a\nb", ["a"]), (r"^b", "m", "a\u2029b", ["b"]), (r"^b", "", "ab", None),
    (r"\d+", "", "x\u0663\u0664 12", ["12"]), (r"\w+", "", "\u00e9t\u00e9", ["t"]), (r"\s", "", "a\ufeffb", ["\ufeff"]),
    (r"\bfoo\b", "", "\u00e9foo", ["foo"]), (r"\Bo", "", "foo", ["o"]), (r"(a)|\1b", "", "b", ["b", None]),
    (r"\1(a)", "", "a", ["a", "a"]), (r"(?<=\$)\d+", "", "cost $42", ["42"]), (r"(?<!a)b", "", "abcb", ["b"]),
    (r"(?<=a+)b", "", "xaab", ["b"]), (r"(?<y>\d{4})-\k<y>", "", "2024-2024", ["2024-2024", "2024"]),
    (r"\k<a>", "", "k<a>", ["k<a>"]), (r"[^]", "", "\n", ["\n"]), (r"[]", "", "a", None),
    (r"[\b]", "", "\b", ["\b"]), (r"\cJ", "", "\n", ["\n"]), (r"\c1", "", "\\c1", ["\\c1"]), (r"[\c1]", "", "\x11", ["\x11"]),
    (r"\0", "", "\0", ["\0"]), (r"\101", "", "A", ["A"]), (r"\8", "", "8", ["8"]), (r"x{", "", "x{", ["x{"]),
    (r"x{1,2", "", "x{1,2", ["x{1,2"]), (r"]", "", "]", ["]"]), (r"\x4", "", "x4", ["x4"]), (r"\u00e9", "", "\u00e9", ["\u00e9"]),
    (r"[\d-z]+", "", "1-z", ["1-z"]), (r"[a-c]+", "i", "ABC", ["ABC"]), (r"\u{1F600}", "u", "\ud83d\ude00", ["\U0001f600"]),
    (r"^.$", "u", "\ud83d\ude00", ["\U0001f600"]), (r"^.$", "", "\ud83d\ude00", None),
    (r"\ud83d\ude00", "u", "\ud83d\ude00", ["\U0001f600"]), (r"\udf06", "u", "\ud834\udf06", None),
    (r"\udf06", "", "\ud834\udf06", ["\udf06"]), (r"\p{Script=Greek}+", "u", "x\u03b1\u03b2", ["\u03b1\u03b2"]),
    (r"(z)((a+)?(b+)?(c))*", "", "zaacbbbcac", ["zaacbbbcac", "z", "ac", "a", None, "c"]),
    (r"(?:(a)|b)+", "", "ab", ["ab", None]), (r"(abc\1)", "", "abc", ["abc", "abc"]),
    (r"(?<a>\k<a>\w)..", "", "bab", ["bab", "b"]), (r"(a)\1(?<n>b)\k<n>", "", "aabb", ["aabb", "a", "b"]),
    (r"(?=(a+))a*b\1", "", "baaabac", ["aba", "a"]), (r"(.*?)a(?!(a+)b\2c)\2(.*)", "", "baaabaac",
                                                      ["baaabaac", "ba", None, "abaac"]),
])
def test_exec(realm: Realm, pattern: str, flags: str, s: str, out: Any) -> None:
    assert exec_(realm, pattern, flags, s) == out


@pytest.mark.parametrize("pattern, flags", [
    ("(", ""), ("a)", ""), ("*a", ""), ("a**", ""), ("a{2,1}", ""), ("[b-a]", ""), ("\\", ""), ("(?<a>x)(?<a>y)", ""),
    ("(?<1a>x)", ""), ("\\k<b>(?<a>x)", ""), ("x{", "u"), ("\\-", "u"), ("\\1", "u"), ("\\c", "u"), ("a", "gg"),
    ("a", "x"), ("a", "uv"), ("[a&&b]", "v"), ("(?<=a)*", ""), ("\\p{", "u"), ("[\\d-z]", "u"), ("\\u{110000}", "u"),
])
def test_syntax_errors(pattern: str, flags: str) -> None:
    with pytest.raises(RegexSyntaxError):
        translate(pattern, flags)


def test_constructor_syntax_error_is_a_js_syntax_error(realm: Realm) -> None:
    ctor = realm.global_object.get("RegExp")
    with pytest.raises(JSSyntaxErrorHost):
        ctor.construct(["(", UNDEFINED], ctor)


def test_named_groups_table() -> None:
    t = translate(r"(?<year>\d+)-(\d+)-(?<day>\d+)", "")
    assert t.group_count == 3 and t.group_names == ["year", None, "day"]


def test_last_index_protocol(realm: Realm) -> None:
    r = regexp_create(realm, "o", "g")
    test = r.get("test")
    assert [test.call(r, ["foo"]) for _ in range(3)] == [True, True, False]
    assert r.get("lastIndex") == 0.0
    sticky = regexp_create(realm, "o", "y")
    assert test.call(sticky, ["foo"]) is False and sticky.get("lastIndex") == 0.0
    sticky.set("lastIndex", 1.0)
    assert test.call(sticky, ["foo"]) is True and sticky.get("lastIndex") == 2.0
    plain = regexp_create(realm, "x", "")
    plain.props["lastIndex"] = PropertyDescriptor(value=5.0, writable=False, enumerable=False, configurable=False)
    assert test.call(plain, ["y"]) is False    # a failed non-global match never writes lastIndex
    frozen = regexp_create(realm, "x", "g")
    frozen.props["lastIndex"] = PropertyDescriptor(value=0.0, writable=False, enumerable=False, configurable=False)
    with pytest.raises(JSTypeError):
        test.call(frozen, ["y"])


def test_indices_flag(realm: Realm) -> None:
    r = regexp_create(realm, "(?<x>b)(c)?", "d")
    m = r.get("exec").call(r, ["abz"])
    ind = m.get("indices")
    assert to_py(ind) == [[1, 2], [1, 2], None]
    assert to_py(ind.get("groups").get("x")) == [1, 2]


def test_flags_and_source_accessors(realm: Realm) -> None:
    r = regexp_create(realm, "a/b\n", "yusmig")
    assert r.get("flags") == "gimsuy"
    assert r.get("source") == "a\\/b\\n"
    proto = realm.intrinsics["%RegExp.prototype%"]
    assert proto.get("source") == "(?:)" and proto.get("global") is UNDEFINED
    assert regexp_create(realm, "", "").get("source") == "(?:)"


@given(st.text(alphabet="ab.*+?|()[]^$\\d{},0123", max_size=12), st.sampled_from(["", "u", "i", "m", "s"]))
def test_translate_never_crashes(pattern: str, flags: str) -> None:
    """Any pattern either translates into something regex compiles, or is rejected with RegexSyntaxError."""
    import regex
    try:
        t = translate(pattern, flags)
    except RegexSyntaxError:
        return
    regex.compile(t.source, regex.VERSION0)


_REALM = Realm()


@given(st.text(alphabet="abc-_ ", max_size=20))
def test_literal_patterns_match_like_str_find(s: str) -> None:
    realm = _REALM
    r = regexp_create(realm, "b", "")
    m = r.get("exec").call(r, [s])
    idx = s.find("b")
    assert (m is None) == (idx < 0)
    if m is not None:
        assert m.get("index") == float(idx)


# -- JS snippets (need the compiler)

SNIPPETS = [
    ('"a-b_c".replace(/[-_]/g, "+")', "a+b+c"),
    ('"aaa".replace(/a/y, "b")', "baa"),
    ('"x".replace(/(y)?x/, "[$1]")', "[]"),
    ('"2024-05".replace(/(?<y>\\d+)-(?<m>\\d+)/, "$<m>/$<y>")', "05/2024"),
    ('"abc".replace(/b/, "$`$\'$&$$")', "aacb$c"),
    ('"john smith".replace(/(\\w+)\\s(\\w+)/, function (m, a, b, i, s) { return b + " " + a + i; })', "smith john0"),
    ('"a1b2c3".split(/\\d/)', "a,b,c,"),
    ('"abc".split(/(b)/)', "a,b,c"),
    ('"test".split(/(?:)/)', "t,e,s,t"),
    ('"a,b,c".split(/,/, 2)', "a,b"),
    ('"".split(/x/).length', "1"),
    ('[..."a1b22".matchAll(/\\d+/g)].map(function (m) { return m[0] + "@" + m.index; })', "1@1,22@3"),
    ('"abc".search(/c/)', "2"),
    ('"abab".match(/a/g)', "a,a"),
    ('"x".match(/y/g)', "null"),
    ('"\\ud83d\\ude00x".replace(/(?:)/gu, "-").length', "6"),
    ('String(/a\\/b/) + " " + new RegExp("a/b").source + " " + RegExp("").source', "/a\\/b/ a\\/b (?:)"),
    ('new RegExp(/x/g, "i").flags', "i"),
    ('(function () { var r = /x/; return RegExp(r) === r; })()', "true"),
    ('(function () { try { new RegExp("("); } catch (e) { return e instanceof SyntaxError; } })()', "true"),
    ('(function () { try { "a".replaceAll(/a/, "b"); } catch (e) { return e.name; } })()', "TypeError"),
    ('"aXa".replaceAll(/a/g, "$&$&")', "aaXaa"),
    ('"abc".matchAll("b").next().value[0]', "b"),
    ('/(?<year>\\d{4})/.exec("in 1999").groups.year', "1999"),
    ('Object.prototype.toString.call(/x/)', "[object RegExp]"),
    ('(function () { class R extends RegExp {} return new R("a", "g") instanceof R; })()', "true"),
]


@pytest.mark.parametrize("source, expected", SNIPPETS)
def test_snippets(source: str, expected: str) -> None:
    from voxsim.engine import script
    assert script.run_snippet(f"print({source});") == expected


def test_huge_counts_compile_without_exhausting_memory(realm: Realm) -> None:
    assert exec_(realm, "b{9007199254740991}", "", "bbb") is None
    assert exec_(realm, "a{2,1000000}", "", "xaaay") == ["aaa"]


def test_v_flag_is_u_without_set_operations(realm: Realm) -> None:
    assert exec_(realm, r"^\d+.$", "v", "12\ud83d\ude00") == ["12\U0001f600"]
    assert regexp_create(realm, "x", "v").get("unicodeSets") is True


FAST_PATH_SNIPPETS = [
    # the direct path must agree with the spec protocol, and step aside when user code could observe it
    ('(function () { var r = /a/g; r.lastIndex = 3; var s = "aXa".replace(r, "b"); return s + r.lastIndex; })()',
     "bXb0"),
    ('(function () { var r = /a/y; r.lastIndex = 2; var s = "aXa".replace(r, "b"); return s + r.lastIndex; })()',
     "aXb3"),
    ('(function () { var r = /a/; r.lastIndex = 2; "aXa".replace(r, "b"); return r.lastIndex; })()', "2"),
    ('(function () { var r = /a/g; r.exec = function () { return null; }; return "aa".replace(r, "b"); })()', "aa"),
    ('(function () { var r = /a/g; Object.defineProperty(r, "flags", {value: ""}); return "aa".replace(r, "b"); })()',
     "ba"),
    ('"x\\ud83d\\ude00y".replace(/(?:)/gu, "-").length', "8"),
    ('"abcabc".match(/b/g).length + " " + "abc".match(/z/g)', "2 null"),
    ('"2024-05".replace(/(?<y>\\d+)-(?<m>\\d+)/g, function (m, a, b, i, s, g) { return g.m + i; })', "050"),
]


@pytest.mark.parametrize("source, expected", FAST_PATH_SNIPPETS)
def test_fast_path_snippets(source: str, expected: str) -> None:
    from voxsim.engine import script
    assert script.run_snippet(f"print({source});") == expected
