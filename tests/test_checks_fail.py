"""Every Model 3.0 check can fail: each is fed a case where it must fail (a drifting baseline,
protest outside GBAO, a magnitude off its source, a lever with the wrong sign) and its passing
counterpart. The cases are synthetic ensembles or runs put in place of the model's (no model run),
so each test states exactly what the check sees.

B1 (a region's radicalisation runs away) fails on a real run: ``tests/test_checks.py``.
Report-only rows (B4, H1, S3, the lever pairs without an expected sign) have no verdict to fail.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from scenarios.experiments.checks import Design, baseline, calibration, levers
from scenarios.experiments.checks.core import MEASURED
from scenarios.model.recorder import RunData

DESIGN = Design(seeds=4, years=4, citizens=300, stress_years=7, workers=1, burn_in_weeks=0, mid_course_years=8)
"""The design the checks are called with; the runs they read are replaced, so nothing is simulated."""


def ensemble(seeds: int = 4, years: int = 8, **series: Any) -> dict[str, np.ndarray]:
    """A synthetic ensemble: every measured outcome 1.0 (seeds x years), the given ones as given
    (a number: that value everywhere; a 1-d array: that value per year, for every seed); a little
    seed-to-seed noise so that confidence intervals are not degenerate."""
    noise = 1.0 + 0.001 * np.arange(seeds)[:, None]
    out = {name: np.ones((seeds, years)) * noise for name in (*MEASURED, "seizures_h1_t")}
    for name, value in series.items():
        out[name] = np.broadcast_to(np.asarray(value, dtype=float), (seeds, years)) * noise
    return out


# ---------------------------------------------------------------------------- B2: the baseline does not drift


@pytest.mark.parametrize(
    ("radicalised", "prisoners", "passes"),
    [
        (np.ones(8), np.ones(8), True),
        (np.linspace(1.0, 1.05, 8), np.linspace(1.0, 0.95, 8), True),
        (np.linspace(1.0, 1.5, 8), np.ones(8), False),  # radicalisation drifts up 40%
        (np.ones(8), np.linspace(1.0, 0.6, 8), False),  # prisoners drain away
    ],
)
def test_drift_check_fails_on_a_drifting_baseline(monkeypatch, radicalised, prisoners, passes):
    run = ensemble(radicalised_share=radicalised, extremism_prisoners=prisoners)
    monkeypatch.setattr(baseline, "_baseline", lambda design: run)
    m, lo, hi, ok, detail = baseline._drift(DESIGN, True)
    assert ok is passes and lo <= m <= hi and "within +/-10%" in detail


# ---------------------------------------------------------------------------- B3: protest only where there is an autonomy movement


def protest_run(active_by_region: dict[str, float], weeks: int = 104) -> RunData:
    """A synthetic whole run: each region's weekly active share constant as given."""
    names = list(active_by_region)
    regions = {
        "region": np.tile(np.array(names), weeks),
        "unrest_active_share": np.tile(np.array([active_by_region[n] for n in names]), weeks),
    }
    timeseries = {"protest_incidents": np.zeros(weeks)}
    return RunData(timeseries, regions, {}, np.zeros(0), {"seed": 0, "steps": weeks, "burn_in_weeks": 0})


@pytest.mark.parametrize(
    ("active", "passes"),
    [
        ({"gbao": 0.02, "khatlon": 0.0, "sughd": 0.0, "drs": 0.0, "dushanbe": 0.0}, True),
        ({"gbao": 0.0, "khatlon": 0.0, "sughd": 0.0, "drs": 0.0, "dushanbe": 0.0}, True),  # no protest anywhere
        ({"gbao": 0.02, "khatlon": 0.001, "sughd": 0.0, "drs": 0.0, "dushanbe": 0.0}, False),  # 5% in Khatlon
        ({"gbao": 0.0, "khatlon": 0.0, "sughd": 0.0, "drs": 0.0, "dushanbe": 0.01}, False),  # only in the capital
    ],
)
def test_protest_check_fails_when_protest_happens_outside_gbao(monkeypatch, active, passes):
    runs = {"baseline": (protest_run(active), protest_run(active))}
    monkeypatch.setattr(baseline, "whole_runs", lambda scenarios, seeds, design: runs)
    share, _, _, ok, detail = baseline._protest_where(DESIGN, True)
    assert ok is passes and "gbao" in detail
    assert share == pytest.approx(1.0 if passes else active["gbao"] / sum(active.values()))


# ---------------------------------------------------------------------------- M1-M5: magnitudes against their sources


