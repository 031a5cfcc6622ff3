"""Registries: the article's levers (each declared once in levers.yaml), drivers, parameters and the world data."""

from __future__ import annotations

import re

import pytest

from scenarios.experiments.checks import levers as lever_checks
from scenarios.spec import registry


def test_levers_have_unique_names_labels_and_article_passages():
    levers = registry.lever_file().levers
    for field in ("name", "label", "article"):
        values = [getattr(lv, field) for lv in levers]
        assert len(values) == len(set(values)), field


@pytest.mark.parametrize("name", list(registry.levers()))
def test_lever_is_fully_declared(name):
    lever = registry.levers()[name]
    assert len(lever.description) > 20
    assert lever.unit and lever.max > lever.min >= 0
    assert len(lever.article) > 20, "the article passage it comes from"
    assert lever.suppliers and lever.cost_musd_per_unit > 0
    assert lever.effects or lever.funds_other_levers, "a lever must change a capacity or fund others"
    assert lever.notes, "lag, decay and effect sizes must say they are assumptions (or cite a source)"


def test_article_claims_are_labelled_unverified():
    claims = [lv for lv in registry.levers().values() if "article.claim" in " ".join(lv.anchors) + lv.price_source]
    assert claims, "the article's aid table is cited by some lever"
    for lv in claims:
        text = lv.article + " ".join(lv.anchors)
        assert "unverified" in text.lower() or "ARTICLE CLAIM" in text, lv.name


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


def lever_data(name: str, **changes: object) -> dict:
    """The shipped declaration of lever ``name`` as a mapping, with ``changes`` on top."""
    return {**registry.levers()[name].model_dump(), **changes}


def test_a_strong_dose_outside_the_levers_range_is_refused():
    lv = registry.levers()["cybersecurity"]
    for level in (lv.min, lv.max + 1):
        allowed = f"(allowed: above min {lv.min:g}, at most max {lv.max:g})"
        with pytest.raises(ValueError, match=re.escape(f"strong_dose.level {level:g} outside its range {allowed}")):
            registry.Lever.model_validate(lever_data(lv.name, strong_dose={"level": level, "rationale": "x"}))
    top = registry.Lever.model_validate(lever_data(lv.name, strong_dose={"level": lv.max, "rationale": "x"}))
    assert top.dose.level == lv.max


def test_a_lever_without_a_strong_dose_is_checked_at_half_its_range():
    lv = registry.Lever.model_validate(lever_data("cybersecurity", strong_dose=None, min=20.0))
    assert lv.dose.level == (20 + lv.max) / 2 and "no strong_dose declared" in lv.dose.rationale


def test_expected_signs_may_depend_on_the_supplier():
    one = {"outcome": "seizures_t", "sign": 1, "source": "s"}
    lv = registry.Lever.model_validate(
        lever_data(
            "military_training",
            expected_sign=[{**one, "suppliers": ["china"]}, {**one, "sign": -1, "suppliers": ["russia"]}],
        )
    )
    assert [lv.expectation(s).sign if lv.expectation(s) else None for s in lv.suppliers] == [1, -1, None]
    # one mapping applies to every supplier
    every = registry.Lever.model_validate(lever_data("military_training", expected_sign=one))
    assert {every.expectation(s).outcome for s in every.suppliers} == {"seizures_t"}
    for bad, message in (
        ([{**one, "suppliers": ["sco"]}], "expected_sign names ['sco'], not suppliers of the lever (allowed: "),
        ([one, {**one, "suppliers": ["china"]}], "expected_sign gives ['china'] more than one sign"),
        ({**one, "sign": 0}, "sign"),
    ):
        with pytest.raises(ValueError, match=re.escape(message)):
            registry.Lever.model_validate(lever_data("military_training", expected_sign=bad))


def patched_levers(monkeypatch, change):
    """The uncached lever loader, with ``change(raw)`` applied to the raw levers.yaml first."""
    read = registry._read

    def changed(name):
        raw = read(name)
        if name == "levers.yaml":
            change(raw)
        return raw

    monkeypatch.setattr(registry, "_read", changed)
    return registry.lever_file.__wrapped__  # the shipped registry stays as it is


def test_an_expected_sign_naming_an_undeclared_outcome_is_refused(monkeypatch):
    def typo(raw):
        raw["levers"][0]["expected_sign"] = {"outcome": "seizures_tt", "sign": 1, "source": "s"}

    load = patched_levers(monkeypatch, typo)
    first = next(iter(registry.levers()))
    with pytest.raises(ValueError, match=re.escape(f"lever {first}: expected_sign.outcome 'seizures_tt' is not a")):
        load()
    with pytest.raises(ValueError, match=re.escape("(did you mean 'seizures_t'?)")):
        load()


def test_the_default_aid_allocation_is_declared_on_tajik_levers(monkeypatch):
    def none(raw):
        for lever in raw["levers"]:
            lever.pop("aid_default", None)

    with pytest.raises(ValueError, match="no lever sets aid_default: true"):
        patched_levers(monkeypatch, none)()
    monkeypatch.undo()
    foreign = next(lv.name for lv in registry.levers().values() if "tajikistan" not in lv.suppliers)

    def abroad(raw):
        next(lv for lv in raw["levers"] if lv["name"] == foreign)["aid_default"] = True

    with pytest.raises(ValueError, match=re.escape(f"levers ['{foreign}'] set aid_default but Tajikistan cannot")):
        patched_levers(monkeypatch, abroad)()


def test_the_checks_read_dose_and_expected_sign_from_the_declarations():
    levers = registry.levers()
    assert {name: lv.dose for name, lv in levers.items()} == lever_checks.STRONG_DOSE
    declared = {f"{n}@{s}" for n, lv in levers.items() for s in lv.suppliers if lv.expected_sign}
    assert set(lever_checks.EXPECTED_SIGN) == declared
    by_id = {c.id: c for c in lever_checks.lever_checks()}
    for name, lv in levers.items():
        for state in lv.suppliers:
            check = by_id[f"L:{name}@{state}"]
            exp = lv.expectation(state)
            assert (exp.source if exp else "report only") in check.source + check.note


def test_a_supplier_dependent_sign_gives_each_suppliers_check_its_own(monkeypatch):
    one = {"outcome": "legitimacy", "source": "the literature"}
    lv = registry.Lever.model_validate(
        lever_data(
            "military_training",
            expected_sign=[{**one, "sign": 1, "suppliers": ["china"]}, {**one, "sign": -1, "suppliers": ["russia"]}],
        )
    )
    monkeypatch.setattr(registry, "levers", lambda: {lv.name: lv})
    expected = {c.id: c.expected for c in lever_checks.lever_checks()}
    assert expected["L:military_training@china"].startswith("legitimacy up")
    assert expected["L:military_training@russia"].startswith("legitimacy down")
    assert expected["L:military_training@tajikistan"].startswith("report")
