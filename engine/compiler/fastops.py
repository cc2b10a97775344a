"""Binary operators specialised on operand shape (local slot, numeric constant, any expression).

The closures are generated from small Python source templates, so a `n - 1` on a local becomes one Python frame
that reads ``env[slot]`` and tests ``type(a) is float`` inline. This is the compiler's hottest path (fib, loops).
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["specialize"]

_FAST = {
    "+": "a + b", "-": "a - b", "*": "a * b", "<": "a < b", ">": "a > b", "<=": "a <= b", ">=": "a >= b",
    "===": "a == b", "!==": "a != b", "==": "a == b", "!=": "a != b",
    "%": "(_fmod(a, b) if _inf > a >= 0.0 and 0.0 < b < _inf else _mod(a, b))", "/": "(a / b if b else _div(a, b))",
}
_OPERAND = {"L": "env[{slot}]", "C": "{const}", "E": "{fn}(env)"}
_cache: dict[tuple[str, str, str], Callable[..., Any]] = {}


def _factory(op: str, lk: str, rk: str) -> Callable[..., Any]:
    key = (op, lk, rk)
    f = _cache.get(key)
    if f is not None:
        return f
    a = _OPERAND[lk].format(slot="ls", const="lc", fn="left")
    b = _OPERAND[rk].format(slot="rs", const="rc", fn="right")
    checks = []
    if lk != "C":
        checks.append("type(a) is float")
    if rk != "C":
        checks.append("type(b) is float")
    test = " and ".join(checks) or "True"
    src = (
        "def make(left, right, ls, rs, lc, rc, slow):\n"
        "    def op(env):\n"
        f"        a = {a}\n"
        f"        b = {b}\n"
        f"        if {test}:\n"
        f"            return {_FAST[op]}\n"
        "        return slow(a, b)\n"
        "    return op\n"
    )
    from ..operations import js_div, js_mod
    import math
    ns: dict[str, Any] = {"_fmod": math.fmod, "_mod": js_mod, "_div": js_div, "_inf": math.inf}
    exec(compile(src, f"<fastop {op} {lk}{rk}>", "exec"), ns)  # noqa: S102 - fixed templates, no user input
    f = _cache[key] = ns["make"]
    return f


def specialize(op: str, left: tuple[str, Any], right: tuple[str, Any], slow: Callable[[Any, Any], Any]
               ) -> Callable[[list], Any] | None:
    """A closure for ``left op right`` or None when no specialisation applies. Operands are ``("L", slot)``,
    ``("C", float)`` or ``("E", closure)``; ``slow(a, b)`` handles everything but float/float."""
    if op not in _FAST:
        return None
    lk, lv = left
    rk, rv = right
    if lk == "E" and rk == "E":
        return None
    if lk == "C" and rk == "C":
        return None
    make = _factory(op, lk, rk)
    return make(lv if lk == "E" else None, rv if rk == "E" else None, lv if lk == "L" else 0,
                rv if rk == "L" else 0, lv if lk == "C" else None, rv if rk == "C" else None, slow)
