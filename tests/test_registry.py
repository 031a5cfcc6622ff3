"""Registries: the article's 13 levers, drivers, parameters and the world data."""

from __future__ import annotations

import re

import pytest

from scenarios.spec import registry

MODEL_MD_LEVERS = {
    # docs/model.md §7.1, in order: the article's words -> our registry name
    "military training": "military_training",
    "intelligence sharing": "intelligence_sharing",
    "joint exercises / counter-terrorism drills": "joint_exercises",
    "coordinated border patrols": "joint_border_patrols",
    "military technology / equipment": "military_equipment",
    "financial aid": "financial_aid",
    "border surveillance systems": "surveillance_systems",
    "infrastructure investment (BRI)": "infrastructure_investment",
    "economic initiatives": "economic_initiatives",
    "diplomatic engagement": "diplomatic_engagement",
    "SCO multilateral engagement": "sco_engagement",
    "cultural exchanges": "cultural_exchanges",
    "cybersecurity initiatives": "cybersecurity",
}


def test_all_thirteen_levers_present_in_order():
    assert list(registry.levers()) == list(MODEL_MD_LEVERS.values())


@pytest.mark.parametrize("name", list(MODEL_MD_LEVERS.values()))
def test_lever_is_fully_declared(name):
    lever = registry.levers()[name]
    assert len(lever.description) > 20
    assert lever.unit and lever.max > lever.min >= 0
    assert len(lever.article) > 20, "the article passage it comes from"
    assert lever.suppliers and lever.cost_musd_per_unit > 0
    assert lever.effects or lever.funds_other_levers, "a lever must change a capacity or fund others"
    assert lever.notes, "lag, decay and effect sizes must say they are assumptions (or cite a source)"


def test_article_claims_are_labelled_unverified():
    for name in ("financial_aid", "cybersecurity"):
        text = registry.levers()[name].article + " ".join(registry.levers()[name].anchors)
        assert "unverified" in text.lower() or "ARTICLE CLAIM" in text


def test_parameters_have_ranges_units_and_sources():
    params = registry.parameters()
    assert len(params) > 40
    for p in params.values():
        assert p.unit and p.source
        if p.kind == "calibrated":
            assert p.target, f"{p.name}: a calibrated value names the target it serves"


def test_drivers_defaults_in_range():
    for d in registry.drivers().values():
        assert d.min <= d.default <= d.max and d.source


def test_world_border_sums_to_official_length_and_population_to_census():
    world = registry.default_world()
    assert sum(s.length_km for s in world.segments) == pytest.approx(1344.15)
    census = {"khatlon": 3_444_000, "sughd": 2_770_000, "drs": 2_270_000, "dushanbe": 948_800, "gbao": 227_200}
    assert {r.name: r.population for r in world.regions} == census
    assert {p.name for p in world.afghan_provinces} == {"balkh", "kunduz", "takhar", "badakhshan"}
    assert world.china_border.region == "gbao"
    assert {e.name for e in world.exits} == {"uzbekistan", "kyrgyzstan"}


def test_a_lever_feeding_an_undeclared_channel_is_refused(monkeypatch):
    read = registry._read
    first = next(iter(registry.levers()))

    def with_typo(name):
        raw = read(name)
        if name == "levers.yaml":
            raw["levers"][0]["effects"] = {**raw["levers"][0]["effects"], "detectoin": 0.5}
        return raw

    monkeypatch.setattr(registry, "_read", with_typo)
    with pytest.raises(ValueError, match=re.escape(f"lever {first}: unknown channels ['detectoin']")):
        registry.lever_file.__wrapped__()  # the uncached loader: the shipped registry stays as it is


def test_a_parameter_value_outside_its_range_is_refused():
    p = registry.parameters()["route_loss_elasticity"]
    for value in (p.min - 1, p.max + 1):
        with pytest.raises(
            ValueError, match=re.escape(f"parameter route_loss_elasticity: value {value} outside [{p.min}, {p.max}]")
        ):
            registry.Parameter.model_validate({**p.model_dump(), "value": value})
    assert registry.Parameter.model_validate({**p.model_dump(), "value": p.max}).value == p.max
