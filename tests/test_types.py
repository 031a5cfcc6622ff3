"""The typed core (issue 24 item 3): which modules mypy checks strictly, and the checks that typing added.

``make lint`` runs mypy with the flags of ``--strict`` on the modules that ``pyproject.toml``'s
``[[tool.mypy.overrides]]`` lists; the tests here keep that list covering the packages that must be
typed end to end, and test the run-time checks that replaced untyped values (a manifest that is not
a JSON object, a state agent of the wrong class).
"""

from __future__ import annotations

import tomllib

import pytest
from helpers import ROOT, tiny

from scenarios.errors import ResultsError
from scenarios.experiments.results import load_manifest
from scenarios.model import SecurityModel
from scenarios.model.states import China, Taliban, of_kind

SRC = ROOT / "src" / "scenarios"

STRICT_PACKAGES = ("spec", "analysis", "calibration", "model", "experiments")
"""Packages whose every module passes ``mypy --strict``, but for the exceptions below."""


def strict_patterns() -> list[str]:
    """The module patterns of the override that carries the ``--strict`` flags."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for override in config["tool"]["mypy"]["overrides"]:
        if override.get("disallow_untyped_defs") and override.get("disallow_any_generics"):
            return list(override["module"])
    raise AssertionError("pyproject.toml has no override with the --strict flags")


def covered(module: str, patterns: list[str]) -> bool:
    """Whether mypy applies an override of ``patterns`` to ``module`` (``a.b.*`` covers ``a.b`` and below)."""
    return any(module == p or (p.endswith(".*") and (module == p[:-2] or module.startswith(p[:-1]))) for p in patterns)


def modules(package: str) -> list[str]:
    found = []
    for path in sorted((SRC / package).rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def test_covered_reads_patterns_as_mypy_does():
    assert covered("scenarios.spec", ["scenarios.spec.*"])
    assert covered("scenarios.spec.loader", ["scenarios.spec.*"])
    assert not covered("scenarios.specimen", ["scenarios.spec.*"])
    assert not covered("scenarios.model.militants", ["scenarios.model.model"])


def test_every_module_of_the_typed_packages_is_checked_strictly():
    patterns = strict_patterns()
    missing = [m for pkg in STRICT_PACKAGES for m in modules(pkg) if not covered(m, patterns)]
    assert missing == [], f"add to the strict override in pyproject.toml once they pass mypy --strict: {missing}"


def test_a_manifest_that_is_not_json_is_a_results_error(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ResultsError, match=r"manifest.json is not a results manifest: it is not valid JSON"):
        load_manifest(tmp_path)


def test_a_manifest_that_is_not_an_object_is_a_results_error(tmp_path):
    (tmp_path / "manifest.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ResultsError, match=r"a JSON object was expected, not a list"):
        load_manifest(tmp_path)


def test_of_kind_gives_the_state_agent_as_its_class_or_says_what_it_is():
    model = SecurityModel(tiny())
    taliban = of_kind(model.states, "taliban", Taliban)
    assert taliban is model.states["taliban"]
    with pytest.raises(TypeError, match=r"state 'taliban' is a Taliban, not a China"):
        of_kind(model.states, "taliban", China)
