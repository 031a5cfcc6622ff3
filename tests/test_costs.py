"""Costs: spending per state and category, and cost-effectiveness with paired intervals, on numbers
whose answer is known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.analysis.costs import (
    ALL_STATES,
    CATEGORIES,
    MIN_EXTRA_MUSD,
    cost_effectiveness,
    costs,
    spending_outcomes,
)
from scenarios.spec import outcomes


def values(n: int = 6, extra: float = 0.0, effect: float = 0.0, noise: float = 0.0, seed: int = 1) -> dict:
    """Per outcome, n replicate values: China spends ``extra`` more, stability moves by ``effect`` (+ noise)."""
    rng = np.random.default_rng(seed)
    out = {name: np.full(n, 10.0) for name in outcomes.national()}
    out["spending_china"] = np.full(n, 400.0 + extra)
    out["security_spending_china"] = np.full(n, 150.0 + extra)
    out["stability_index"] = np.linspace(60, 70, n) + effect + noise * rng.standard_normal(n)
    return out


def test_every_state_with_recorded_spending_has_its_categories_and_total():
    found = spending_outcomes()
    assert set(CATEGORIES) == {"security", "economic", "soft"}
    assert found["china"] == {
        "security": "security_spending_china",
        "economic": "economic_spending_china",
        "soft": "soft_spending_china",
        "total": "spending_china",
    }
    assert {"tajikistan", "china", "russia", "sco"} <= set(found) and "taliban" not in found
    assert found["sco"] == {"total": "spending_sco"}  # the model records no categories for the SCO


def test_cost_rows_give_each_state_and_all_states_with_paired_differences():
    rows = costs({"base": values(), "push": values(extra=100.0)}, "base")
    china = next(r for r in rows if (r.scenario, r.state, r.category) == ("push", "china", "total"))
    assert (china.base_mean, china.mean, china.diff) == (400.0, 500.0, 100.0)
    assert (china.diff_low, china.diff_high) == (100.0, 100.0)  # the same in every replicate: no spread
    every = next(r for r in rows if (r.scenario, r.state) == ("push", ALL_STATES))
    assert every.diff == pytest.approx(100.0) and every.unit == "USD M/yr"
    assert next(r for r in rows if r.scenario == "base" and r.state == "china" and r.category == "total").diff is None


def test_cost_effectiveness_is_the_change_per_100_usd_m_of_extra_spending():
    (e,) = cost_effectiveness({"base": values(), "push": values(extra=200.0, effect=3.0)}, "base", ["stability_index"])
    assert e.extra_spending == pytest.approx(200.0) and e.per_100 == pytest.approx(1.5)
    assert e.low == pytest.approx(1.5) and e.high == pytest.approx(1.5)  # every replicate moved by exactly 3
    assert e.unit == "0-100 per 100 USD M/yr" and e.payer == ALL_STATES


def test_its_interval_is_the_paired_interval_scaled_when_spending_is_fixed():
    base, push = values(n=8), values(n=8, extra=50.0, effect=2.0, noise=1.0, seed=3)
    (e,) = cost_effectiveness({"base": base, "push": push}, "base", ["stability_index"])
    d = push["stability_index"] - base["stability_index"]
    from scipy import stats

    half = stats.t.ppf(0.975, 7) * d.std(ddof=1) / np.sqrt(8)
    assert e.per_100 == pytest.approx(2 * d.mean()) and e.high - e.per_100 == pytest.approx(2 * half)
    assert e.low < e.per_100 < e.high


def test_no_extra_spending_gives_n_a_and_a_payer_can_be_chosen():
    (e,) = cost_effectiveness(
        {"base": values(), "same": values(extra=MIN_EXTRA_MUSD / 2, effect=1.0)}, "base", ["stability_index"]
    )
    assert e.per_100 is None and e.low is None and e.diff == pytest.approx(1.0)
    (r,) = cost_effectiveness(
        {"base": values(), "push": values(extra=100.0, effect=1.0)}, "base", ["stability_index"], payer="russia"
    )
    assert r.per_100 is None, "Russia spends nothing more"
    with pytest.raises(ValueError, match="unknown payer 'nato'"):
        cost_effectiveness({"base": values(), "x": values()}, "base", ["stability_index"], payer="nato")


def test_the_api_gives_costs_and_cost_effectiveness_of_a_comparison(tmp_path):
    import scenarios

    base = scenarios.load("baseline", {"years": 2, "society.citizens": 500, "parameters.burn_in_weeks": 0})
    push = scenarios.override(base, {"name": "push", "states.china.levers.surveillance_systems": {2022: 110}})
    assert push.states.china.levers.surveillance_systems == {"2021-01": 10.0, "2022": 110.0}
    folder = scenarios.compare([base, push], tmp_path / "cmp", replicates=2, results=tmp_path)
    spending = scenarios.costs(folder)
    row = spending[(spending.scenario == "push") & (spending.state == "china") & (spending.category == "security")]
    assert row["diff"].item() == pytest.approx(50.0), "100 USD M/yr more from 2022: 50 over 2021-2022"
    assert set(spending["state"]) == {"tajikistan", "china", "russia", "sco", ALL_STATES}
    assert scenarios.costs(folder, first=2022)["diff"].max() == pytest.approx(100.0)
    effects = scenarios.cost_effectiveness(folder)
    stability = effects[effects.outcome == "stability_index"].iloc[0]
    assert stability.per_100 == pytest.approx(100 * stability["diff"] / stability.extra_spending)
    assert scenarios.cost_effectiveness(folder, payer="russia")["per_100"].isna().all()
    from scenarios.errors import ResultsError

    with pytest.raises(ResultsError, match="unknown payer"):
        scenarios.cost_effectiveness(folder, payer="nato")
    assert (folder / "costs.csv").exists() and (folder / "cost_effectiveness.csv").exists()
