"""A local server that speaks the InstaMapp and Mapiry APIs as documented (demo mode and tests)."""
