"""Benchmarks: `python -m tests.benchmarks` runs every bench_*.py module's main() in turn."""
