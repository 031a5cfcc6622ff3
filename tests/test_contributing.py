"""CONTRIBUTING.md stays true: every path, script and code name its walk-throughs mention exists;
and its rule for slow tests holds: each names its quick version in `make test`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def test_every_path_mentioned_exists():
    paths = set(re.findall(r"`((?:src|tests|scripts|docs|configs)/[\w./-]+?)(?:`|\s)", TEXT))
    paths |= {m.split()[-1] for m in re.findall(r"`python (scripts/[\w.]+)`", TEXT)}
    assert len(paths) >= 15
    missing = sorted(p for p in paths if "NAME" not in p and not (ROOT / p).exists())
    assert missing == []


def test_every_test_and_function_mentioned_exists():
    names = set(re.findall(r"`(test_\w+)`", TEXT))
    tests = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    assert names and all(f"def {n}(" in tests for n in names), names
    src = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "src").rglob("*.py"))
    for code in ("Recorder.record", "CHECKS", "Check", "Params", "STRONG_DOSE", "EXPECTED_SIGN"):
        assert code in TEXT
        name = code.split(".")[-1]
        assert re.search(rf"^\s*(class {name}\b|def {name}\(|{name}(: [^=]+)? = )", src, re.M), code


def test_make_targets_mentioned_exist():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in re.findall(r"`make ([\w-]+)`", TEXT):
        assert re.search(rf"^{target}:", makefile, re.M), target


SLOW = "pytest.mark.slow"


def slow_marks(tree: ast.Module) -> tuple[list[str], int]:
    """The ``quick=`` names of every ``pytest.mark.slow(quick=...)`` in a test module, and how many
    slow marks name none (``quick=None`` counts as named only with a ``reason=``)."""
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func) == SLOW]
    named = 0
    names = []
    for call in calls:
        kw = {k.arg: k.value for k in call.keywords}
        quick = kw.get("quick")
        if isinstance(quick, ast.Constant) and quick.value is None:
            named += "reason" in kw
        elif quick is not None:
            named += 1
            if isinstance(quick, ast.Constant) and isinstance(quick.value, str):
                names.append(quick.value)
    names += [  # quick = "..." assigned just before use (tests/test_api_docs.py)
        n.value.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign)
        and [ast.unparse(t) for t in n.targets] == ["quick"]
        and isinstance(n.value, ast.Constant)
    ]
    marks = sum(1 for n in ast.walk(tree) if isinstance(n, ast.Attribute) and ast.unparse(n) == SLOW)
    return names, marks - named


def test_every_slow_test_names_an_existing_quick_version_in_make_test():
    trees = {p.name: ast.parse(p.read_text(encoding="utf-8")) for p in (ROOT / "tests").glob("test_*.py")}
    found = 0
    for file, tree in trees.items():
        names, unnamed = slow_marks(tree)
        assert unnamed == 0, f"{file}: a slow mark without quick=..."
        for name in names:
            where, _, test = name.rpartition("::")
            target = trees[where or file]
            defs = {f.name: f for f in ast.walk(target) if isinstance(f, ast.FunctionDef)}
            assert test in defs, f"{file}: quick version {name} does not exist"
            assert SLOW not in ast.unparse(defs[test]).split("def ")[0], f"{name} is slow itself"
            assert not any(
                isinstance(n, ast.Assign) and SLOW in ast.unparse(n) and "pytestmark" in ast.unparse(n)
                for n in target.body
            ), f"{name}: its module is slow"
            found += 1
    assert found >= 8
