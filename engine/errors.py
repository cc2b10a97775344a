"""The engine's error tree: syntax errors with a code frame, JS exceptions in flight, host-raised JS errors, budgets.

See docs/engine.md ("Errors") for how the runtime uses them.
"""

from __future__ import annotations

from typing import Any

from .source import Span

__all__ = [
    "EngineError",
    "JSSyntaxError",
    "JSThrow",
    "HostJSError",
    "JSTypeError",
    "JSRangeError",
    "JSReferenceError",
    "JSErrorFromHost",
    "BudgetExceeded",
]


class EngineError(Exception):
    """Base of every exception the engine raises on purpose."""


class JSSyntaxError(EngineError):
    """A parse or early error: ``file:line:col: SyntaxError: message`` plus the line and a caret."""

    def __init__(self, message: str, span: Span | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span

    @property
    def filename(self) -> str:
        return self.span.source.filename if self.span else "<script>"

    @property
    def line(self) -> int:
        return self.span.line if self.span else 0

    @property
    def column(self) -> int:
        """1-based column, as printed."""
        return self.span.column + 1 if self.span else 0

    def __str__(self) -> str:
        if self.span is None:
            return f"SyntaxError: {self.message}"
        return f"{self.span.location()}: SyntaxError: {self.message}\n{self.span.code_frame()}"


class JSThrow(EngineError):
    """A JS exception in flight: carries the thrown JS value. Raised without a Python traceback where possible."""

    def __init__(self, value: Any, js_stack: list[str] | None = None) -> None:
        super().__init__()
        self.value = value
        self.js_stack = js_stack or []

    def __str__(self) -> str:
        from .values import describe_thrown  # late import: values imports errors

        return describe_thrown(self.value)


class HostJSError(EngineError):
    """Raised by host (Python) code to throw a JS error of the given constructor name in the calling realm."""

    js_constructor = "Error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class JSErrorFromHost(HostJSError):
    js_constructor = "Error"


class JSTypeError(HostJSError):
    js_constructor = "TypeError"


class JSRangeError(HostJSError):
    js_constructor = "RangeError"


class JSReferenceError(HostJSError):
    js_constructor = "ReferenceError"


class BudgetExceeded(EngineError):
    """A task spent its step, recursion or memory budget; not catchable from JS, ends the task (and its session)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind} budget exceeded{': ' + detail if detail else ''}")
        self.kind = kind
        self.detail = detail
