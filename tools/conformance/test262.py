"""Not built yet: a placeholder that says so and exits with status 2."""

from voxsim.tools.cli import not_built

__all__ = ["command"]

command = not_built("test262", "not built yet")
