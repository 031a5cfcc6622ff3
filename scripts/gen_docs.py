"""Regenerate the tables of docs/model.md from the registries (``--check``: exit 1 if stale)."""

from __future__ import annotations

import sys
from pathlib import Path

from scenarios.docgen import render

DOC = Path(__file__).resolve().parents[1] / "docs" / "model.md"


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in sys.argv:
        if new != text:
            print("docs/model.md is stale: run python scripts/gen_docs.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
