"""`voxsim bench`."""

from . import not_built

__all__ = ["command"]

command = not_built("bench", "the engine issues")
