"""What every check family shares: the design of the runs, a check and its result, and the run cache.

A check is a function of a :class:`Design` (seeds, horizons, world size, workers) and the quick
flag that returns a :data:`Row`. The full-model checks pair replicate seeds across scenarios
(common random numbers: replicate i of every scenario uses the seed
``replicate_seeds(baseline seed, n)[i]``), run on ``Design.workers`` processes and keep one small
summary per run (:func:`summarise_run`). The runs live in the design's :class:`RunCache`, so the
checks and tables of one suite share them and two suites with two designs share nothing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scenarios.analysis.stats import paired_difference
from scenarios.analysis.summary import yearly
from scenarios.experiments.runner import run_tasks
from scenarios.rng import replicate_seeds
from scenarios.schedule import WEEKS_PER_YEAR
from scenarios.spec import outcomes
from scenarios.spec.config import Scenario, derive, load_scenario, scenario_dict, validate_data

if TYPE_CHECKING:
    from scenarios.model.model import RunData

LIBRARY = Path(__file__).resolve().parents[2] / "library"
"""The scenario library shipped in the package."""

BASELINE = LIBRARY / "baseline.yaml"


Row = tuple[float, float, float, bool | None, str]
"""What a check's function returns: measured value, CI low, CI high, passed (None: report only), detail."""

Ensemble = dict[str, np.ndarray]
"""Per summary key, an array (seeds x years)."""


class RunCache:
    """The runs a suite has made, reused by every check and table that needs them again.

    Keys name everything a run depends on (the whole config, the number of paired seeds), so a
    cache may be shared by designs that differ only in workers or horizon. Results do not depend
    on whether a run came from the cache: each replicate is a pure function of config and seed.

    Ensembles are shared across horizons: the model is causal (a run's first years do not depend
    on how long it goes on: ``tests/test_model.py``), so an ensemble of a scenario N years long is
    the first N years of the same scenario's longer ensemble, cut rather than rerun.
    """

    def __init__(self) -> None:
        # keyed by the config without its horizon and the number of seeds: (years run, ensemble)
        self.ensembles: dict[tuple[str, int], tuple[int, Ensemble]] = {}
        self.baseline_runs: dict[tuple[int, int, int, int | None], tuple[RunData, ...]] = {}

    def __len__(self) -> int:
        return len(self.ensembles) + len(self.baseline_runs)


@dataclass(frozen=True)
class Design:
    """How big the runs of a check are: seeds (replicates, paired across scenarios), horizon, world size.

    ``years`` is the horizon of the lever, region and magnitude checks; ``stress_years`` that of the
    stress scenarios, whose shocks come in 2024-2025 (the scenarios start in 2021).
    ``burn_in_weeks`` replaces the scenarios' burn-in when not None (the smoke tests use 0: half the
    simulated weeks, the same code paths). ``runs`` holds the runs made with this design;
    ``dataclasses.replace`` keeps it, so a changed copy reuses what its keys allow.
    """

    seeds: int
    years: int
    citizens: int
    stress_years: int
    workers: int = 2
    burn_in_weeks: int | None = None
    mid_course_years: int = 8
    mid_course_suppliers: tuple[str, ...] | None = ("china",)
    whole_run_table: bool = False
    runs: RunCache = field(default_factory=RunCache, compare=False, repr=False)

    @classmethod
    def for_mode(cls, quick: bool) -> Design:
        """Quick: 20 seeds, 4-year magnitude runs, 2,000 citizens, mid-course lever runs to 2028 for
        China's levers; full: 30 seeds, 6 years, 3,000 citizens, mid-course runs to 2030 for every
        supplier, and the whole-run lever table as a secondary view."""
        if quick:
            return cls(20, 4, 2000, 7)
        return cls(30, 6, 3000, 8, mid_course_years=10, mid_course_suppliers=None, whole_run_table=True)

    def baseline(self, years: int | None = None, citizens: int | None = None) -> Scenario:
        """The library baseline, ``years`` long with ``citizens`` (default: the design's)."""
        return library_scenario(
            "baseline",
            self.years if years is None else years,
            self.citizens if citizens is None else citizens,
            self.burn_in_weeks,
        )

    def library(self, name: str) -> Scenario:
        """A library scenario at the stress horizon and the design's world size."""
        return library_scenario(name, self.stress_years, self.citizens, self.burn_in_weeks)


@dataclass(frozen=True)
class CheckResult:
    """One row of the validation table; ``passed`` is None for a report-only row."""

    id: str
    title: str
    kind: str
    measured: float
    ci_low: float
    ci_high: float
    expected: str
    passed: bool | None
    source: str
    detail: str
    seeds: int
    note: str = ""


@dataclass(frozen=True)
class Check:
    """A check: its id, what it claims, the expected value or sign, its source and the function that runs it.

    ``note`` says when the check is true by construction of the model (it then tests the code,
    not the world) or is report only.
    """

    id: str
    title: str
    kind: str  # "stylized fact", "calibration", "lever effect", "stress", "region", "magnitude", "held-out"
    expected: str
    source: str
    run: Callable[[Design, bool], Row]
    note: str = ""


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion."""
    if n == 0:
        return float("nan"), float("nan")
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Mean paired difference b - a (per seed, of the values already averaged over years) and its 95% CI."""
    return paired_difference(np.asarray(a, dtype=float), np.asarray(b, dtype=float))


@cache
def library_scenario(name: str, years: int, citizens: int, burn_in_weeks: int | None = None) -> Scenario:
    """A library scenario ``years`` long with ``citizens``, its burn-in replaced when given (loaded once)."""
    scenario = load_scenario(LIBRARY / f"{name}.yaml", [f"years={years}", f"society.citizens={citizens}"])
    if burn_in_weeks is None:
        return scenario
    return derive(scenario, parameters__burn_in_weeks=burn_in_weeks)


