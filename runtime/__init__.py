"""VoxEngine on top of the engine: sessions, calls, media, modules, the simulated phone network."""
