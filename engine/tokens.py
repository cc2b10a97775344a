"""The JavaScript scanner: one master regex plus hand-written cases for strings, templates and regex literals.

The scanner never decides the hard questions alone: the parser driver asks it to re-scan a ``/`` as a regex literal
when the LALR state wants one (see ``rescan_regex``), and classifies words (keyword, contextual keyword, identifier)
from the parser state. A brace stack tells a template continuation ``}`` from a block or object ``}``. Every token
records whether a line terminator precedes it (``nl``), which drives automatic semicolon insertion.
String values are stored as UTF-16 code units (astral characters become surrogate pairs), as docs/engine.md says.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

import regex as uregex

from .errors import JSSyntaxError
from .source import Source

__all__ = [
    "Token", "Tokenizer", "is_id_start", "is_id_part", "RESERVED_WORDS", "CONTEXTUAL_WORDS", "STRICT_RESERVED_WORDS",
    "to_utf16", "scan_all",
]

RESERVED_WORDS = frozenset(
    "await break case catch class const continue debugger default delete do else enum export extends false finally "
    "for function if import in instanceof new null return super switch this throw true try typeof var void while "
    "with yield".split()
) - {"await", "yield"}
"""Words that can never be identifiers (``await``/``yield`` are contextual in scripts, handled by the parser)."""

CONTEXTUAL_WORDS = frozenset(["async", "get", "set", "static", "of", "let", "yield", "await"])
STRICT_RESERVED_WORDS = frozenset(
    ["implements", "interface", "package", "private", "protected", "public", "static", "let", "yield"]
)

_ASSIGN_OPS = {"+=", "-=", "*=", "%=", "**=", "<<=", ">>=", ">>>=", "&=", "|=", "^=", "&&=", "||=", "??=", "/="}
_BINOPS = {"==", "!=", "===", "!==", "<", ">", "<=", ">=", "<<", ">>", ">>>", "%", "&", "|", "^", "&&", "||",
           "??", "**"}
_LINE_TERMINATORS = "\n\r\u2028\u2029"
_PUNCT_TYPES = {p: "ASSIGN_OP" for p in _ASSIGN_OPS if p != "/="} | {p: "BINOP" for p in _BINOPS}
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

_PUNCT = (
    r">>>=|\.\.\.|===|!==|\*\*=|<<=|>>=|>>>|&&=|\|\|=|\?\?=|=>|==|!=|<=|>=|&&|\|\||\?\?|\?\.(?!\d)|\+\+|--|\+=|-="
    r"|\*=|/=|%=|&=|\|=|\^=|<<|>>|\*\*|[{}()\[\];,<>+\-*%&|^!~?:=.@/]"
)
_ID_START = r"(?:[A-Za-z$_]|[^\x00-\x7f\s\ufeff]|\\u[0-9a-fA-F]{4}|\\u\{[0-9a-fA-F]+\})"
_ID_PART = r"(?:[\w$]|[^\x00-\x7f\s\ufeff]|\\u[0-9a-fA-F]{4}|\\u\{[0-9a-fA-F]+\})"
# Python 3.11's unicodedata is Unicode 14; the ``regex`` module ships current tables (Unicode 15-17 identifiers).
_UNI_ID_START = uregex.compile(r"[$_\p{ID_Start}]")
_UNI_ID_PART = uregex.compile(r"[$_\u200c\u200d\p{ID_Continue}]")
_id_start_cache: dict[str, bool] = {}
_id_part_cache: dict[str, bool] = {}


def is_id_start(ch: str) -> bool:
    """ID_Start plus `$` and `_` (https://tc39.es/ecma262/#prod-IdentifierStartChar), cached per character."""
    hit = _id_start_cache.get(ch)
    if hit is None:
        hit = _id_start_cache[ch] = _UNI_ID_START.match(ch) is not None
    return hit


def is_id_part(ch: str) -> bool:
    """ID_Continue plus `$`, ZWNJ and ZWJ (https://tc39.es/ecma262/#prod-IdentifierPartChar), cached per character."""
    hit = _id_part_cache.get(ch)
    if hit is None:
        hit = _id_part_cache[ch] = _UNI_ID_PART.match(ch) is not None
    return hit


_NUMBER = (
    r"0[xX][0-9a-fA-F_]*n?|0[oO][0-7_]*n?|0[bB][01_]*n?"
    r"|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+\-]?[\d_]*)?n?"
)
_SKIP = re.compile(r"(?:[ \t\v\f\u00a0\ufeff\u1680\u2000-\u200a\u202f\u205f\u3000\n\r\u2028\u2029]+|//[^\n\r\u2028\u2029]*"
                   r"|/\*(?:[^*]|\*(?!/))*\*/|<!--[^\n\r\u2028\u2029]*)+")
_HASHBANG = re.compile(r"#![^\n\r\u2028\u2029]*")
_HTML_CLOSE = re.compile(r"-->[^\n\r\u2028\u2029]*")  # Annex B: a comment when it starts a line
_MASTER = re.compile(
    rf"(?P<word>{_ID_START}{_ID_PART}*)|(?P<num>{_NUMBER})|(?P<str>\"[^\"\\\n\r]*\"|'[^'\\\n\r]*')"
    rf"|(?P<punct>{_PUNCT})|(?P<other>[\"'`#])"
)
_PRIVATE_NAME = re.compile(_ID_START + _ID_PART + "*")
_FAST = re.compile(f"(?>(?:{_SKIP.pattern})?)(?:{_MASTER.pattern})")  # atomic: no backtracking into comments
_ID_ESCAPE = re.compile(r"\\u(?:([0-9a-fA-F]{4})|\{([0-9a-fA-F]+)\})")
_HEX = frozenset("0123456789abcdefABCDEF")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}


