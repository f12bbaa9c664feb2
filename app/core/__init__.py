"""Qt-free, I/O-free building blocks: records, errors, CSV parsing, mapping and validation."""
