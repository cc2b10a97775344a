"""`voxsim check`."""

from . import not_built

__all__ = ["command"]

command = not_built("check", "the runtime issue")
