"""`voxsim demo`."""

from . import not_built

__all__ = ["command"]

command = not_built("demo", "the CLI issue")
