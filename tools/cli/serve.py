"""`voxsim serve`."""

from . import not_built

__all__ = ["command"]

command = not_built("serve", "the softphone issue")
