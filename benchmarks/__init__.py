"""Benchmarks (run as `python benchmarks/NAME.py`; importable by the tests)."""
