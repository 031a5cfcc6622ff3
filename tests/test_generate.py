"""`make generate` (scripts/generate.py): every generated file is current, and every generator is run."""

from __future__ import annotations

import re
from pathlib import Path

from scripts import gen_docs, generate

ROOT = Path(__file__).resolve().parents[1]


def test_every_generated_file_is_current():
    assert generate.stale() == [], "stale: run make generate"


def test_every_generator_script_runs_in_make_generate_before_what_imports_its_output():
    scripts = sorted(p.stem for p in (ROOT / "scripts").glob("gen_*.py"))
    assert sorted(generate.GENERATORS) == scripts
    # gen_docs loads the exercises through the declared.py that gen_declared writes
    assert generate.GENERATORS.index("gen_declared") < generate.GENERATORS.index("gen_docs")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^generate:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe and "-m scripts.generate" in recipe.group(1)
    lint = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert lint and "-m scripts.generate --check" in lint.group(1)


def test_check_names_a_stale_file_and_writes_nothing(tmp_path, monkeypatch, capsys):
    target = tmp_path / "model.md"
    target.write_text("old\n", encoding="utf-8")
    monkeypatch.setattr(gen_docs, "documents", lambda: {target: "new\n"})
    monkeypatch.setattr(generate, "ROOT", tmp_path)
    assert generate.main(["--check"]) == 1
    assert "stale: model.md (run make generate)" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "old\n"
    target.unlink()  # a generated file that is missing is stale too
    assert generate.stale() == [target]


def test_unknown_arguments_are_refused(capsys):
    assert generate.main(["--chek"]) == 2
    assert "usage: python -m scripts.generate [--check] (got --chek)" in capsys.readouterr().err
