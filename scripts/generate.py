"""Regenerate every generated file (``make generate``), or with ``--check`` list the stale ones and exit 1.

Run from the repository's root as ``python -m scripts.generate [--check]`` (the generators are
imported as ``scripts.<name>``).

The generators run in :data:`GENERATORS` order, each in a fresh process, because a later one imports
what an earlier one writes (the exercise guides of ``gen_docs`` load scenarios through the
``declared.py`` of ``gen_declared``). Not regenerated here, on purpose: the golden baseline
(``python scripts/update_golden.py``, only when a change is meant to move it), docs/validation.md
(``scenarios check-model --write-docs``, minutes of runs) and the screenshots in docs/img (the slow
browser test with ``SCENARIOS_SCREENSHOTS=docs/img``).
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

GENERATORS = ("gen_params", "gen_declared", "gen_docs")
"""The scripts that write generated files (``scripts/<name>.py``, each with ``documents()``), in the order they run."""


def stale() -> list[Path]:
    """The generated files whose content differs from what their generator writes now."""
    out = []
    for name in GENERATORS:
        module = importlib.import_module(f"scripts.{name}")
        for path, text in module.documents().items():
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args not in ([], ["--check"]):
        print(f"usage: python -m scripts.generate [--check] (got {' '.join(args)})", file=sys.stderr)
        return 2
    if not args:
        for name in GENERATORS:
            subprocess.run([sys.executable, str(ROOT / "scripts" / f"{name}.py")], cwd=ROOT, check=True)
    left = stale()
    if left:
        names = ", ".join(str(p.relative_to(ROOT)) for p in left)
        print(f"stale: {names} (run make generate)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
