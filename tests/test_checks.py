"""The validation suite as tests: every stylized fact (F1-F10) and calibration target (C1-C5).

Each check runs over 20 seeds (quick mode) and states its own tolerance; see scenarios/checks.py
and the table printed by `scenarios check-model`.
"""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.analysis.stats import fit_power_law, paired_difference
from scenarios.experiments.checks import CHECKS, run_checks, wilson


@pytest.mark.slow
@pytest.mark.parametrize("check_id", [c.id for c in CHECKS])
def test_check_passes(check_id):
    (result,) = run_checks(quick=True, only=(check_id,))
    assert result.seeds >= 20
    assert result.passed, (
        f"{result.id} {result.title}: measured {result.measured} ({result.detail}); expected {result.expected}"
    )


def test_power_law_fit_recovers_a_known_exponent():
    rng = np.random.default_rng(3)
    x = np.floor(3.0 * (1 - rng.random(5000)) ** (-1 / 1.5))  # alpha 2.5 above 3
    fit = fit_power_law(x)
    assert fit.alpha == pytest.approx(2.5, abs=0.15)
    assert fit.loglik_ratio > 0


def test_power_law_fit_prefers_exponential_for_exponential_data():
    rng = np.random.default_rng(4)
    x = np.floor(1 + rng.exponential(8.0, 5000))
    assert fit_power_law(x).loglik_ratio < 0


def test_power_law_fit_needs_data():
    with pytest.raises(ValueError):
        fit_power_law(np.array([1.0, 2.0]))


def test_wilson_and_paired_difference():
    lo, hi = wilson(14, 20)
    assert lo < 0.7 < hi and lo >= 0 and hi <= 1
    m, lo, hi = paired_difference(np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 4.5]))
    assert m == pytest.approx(7 / 6) and lo < m < hi


def test_check_model_command_writes_table(tmp_path, capsys):
    from scenarios.cli import main

    out = tmp_path / "chk"
    assert main(["check-model", "--quick", "--only", "C5,F1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "C5" in printed and "PASS" in printed
    assert (out / "checks.csv").read_text().count("\n") == 3
    assert main(["check-model", "--only", "X9", "--out", str(tmp_path / "x")]) == 2
