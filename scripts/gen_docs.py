"""Regenerate the tables of docs/model.md from the registries (``--check``: exit 1 if stale)."""

from __future__ import annotations

import sys
from pathlib import Path

from scenarios.reporting.docs import exercise_guide, render
from scenarios.spec.config import load_scenario

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "model.md"


def documents() -> dict[Path, str]:
    """Every generated document and its current content."""
    out = {DOC: render(DOC.read_text(encoding="utf-8"))}
    for cfg in sorted((ROOT / "src" / "scenarios" / "library" / "exercises").glob("*.yaml")):
        out[ROOT / "docs" / "exercises" / f"{cfg.stem}.md"] = exercise_guide(load_scenario(cfg), cfg.name)
    return out


def main() -> int:
    stale = []
    for path, text in documents().items():
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            continue
        stale.append(path)
        if "--check" not in sys.argv:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if "--check" in sys.argv and stale:
        print("stale: " + ", ".join(str(p) for p in stale) + " (run python scripts/gen_docs.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
