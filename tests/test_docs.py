"""Documentation cannot drift: the generated tables name every lever, parameter, driver and outcome (that they
are current is tests/test_generate.py); every exercise, scenario and ODD section is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scenarios.reporting.docs import BLOCKS, expected_signs, levers_table, render
from scenarios.spec import outcomes, registry

ROOT = Path(__file__).resolve().parents[1]


def test_every_exercise_has_a_teachers_guide():
    for cfg in (ROOT / "src" / "scenarios" / "library" / "exercises").glob("*.yaml"):
        guide = (ROOT / "docs" / "exercises" / f"{cfg.stem}.md").read_text(encoding="utf-8")
        for part in ("Learning objectives", "Roles and briefings", "Debrief", "minutes"):
            assert part in guide


def test_generated_tables_name_every_registry_entry():
    """The generated tables list every lever, parameter, driver, channel and outcome (capacities and
    drivers as outcomes by their pattern), so a current docs/model.md (tests/test_generate.py) documents each."""
    generated = "\n".join(fn() for fn in BLOCKS.values())
    names = [*registry.levers(), *registry.parameters(), *registry.drivers(), *registry.channels()]
    names += [n for n in outcomes.national() if not n.startswith("capacity_") and n not in registry.drivers()]
    names += [*outcomes.regional(), *outcomes.per_segment()]
    missing = [n for n in names if f"`{n}`" not in generated]
    assert missing == []
    assert "`capacity_<channel>`" in generated and "`<driver name>`" in generated


def test_render_refuses_a_document_without_a_generated_block():
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    cut = re.sub(r"<!-- BEGIN GENERATED: views -->.*?<!-- END GENERATED: views -->\n", "", text, flags=re.S)
    assert cut != text
    with pytest.raises(ValueError, match="no generated block 'views'"):
        render(cut)


def test_odd_sections_present():
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    for section in (
        "Purpose and patterns",
        "Entities",
        "Process overview",
        "Design concepts",
        "Initialization",
        "Input data",
        "Submodels",
        "Limitations",
    ):
        assert section in text


def test_scenario_library_is_documented():
    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    for f in sorted((ROOT / "src" / "scenarios" / "library").rglob("*.yaml")):
        assert f.name in text, f"{f.name} missing from docs/scenarios.md"


def test_every_shipped_config_states_question_passage_and_difference():
    for f in sorted((ROOT / "src" / "scenarios" / "library").glob("*.yaml")):
        head = f.read_text(encoding="utf-8").split("\n\n")[0]
        assert "Question:" in head and ("Article passage" in head or "article" in head.lower()), f.name
        assert "Differs from" in head or "Extends: nothing" in head, f.name


def test_the_levers_table_shows_each_levers_strong_dose_and_expected_sign():
    rows = {line.split(" | ")[0]: line for line in levers_table().splitlines()}
    for lv in registry.levers().values():
        row = rows[f"| `{lv.name}`"]
        assert f"| {lv.dose.level:g} ({lv.dose.rationale}) |" in row
        assert f"| {expected_signs(lv)} |" in row
        for exp in lv.expected_sign:
            assert f"`{exp.outcome}` {'up' if exp.sign > 0 else 'down'}" in row and exp.source in row
    assert any("report only" in row for row in rows.values()), "levers without a clear sign say so"


def test_a_supplier_dependent_sign_is_shown_per_supplier():
    data = registry.levers()["military_training"].model_dump()
    one = {"outcome": "seizures_t", "source": "src"}
    data["expected_sign"] = [{**one, "sign": 1, "suppliers": ["china"]}, {**one, "sign": -1, "suppliers": ["russia"]}]
    text = expected_signs(registry.Lever.model_validate(data))
    assert text == "`seizures_t` up [china] (src); `seizures_t` down [russia] (src)"
