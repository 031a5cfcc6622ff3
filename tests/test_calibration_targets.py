"""Calibration targets as data: the shipped file, its checks, and each statistic computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.calibration.targets import (
    Target,
    TargetFile,
    calibrated_parameters,
    distance,
    fact_keys,
    load_targets,
    statistic,
    statistics,
)
from scenarios.errors import ScenarioError
from scenarios.spec import outcomes, registry

WEEKS = 52


def test_the_shipped_targets_are_sourced_and_hold_out_seizures_2023_24():
    tf = load_targets()
    keys = fact_keys()
    for t in tf.targets:
        assert t.outcome in outcomes.national()
        assert all(k in keys for k in t.facts)
        assert t.facts or t.note
    held = {t.key for t in tf.targets if t.held_out}
    assert {"seizures_2023_h1", "seizures_2024_h1"} <= held
    assert all(t.outcome == "seizures_t" and t.years[0] >= 2023 for t in tf.targets if t.held_out)
    fitted_outcomes = {t.outcome for t in tf.targets if not t.held_out}
    assert {
        "seizures_t",
        "extremism_arrests",
        "extremism_prisoners",
        "protest_detentions",
        "protest_incidents",
        "attacks",
        "casualties",
    } <= fitted_outcomes
    # persons jailed are compared with the count for extremism, never with all offences
    assert "prison_population" not in fitted_outcomes


def test_calibrated_parameters_are_every_calibrated_one_plus_the_chosen_assumptions():
    tf = load_targets()
    names = calibrated_parameters(tf)
    params = registry.parameters()
    assert {n for n, p in params.items() if p.kind == "calibrated"} <= set(names)
    assert set(tf.parameters["assumptions"]) <= set(names)
    assert all(params[n].kind in ("calibrated", "assumption") for n in names)
    assert len(names) == len(set(names))


def _target(**kw):
    base = {"key": "k", "outcome": "seizures_t", "years": (2021, 2022), "statistic": "per_year", "observed": 4.0}
    return Target(**{**base, "tolerance": 0.5, "note": "test", **kw})


def _series(**columns):
    return {name: np.asarray(v, dtype=float) for name, v in columns.items()}


def test_statistics_by_hand():
    # two years of weekly values: 1 a week in 2021, 2 a week in 2022
    weekly = np.r_[np.ones(WEEKS), np.full(WEEKS, 2.0)]
    ts = _series(
        seizures_t=weekly, drug_inflow_t=weekly * 10, legitimacy=weekly / 4, prison_population=np.arange(2 * WEEKS)
    )
    assert statistic(_target(), ts, 2021) == pytest.approx((52 + 104) / 2)  # flows: sum per year, mean over years
    assert statistic(_target(years=(2022, 2022)), ts, 2021) == pytest.approx(104)
    assert statistic(_target(outcome="legitimacy"), ts, 2021) == pytest.approx((0.25 + 0.5) / 2)  # levels: mean
    assert statistic(_target(statistic="share", of="drug_inflow_t"), ts, 2021) == pytest.approx(0.1)
    assert statistic(_target(outcome="prison_population", statistic="year_end", years=(2021, 2021)), ts, 2021) == 51
    assert statistic(_target(statistic="first_half", years=(2022, 2022)), ts, 2021) == pytest.approx(52)
    with pytest.raises(ValueError, match="outside the run"):
        statistic(_target(years=(2021, 2023)), ts, 2021)
    with pytest.raises(ValueError, match="outside the run"):
        statistic(_target(years=(2020, 2021)), ts, 2021)


def test_distance_is_the_sum_of_squared_misses_in_tolerances_without_held_out_targets():
    point = _target(observed=4.0, tolerance=0.5)
    band = _target(key="b", observed=(1.0, 3.0), tolerance=2.0)
    held = _target(key="h", held_out=True)
    assert point.miss(5.0) == pytest.approx(2.0)
    assert band.miss(2.0) == 0.0 and band.miss(7.0) == pytest.approx(2.0) and band.miss(0.0) == pytest.approx(-0.5)
    assert distance([point, band, held], np.array([5.0, 7.0, 1e9])) == pytest.approx(4.0 + 4.0)
    ts = _series(seizures_t=np.full(2 * WEEKS, 4.0 / WEEKS))
    np.testing.assert_allclose(statistics([point, band], ts, 2021), [4.0, 4.0])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"outcome": "no_such_outcome"}, "not a national outcome"),
        ({"statistic": "share"}, "`of`"),
        ({"years": (2023, 2021)}, "first year is after the last"),
        ({"observed": (3.0, 1.0)}, "low is above high"),
        ({"note": "", "facts": ()}, "needs a note"),
        ({"tolerance": 0}, "greater than 0"),
        ({"statistic": "median"}, "per_year"),
    ],
)
def test_a_bad_target_names_what_is_wrong(change, message):
    with pytest.raises(ValueError, match=message):
        _target(**change)


def test_a_bad_targets_file_is_one_clear_error(tmp_path):
    good = {"parameters": {"assumptions": ["police_per_citizen"]}, "targets": [_target().model_dump(mode="json")]}
    assert TargetFile.model_validate(good).targets[0].key == "k"
    cases = [
        ({**good, "parameters": {"assumptions": ["legitimacy_initial"]}}, "not an assumption with a range"),
        ({**good, "parameters": {"assumptions": ["nope"]}}, "not a parameter"),
        ({**good, "targets": [{**good["targets"][0], "facts": ["no.such.key"]}]}, "not keys of facts.yaml"),
        ({**good, "targets": [good["targets"][0]] * 2}, "repeat"),
        ({**good, "targets": [{**good["targets"][0], "held_out": True}]}, "at least one target must be fitted"),
        ({**good, "extra": 1}, "extra"),
    ]
    import yaml

    for data, message in cases:
        f = tmp_path / "targets.yaml"
        f.write_text(yaml.safe_dump(data), encoding="utf-8")
        with pytest.raises(ScenarioError, match=message) as err:
            load_targets(f)
        assert str(f) in str(err.value)
    with pytest.raises(ScenarioError, match="cannot read"):
        load_targets(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("targets: [", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_targets(tmp_path / "bad.yaml")
