"""AST → Python closures. One mixin per family of nodes; ``Compiler`` puts them together.

Expressions compile to ``f(env) -> value`` and statements to ``f(env) -> None | signal`` (see ``core``); there is
no tree walking at run time. ``compile_program`` is the entry point (``engine/script.py`` wraps it).
"""

from __future__ import annotations

from typing import Any

from .classes import ClassCompiler
from .core import RETURN, CompilerBase
from .eval import DirectEvalCompiler
from .expressions import ExpressionCompiler
from .functions import CompiledFunction, FunctionCode, FunctionCompiler
from .patterns import PatternCompiler
from .statements import StatementCompiler

__all__ = ["Compiler", "CompiledFunction", "FunctionCode", "RETURN"]


class Compiler(DirectEvalCompiler, ExpressionCompiler, PatternCompiler, StatementCompiler, FunctionCompiler,
               ClassCompiler, CompilerBase):
    """Compiles one script (its Analysis) for one realm."""

    def __init__(self, realm: Any, analysis: Any, source: Any) -> None:
        CompilerBase.__init__(self, realm, analysis, source)
