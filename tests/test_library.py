"""The package stands alone: the shipped library, commands from any folder, the user's configs/ folder, citations."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from helpers import CONFIGS, ROOT

from scenarios.spec.config import library_dir, library_scenarios, load_scenario, resolve_config

FACTS = ROOT / "src" / "scenarios" / "spec" / "data" / "facts.yaml"
KEY = r"[a-z0-9_]+(?:\.[A-Za-z0-9_<>]+)+"
CITATION = re.compile(rf"facts\.yaml ({KEY}(?:, {KEY})*)")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "scenarios", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_library_is_the_packaged_folder_and_holds_every_shipped_scenario():
    assert library_dir() == CONFIGS
    names = library_scenarios()
    assert {"baseline", "security_first", "meth_surge", "exercises/long_decade"} <= set(names)
    assert all(p.is_file() for p in names.values())


def test_a_library_scenario_is_named_or_given_as_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_config("baseline") == CONFIGS / "baseline.yaml"
    assert resolve_config("exercises/long_decade.yaml") == CONFIGS / "exercises" / "long_decade.yaml"
    (tmp_path / "baseline.yaml").write_text("name: mine\nyears: 2\n", encoding="utf-8")
    assert load_scenario("baseline.yaml").name == "mine", "a file in the folder wins over the library"
    assert load_scenario("baseline").name == "baseline"


def test_unknown_name_lists_the_library_with_did_you_mean(tmp_path, monkeypatch):
    from scenarios.errors import ConfigError

    monkeypatch.chdir(tmp_path)
    try:
        load_scenario("baselin")
    except ConfigError as err:
        (p,) = err.problems
        assert "file not found" in p.message and "security_first" in p.allowed
        assert p.hint == "did you mean 'baseline'?"
    else:
        raise AssertionError("a missing scenario must be a config error")


def test_user_scenario_extends_the_library_by_name(write_yaml):
    path = write_yaml("mine/x.yaml", "extends: baseline\nname: x\nyears: 2\n")
    sc = load_scenario(path)
    assert sc.years == 2 and sc.states.china.lever("financial_aid") == {"2021": 50.0, "2022": 70.0, "2023": 85.0}


def test_repository_configs_folder_is_the_users_with_a_readme_and_a_working_example():
    folder = ROOT / "configs"
    assert (folder / "README.md").is_file()
    example = load_scenario(folder / "example.yaml")
    base = load_scenario("baseline")
    assert example.states.china.lever("joint_border_patrols") != base.states.china.lever("joint_border_patrols")
    assert example.drivers == base.drivers


def test_run_a_library_scenario_from_another_folder(tmp_path):
    done = _cli("run", "baseline", "--set", "years=1", "--set", "society.citizens=1000", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "results").iterdir()), "the results folder is made under the current folder"


def test_serve_help_and_packaged_exercises_from_another_folder(tmp_path):
    done = _cli("serve", "--help", cwd=tmp_path)
    assert done.returncode == 0 and "--configs" in done.stdout
    assert len(list((library_dir() / "exercises").glob("*.yaml"))) >= 3


def test_serve_with_a_folder_without_exercises_exits_2(tmp_path):
    from scenarios.cli import main

    assert main(["serve", "--configs", str(tmp_path), "--port", "8999"]) == 2


def test_event_after_the_horizon_is_warned_about_by_name(tmp_path, capsys):
    from scenarios.cli import main

    assert main(["validate", "meth_surge", "--set", "years=2"]) == 0
    err = capsys.readouterr().err
    assert "warning: meth_surge: events.0 (meth_surge on 2024) is after the end" in err


def test_duplicate_key_exits_2(write_yaml, capsys):
    from scenarios.cli import main

    path = write_yaml("dup.yaml", "years: 2\nyears: 3\n")
    assert main(["validate", str(path)]) == 2
    assert "duplicate key" in capsys.readouterr().err


def _facts_keys() -> set[str]:
    return {entry["key"] for entry in yaml.safe_load(FACTS.read_text(encoding="utf-8"))}


def _cited(key: str, keys: set[str]) -> bool:
    """A key, a family of keys (``a.b`` for ``a.b.c``) or a pattern with ``<placeholder>`` parts."""
    pattern = re.compile(
        "^" + re.sub(r"<[a-z_]+>", r"[a-z0-9_]+", re.escape(key).replace(r"\<", "<").replace(r"\>", ">"))
    )
    return any(k == key or k.startswith(key + ".") or pattern.fullmatch(k) for k in keys)


def test_every_facts_citation_names_an_existing_key():
    keys = _facts_keys()
    files = [
        *CONFIGS.rglob("*.yaml"),
        *(p for p in FACTS.parent.glob("*.yaml") if p != FACTS),
        *(ROOT / "docs").rglob("*.md"),
        ROOT / "configs" / "example.yaml",
    ]
    cited, bad = 0, []
    for f in files:
        for match in CITATION.finditer(f.read_text(encoding="utf-8")):
            for key in match.group(1).split(", "):
                cited += 1
                if not _cited(key.rstrip("."), keys):
                    bad.append(f"{f.relative_to(ROOT)}: {key}")
    assert cited >= 20 and bad == []


def test_citation_check_catches_a_wrong_key():
    keys = _facts_keys()
    assert _cited("afghanistan.opium_production", keys) and _cited("population.<region>", keys)
    assert not _cited("afghanistan.opium_productio", keys) and not _cited("china.nothing", keys)


REPOSITORY_DOCS = {"README.md", "CONTRIBUTING.md", "CHANGELOG.md"}
"""The upper-case Markdown files the repository holds; any other such name cited is outside it."""


def cited_outside(text: str, folder: Path = ROOT) -> list[str]:
    """Citations in ``text`` (of a file in ``folder``) of documents the repository does not hold: an
    upper-case Markdown file other than its own (a brief or a style guide kept elsewhere), a relative
    path leading out of the repository or to no file, a data folder of another checkout, or the
    project brief."""
    found = [m for m in re.findall(r"\b[A-Z][A-Z_-]*\.md\b", text) if m not in REPOSITORY_DOCS]
    for rel in re.findall(r"(?<![\w/])\.\./[\w./-]+", text):
        target = (folder / rel).resolve()
        if not (target.is_relative_to(ROOT) and target.exists()):
            found.append(rel)
    return found + re.findall(r"\bshared/data/\w+|project brief|the brief's", text)


def test_no_code_config_or_doc_cites_a_document_outside_the_repository():
    files = [*CONFIGS.rglob("*.yaml"), *(ROOT / "docs").rglob("*.md"), *(ROOT / "src").rglob("*.py")]
    files += [*(ROOT / "src" / "scenarios" / "spec" / "data").glob("*.yaml"), *(ROOT / "tests").glob("*.py")]
    files += [ROOT / name for name in REPOSITORY_DOCS]
    files.remove(Path(__file__))  # it spells out what it looks for
    outside = {str(p.relative_to(ROOT)): cited_outside(p.read_text(encoding="utf-8"), p.parent) for p in files}
    assert {p: c for p, c in outside.items() if c} == {}
    # the check itself: it catches a brief cited by name or path, and passes the repository's own files
    assert cited_outside("as the MODEL" + ".md brief says") != [] and cited_outside("see ../shared/facts.yaml") != []
    assert cited_outside("README.md and docs/model.md; facts in src/scenarios/spec/data/facts.yaml") == []
    assert cited_outside("extends: ../baseline.yaml", CONFIGS / "exercises") == []


def test_license_and_citation():
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    import scenarios

    assert cff["cff-version"] == "1.2.0" and cff["license"] == "MIT" and cff["version"] == scenarios.__version__
    assert cff["title"] and cff["authors"]


def test_serve_without_configs_serves_the_packaged_library_from_any_folder(tmp_path, monkeypatch):
    import uvicorn

    from scenarios.cli import main
    from scenarios.web import app as web_app

    seen = {}
    monkeypatch.chdir(tmp_path)
    from types import SimpleNamespace

    def fake_app(db, configs, pin, **kw):
        seen.update(configs=configs)
        store = SimpleNamespace(new_teacher_link=lambda: "link")
        return SimpleNamespace(state=SimpleNamespace(pin=pin, room=SimpleNamespace(store=store)))

    monkeypatch.setattr(web_app, "create_app", fake_app)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(ran=True))
    assert main(["serve", "--pin", "12345678"]) == 0  # the PIN needs at least 8 characters
    assert seen == {"configs": library_dir(), "ran": True}
