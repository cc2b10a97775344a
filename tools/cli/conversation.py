"""The conversation view of a running session: who said what and when, and the events that matter in a voice-agent
call (ACK, Clear/barge-in, DTMF, hang-ups, errors), printed as trace records arrive.

Used by ``voxsim demo`` and ``voxsim call``; colored with rich on a terminal, plain text otherwise (CI logs, pipes).
"""

from __future__ import annotations

from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape

__all__ = ["ConversationPrinter"]

#: Event names shown, with the words used for them.
_EVENTS = {
    "Call.Connected": "call connected",
    "Cartesia.Agents.ACK": "agent stream acknowledged (ACK)",
    "Cartesia.Agents.Clear": "Clear: the agent was interrupted, its queued audio is dropped",
    "Cartesia.Agents.Transfer": "agent asks for a transfer",
}


class ConversationPrinter:
    """A trace listener (``session.trace.add_listener(printer)``) that prints the conversation line by line."""

    def __init__(self, file: TextIO | None = None, *, color: bool | None = None, show_logs: bool = False) -> None:
        self.console = Console(file=file, highlight=False, soft_wrap=True,
                               force_terminal=color, no_color=color is False)
        self.show_logs = show_logs
        self.open_agent: set[str] = set()  # agent speech spans going on
        self.caller_stopped: float | None = None
        self.lines = 0

    def _line(self, t: float, who: str, text: str, style: str = "") -> None:
        self.lines += 1
        stamp = f"[dim]{t:7.2f}s[/dim]"
        label = f"[{style}]{who:<7}[/{style}]" if style else f"{who:<7}"
        self.console.print(f"{stamp}  {label} {text}")

    def __call__(self, record: Any) -> None:
        kind = record.type
        if kind == "media" and record.get("kind") in ("speech", "tts"):
            self._speech(record)
        elif kind == "media" and record.get("action") == "stop":  # stop records carry no kind
            self._speech(record)
        elif kind == "event":
            name = record.get("name")
            data = record.get("data") or {}
            if name in _EVENTS:
                self._line(record.t, "", "[yellow]" + escape(_EVENTS[name].format(**data)) + "[/yellow]")
            elif name == "Call.ToneReceived":
                self._line(record.t, "Caller", f"presses {escape(str(data.get('tone', '?')))}", "bold green")
            elif name == "Cartesia.Agents.DTMF":
                digits = ((data.get("data") or {}).get("payload") or {}).get("dtmf", "?")
                self._line(record.t, "", f"[yellow]agent sends key(s) {escape(str(digits))}[/yellow]")
            elif name in ("Call.Disconnected", "Call.Failed"):
                why = data.get("reason", "")
                self._line(record.t, "", f"[yellow]call ended: {escape(str(why))} ({data.get('internalCode', data.get('code', ''))})[/yellow]")
        elif kind == "agent" and record.get("event") == "close" and record.get("direction") == "received":
            self._line(record.t, "", f"[yellow]agent closed the stream: {escape(str(record.get('reason', '')))}[/yellow]")
        elif kind == "error":
            stack = record.get("stack") or ""
            self._line(record.t, "error", f"[red]{escape(str(record.get('message')))}[/red]"
                       + "".join(f"\n{' ' * 19}[dim]{escape(s.strip())}[/dim]" for s in stack.splitlines()))
        elif kind == "warning":
            self._line(record.t, "warning", f"[magenta]{escape(str(record.get('message')))}[/magenta]")
        elif kind == "log" and (self.show_logs or record.get("source") == "caller"):
            self._line(record.t, "log", f"[dim]{escape(str(record.get('text')))}[/dim]")

    def _speech(self, record: Any) -> None:
        source = str(record.get("source", ""))
        agent = source.startswith("agent") or source.startswith("player")
        action = record.get("action")
        if action == "stop":
            if agent:
                self.open_agent.discard(source)
                if record.get("reason") == "clear":
                    self._line(record.t, "Agent", "[red]✂ cut off (barge-in)[/red]", "cyan")
            else:
                self.caller_stopped = record.t
            return
        if not record.get("text"):  # audio without known words (a late frame on real time, music): no line
            return
        text = escape(str(record["text"]))
        if agent:
            self.open_agent.add(source)
            note = ""
            if self.caller_stopped is not None:
                note = f"  [dim](answered {record.t - self.caller_stopped:.2f}s after the caller)[/dim]"
                self.caller_stopped = None
            self._line(record.t, "Agent", f"{text}{note}", "bold cyan")
        else:
            note = "  [red](talks over the agent: barge-in)[/red]" if self.open_agent else ""
            self._line(record.t, "Caller", f"{text}{note}", "bold green")