def whole_run(config: dict[str, Any], seed: int) -> RunData:
    """One run of ``config``, kept whole (picklable: runs in worker processes)."""
    from scenarios.model import simulate

    return simulate(validate_data(config), seed)


def baseline_runs(design: Design, years: int, citizens: int) -> tuple[RunData, ...]:
    """``design.seeds`` runs of the baseline (seeds 1000, 1001, ...), kept whole in the design's cache;
    run on the design's workers (each run is a pure function of config and seed)."""
    key = (design.seeds, years, citizens, design.burn_in_weeks)
    if key not in design.runs.baseline_runs:
        config = scenario_dict(design.baseline(years, citizens))
        done: dict[int, RunData] = {}
        tasks = {s: (config, 1000 + s) for s in range(design.seeds)}
        run_tasks(whole_run, tasks, design.workers, None, done.__setitem__)
        design.runs.baseline_runs[key] = tuple(done[s] for s in range(design.seeds))
    return design.runs.baseline_runs[key]


# ---------------------------------------------------------------------------- full-model ensembles

MEASURED = (
    *outcomes.view("dashboard"),
    "stability_index",
    "infiltration_preempted",
    "mean_grievance",
    "militant_members",
    "taliban_cooperation",
    "extremism_prisoners",
    "protest_incidents",
)
"""Outcomes summarised per run: the dashboard, the stability index and the intermediate outcomes some checks assert."""


def index_components(ts: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The stability index's five weekly components (0-1) recomputed from a run's recorded national outcomes.

    Rolling 52-week sums as in the recorder, so the weighted mean of these equals the recorded
    ``stability_index`` from week 52 on; in the first 51 weeks the recorder's sums also count the
    burn-in weeks, which a run does not return (the stress comparisons start in 2025).
    """
    weeks = np.arange(len(ts["casualties"]))
    lo = np.maximum(0, weeks - WEEKS_PER_YEAR + 1)

    def rolling(x: np.ndarray) -> np.ndarray:
        c = np.concatenate([[0.0], np.cumsum(np.asarray(x, dtype=float))])
        return np.asarray(c[weeks + 1] - c[lo])

    return outcomes.stability_components(
        casualties_52w=rolling(ts["casualties"]),
        active_share=ts["unrest_active_share"],
        jailed_share=ts["jailed_share"],
        radicalised_share=ts["radicalised_share"],
        legitimacy=ts["legitimacy"],
        delivered_52w=rolling(ts["delivered_t"]),
    )


def summarise_run(config: dict[str, Any], seed: int) -> dict[str, np.ndarray]:
    """Run one replicate and keep its yearly summaries (picklable: runs in worker processes).

    Keys: each outcome of :data:`MEASURED` (its yearly summary), ``index_<component>`` (yearly mean
    of each stability-index component) and ``seizures_h1_t`` (seizures in weeks 1-26 of each year).
    """
    from scenarios.model import simulate

    ts = simulate(validate_data(config), seed).timeseries
    table = outcomes.national()
    out = {name: yearly(np.asarray(ts[name], dtype=float), table[name].summary) for name in MEASURED}
    for name, values in index_components(ts).items():
        out[f"index_{name}"] = yearly(np.asarray(values, dtype=float), "mean")
    n_years = len(ts["seizures_t"]) // WEEKS_PER_YEAR
    weekly = np.asarray(ts["seizures_t"][: n_years * WEEKS_PER_YEAR]).reshape(n_years, WEEKS_PER_YEAR)
    out["seizures_h1_t"] = weekly[:, : WEEKS_PER_YEAR // 2].sum(axis=1)
    return out


def horizon_key(scenario: Scenario) -> tuple[str, int]:
    """The scenario's config without its horizon (as JSON), and its horizon in years."""
    data = scenario_dict(scenario)
    years = int(data.pop("years"))
    return json.dumps(data, sort_keys=True, default=str), years


def first_years(ensemble: Ensemble, years: int) -> Ensemble:
    """The first ``years`` years of every yearly summary of an ensemble (seeds x years arrays)."""
    return {name: values[:, :years] for name, values in ensemble.items()}


def ensembles(scenarios: Mapping[str, Scenario], design: Design) -> dict[str, Ensemble]:
    """Run (or reuse from ``design.runs``) ``design.seeds`` paired replicates of each scenario; one batch.

    A scenario asked for at several horizons, here or by an earlier batch of the same design, runs
    once at the longest; the shorter ensembles are its first years (:class:`RunCache`).
    """
    seeds = replicate_seeds(int(design.baseline().seed), design.seeds)
    cached = design.runs.ensembles
    wanted = {label: horizon_key(sc) for label, sc in scenarios.items()}
    longest: dict[str, int] = {}
    for config, years in wanted.values():
        longest[config] = max(years, longest.get(config, 0))
    todo = sorted(
        (config, years)
        for config, years in longest.items()
        if (config, design.seeds) not in cached or cached[(config, design.seeds)][0] < years
    )
    if todo:
        tasks = {
            i * design.seeds + r: ({**json.loads(config), "years": years}, seeds[r])
            for i, (config, years) in enumerate(todo)
            for r in range(design.seeds)
        }
        done: dict[int, dict[str, np.ndarray]] = {}
        run_tasks(summarise_run, tasks, design.workers, None, done.__setitem__)
        for i, (config, years) in enumerate(todo):
            runs = [done[i * design.seeds + r] for r in range(design.seeds)]
            cached[(config, design.seeds)] = (years, {name: np.array([run[name] for run in runs]) for name in runs[0]})
    return {label: first_years(cached[(config, design.seeds)][1], years) for label, (config, years) in wanted.items()}
