"""Source text, spans and the caret code frame used by every error that points into a scenario."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

__all__ = ["Source", "Span"]

_LINE_BREAK = re.compile("\r\n?|[\n\u2028\u2029]")


@dataclass(slots=True)
class Source:
    """A scenario file's text with a line index, so offsets turn into line:column cheaply."""

    text: str
    filename: str = "<script>"
    _line_starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(self.text)]

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and 0-based column of a code-point offset."""
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line]

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its terminator."""
        if line < 1 or line > len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] if line < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n\u2028\u2029")

    def span(self, start: int, end: int | None = None) -> "Span":
        return Span(self, start, start if end is None else end)


@dataclass(frozen=True, slots=True)
class Span:
    """A range of a Source; renders as ``file:line:col`` and as a code frame with a caret."""

    source: Source
    start: int
    end: int

    @property
    def line(self) -> int:
        return self.source.line_col(self.start)[0]

    @property
    def column(self) -> int:
        return self.source.line_col(self.start)[1]

    def location(self) -> str:
        line, col = self.source.line_col(self.start)
        return f"{self.source.filename}:{line}:{col + 1}"

    def code_frame(self) -> str:
        """The source line and a caret under the span (tabs kept so the caret lines up)."""
        line, col = self.source.line_col(self.start)
        text = self.source.line_text(line)
        pad = "".join("\t" if ch == "\t" else " " for ch in text[:col])
        end_line, end_col = self.source.line_col(max(self.end, self.start))
        width = max(1, (end_col - col) if end_line == line else len(text) - col)
        return f"{text}\n{pad}{'^' * width}"
