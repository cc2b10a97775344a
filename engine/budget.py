"""Per-task limits that end a runaway scenario cleanly: steps, call depth, string and array sizes."""

from __future__ import annotations

import sys

from .errors import BudgetExceeded

__all__ = ["Budget"]


class Budget:
    """Limits for one realm. ``steps`` are counted on loop back-edges and calls and reset by every task.

    Spending the steps raises ``BudgetExceeded`` (not catchable from JS); exceeding ``max_depth`` is a JS
    ``RangeError: Maximum call stack size exceeded``; too long a string or array is a JS ``RangeError``.
    """

    __slots__ = ("max_steps", "left", "max_depth", "depth", "max_string_length", "max_array_length")

    def __init__(self, max_steps: int = 200_000_000, max_depth: int = 1000,
                 max_string_length: int = 1 << 28, max_array_length: int = 1 << 25) -> None:
        self.max_steps = max_steps
        self.left = max_steps
        self.max_depth = max_depth
        self.depth = 0
        self.max_string_length = max_string_length
        self.max_array_length = max_array_length
        # A JS call costs a handful of Python frames; leave room so Python's own limit is never what stops us.
        want = max_depth * 24 + 2000
        if sys.getrecursionlimit() < want:
            sys.setrecursionlimit(want)

    def reset(self) -> None:
        """Start a new task's allowance."""
        self.left = self.max_steps

    def spent(self) -> None:
        """Called by compiled code when ``left`` went below zero."""
        self.left = 0
        raise BudgetExceeded("step", f"more than {self.max_steps} steps in one task (an endless loop?)")
