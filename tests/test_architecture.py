"""Imports flow one way: foundations <- model <- running/analysis <- faces. Only the model imports Mesa."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "scenarios"

LAYER = {
    "errors": 0,
    "rng": 0,
    "schedule": 0,
    "registry": 1,
    "outcomes": 2,
    "config": 2,
    "model": 3,
    "results": 4,
    "analysis": 4,
    "runner": 5,
    "checks": 5,
    "report": 6,
    "cli": 7,
    "web": 7,
    "__main__": 8,
    "__init__": 0,
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def top(module_path: Path) -> str:
    rel = module_path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def files():
    return sorted(SRC.rglob("*.py"))


def test_only_the_model_layer_imports_mesa():
    offenders = [
        str(f.relative_to(SRC))
        for f in files()
        if top(f) != "model" and any(m == "mesa" or m.startswith("mesa.") for m in imports(f))
    ]
    assert offenders == []


def test_imports_flow_downwards():
    bad = []
    for f in files():
        mine = top(f)
        for m in imports(f):
            if not m.startswith("scenarios.") or mine not in LAYER:
                continue
            other = m.split(".")[1]
            if other in LAYER and other != mine and LAYER[other] > LAYER[mine]:
                bad.append(f"{f.relative_to(SRC)} imports {m}")
    assert bad == []


def test_analysis_never_touches_a_live_model():
    for f in (SRC / "analysis").rglob("*.py"):
        assert not any(m.startswith("scenarios.model") for m in imports(f)), f


def test_the_web_package_imports_no_private_names():
    """One module never reaches into another's ``_private`` names (checked for the web package)."""
    bad = []
    for f in (SRC / "web").rglob("*.py"):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("scenarios"):
                bad += [f"{f.relative_to(SRC)}: {a.name}" for a in node.names if a.name.startswith("_")]
    assert bad == []
