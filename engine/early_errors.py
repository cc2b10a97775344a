"""Early errors (placeholder until the static pass lands)."""
from __future__ import annotations
__all__ = ["check_program"]
def check_program(program, source) -> None:
    return None
