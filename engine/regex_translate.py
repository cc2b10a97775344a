"""Translate an ECMAScript regular expression into a pattern for the ``regex`` module, keeping JS semantics.

Why ``regex`` and not ``re``: JS allows variable-length lookbehind, and scenario regexes are untrusted, so matching
needs a timeout; ``regex`` gives both. The translation makes every JS meaning explicit instead of relying on Python
flags: ``.`` excludes only JS line terminators, ``^``/``$`` are ``\\A``/``\\Z`` (``$`` never matches before a final
newline) or line-terminator lookarounds under ``m``, ``\\d\\w\\s\\b`` are JS's ASCII/Unicode sets, a backreference
to a group that has not matched matches empty (``(?(n)\\n)``), named groups become numbered groups with a name table.

The parser follows the spec grammar with Annex B for non-``u`` patterns (``{`` and ``]`` as literals, legacy octal,
``\\c`` fallbacks, identity escapes). Patterns the engine cannot express raise ``RegexSyntaxError``; known
deviations: captures inside a quantified group are not reset per iteration, and ``i`` uses Unicode simple case
folding rather than JS's toUpperCase canonicalisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["RegexSyntaxError", "Translated", "translate", "pattern_error", "FLAG_CHARS", "LINE_TERMINATORS",
           "WHITESPACE_CHARS"]

FLAG_CHARS = "dgimsuvy"
LINE_TERMINATORS = "\n\r\u2028\u2029"
WHITESPACE_CHARS = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
                   "\u2028\u2029\u202f\u205f\u3000\ufeff"
_SYNTAX = "^$\\.*+?()[]{}|/"
_CONTROL = {"f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09, "v": 0x0B}


class RegexSyntaxError(Exception):
    """An invalid (or untranslatable) pattern; the RegExp constructor turns it into a JS SyntaxError."""


@dataclass
class Translated:
    source: str                     # the pattern for regex.compile
    group_count: int                # capturing groups, not counting group 0
    group_names: list[str | None] = field(default_factory=list)   # name of group i+1 or None
    unicode: bool = False           # match on code points (``u``) rather than code units
    max_count: int = 0              # the largest {n,m} count (the ``regex`` module allocates memory per count)
    py_group: list[int] = field(default_factory=list)        # Python group number of JS group i (0 → 0)
    resets: dict[int, list[int]] = field(default_factory=dict)  # JS group → Python marker groups around it


def _ranges_of(chars: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for c in sorted(set(chars)):
        o = ord(c)
        if out and out[-1][1] + 1 == o:
            out[-1] = (out[-1][0], o)
        else:
            out.append((o, o))
    return out


_DIGIT = [(0x30, 0x39)]
_WORD = [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)]
_SPACE = _ranges_of(WHITESPACE_CHARS)


def _complement(ranges: list[tuple[int, int]], top: int) -> list[tuple[int, int]]:
    out = []
    nxt = 0
    for lo, hi in sorted(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = max(nxt, hi + 1)
    if nxt <= top:
        out.append((nxt, top))
    return out


def _lit(cp: int) -> str:
    """One code point as a pattern atom that means exactly that character."""
    c = chr(cp)
    if c.isascii() and (c.isalnum() or c == "_"):
        return c
    if cp <= 0xFFFF:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def _class_text(ranges: list[tuple[int, int]]) -> str:
    return "".join(_lit(lo) if lo == hi else f"{_lit(lo)}-{_lit(hi)}" for lo, hi in ranges)


def _set(ranges: list[tuple[int, int]], negate: bool = False) -> str:
    if not ranges:
        return "[^\\x00-\\U0010ffff]" if not negate else "[\\x00-\\U0010ffff]"
    return ("[^" if negate else "[") + _class_text(ranges) + "]"


class _Parser:
    def __init__(self, pattern: str, flags: str) -> None:
        self.u = "u" in flags or "v" in flags
        self.v = "v" in flags
        self.max_count = 0
        self.i = "i" in flags
        self.m = "m" in flags
        self.s = "s" in flags
        self.src = _code_points(pattern) if self.u else pattern
        self.pos = 0
        self.top = 0x10FFFF if self.u else 0xFFFF
        self.group_count, self.names_seen = self._prescan()
        self.named = bool(self.names_seen) or self.u
        self.group_names: list[str | None] = []
        self.refs: list[str] = []
        self.markers = 0
        self.resets: dict[int, list[int]] = {}
        self.open_groups: list[int] = []   # a backreference into an enclosing group matches empty (not yet set)
        self.word = list(_WORD) + ([(0x17F, 0x17F), (0x212A, 0x212A)] if self.u and self.i else [])

    # -- helpers
    def error(self, msg: str) -> RegexSyntaxError:
        return RegexSyntaxError(f"Invalid regular expression: /{self.src}/: {msg}")

    def peek(self, k: int = 0) -> str:
        p = self.pos + k
        return self.src[p] if p < len(self.src) else ""

    def eat(self, s: str) -> bool:
        if self.src.startswith(s, self.pos):
            self.pos += len(s)
            return True
        return False

    def _prescan(self) -> tuple[int, set[str]]:
        """Count capturing groups and collect group names (both are needed before parsing escapes)."""
        src = self.src
        n = 0
        names: set[str] = set()
        i = 0
        in_class = False
        while i < len(src):
            c = src[i]
            if c == "\\":
                i += 2
                continue
            if in_class:
                if c == "]":
                    in_class = False
            elif c == "[":
                in_class = True
            elif c == "(":
                if src.startswith("?<", i + 1) and not src.startswith("?<=", i + 1) and \
                        not src.startswith("?<!", i + 1):
                    n += 1
                    end = src.find(">", i)
                    if end > 0:
                        names.add(src[i + 3:end])
                elif not src.startswith("?", i + 1):
                    n += 1
            i += 1
        return n, names

    # -- grammar
    def parse(self) -> str:
        out = self.disjunction()
        if self.pos < len(self.src):
            c = self.peek()
            raise self.error("Unmatched ')'" if c == ")" else f"Unexpected character '{c}'")
        return out

    def disjunction(self) -> str:
        alts = [self.alternative()]
        while self.eat("|"):
            alts.append(self.alternative())
        return "|".join(alts)

    def alternative(self) -> str:
        parts: list[str] = []
        while self.pos < len(self.src) and self.peek() not in ("|", ")"):
            parts.append(self.term())
        return "".join(parts)

    def term(self) -> str:
        c = self.peek()
        quantifiable = True
        if c == "^":
            self.pos += 1
            return f"(?:\\A|(?<=[{_class_text(_ranges_of(LINE_TERMINATORS))}]))" if self.m else "\\A"
        if c == "$":
            self.pos += 1
            return f"(?=[{_class_text(_ranges_of(LINE_TERMINATORS))}]|\\Z)" if self.m else "\\Z"
        if c == "\\" and self.peek(1) in ("b", "B"):
            self.pos += 2
            w = _class_text(self.word)
            if self.peek(-1) == "b":
                return f"(?:(?<=[{w}])(?![{w}])|(?<![{w}])(?=[{w}]))"
            return f"(?:(?<=[{w}])(?=[{w}])|(?<![{w}])(?![{w}]))"
        if c == "(" and self.peek(1) == "?" and self.peek(2) in ("=", "!") or \
                c == "(" and self.src.startswith("?<=", self.pos + 1) or \
                c == "(" and self.src.startswith("?<!", self.pos + 1):
            behind = self.peek(2) == "<"
            kind = self.src[self.pos + (3 if behind else 2)]
            self.pos += 4 if behind else 3
            inner = self.disjunction()
            if not self.eat(")"):
                raise self.error("Unterminated group")
            atom = f"(?{'<' if behind else ''}{kind}{inner})"
            quantifiable = not self.u and not behind
            if not quantifiable:
                if self._at_quantifier():
                    raise self.error("Nothing to repeat")
                return atom
            atom = f"(?:{atom})"
        else:
            atom = self.atom()
        q = self.quantifier()
        if q is None:
            return atom
        if not quantifiable:
            raise self.error("Nothing to repeat")
        if "\x00G" in atom and _repeats(q):
            # JS clears the captures inside a repeated group at each iteration; a marker group gives the start of
            # the last iteration, and captures older than it are reported as undefined (see Translated.resets).
            self.markers += 1
            k = self.markers
            for js in _GROUP_TOKEN.findall(atom):
                self.resets.setdefault(int(js), []).append(k)
            atom = f"\x00M{k}\x00{atom})"
        return atom + q

    def _at_quantifier(self) -> bool:
        c = self.peek()
        if c in ("*", "+", "?"):
            return True
        if c == "{":
            save = self.pos
            ok = self._brace_quantifier() is not None
            self.pos = save
            return ok
        return False

    def _brace_quantifier(self) -> tuple[int, int | None] | None:
        """``{n}``, ``{n,}``, ``{n,m}`` at pos (consumed) or None (pos unchanged)."""
        save = self.pos
        if not self.eat("{"):
            return None
        j = self.pos
        while self.peek().isdigit() and self.peek().isascii():
            self.pos += 1
        if self.pos == j:
            self.pos = save
            return None
        lo = int(self.src[j:self.pos])
        hi: int | None = lo
        if self.eat(","):
            k = self.pos
            while self.peek().isdigit() and self.peek().isascii():
                self.pos += 1
            hi = int(self.src[k:self.pos]) if self.pos > k else None
        if not self.eat("}"):
            self.pos = save
            return None
        return lo, hi

    def quantifier(self) -> str | None:
        c = self.peek()
        if c in ("*", "+", "?"):
            self.pos += 1
            q = c
        elif c == "{":
            b = self._brace_quantifier()
            if b is None:
                if self.u:
                    raise self.error("Incomplete quantifier")
                return None
            lo, hi = b
            if hi is not None and hi < lo:
                raise self.error("numbers out of order in {} quantifier")
            cap = 0xFFFFFFFE      # Python's MAXREPEAT - 1; no string is that long, so the meaning is kept
            lo, hi = min(lo, cap), (None if hi is None or hi >= cap else hi)
            self.max_count = max(self.max_count, lo, hi or 0)
            q = f"{{{lo}}}" if hi == lo else f"{{{lo},{'' if hi is None else hi}}}"
        else:
            return None
        if self.eat("?"):
            q += "?"
        if self._at_quantifier():
            raise self.error("Nothing to repeat")
        return q

    def atom(self) -> str:
        c = self.peek()
        if c == ".":
            self.pos += 1
            if self.s:
                return "(?s:.)"
            return _set(_ranges_of(LINE_TERMINATORS), negate=True)
        if c == "(":
            return self.group()
        if c == "[":
            return self.char_class()
        if c == "\\":
            return self.atom_escape()
        if c in ("*", "+", "?"):
            raise self.error("Nothing to repeat")
        if c == "{":
            if self.u or self._at_quantifier():
                raise self.error("Nothing to repeat" if not self.u else "Lone quantifier brackets")
            self.pos += 1
            return _lit(ord(c))
        if c in ("}", "]") and self.u:
            raise self.error("Lone quantifier brackets")
        self.pos += 1
        return _lit(ord(c))

    def group(self) -> str:
        self.pos += 1
        if self.eat("?:"):
            inner = self.disjunction()
            if not self.eat(")"):
                raise self.error("Unterminated group")
            return f"(?:{inner})"
        name: str | None = None
        if self.peek() == "?":
            if self.peek(1) != "<":
                raise self.error("Invalid group")
            self.pos += 2
            name = self.group_name()
            if name in self.group_names:
                raise self.error("Duplicate capture group name")
        self.group_names.append(name)
        js_index = len(self.group_names)
        self.open_groups.append(js_index)
        inner = self.disjunction()
        self.open_groups.pop()
        if not self.eat(")"):
            raise self.error("Unterminated group")
        return f"\x00G{js_index}\x00{inner})"

    def group_name(self) -> str:
        """A RegExpIdentifierName up to ``>`` (pos after ``<``), with \\u escapes decoded."""
        out: list[str] = []
        while True:
            c = self.peek()
            if not c:
                raise self.error("Invalid capture group name")
            if c == ">":
                self.pos += 1
                break
            if c == "\\":
                self.pos += 1
                if not self.eat("u"):
                    raise self.error("Invalid capture group name")
                cp = self._unicode_escape_body(True)
                if cp is None:
                    raise self.error("Invalid Unicode escape")
                out.append(chr(cp))
                continue
            if len(c) == 1 and 0xD800 <= ord(c) <= 0xDBFF and 0xDC00 <= ord(self.peek(1) or "\0") <= 0xDFFF:
                c = chr(0x10000 + ((ord(c) - 0xD800) << 10) + (ord(self.peek(1)) - 0xDC00))
                self.pos += 1
            out.append(c)
            self.pos += 1
        name = "".join(out)
        if not name or not _is_identifier(name):
            raise self.error("Invalid capture group name")
        return _to_js_units(name)

    # -- escapes
    def _hex(self, n: int) -> int | None:
        s = self.src[self.pos:self.pos + n]
        if len(s) == n and all(ch in "0123456789abcdefABCDEF" for ch in s):
            self.pos += n
            return int(s, 16)
        return None

    def _unicode_escape_body(self, allow_braces: bool) -> int | None:
        """After ``\\u``: XXXX (joining a surrogate pair ``\\uD83D\\uDE00`` in u-mode) or ``{X…}``."""
        if allow_braces and self.peek() == "{":
            end = self.src.find("}", self.pos)
            body = self.src[self.pos + 1:end] if end > 0 else ""
            if not body or not all(ch in "0123456789abcdefABCDEF" for ch in body) or int(body, 16) > 0x10FFFF:
                return None
            self.pos = end + 1
            return int(body, 16)
        cp = self._hex(4)
        if cp is None:
            return None
        if self.u and 0xD800 <= cp <= 0xDBFF and self.src.startswith("\\u", self.pos):
            save = self.pos
            self.pos += 2
            lo = self._hex(4)
            if lo is not None and 0xDC00 <= lo <= 0xDFFF:
                return 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
            self.pos = save
        return cp

    def char_escape(self, in_class: bool) -> int:
        """A CharacterEscape after the backslash; returns the code point."""
        c = self.peek()
        self.pos += 1
        if c in _CONTROL:
            return _CONTROL[c]
        if c == "c":
            letter = self.peek()
            if letter.isascii() and letter.isalpha():
                self.pos += 1
                return ord(letter) % 32
            if in_class and not self.u and (letter.isdigit() and letter.isascii() or letter == "_"):
                self.pos += 1
                return ord(letter) % 32
            if self.u:
                raise self.error("Invalid unicode escape")
            self.pos -= 1          # Annex B: "\c" is a backslash followed by c
            return ord("\\")
        if c == "0" and not (self.peek().isdigit() and self.peek().isascii()):
            return 0
        if c == "x":
            v = self._hex(2)
            if v is not None:
                return v
            if self.u:
                raise self.error("Invalid escape")
            return ord("x")
        if c == "u":
            v = self._unicode_escape_body(self.u)
            if v is not None:
                return v
            if self.u:
                raise self.error("Invalid Unicode escape")
            return ord("u")
        if not c:
            raise self.error("\\ at end of pattern")
        if self.u:
            if c in _SYNTAX or (c == "-" and in_class):
                return ord(c)
            raise self.error("Invalid escape")
        if c.isdigit() and c.isascii():
            if c in "89":
                return ord(c)
            # legacy octal escape (Annex B)
            v = int(c)
            if self.peek() in "01234567" and self.peek():
                v = v * 8 + int(self.peek())
                self.pos += 1
                if c in "0123" and self.peek() in "01234567" and self.peek():
                    v = v * 8 + int(self.peek())
                    self.pos += 1
            return v
        if c == "k" and self.named:
            raise self.error("Invalid named reference")
        return ord(c)

    def class_escape_set(self, c: str) -> list[tuple[int, int]] | str | None:
        """\\d\\D\\s\\S\\w\\W as ranges, \\p{…}/\\P{…} as regex text, else None."""
        if c == "d":
            return list(_DIGIT)
        if c == "D":
            return _complement(_DIGIT, self.top)
        if c == "s":
            return list(_SPACE)
        if c == "S":
            return _complement(_SPACE, self.top)
        if c == "w":
            return list(self.word)
        if c == "W":
            return _complement(self.word, self.top)
        if c in ("p", "P") and self.u:
            if self.peek(1) != "{":
                raise self.error("Invalid property name")
            end = self.src.find("}", self.pos)
            body = self.src[self.pos + 2:end] if end > 0 else ""
            if not body or not all(ch.isascii() and (ch.isalnum() or ch in "_=") for ch in body) or \
                    not _known_property(body):
                raise self.error("Invalid property name")
            self.pos = end + 1
            return f"\\{c}{{{body}}}"
        return None

    def atom_escape(self) -> str:
        self.pos += 1
        c = self.peek()
        if c.isdigit() and c.isascii() and c != "0":
            j = self.pos
            while self.peek().isdigit() and self.peek().isascii():
                self.pos += 1
            n = int(self.src[j:self.pos])
            if n <= self.group_count:
                return "(?:)" if n in self.open_groups else f"\x00B{n}\x00"
            if self.u:
                raise self.error("Invalid escape")
            self.pos = j
        if c == "k" and self.named:
            self.pos += 1
            if not self.eat("<"):
                raise self.error("Invalid named reference")
            name = self.group_name()
            self.refs.append(name)
            if any(self.group_names[g - 1] == name for g in self.open_groups):
                return "(?:)"
            return "\x00K" + name + "\x00"  # resolved to a number once all groups are known
        if c in "dDsSwWpP":
            s = self.class_escape_set(c)
            if s is not None:
                if type(s) is str:
                    return s
                self.pos += 1
                return _set(s)  # type: ignore[arg-type]
        return _lit(self.char_escape(False))

    def char_class(self) -> str:
        self.pos += 1
        negate = self.eat("^")
        items: list[tuple[int, int]] = []
        extra: list[str] = []
        while True:
            c = self.peek()
            if not c:
                raise self.error("Unterminated character class")
            if c == "]":
                self.pos += 1
                break
            if self.v and (c in "[(){}/|" or self.src.startswith(("&&", "--", "\\q{"), self.pos)):
                raise self.error("class set syntax of the v flag is not supported")
            lo = self.class_atom()
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.pos += 1
                hi = self.class_atom()
                if type(lo) is not int or type(hi) is not int:
                    if self.u:
                        raise self.error("Invalid character class")
                    self._add(items, extra, lo)
                    items.append((0x2D, 0x2D))
                    self._add(items, extra, hi)
                    continue
                if lo > hi:
                    raise self.error("Range out of order in character class")
                items.append((lo, hi))
                continue
            self._add(items, extra, lo)
        if not items and not extra:
            return "[\\x00-\\U0010ffff]" if negate else "(?!)"
        body = _class_text(items) + "".join(extra)
        return ("[^" if negate else "[") + body + "]"

    @staticmethod
    def _add(items: list[tuple[int, int]], extra: list[str], atom: object) -> None:
        if type(atom) is int:
            items.append((atom, atom))
        elif type(atom) is str:
            extra.append(atom)
        else:
            items.extend(atom)  # type: ignore[arg-type]

    def class_atom(self) -> int | str | list[tuple[int, int]]:
        c = self.peek()
        if c != "\\":
            self.pos += 1
            return ord(c)
        self.pos += 1
        c = self.peek()
        if c == "b":
            self.pos += 1
            return 8
        if c == "-" and self.u:
            self.pos += 1
            return 0x2D
        if c in "dDsSwWpP":
            s = self.class_escape_set(c)
            if s is not None:
                if type(s) is not str:
                    self.pos += 1
                return s
        if c == "k" and not self.u:
            self.pos += 1
            return ord("k")
        if c.isdigit() and c.isascii() and self.u and c != "0":
            raise self.error("Invalid class escape")
        return self.char_escape(True)


@lru_cache(maxsize=256)
def _known_property(body: str) -> bool:
    """Whether the ``regex`` module knows the Unicode property (so a bad name is a SyntaxError at parse time)."""
    import regex
    try:
        regex.compile(f"\\p{{{body}}}")
    except regex.error:
        return False
    return True


def _is_identifier(name: str) -> bool:
    """A group name is an IdentifierName (Unicode tables of the scanner, newer than Python's own)."""
    from .tokens import is_id_part, is_id_start
    return is_id_start(name[0]) and all(is_id_part(c) for c in name[1:])


def _code_points(s: str) -> str:
    """JS code units → code points (surrogate pairs joined, lone surrogates kept)."""
    if s.isascii():
        return s
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _to_js_units(s: str) -> str:
    if all(ord(c) < 0x10000 for c in s):
        return s
    b = s.encode("utf-16-le", "surrogatepass")
    return "".join(chr(int.from_bytes(b[i:i + 2], "little")) for i in range(0, len(b), 2))


def translate(pattern: str, flags: str) -> Translated:
    """Translate a JS pattern (code units) and flags into a ``regex`` pattern; RegexSyntaxError if invalid."""
    for f in flags:
        if f not in FLAG_CHARS:
            raise RegexSyntaxError(f"Invalid regular expression flags '{flags}'")
    if len(set(flags)) != len(flags) or ("u" in flags and "v" in flags):
        raise RegexSyntaxError(f"Invalid regular expression flags '{flags}'")
    p = _Parser(pattern, flags)
    out = p.parse()
    names = p.group_names
    for ref in p.refs:
        if ref not in names:
            raise p.error("Invalid named capture referenced")
    # number the groups as Python sees them: JS groups and iteration markers, in order of their "("
    py_of_js = [0] * (p.group_count + 1)
    py_of_marker: dict[int, int] = {}
    for n, (kind, num) in enumerate(_OPEN_TOKEN.findall(out), start=1):
        if kind == "G":
            py_of_js[int(num)] = n
        else:
            py_of_marker[int(num)] = n
    index_of_name = {name: i for i, name in enumerate(names, start=1) if name is not None}

    def resolve(m: "re.Match[str]") -> str:
        kind, body = m.group(1), m.group(2)
        if kind in "GM":
            return "("
        py = py_of_js[int(body)] if kind == "B" else py_of_js[index_of_name[body]]
        return f"(?:(?({py})\\{py}))"

    out = _ANY_TOKEN.sub(resolve, out)
    resets = {js: [py_of_marker[k] for k in ks] for js, ks in p.resets.items()}
    return Translated(out, p.group_count, names, p.u, p.max_count, py_of_js, resets)


@lru_cache(maxsize=1024)
def pattern_error(pattern: str, flags: str) -> str | None:
    """Why a regular expression literal is an early SyntaxError, or None when the runtime can build it
    (https://tc39.es/ecma262/#sec-regular-expression-literals-static-semantics-early-errors)."""
    try:
        translate(pattern, flags)
    except RegexSyntaxError as exc:
        return str(exc)
    except RecursionError:
        return f"Invalid regular expression: /{pattern}/: nested too deeply"
    return None


_GROUP_TOKEN = re.compile("\x00G(\\d+)\x00")
_OPEN_TOKEN = re.compile("\x00([GM])(\\d+)\x00")
_ANY_TOKEN = re.compile("\x00([GMBK])([^\x00]*)\x00")


def _repeats(q: str) -> bool:
    """Whether a quantifier can iterate more than once."""
    q = q.rstrip("?") if len(q) > 1 else q
    if q in ("*", "+"):
        return True
    if q == "?":
        return False
    body = q[1:-1]
    if "," not in body:
        return int(body) > 1
    hi = body.split(",")[1]
    return hi == "" or int(hi) > 1