def to_utf16(text: str) -> str:
    """Replace astral characters by their UTF-16 surrogate pairs (JS strings are sequences of code units)."""
    if not _ASTRAL.search(text):
        return text

    def pair(m: re.Match[str]) -> str:
        cp = ord(m.group()) - 0x10000
        return chr(0xD800 + (cp >> 10)) + chr(0xDC00 + (cp & 0x3FF))

    return _ASTRAL.sub(pair, text)


def _code_point_units(cp: int) -> str:
    if cp > 0xFFFF:
        cp -= 0x10000
        return chr(0xD800 + (cp >> 10)) + chr(0xDC00 + (cp & 0x3FF))
    return chr(cp)


class Token:
    """One token: ``type`` is the grammar terminal (punctuator/keyword text, or IDENT, NUMBER, STRING, …)."""

    __slots__ = ("type", "value", "raw", "start", "end", "line", "column", "end_line", "end_column", "nl", "escaped",
                 "auto", "octal")

    def __init__(self, type: str, value: Any, raw: str, start: int, end: int, line: int, column: int,
                 end_line: int, end_column: int, nl: bool) -> None:
        self.type = type
        self.value = value
        self.raw = raw
        self.start = start
        self.end = end
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        self.nl = nl
        self.escaped = False  # an identifier written with \u escapes
        self.auto = False  # a semicolon inserted by ASI
        self.octal = False  # legacy octal literal or escape (an early error in strict code)

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.raw!r}, {self.line}:{self.column})"


