"""Yearly aggregates and summary tables (analysis/summary.py)."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from scenarios.analysis.summary import (
    HEADLINE,
    fmt,
    headline_rows,
    mean_ci,
    render_table,
    replicate_summary,
    summary_csv,
    yearly,
    yearly_unit,
)
from scenarios.schedule import WEEKS_PER_YEAR
from scenarios.spec import outcomes


def test_yearly_sums_averages_or_takes_the_last_week_and_drops_a_partial_year():
    weeks = np.arange(2 * WEEKS_PER_YEAR + 10, dtype=float)
    assert yearly(weeks, "sum").tolist() == [sum(range(52)), sum(range(52, 104))]
    assert yearly(weeks, "mean").tolist() == [25.5, 77.5]
    assert yearly(weeks, "last").tolist() == [51.0, 103.0]
    assert yearly(weeks[:51], "sum").size == 0


def test_flows_are_per_year_and_stocks_keep_their_unit():
    table = outcomes.national()
    flow = next(o for o in table.values() if o.summary == "sum" and "/week" in o.unit)
    stock = next(o for o in table.values() if o.summary != "sum")
    assert yearly_unit(flow) == flow.unit.replace("/week", "/yr") and yearly_unit(stock) == stock.unit


def timeseries(level: float, years: int = 2) -> dict[str, np.ndarray]:
    n = years * WEEKS_PER_YEAR
    return {name: np.full(n, level) for name in outcomes.national()}


def test_a_replicate_summary_has_first_last_and_mean_per_year_of_every_outcome():
    ts = timeseries(1.0)
    ts["attacks"] = np.r_[np.zeros(WEEKS_PER_YEAR), np.ones(WEEKS_PER_YEAR)]
    s = replicate_summary(ts)
    assert set(s) == set(outcomes.national())
    assert s["attacks"] == {"first_year": 0.0, "last_year": 52.0, "mean_per_year": 26.0}  # a weekly flow: summed
    assert s["legitimacy"] == {"first_year": 1.0, "last_year": 1.0, "mean_per_year": 1.0}  # a level: averaged


def test_summary_csv_has_a_row_per_replicate_statistic_and_ensemble_rows_with_intervals():
    per = {0: replicate_summary(timeseries(1.0)), 1: replicate_summary(timeseries(3.0))}
    rows = list(csv.DictReader(io.StringIO(summary_csv(per))))
    n = len(outcomes.national())
    assert len(rows) == 3 * n * 3  # two replicates and the ensemble, three statistics each
    ens = [
        r for r in rows if r["replicate"] == "all" and r["outcome"] == "legitimacy" and r["statistic"] == "last_year"
    ]
    (row,) = ens
    m, lo, hi = mean_ci([1.0, 3.0])
    assert float(row["value"]) == pytest.approx(m) == 2.0
    assert (float(row["ci_low"]), float(row["ci_high"])) == pytest.approx((lo, hi))
    assert float(row["p5"]) == pytest.approx(1.1) and float(row["p95"]) == pytest.approx(2.9)
    single = next(r for r in rows if r["replicate"] == "0")
    assert single["ci_low"] == "" and single["unit"]


def test_headline_rows_show_the_interval_only_for_an_ensemble():
    one = headline_rows({0: replicate_summary(timeseries(2.0))})
    assert [r[0] for r in one] == list(HEADLINE) and "±" not in one[0][2]
    same = headline_rows({0: replicate_summary(timeseries(2.0)), 1: replicate_summary(timeseries(2.0))})
    assert same[0][2].endswith("±0")  # an outcome that does not vary: no floating-point noise shown
    spread = headline_rows({0: replicate_summary(timeseries(1.0)), 1: replicate_summary(timeseries(3.0))})
    assert "±" in spread[0][4] and not spread[0][4].endswith("±0")


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (0.0, "0"),
        (12345.6, "12,346"),
        (-1500, "-1,500"),
        (12.34, "12.3"),
        (0.5, "0.500"),
        (0.00237, "0.00237"),
        (0.000000481, "0.000000481"),
        (float("nan"), "nan"),
        (float("inf"), "nan"),
    ],
)
def test_numbers_are_short_and_never_scientific(x, text):
    assert fmt(x) == text


def test_plain_table_aligns_columns():
    text = render_table(["outcome", "value"], [["attacks", "1"], ["casualties_total", "12.5"]])
    lines = text.splitlines()
    assert lines[0] == "outcome           value" and lines[1] == "----------------  -----"
    assert lines[3].startswith("casualties_total  12.5")


def test_mean_ci_has_no_interval_for_one_value():
    m, lo, hi = mean_ci([4.0])
    assert m == 4.0 and np.isnan(lo) and np.isnan(hi)
