"""Maintenance scripts (run as `python scripts/NAME.py`; importable by the tests)."""
