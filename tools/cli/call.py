"""`voxsim call`."""

from . import not_built

__all__ = ["command"]

command = not_built("call", "the CLI issue")
