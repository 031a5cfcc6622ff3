"""CONTRIBUTING.md stays true: every path, script and code name its walk-throughs mention exists; its
"Add a lever" walk-through works (a slow test follows it in a copy of the repository); and its rule for
slow tests holds: each names its quick version in `make test`."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scenarios.spec import registry

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
    for code in ("Recorder.record", "CHECKS", "Check", "Params"):
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
            target = trees[Path(where).name if where else file]  # "test_x.py::" or "tests/test_x.py::"
            defs = {f.name: f for f in ast.walk(target) if isinstance(f, ast.FunctionDef)}
            assert test in defs, f"{file}: quick version {name} does not exist"
            assert SLOW not in ast.unparse(defs[test]).split("def ")[0], f"{name} is slow itself"
            assert not any(
                isinstance(n, ast.Assign) and SLOW in ast.unparse(n) and "pytestmark" in ast.unparse(n)
                for n in target.body
            ), f"{name}: its module is slow"
            found += 1
    assert found >= 8


# ------------------------------------------------------------------------------------- add a lever


def section(title: str) -> str:
    """The text of CONTRIBUTING.md's section ``## <title>...`` up to the next section."""
    match = re.search(rf"^## {re.escape(title)}.*?\n(.*?)(?=^## |\Z)", TEXT, re.M | re.S)
    assert match, f"CONTRIBUTING.md has no section '## {title}'"
    return match.group(1)


LEVER_STEPS = section("Add a lever")

NEW_LEVER = """\
  - name: customs_modernisation
    label: Customs modernisation
    description: Scanners, risk profiling and trained customs officers at the northern exits and inland checkpoints.
    unit: USD M/yr
    max: 100
    cost_musd_per_unit: 1.0
    article: "a lever added by tests/test_contributing.py to exercise CONTRIBUTING's walk-through"
    suppliers: [russia, tajikistan]
    spatial: region
    lag_weeks: 13
    lifetime_weeks: 260
    half_saturation_stock: 50
    category: security
    price_source: "USD M/yr is its own unit (price 1 by definition)"
    effects: {transit_policing: 0.3}
    strong_dose: {level: 50, rationale: "half the maximum"}
    expected_sign: {outcome: seizures_t, sign: +1, source: "more inland checks seize more (test assumption)"}
    notes: "A test lever (assumption throughout)."
"""
"""The lever the slow test declares, as step 1 says (existing channel, so no step 2)."""


def lever_commands() -> list[list[str]]:
    """The commands step 3 of "Add a lever" runs, as argument lists (``python`` is this interpreter)."""
    step = re.search(r"^3\. (.*?)(?=^\d\. )", LEVER_STEPS, re.M | re.S)
    assert step, "step 3 of Add a lever"
    commands = re.findall(r"`python ([^`]+)`", step.group(1))
    assert commands, "step 3 names the generator command"
    return [[sys.executable, *c.split()] for c in commands]


def test_the_add_a_lever_steps_name_existing_files_fields_and_commands():
    assert "src/scenarios/spec/data/levers.yaml" in LEVER_STEPS
    # every field step 1 names is a field of the lever declaration (or of a nested one)
    fields = set(registry.Lever.model_fields) | set(registry.StrongDose.model_fields)
    fields |= set(registry.ExpectedSign.model_fields) | set(registry.LeverFile.model_fields)
    step1 = re.search(r"^1\. (.*?)(?=^2\. )", LEVER_STEPS, re.M | re.S)
    assert step1
    named = set(re.findall(r"`(\w+)[`:]", step1.group(1)))
    assert named - fields == set() and {"strong_dose", "expected_sign", "aid_default", "effects"} <= named
    # the commands of step 3 exist: scripts/<name>.py or python -m scripts.<name>
    for command in lever_commands():
        target = command[2].replace(".", "/") + ".py" if command[1] == "-m" else command[1]
        assert (ROOT / target).exists(), target
    assert "-m scripts.generate" in LEVER_STEPS and "make generate" in LEVER_STEPS
    # the slow test's lever is a valid declaration that follows step 1 and feeds a declared channel
    (raw,) = yaml.safe_load("levers:\n" + NEW_LEVER)["levers"]
    lever = registry.Lever.model_validate(raw)
    assert lever.name not in registry.levers() and set(lever.effects) <= set(registry.channels())
    assert lever.strong_dose and lever.expected_sign


FAST_SUBSET = (
    ["tests/test_registry.py", "tests/test_docs.py", "tests/test_generate.py", "tests/test_model.py"],
    ["tests/test_checks.py", "-k", "strong_dose or unique"],
    ["tests/test_cli.py", "-k", "levers_and_schema"],
)
"""The fast tests that read the lever declarations, run in the copy (each list one pytest run)."""


@pytest.mark.slow(
    quick="tests/test_contributing.py::test_the_add_a_lever_steps_name_existing_files_fields_and_commands"
)
def test_adding_a_lever_by_these_steps_keeps_the_fast_tests_green(tmp_path):
    """Follow "Add a lever" in a copy of the repository (the files git tracks): declare a lever at the end of
    levers.yaml (step 1), run the commands of step 3, then the fast tests that read the declarations; the new
    lever must show up in the generated files and in the tests, and every test must pass."""
    copy = tmp_path / "repo"
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\n")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    levers_yaml = copy / "src" / "scenarios" / "spec" / "data" / "levers.yaml"
    text = levers_yaml.read_text(encoding="utf-8")
    assert text.rstrip().splitlines()[-1].startswith("    "), "levers: is the last section of levers.yaml"
    levers_yaml.write_text(text.rstrip("\n") + "\n" + NEW_LEVER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(copy / "src"), "PYTHONDONTWRITEBYTECODE": "1"}

    def run(args: list[str]) -> str:
        done = subprocess.run(args, cwd=copy, env=env, capture_output=True, text=True, timeout=1800)
        assert done.returncode == 0, f"{' '.join(args[1:])} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    for command in lever_commands():
        run(command)
    count = run([sys.executable, "-c", "from scenarios.spec import registry; print(len(registry.levers()))"])
    assert int(count) == len(registry.levers()) + 1, "the copy's package is the one imported"
    assert "customs_modernisation" in (copy / "src" / "scenarios" / "spec" / "declared.py").read_text("utf-8")
    assert "`customs_modernisation`" in (copy / "docs" / "model.md").read_text("utf-8")
    outputs = [
        run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", "-m", "not slow", *args])
        for args in FAST_SUBSET
    ]
    joined = "\n".join(outputs)
    for test in (
        "test_lever_at_zero_is_exactly_the_lever_absent[customs_modernisation]",
        "test_each_lever_raises_the_outcomes_its_declaration_names_on_a_tiny_world[customs_modernisation]",
        "test_lever_is_fully_declared[customs_modernisation]",
    ):
        assert f"PASSED tests/test_model.py::{test}" in joined or f"PASSED tests/test_registry.py::{test}" in joined, (
            test
        )
    assert "failed" not in joined and "error" not in joined.lower().replace("filterwarnings", "")
