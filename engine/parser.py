"""The parser driver: lark's LALR(1) tables for engine/grammar.lark, run by our own loop with ASI and token classes.

lark builds the tables once; they are cached as a pickle in the user cache dir (keyed by a hash of the grammar and
the lark version), so importing and parsing needs no lark at all afterwards. The loop feeds tokens one by one and,
because it owns the stacks, can ask "would this terminal be shifted after the pending reductions?" (``_accepts``)
without mutating anything. That answers the questions the spec leaves to syntactic context:

- a word is a keyword, a contextual keyword, a reserved word used as a property name, or an identifier;
- ``/`` starts a regular expression or is division;
- an offending token after a line break, a ``}`` or the end gets a semicolon inserted before it (ASI), and the
  restricted productions (``return``/``break``/``continue``/``throw``/``yield``, postfix ``++``/``--``, ``=>``,
  ``async``) get theirs before feeding.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from . import ast
from .ast_builder import Builder, Inline
from .errors import JSSyntaxError
from .source import Source
from .tokens import CONTEXTUAL_WORDS, RESERVED_WORDS, Token, Tokenizer

__all__ = ["parse_script", "Tables", "load_tables", "MAX_DEPTH"]

MAX_DEPTH = 1500
"""Nesting limit (parser stack entries): deeper input is a SyntaxError instead of a Python crash."""

_TABLE_FORMAT = 5
_KEYWORD_TYPES = {"instanceof": "BINOP"}
_NAME_START = frozenset(["IDENT", "STRING", "NUMBER", "[", "PRIVATE_NAME"])
_RESTRICTED = frozenset(["return", "break", "continue", "yield"])


class Tables:
    """Compact LALR tables: per state a dict terminal/nonterminal → state (shift/goto, ≥ 0) or ~rule (reduce)."""

    def __init__(self, states: list[dict[str, int]], rules: list[tuple[str, int, str | None, bool, bool]],
                 start: int, end: int, grammar_hash: str, contexts: dict[int, list[Any]]) -> None:
        self.states = states
        self.rules = rules  # (origin, size, alias, expand1, has_inline_child)
        self.start = start
        self.end = end
        self.grammar_hash = grammar_hash
        self.contexts = contexts  # state → ["push", generator, async] or ["pop", False, False]


def _grammar_text() -> str:
    return resources.files("voxsim.engine").joinpath("grammar.lark").read_text(encoding="utf-8")


def _grammar_hash(text: str) -> str:
    """Tables are a function of the grammar text (and of this module's table format), not of the lark version."""
    return hashlib.sha256(f"{_TABLE_FORMAT}\0{text}".encode()).hexdigest()[:20]


_FUNCTION_RULES = frozenset(["function_declaration", "function_expression", "method_definition"])


def build_tables(text: str, grammar_hash: str) -> Tables:
    """Run lark's LALR analysis on the grammar and convert its table to the compact form (≈1 s).

    Also records the function contexts the LR items reveal: the states entered by shifting a function body's
    ``{`` or an arrow's ``=>`` (with generator/async flags, which decide whether ``yield``/``await`` are keywords),
    and the states entered by shifting a body's closing ``}``."""
    from lark import Lark
    from lark.lexer import Lexer, PatternStr
    from lark.parsers.lalr_analysis import Shift

    class _NoLexer(Lexer):  # tokens come from engine/tokens.py
        def __init__(self, conf: Any) -> None:
            pass

        def lex(self, *args: Any) -> Any:  # pragma: no cover
            raise NotImplementedError

    lark = Lark(text, parser="lalr", lexer=_NoLexer, maybe_placeholders=False, debug=True)
    names = {t.name: (t.pattern.value if isinstance(t.pattern, PatternStr) else t.name) for t in lark.terminals}
    table = lark.parser.parser.parser.parse_table  # debug=True: keyed by LR(0) item closures
    index = {closure: i for i, closure in enumerate(table.states)}
    rule_index: dict[Any, int] = {}
    rules: list[tuple[str, int, str | None, bool, bool]] = []
    states: list[dict[str, int]] = [{} for _ in range(len(index))]
    contexts: dict[int, list[Any]] = {}
    for closure, row in table.states.items():
        out = states[index[closure]]
        for sym, (action, arg) in row.items():
            key = str(names.get(sym, sym))
            if action is Shift:
                out[key] = index[arg]
            else:
                if arg not in rule_index:
                    rule_index[arg] = len(rules)
                    alias = None if arg.alias is None else str(arg.alias)
                    inline = any(not sym.is_term and sym.name.startswith("_") for sym in arg.expansion)
                    rules.append((str(arg.origin.name), len(arg.expansion), alias, bool(arg.options.expand1), inline))
                out[key] = ~rule_index[arg]
        for item in closure:
            if item.index == 0:
                continue
            words = [names.get(sym.name, sym.name) for sym in item.rule.expansion]
            last = words[item.index - 1]
            origin = item.rule.origin.name
            if last == "{" and origin in _FUNCTION_RULES and "(" in words[:item.index]:
                contexts[index[closure]] = ["push", "*" in words[:item.index], "async" in words[:item.index]]
            elif last == "=>" and origin == "arrow_function":
                contexts[index[closure]] = ["push", False, str(item.rule.alias) == "async_arrow_function"]
            elif last == "}" and item.index == len(words) and (origin in _FUNCTION_RULES or origin == "arrow_body"):
                contexts[index[closure]] = ["pop", False, False]
    start = index[table.start_states["start"]]
    end = index[table.end_states["start"]]
    return Tables(states, rules, start, end, grammar_hash, contexts)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "voxsim"


_TABLES: Tables | None = None
_UNIT_CHAINS: dict[int, dict[tuple[int, int, str], int]] = {}
_TARGET_MEMO: dict[int, dict[tuple[str, int], dict[int, dict[tuple[int, ...], int]]]] = {}
SHIPPED_TABLES = "parser_tables.json"
"""Pre-built tables shipped as package data (regenerate with ``python -m voxsim.engine.parser --write-tables``)."""


def tables_to_json(tables: Tables) -> str:
    return json.dumps({"hash": tables.grammar_hash, "start": tables.start, "end": tables.end,
                       "rules": tables.rules, "states": tables.states,
                       "contexts": {str(k): v for k, v in tables.contexts.items()}}, separators=(",", ":"))


def _shipped(digest: str) -> Tables | None:
    try:
        data = json.loads(resources.files("voxsim.engine").joinpath(SHIPPED_TABLES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("hash") != digest:
        return None
    rules = [(o, n, a, bool(e), bool(i)) for o, n, a, e, i in data["rules"]]
    contexts = {int(k): v for k, v in data["contexts"].items()}
    return Tables(data["states"], rules, data["start"], data["end"], digest, contexts)


def load_tables() -> Tables:
    """The tables for the current grammar: from memory, shipped package data, the user cache dir, or built by
    lark (then cached in the user cache dir)."""
    global _TABLES
    if _TABLES is not None:
        return _TABLES
    text = _grammar_text()
    digest = _grammar_hash(text)
    tables = _shipped(digest)
    if tables is not None:
        _TABLES = tables
        return tables
    path = _cache_dir() / f"parser-{digest}.pickle"
    try:
        with open(path, "rb") as fh:
            loaded = pickle.load(fh)
        if isinstance(loaded, Tables) and loaded.grammar_hash == digest:
            tables = loaded
    except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError):
        tables = None
    if tables is None:
        tables = build_tables(text, digest)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(tables, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only home: build again next time
    _TABLES = tables
    return tables


class _Driver:
    """One parse: the LALR loop, token classification and ASI."""

    def __init__(self, source: Source, tables: Tables) -> None:
        self.source = source
        self.tables = tables
        self.states = tables.states
        self.tokenizer = Tokenizer(source)
        self.builder = Builder(source)
        self.stack: list[int] = [tables.start]
        self.values: list[Any] = []
        self.reducers = [self.builder.reducer(*rule) for rule in tables.rules]
        self.target_memo = _TARGET_MEMO.setdefault(id(tables), {})
        # function contexts: (stack depth where the body starts, generator, async); the script is the bottom
        self.ctx: list[tuple[int, bool, bool]] = [(0, False, False)]

    # -- questions about the current state ---------------------------------------------------------------------------

    def _accepts(self, term: str) -> bool:
        """Would ``term`` be shifted after the reductions it triggers? (simulated on state numbers only)"""
        return self._target(term) >= 0

    def _target(self, term: str) -> int:
        """The state ``term`` would be shifted into after the reductions it triggers, or -1 (an error).

        Memoised exactly: a simulation reads only the top ``d`` states of the stack, so its result is stored
        under ``(term, top)`` → ``d`` → the tuple of those ``d`` states."""
        stack = self.stack
        memo = self.target_memo
        entries = memo.get((term, stack[-1]))
        if entries is not None:
            for depth, table in entries.items():
                hit = table.get(tuple(stack[-depth:]))
                if hit is not None:
                    return hit
        else:
            entries = memo[(term, stack[-1])] = {}
        result, depth = self._simulate(term)
        entries.setdefault(depth, {})[tuple(stack[-depth:])] = result
        return result

    def _simulate(self, term: str) -> tuple[int, int]:
        """Run the reductions on state numbers only: (target state or -1, how many stack states were read)."""
        states = self.states
        rules = self.tables.rules
        end = self.tables.end
        stack = self.stack
        low = len(stack) - 1  # index of the deepest real stack state read so far
        base = low  # the real stack is stack[:base + 1], with ``extra`` pushed on top
        extra: list[int] = []
        state = stack[base]
        while True:
            act = states[state].get(term)
            if act is None:
                return -1, len(stack) - low
            if act >= 0:
                return act, len(stack) - low
            origin, size = rules[~act][0], rules[~act][1]
            if size:
                n = len(extra)
                if size >= n:
                    base -= size - n
                    if n:
                        extra = []
                    if base < low:
                        low = base
                    below = stack[base]
                else:
                    del extra[n - size:]
                    below = extra[-1]
            else:
                below = state
            state = states[below].get(origin, -1)
            if state < 0:  # pragma: no cover - the accepting state
                return (0 if term == "$END" else -1), len(stack) - low
            if term == "$END" and state == end:
                return state, len(stack) - low
            extra.append(state)

    def _unit_chain(self, below: int, rule: int, term: str) -> int:
        """Follow one-child pass-through reductions from ``rule`` on ``term``; the resulting top state."""
        states = self.states
        rules = self.tables.rules
        while True:
            top = states[below][rules[rule][0]]
            if top == self.tables.end:
                return top
            act = states[top].get(term)
            if act is None or act >= 0 or self.reducers[~act] is not None:
                return top
            rule = ~act

    def _is_postfix(self, term: str) -> bool:
        """Would this ``++``/``--`` be read as a postfix operator (its target state expects no operand)?"""
        target = self._target(term)
        return target >= 0 and "IDENT" not in self.states[target]

    def _peek(self) -> Token:
        saved = self.tokenizer.save()
        try:
            return self.tokenizer.next()
        except JSSyntaxError:
            return Token("$ERROR", None, "", 0, 0, 0, 0, 0, 0, False)
        finally:
            self.tokenizer.restore(saved)

    def _classify_word(self, tok: Token) -> str:
        word = tok.value
        row = self.states[self.stack[-1]]
        if word in RESERVED_WORDS:
            term = _KEYWORD_TYPES.get(word, word)
            if tok.escaped:
                if "RESERVED" in row:
                    return "RESERVED"
                raise self._error(tok, "Keyword must not contain escaped characters")
            if term in row:
                if "RESERVED" in row and not self._accepts(term):
                    return "RESERVED"
                return term
            return "RESERVED" if "RESERVED" in row else term
        if word in CONTEXTUAL_WORDS and not tok.escaped and word in row:
            if "IDENT" not in row or not self._accepts("IDENT"):
                return word
            if word == "yield":
                return word if self.ctx[-1][1] else "IDENT"
            if word == "await":
                if self.ctx[-1][2]:
                    return word
                nxt = self._peek()  # `await x` outside async code: keep it a keyword for a clear early error
                operand = nxt.type in ("NUMBER", "STRING", "TEMPLATE") or (
                    nxt.type == "IDENT" and nxt.value not in ("in", "instanceof", "of"))
                return word if not nxt.nl and operand else "IDENT"
            nxt = self._peek()
            nt = nxt.type
            if word == "async":
                if nxt.nl:
                    return "IDENT"
                if nt == "(" and "RESERVED" in row:
                    return "IDENT"  # a method named `async` (property-name context), not an async arrow head
                if nt == "IDENT" and nxt.value == "of" and "RESERVED" not in row:
                    return "IDENT"  # `for (async of …)`
                if nt == "IDENT" or nt in ("(", "*", "[", "STRING", "NUMBER", "PRIVATE_NAME"):
                    return word if self._accepts(word) else "IDENT"
                return "IDENT"
            if word == "let":
                if (nt == "IDENT" and nxt.value not in ("in", "instanceof")) or nt in ("[", "{"):
                    return word
                return "IDENT"
            if word in ("get", "set", "static"):
                if nt in _NAME_START or (word == "static" and nt in ("*", "{")):
                    return word
                return "IDENT"
            return word
        return "IDENT"

    def _error(self, tok: Token, message: str | None = None) -> JSSyntaxError:
        if message is None:
            if tok.type == "$END":
                message = "Unexpected end of input"
            elif tok.type in ("STRING", "NUMBER", "TEMPLATE", "TEMPLATE_HEAD", "REGEX"):
                message = f"Unexpected {'string' if tok.type == 'STRING' else 'number' if tok.type == 'NUMBER' else 'token'} {tok.raw}"
            elif tok.type == "IDENT":
                message = f"Unexpected identifier '{tok.value}'"
            else:
                message = f"Unexpected token '{tok.raw}'"
        end = tok.end if tok.end > tok.start else tok.start + 1
        return JSSyntaxError(message, self.source.span(tok.start, end))

    def _semicolon(self, after: Token | None) -> Token:
        at = after.end if after is not None else 0
        line, col = (after.end_line, after.end_column) if after is not None else (1, 0)
        tok = Token(";", ";", "", at, at, line, col, line, col, False)
        tok.auto = True
        return tok

    # -- the loop ----------------------------------------------------------------------------------------------------

    def run(self) -> ast.Program:
        tk = self.tokenizer
        states = self.states
        reducers = self.reducers
        rules = self.tables.rules
        end_state = self.tables.end
        stack = self.stack
        values = self.values
        prev: Token | None = None
        prev_term = ""
        tok = tk.next()
        pending: Token | None = None  # the real token waiting behind an inserted semicolon
        special_words = RESERVED_WORDS | CONTEXTUAL_WORDS
        origins = [r[0] for r in rules]
        sizes = [r[1] for r in rules]
        unit_chains = _UNIT_CHAINS.setdefault(id(self.tables), {})
        contexts = self.tables.contexts
        ctx = self.ctx
        while True:
            if pending is not None:
                tok, pending = pending, None
                term = tok.type
                inserted = True
            else:
                inserted = False
                term = tok.type
            if term == "IDENT":
                if tok.value in special_words or tok.escaped:
                    term = self._classify_word(tok)
            elif term == "/" or term == "/=":
                row = states[stack[-1]]
                if "REGEX" in row and (term not in row or self._accepts("REGEX")):
                    tok = tk.rescan_regex(tok)
                    term = "REGEX"
                elif term == "/=":
                    term = "ASSIGN_OP"
            if tok.nl and prev is not None and not inserted:
                if prev_term in _RESTRICTED and term != ";" and self._accepts(";"):
                    pending = tok
                    tok = self._semicolon(prev)
                    term = ";"
                elif prev_term == "throw":
                    raise self._error(tok, "Illegal newline after throw")
                elif (term == "++" or term == "--") and self._is_postfix(term) and self._accepts(";"):
                    pending = tok
                    tok = self._semicolon(prev)
                    term = ";"
                elif term == "=>":
                    raise self._error(tok, "Line terminator not permitted before arrow")
            elif term == "=>" and tok.nl:
                raise self._error(tok, "Line terminator not permitted before arrow")
            if (tok.nl or term == "}" or term == "$END") and not tok.auto and not inserted:
                act = states[stack[-1]].get(term)
                if (act is None or act < 0) and not self._accepts(term):
                    if self._accepts(";"):
                        pending = tok
                        tok = self._semicolon(prev)
                        term = ";"
                    else:
                        raise self._error(tok)
            # feed
            while True:
                act = states[stack[-1]].get(term)
                if act is None:
                    if pending is not None:
                        raise self._error(pending)
                    raise self._error(tok)
                if act >= 0:
                    tok.type = term
                    stack.append(act)
                    values.append(tok)
                    change = contexts.get(act)
                    if change is not None:
                        if change[0] == "push":
                            ctx.append((len(stack), change[1], change[2]))
                        elif len(ctx) > 1:
                            ctx.pop()
                    break
                rule = ~act
                reducer = reducers[rule]
                if reducer is None:
                    # A chain of `?rule`s with one child (expression → … → primary): the value stays on the
                    # stack and only the top state changes; the chain's end is memoised per (below, top, term).
                    value = values[-1]
                    if type(value) is Inline:
                        values[-1] = value[0]
                    key = (stack[-2], stack[-1], term)
                    goto = unit_chains.get(key)
                    if goto is None:
                        goto = unit_chains[key] = self._unit_chain(stack[-2], rule, term)
                    stack[-1] = goto
                else:
                    size = sizes[rule]
                    if size:
                        args = values[-size:]
                        del values[-size:]
                        del stack[-size:]
                    else:
                        args = []
                    values.append(reducer(args))
                    goto = states[stack[-1]][origins[rule]]
                    stack.append(goto)
                if goto == end_state and term == "$END":
                    return self.builder.finish(values[-1])
            if len(stack) > MAX_DEPTH:
                raise self._error(tok, "Maximum nesting depth exceeded")
            while len(stack) < ctx[-1][0]:  # a concise arrow body ended with a reduction
                ctx.pop()
            if not tok.auto:
                prev = tok
            prev_term = term
            if pending is None:
                tok = tk.next()


def parse_script(text: str, filename: str = "<script>") -> ast.Program:
    """Parse an ES2022 script (sloppy unless ``'use strict'``); raises JSSyntaxError for parse and early errors."""
    source = Source(text, filename)
    tables = load_tables()
    driver = _Driver(source, tables)
    try:
        program = driver.run()
    except RecursionError:
        raise JSSyntaxError("Maximum nesting depth exceeded", source.span(0, 1)) from None
    from .early_errors import check_program

    try:
        check_program(program, source, driver.builder.octal_literals)
    except RecursionError:
        raise JSSyntaxError("Expression nesting too deep", source.span(0, 1)) from None
    return program


if __name__ == "__main__":  # pragma: no cover - python -m voxsim.engine.parser (--write-tables | file.js)
    if sys.argv[1] == "--write-tables":
        grammar = _grammar_text()
        out = Path(__file__).with_name(SHIPPED_TABLES)
        out.write_text(tables_to_json(build_tables(grammar, _grammar_hash(grammar))) + "\n", encoding="utf-8")
        print(f"wrote {out}")
        sys.exit(0)
    with open(sys.argv[1], encoding="utf-8") as fh:
        print(json.dumps(parse_script(fh.read(), sys.argv[1]).to_estree(), indent=1))