@pytest.mark.parametrize(
    ("check", "outcome", "inside", "outside"),
    [
        ("M1", "extremism_arrests", 200.0, 14_000.0),  # Model 2.0 made about 14,000 a year
        ("M2", "extremism_prisoners", 1_500.0, 8_000.0),
        ("M4", "prison_population", 1_600.0, 9_000.0),  # the unrest prisoners of Model 2.0
        ("M3", "seizures_t", 4.0, 0.5),
    ],
)
def test_magnitude_checks_fail_off_their_source(monkeypatch, check, outcome, inside, outside):
    run = next(c for c in calibration.MAGNITUDES if c.id == check).run
    for value, passes in ((inside, True), (outside, False)):
        monkeypatch.setattr(
            calibration, "_baseline_ensemble", lambda design, v=value: ensemble(years=4, **{outcome: v})
        )
        m, _lo, _hi, ok, detail = run(DESIGN, True)
        assert ok is passes, (check, value, detail)
        assert m == pytest.approx(value, rel=0.01) and ("inside" in detail) is passes


@pytest.mark.parametrize(("per_incident", "passes"), [(300.0, True), (40.0, False), (2_000.0, False)])
def test_detentions_per_incident_check_fails_off_its_source(monkeypatch, per_incident, passes):
    incidents = np.array([0, 1, 0, 0, 1, 0, 0, 0], dtype=float)  # two episodes in eight years
    run = ensemble(protest_incidents=incidents, protest_detentions=incidents * per_incident)
    monkeypatch.setattr(calibration, "ensembles", lambda scenarios, design: {"baseline": run})
    m, _lo, _hi, ok, _detail = calibration._per_incident(DESIGN, True)
    assert ok is passes and m == pytest.approx(per_incident, rel=0.01)


def test_held_out_years_are_report_only(monkeypatch):
    monkeypatch.setattr(calibration, "_baseline_ensemble", lambda design: ensemble(years=4, seizures_h1_t=50.0))
    m, _, _, ok, detail = calibration._held_out(DESIGN, True)
    assert ok is None and m > 10 and "H1 2024" in detail  # 50 t against about 3 t recorded: reported, not judged


# ---------------------------------------------------------------------------- mid-course lever checks


def lever_runs(label: str, outcome: str, effect: float) -> dict[str, dict[str, np.ndarray]]:
    """The baseline and a variant whose ``outcome`` moves by ``effect`` from 2025 (years 5-8) on."""
    change = np.array([0, 0, 0, 0, 1, 1, 1, 1], dtype=float) * effect
    return {"baseline": ensemble(), label: ensemble(**{outcome: 1.0 + change})}


@pytest.mark.parametrize(
    "pair",
    ["joint_border_patrols@china", "economic_initiatives@china", "cultural_exchanges@china", "cybersecurity@china"],
)
def test_a_mid_course_lever_check_fails_when_the_effect_has_the_wrong_sign(monkeypatch, pair):
    lever, state = pair.split("@")
    exp = levers.EXPECTED_SIGN[pair]
    check = levers._lever_check(lever, state)
    for effect, passes in ((0.1 * exp.sign, True), (-0.1 * exp.sign, False), (0.0, False)):
        monkeypatch.setattr(levers, "ensembles", lambda scenarios, design, e=effect: lever_runs(pair, exp.outcome, e))
        m, _lo, _hi, ok, detail = check(DESIGN, True)
        assert ok is passes, (pair, effect, detail)
        assert m == pytest.approx(effect, abs=0.01) and exp.outcome in detail


def test_a_lever_without_an_expected_sign_is_reported_whatever_its_effect(monkeypatch):
    pair = next(f"{n}@china" for n in levers.STRONG_DOSE if f"{n}@china" not in levers.EXPECTED_SIGN)
    lever, state = pair.split("@")
    for effect in (-5.0, 5.0):
        monkeypatch.setattr(
            levers, "ensembles", lambda scenarios, design, e=effect: lever_runs(pair, "stability_index", e)
        )
        assert levers._lever_check(lever, state)(DESIGN, True)[3] is None


def test_the_mid_course_window_ignores_the_years_before_the_change(monkeypatch):
    """An effect only before 2026 (the years the lever was not yet raised) is no effect."""
    pair = "joint_border_patrols@china"
    early = np.array([1, 1, 1, 1, 1, 0, 0, 0], dtype=float)
    runs = {"baseline": ensemble(), pair: ensemble(seizures_t=1.0 + early)}
    monkeypatch.setattr(levers, "ensembles", lambda scenarios, design: runs)
    m, _lo, _hi, ok, _ = levers._lever_check("joint_border_patrols", "china")(DESIGN, True)
    assert ok is False and m == pytest.approx(0.0, abs=1e-9)
