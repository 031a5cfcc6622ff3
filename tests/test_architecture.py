"""Imports flow one way: foundations <- model <- running/analysis <- faces. Only the model imports Mesa."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "scenarios"

LAYER = {
    "__init__": 7,  # re-exports the public API (scenarios.api), imported lazily on first use
    "errors": 0,
    "rng": 0,
    "schedule": 0,
    "spec": 1,
    "model": 2,
    "analysis": 3,
    "experiments": 4,
    "reporting": 5,
    "calibration": 5,  # runs the model through experiments and writes its report through reporting
    "cli": 6,
    "api": 6,
    "web": 6,
    "__main__": 7,
}
"""Layer of each top-level module or package: a module may import only from its own or lower layers."""


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
            if not m.startswith("scenarios."):
                continue
            other = m.split(".")[1]
            if other in LAYER and other != mine and LAYER[other] > LAYER[mine]:
                bad.append(f"{f.relative_to(SRC)} imports {m}")
    assert bad == []


def test_analysis_never_touches_a_live_model():
    for f in (SRC / "analysis").rglob("*.py"):
        assert not any(m.startswith("scenarios.model") for m in imports(f)), f


def test_every_module_has_a_layer():
    missing = sorted({top(f) for f in files()} - set(LAYER))
    assert missing == [], f"add these to LAYER: {missing}"


def test_no_module_imports_another_modules_private_names():
    bad = []
    for f in sorted(SRC.rglob("*.py")) + sorted((SRC.parents[1] / "tests").rglob("*.py")):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("scenarios"):
                private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
                if private:
                    bad.append(f"{f.name} imports {private} from {node.module}")
    assert bad == []


def test_model_code_names_no_lever():
    """Behaviour is declared in levers.yaml (flags, channels); the model reads declarations, never a lever's name."""
    from scenarios.spec import registry

    names = set(registry.levers())
    found = [
        (path.name, name)
        for path in sorted((SRC / "model").glob("*.py"))
        for name in names
        if name in path.read_text(encoding="utf-8")
    ]
    assert found == []
