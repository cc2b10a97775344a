"""User-facing tools: the ``voxsim`` command line, the pytest plugin, the agent emulator, traces, benchmarks."""
