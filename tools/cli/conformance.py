"""`voxsim conformance`."""

from . import not_built

__all__ = ["command"]

command = not_built("conformance", "the engine issues")
