"""`voxsim run`."""

from . import not_built

__all__ = ["command"]

command = not_built("run", "the runtime issue")
