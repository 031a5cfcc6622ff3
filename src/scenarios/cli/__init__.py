"""The ``scenarios`` command line: ``main`` and ``build_parser`` (one module per command group)."""

from scenarios.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