class Tokenizer:
    """Scans tokens on demand; the parser driver may re-scan ``/`` as a regex and peek one token ahead."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.text = source.text
        self.pos = 0
        self.braces: list[bool] = []  # True for a `${` template substitution, False for `{`
        self._starts = source._line_starts
        self._line = 1
        self._line_start = 0
        self._next_line_start = self._starts[1] if len(self._starts) > 1 else len(self.text) + 1

    # -- errors and positions ---------------------------------------------------------------------------------------

    def error(self, message: str, start: int, end: int | None = None) -> JSSyntaxError:
        return JSSyntaxError(message, self.source.span(start, start + 1 if end is None else end))

    def _line_col(self, p: int) -> tuple[int, int]:
        """Line and column of an offset, with the current line cached (tokens arrive in order)."""
        if self._line_start <= p < self._next_line_start:
            return self._line, p - self._line_start
        starts = self._starts
        line = bisect.bisect_right(starts, p)
        self._line = line
        self._line_start = starts[line - 1]
        self._next_line_start = starts[line] if line < len(starts) else len(self.text) + 1
        return line, p - self._line_start

    def _token(self, type: str, value: Any, start: int, end: int, nl: bool, multiline: bool = True) -> Token:
        line, col = self._line_col(start)
        raw = self.text[start:end]
        if not multiline or end < self._next_line_start:
            end_line, end_col = line, col + (end - start)
        else:
            end_line, end_col = self._line_col(end)  # moves the cached line to where the scan continues
        return Token(type, value, raw, start, end, line, col, end_line, end_col, nl)

    # -- the main entry ----------------------------------------------------------------------------------------------

    def save(self) -> tuple[Any, ...]:
        return self.pos, list(self.braces), self._line, self._line_start, self._next_line_start

    def restore(self, state: tuple[Any, ...]) -> None:
        self.pos, braces, self._line, self._line_start, self._next_line_start = state
        self.braces = list(braces)

    def next(self) -> Token:
        """The next token (``/`` and ``/=`` always as division; see ``rescan_regex``); type ``$END`` at the end."""
        text = self.text
        pos = self.pos
        nl = False
        # Fast path: skip and token in one match. `--` (maybe `-->`), `/` (maybe an unterminated `/*`) and the
        # first token (maybe a hashbang) take the careful path below.
        m: Any = _FAST.match(text, pos) if pos else None
        kind: Any = m.lastgroup if m is not None else None
        if kind is not None and not (kind == "punct" and m.group(kind) in ("--", "/")):  # type: ignore[union-attr]
            start = m.start(kind)  # type: ignore[union-attr]
            if start > pos and start >= self._next_line_start:
                nl = True
            pos = start
        else:
            if pos == 0 and text.startswith("#!"):  # a hashbang line (ES2023; harmless for scenarios)
                pos = _HASHBANG.match(text).end()  # type: ignore[union-attr]
            m = _SKIP.match(text, pos)
            if m:
                pos = m.end()
                if pos >= self._next_line_start:
                    nl = True
            while (nl or self.pos == 0) and text.startswith("-->", pos):
                pos = _HTML_CLOSE.match(text, pos).end()  # type: ignore[union-attr]
                m = _SKIP.match(text, pos)
                if m:
                    pos = m.end()
            if pos >= len(text):
                self.pos = pos
                return self._token("$END", None, pos, pos, True)
            m = _MASTER.match(text, pos)
            if m is None:
                raise self.error(f"Invalid or unexpected token {text[pos]!r}", pos)
            kind = m.lastgroup
        end = m.end()  # type: ignore[union-attr]
        if kind == "word" or kind == "punct":
            raw = m.group(kind)
            if kind == "punct":
                if raw == "{":
                    self.braces.append(False)
                elif raw == "}":
                    if self.braces and self.braces.pop():
                        return self._template(pos, nl, head=False)
                elif raw == "/" and text.startswith("/*", pos):
                    raise self.error("Unterminated comment", pos, len(text))
                typ = _PUNCT_TYPES.get(raw, raw)
                value = raw
            else:
                typ = "IDENT"
                if not raw.isascii():
                    raw = self._check_word(raw, pos)
                    end = pos + len(raw)
                value = raw
                if "\\" in raw:
                    value = self._unescape_identifier(raw, pos)
            if self._line_start <= pos < self._next_line_start:
                line = self._line
                col = pos - self._line_start
            else:
                line, col = self._line_col(pos)
            tok = Token(typ, value, raw, pos, end, line, col, line, col + end - pos, nl)
            if value is not raw:
                tok.escaped = True
        elif kind == "num":
            tok = self._number(m.group(kind), pos, end, nl)
            end = tok.end
        elif kind == "str":
            body = m.group(kind)[1:-1]
            tok = self._token("STRING", to_utf16(body), pos, end, nl, False)
        else:
            c = m.group(kind)
            if c == "`":
                return self._template(pos, nl, head=True)
            if c == "#":
                m2 = _PRIVATE_NAME.match(text, pos + 1)
                if m2 is None:
                    raise self.error("Invalid or unexpected token '#'", pos)
                name = m2.group()
                if not name.isascii():
                    name = self._check_word(name, pos + 1)
                end = pos + 1 + len(name)
                if "\\" in name:
                    name = self._unescape_identifier(name, pos + 1)
                tok = self._token("PRIVATE_NAME", name, pos, end, nl)
            else:
                tok = self._string(pos, nl)
                end = tok.end
        self.pos = end
        return tok

    # -- words ------------------------------------------------------------------------------------------------------

    def _check_word(self, raw: str, start: int) -> str:
        """Cut a non-ASCII word at the first character that is not ID_Continue (then the scan continues there)."""
        for i, ch in enumerate(raw):
            if ch.isascii() or (is_id_part(ch) if i else is_id_start(ch)):
                continue
            if i == 0:
                raise self.error(f"Invalid or unexpected token {ch!r}", start)
            return raw[:i]
        return raw

    def _unescape_identifier(self, raw: str, start: int) -> str:
        out = []
        pos = 0
        for m in _ID_ESCAPE.finditer(raw):
            out.append(raw[pos:m.start()])
            cp = int(m.group(1) or m.group(2), 16)
            if cp > 0x10FFFF:
                raise self.error("Undefined Unicode code-point", start + m.start(), start + m.end())
            out.append(chr(cp))
            pos = m.end()
        out.append(raw[pos:])
        name = "".join(out)
        if not name or not is_id_start(name[0]) or not all(is_id_part(ch) for ch in name[1:]):
            raise self.error("Invalid Unicode escape sequence in identifier", start, start + len(raw))
        return name

    # -- numbers ----------------------------------------------------------------------------------------------------

    def _number(self, raw: str, start: int, end: int, nl: bool) -> Token:
        text = self.text
        legacy = re.match(r"0[0-7]+", raw)
        if legacy and legacy.end() < len(raw) and raw[legacy.end()] in ".eE":
            raw = legacy.group()
            end = start + len(raw)
        if end < len(text) and (text[end].isalnum() or text[end] in "$_\\"):
            raise self.error("Invalid or unexpected token", end)
        bigint = raw.endswith("n")
        body = raw[:-1] if bigint else raw
        if "_" in body:
            radix = body[:2].lower() in ("0x", "0o", "0b")
            if "__" in body or body.endswith("_") or re.search(r"^0[xXoObB]?_|^0_", body) or (
                    not radix and re.search(r"[._][._eE]|[eE][+\-]?_|_[.eE]", body)):
                raise self.error("Numeric separators are not allowed here", start, end)
            digits = body.replace("_", "")
        else:
            digits = body
        octal = False
        value: Any
        low = digits[:2].lower()
        try:
            if low in ("0x", "0o", "0b"):
                if len(digits) == 2:
                    raise ValueError
                num = int(digits[2:], {"0x": 16, "0o": 8, "0b": 2}[low])
                value = str(num) if bigint else float(num) if num < 2**1024 else float("inf")
            elif len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
                if bigint or "_" in body:
                    raise ValueError
                octal = True
                if all(c in "01234567" for c in digits):
                    value = float(int(digits, 8))
                else:
                    value = float(digits if "." in digits or "e" in digits.lower() else int(digits))
            elif bigint:
                if "." in digits or "e" in digits.lower():
                    raise ValueError
                value = str(int(digits))
            else:
                value = float(digits)
        except (ValueError, OverflowError):
            raise self.error("Invalid or unexpected token", start, end) from None
        if bigint:
            from .ast import BigIntLiteral

            value = BigIntLiteral(value)
        tok = self._token("NUMBER", value, start, end, nl)
        tok.octal = octal
        return tok

    # -- strings ----------------------------------------------------------------------------------------------------

    def _escape(self, i: int, in_template: bool) -> tuple[str | None, int, bool]:
        """Decode the escape at text[i] (the char after the backslash): (value or None if invalid, next, octal)."""
        text = self.text
        n = len(text)
        if i >= n:
            return None, i, False
        c = text[i]
        if c in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[c], i + 1, False
        if c == "\r":
            return "", i + 2 if text.startswith("\r\n", i) else i + 1, False
        if c in "\n\u2028\u2029":
            return "", i + 1, False
        if c == "x":
            h = text[i + 1:i + 3]
            if len(h) == 2 and all(ch in _HEX for ch in h):
                return chr(int(h, 16)), i + 3, False
            return None, i + 1, False
        if c == "u":
            if text.startswith("{", i + 1):
                j = text.find("}", i + 2)
                h = text[i + 2:j] if j >= 0 else ""
                if h and all(ch in _HEX for ch in h) and int(h, 16) <= 0x10FFFF:
                    return _code_point_units(int(h, 16)), j + 1, False
                return None, i + 1, False
            h = text[i + 1:i + 5]
            if len(h) == 4 and all(ch in _HEX for ch in h):
                return chr(int(h, 16)), i + 5, False
            return None, i + 1, False
        if c == "0" and not (i + 1 < n and text[i + 1].isdigit()):
            return "\0", i + 1, False
        if c in "01234567":
            if in_template:
                return None, i + 1, True
            j = i + 1
            limit = 3 if c in "0123" else 2
            while j < n and j - i < limit and text[j] in "01234567":
                j += 1
            return chr(int(text[i:j], 8)), j, True
        if c in "89":
            if in_template:
                return None, i + 1, True
            return c, i + 1, True
        return to_utf16(c), i + 1, False

    def _string(self, start: int, nl: bool) -> Token:
        text = self.text
        quote = text[start]
        i = start + 1
        n = len(text)
        out: list[str] = []
        octal = False
        while True:
            if i >= n or text[i] in "\n\r":
                raise self.error("Invalid or unexpected token: unterminated string", start, i)
            c = text[i]
            if c == quote:
                i += 1
                break
            if c == "\\":
                value, i2, oct_ = self._escape(i + 1, False)
                if value is None:
                    raise self.error("Invalid escape sequence", i, i2)
                octal = octal or oct_
                out.append(value)
                i = i2
            else:
                j = i + 1
                while j < n and text[j] not in "\\\n\r" and text[j] != quote:
                    j += 1
                out.append(to_utf16(text[i:j]))
                i = j
        tok = self._token("STRING", "".join(out), start, i, nl)
        tok.octal = octal
        return tok

    # -- templates --------------------------------------------------------------------------------------------------

    def _template(self, start: int, nl: bool, head: bool) -> Token:
        """Scan from a backquote (head) or a substitution-closing ``}`` up to the next backquote or ``${``."""
        text = self.text
        n = len(text)
        i = start + 1
        cooked: list[str] | None = []
        raw: list[str] = []
        first_bad: int | None = None
        while True:
            if i >= n:
                raise self.error("Unterminated template literal", start, n)
            c = text[i]
            if c == "`":
                end = i + 1
                kind = "TEMPLATE" if head else "TEMPLATE_TAIL"
                break
            if c == "$" and text.startswith("{", i + 1):
                end = i + 2
                kind = "TEMPLATE_HEAD" if head else "TEMPLATE_MIDDLE"
                self.braces.append(True)
                break
            if c == "\\":
                value, i2, _ = self._escape(i + 1, True)
                if value is None:
                    if first_bad is None:
                        first_bad = i
                    cooked = None
                    if i2 <= i + 1:
                        i2 = i + 2
                elif cooked is not None:
                    cooked.append(value)
                raw.append(text[i:i2])
                i = i2
            elif c == "\r":
                i += 2 if text.startswith("\r\n", i) else 1
                raw.append("\n")
                if cooked is not None:
                    cooked.append("\n")
            else:
                j = i + 1
                while j < n and text[j] not in "`$\\\r":
                    j += 1
                chunk = to_utf16(text[i:j])
                raw.append(chunk)
                if cooked is not None:
                    cooked.append(chunk)
                i = j
        raw_s = "".join(raw).replace("\r\n", "\n").replace("\r", "\n")
        parts: Any = (None if cooked is None else "".join(cooked), raw_s)
        tok = self._token(kind, parts, start, end, nl)
        if first_bad is not None:
            tok.octal = True
            tok.escaped = True  # marks "has an invalid escape" (an error unless the template is tagged)
            tok.raw = text[start:end]
            tok.value = (None, raw_s, first_bad)
        self.pos = end
        return tok

    # -- regular expressions ----------------------------------------------------------------------------------------

    def rescan_regex(self, tok: Token) -> Token:
        """Re-scan a ``/`` or ``/=`` token as a regular expression literal (the parser state wants one)."""
        text = self.text
        n = len(text)
        i = tok.start + 1
        in_class = False
        while True:
            if i >= n or text[i] in _LINE_TERMINATORS:
                raise self.error("Invalid regular expression: missing /", tok.start, i)
            c = text[i]
            if c == "\\":
                i += 1
                if i >= n or text[i] in _LINE_TERMINATORS:
                    raise self.error("Invalid regular expression: \\ at end of pattern", tok.start, i)
            elif c == "[":
                in_class = True
            elif c == "]":
                in_class = False
            elif c == "/" and not in_class:
                break
            i += 1
        pattern = to_utf16(text[tok.start + 1:i])  # a JS string: UTF-16 code units, like every string value
        m = re.compile(r"[\w$]*").match(text, i + 1)
        assert m is not None
        flags = m.group()
        end = m.end()
        if "\\" in text[end:end + 1]:
            raise self.error("Invalid regular expression flags", tok.start, end + 1)
        if any(f not in "dgimsuvy" for f in flags) or len(set(flags)) != len(flags) or \
                ("u" in flags and "v" in flags):
            raise self.error(f"Invalid regular expression flags '{flags}'", tok.start, end)
        from .ast import RegExpLiteral

        new = self._token("REGEX", RegExpLiteral(pattern, flags), tok.start, end, tok.nl)
        self.pos = end
        return new


def scan_all(text: str, filename: str = "<script>") -> list[Token]:
    """All tokens with ``/`` always read as division (for tests and tools; the parser scans on demand)."""
    tk = Tokenizer(Source(text, filename))
    out = []
    while True:
        tok = tk.next()
        out.append(tok)
        if tok.type == "$END":
            return out
