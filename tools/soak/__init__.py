"""Soak tools: long-running robustness checks (fuzzing, ...) behind `voxsim soak`."""
