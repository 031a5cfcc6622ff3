"""What every check family shares: the design of the runs, a check and its result, and the run cache.

A check is a function of a :class:`Design` (seeds, horizons, world size, workers) and the quick
flag that returns a :data:`Row`. The full-model checks pair replicate seeds across scenarios
(common random numbers: replicate i of every scenario uses the seed
``replicate_seeds(baseline seed, n)[i]``), run on ``Design.workers`` processes and keep one small
summary per run (:func:`summarise`). The runs live in the design's :class:`RunCache`, so the
checks and tables of one suite share them and two suites with two designs share nothing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scenarios.analysis.stats import paired_difference
from scenarios.analysis.summary import yearly
from scenarios.experiments.checks import families
from scenarios.experiments.runner import run_tasks
from scenarios.rng import replicate_seeds
from scenarios.schedule import WEEKS_PER_YEAR
from scenarios.spec import outcomes
from scenarios.spec.config import Scenario, derive, load_scenario, scenario_dict, validate_data

if TYPE_CHECKING:
    from scenarios.model.model import RunData, SecurityModel

LIBRARY = Path(__file__).resolve().parents[2] / "library"
"""The scenario library shipped in the package."""

BASELINE = LIBRARY / "baseline.yaml"


Row = tuple[float, float, float, bool | None, str]
"""What a check's function returns: measured value, CI low, CI high, passed (None: report only), detail."""

Ensemble = dict[str, np.ndarray]
"""Per summary key, an array (seeds x years)."""


class RunCache:
    """The runs a suite has made, reused by every check and table that needs them again.

    Each run is held by its config without its horizon (JSON), its seed and whether it was kept
    whole or summarised, so a cache may be shared by designs that differ only in workers or
    horizon. Results do not depend on whether a run came from the cache: each run is a pure function
    of config and seed.

    Runs are shared across horizons: the model is causal (a run's first years do not depend on how
    long it goes on: ``tests/test_model.py``), so a summarised run N years long is the first N years
    of the same run made longer, cut rather than rerun (a whole run is held per horizon).
    """

    def __init__(self) -> None:
        # (config without its horizon, seed, whole) -> {years: summary or RunData}
        self.runs: dict[tuple[str, int, bool], dict[int, Any]] = {}
        # check id -> row of a standalone check made in a batch (:attr:`Check.standalone`)
        self.rows: dict[str, Row] = {}

    def __len__(self) -> int:
        """How many distinct configs (of any horizon) have runs here."""
        return len({config for config, _, _ in self.runs})

    def get(self, config: str, seed: int, years: int, whole: bool) -> Any:
        """The run of ``config`` with ``seed``, ``years`` long (a summary cut from a longer one); None if not held."""
        held = self.runs.get((config, seed, whole), {})
        if whole:
            return held.get(years)
        longer = [y for y in held if y >= years]
        if not longer:
            return None
        return {name: values[:years] for name, values in held[min(longer)].items()}

    def put(self, config: str, seed: int, years: int, whole: bool, result: Any) -> None:
        self.runs.setdefault((config, seed, whole), {})[years] = result


@dataclass(frozen=True)
class Design:
    """How big the runs of a check are: seeds (replicates, paired across scenarios), horizon, world size.

    ``years`` is the horizon of the magnitude checks (M, H) and of B4 and P1; ``region_years`` that of
    the surveillance-region checks R1-R2 (default ``years``); ``mid_course_years`` that of the
    mid-course lever runs; ``stress_years`` that of the stress scenarios, whose shocks come in
    2024-2025 (the scenarios start in 2021).
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
    region_years: int | None = None
    mid_course_suppliers: tuple[str, ...] | None = ("china",)
    whole_run_table: bool = False
    runs: RunCache = field(default_factory=RunCache, compare=False, repr=False)

    @classmethod
    def for_mode(cls, quick: bool) -> Design:
        """Quick: 20 seeds, 4-year magnitude runs, 3-year surveillance-region runs, 2,000 citizens,
        mid-course lever runs to 2028 for China's levers; full: 30 seeds, 6 years, 3,000 citizens,
        mid-course runs to 2030 for every supplier, and the whole-run lever table as a secondary view."""
        if quick:
            return cls(20, 4, 2000, 7, region_years=3)
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
    not the world) or is report only. ``standalone`` marks a check that makes its own runs (a
    submodel alone, or the model stepped by hand) and reads none of the suite's: the suite makes it
    in its batch on a worker, beside the full-model runs, so ``run`` must be a module-level function
    (it is pickled).
    """

    id: str
    title: str
    kind: str  # "stylized fact", "calibration", "lever effect", "stress", "region", "magnitude", "held-out"
    expected: str
    source: str
    run: Callable[[Design, bool], Row]
    note: str = ""
    standalone: bool = False


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


def baseline_runs(design: Design, years: int, citizens: int) -> tuple[RunData, ...]:
    """``design.seeds`` whole runs of the baseline (seeds 1000, 1001, ...), held in the design's cache;
    run on the design's workers (each run is a pure function of config and seed)."""
    return whole_runs({"baseline": design.baseline(years, citizens)}, baseline_seeds(design.seeds), design)["baseline"]


def baseline_seeds(n: int) -> tuple[int, ...]:
    """The seeds of the whole baseline runs (:func:`baseline_runs`): 1000, 1001, ...

    Not the paired seeds (:func:`paired_seeds`), with which the 10-year baseline would be one run
    with the paired ensembles' and save 180 simulated years in ``--quick``: F9 on the paired seeds
    fails (R = -1.1, p = 0.74, against R = 19.6, p = 0.13 on these), so it stays on the seeds it was
    stated on (docs/validation.md, F9).
    """
    return tuple(1000 + s for s in range(n))


def paired_seeds(design: Design) -> tuple[int, ...]:
    """The design's ``design.seeds`` replicate seeds, paired across scenarios (replicate i of every
    scenario uses the same seed): those of every ensemble."""
    return tuple(replicate_seeds(int(design.baseline().seed), design.seeds))


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


def summarise(data: RunData) -> dict[str, np.ndarray]:
    """A run's yearly summaries: what the paired ensembles keep of it.

    Keys: each outcome of :data:`MEASURED` (its yearly summary), ``index_<component>`` (yearly mean
    of each stability-index component) and ``seizures_h1_t`` (seizures in weeks 1-26 of each year).
    """
    ts = data.timeseries
    table = outcomes.national()
    out = {name: yearly(np.asarray(ts[name], dtype=float), table[name].summary) for name in MEASURED}
    for name, values in index_components(ts).items():
        out[f"index_{name}"] = yearly(np.asarray(values, dtype=float), "mean")
    n_years = len(ts["seizures_t"]) // WEEKS_PER_YEAR
    weekly = np.asarray(ts["seizures_t"][: n_years * WEEKS_PER_YEAR]).reshape(n_years, WEEKS_PER_YEAR)
    out["seizures_h1_t"] = weekly[:, : WEEKS_PER_YEAR // 2].sum(axis=1)
    return out


def summarise_run(config: dict[str, Any], seed: int) -> dict[str, np.ndarray]:
    """Run one replicate of ``config`` and keep its yearly summaries (:func:`summarise`)."""
    from scenarios.model import simulate

    return summarise(simulate(validate_data(config), seed))


def horizon_key(scenario: Scenario) -> tuple[str, int]:
    """The scenario's config without its horizon (as JSON), and its horizon in years."""
    data = scenario_dict(scenario)
    years = int(data.pop("years"))
    return json.dumps(data, sort_keys=True, default=str), years


@dataclass(frozen=True)
class Request:
    """One run a check needs: a config without its horizon (JSON), the horizon, the seed, and whether the
    run is kept whole (:class:`RunData`) or summarised (:func:`summarise`)."""

    config: str
    years: int
    seed: int
    whole: bool


def summary_requests(scenarios: Mapping[str, Scenario], design: Design) -> list[Request]:
    """The runs of the paired ensembles of ``scenarios``: ``design.seeds`` replicate seeds each."""
    return [Request(*horizon_key(sc), seed, False) for sc in scenarios.values() for seed in paired_seeds(design)]


def whole_requests(scenarios: Mapping[str, Scenario], seeds: Sequence[int]) -> list[Request]:
    """The whole runs of ``scenarios`` with ``seeds``."""
    return [Request(*horizon_key(sc), int(seed), True) for sc in scenarios.values() for seed in seeds]


def fetch(requests: Sequence[Request], design: Design, standalone: Sequence[Check] = (), quick: bool = False) -> None:
    """Make the runs of ``requests`` not yet in ``design.runs``, in one batch on the design's workers,
    with the ``standalone`` checks (:attr:`Check.standalone`, run as ``check.run(design, quick)``) beside them.

    The runs are grouped by seed and family (:mod:`.families`): in each group the scenarios that
    share their first weeks with another continue a copy of its run, so no week is simulated twice
    for one seed. The first seed of each family also runs every continued scenario whole and checks
    the figures are equal (:func:`.families.run_family`). Tasks go to the workers longest first, so
    that neither worker is left with a long task at the end. Results do not depend on grouping,
    order or batching: each run is a pure function of config and seed, each check of the design.
    """
    cache = design.runs
    todo = sorted({r for r in requests if cache.get(r.config, r.seed, r.years, r.whole) is None}, key=_order)
    checks = [c for c in standalone if c.id not in cache.rows]
    if not todo and not checks:
        return
    by_seed: dict[int, list[Request]] = {}
    for r in todo:
        by_seed.setdefault(r.seed, []).append(r)
    configs = sorted({r.config for r in todo})
    horizon: dict[str, int] = {}  # per family: its longest horizon, at which its members' inputs are compared
    for r in todo:
        fam = families.family_key(json.loads(r.config))
        horizon[fam] = max(horizon.get(fam, 0), r.years)
    built = {c: _built(c, horizon[families.family_key(json.loads(c))]) for c in configs}
    groups: list[tuple[tuple[families.Member, ...], int, bool]] = []
    verified: set[tuple[str, ...]] = set()  # families whose first seed is run both ways
    parting: dict[tuple[str, str], int] = {}  # the week two configs part, the same for every seed
    for seed in sorted(by_seed):
        for group in _families(by_seed[seed], built, horizon, parting):
            members = tuple(str(m.key) for m in group)
            groups.append((group, seed, len(group) > 1 and members not in verified))
            verified.add(members)
    groups.sort(key=lambda g: -_weeks(g[0], g[2]))  # stable: equal costs keep their order
    alone = replace(design, runs=RunCache())  # what a worker needs of the design: not the runs made
    tasks: dict[int, tuple[Any, ...]] = {i: ("check", c.run, alone, quick) for i, c in enumerate(checks)}
    for group, seed, verify in groups:
        tasks[len(tasks)] = ("family", group, seed, summarise, verify)

    def done(i: int, result: Any) -> None:
        if i < len(checks):
            cache.rows[checks[i].id] = result
            return
        seed = tasks[i][2]
        for (config, years, whole), value in result.items():
            cache.put(str(config), seed, years, whole, value)

    run_tasks(_task, tasks, design.workers, None, done)


def _task(kind: str, *args: Any) -> Any:
    """One task of a batch (picklable): a family of runs (:func:`.families.run_family`) or a standalone check."""
    if kind == "check":
        run, design, quick = args
        return run(design, quick)
    return families.run_family(*args)


def _weeks(group: tuple[families.Member, ...], verify: bool) -> int:
    """About how many weeks a family task simulates (to send the longest first)."""
    root, *others = group
    full = {m.key: max(y for y, _ in m.wanted) * WEEKS_PER_YEAR + WEEKS_PER_YEAR for m in group}
    return full[root.key] + sum(full[m.key] - m.branch + (full[m.key] if verify else 0) for m in others)


def _order(r: Request) -> tuple[int, str, int, bool]:
    return (r.seed, r.config, r.years, r.whole)


def _built(config: str, years: int) -> SecurityModel:
    """A config's model at its family's horizon, freshly built: its inputs (which do not depend on the seed)."""
    from scenarios.model import SecurityModel

    return SecurityModel(validate_data({**json.loads(config), "years": years}), 0)


def _families(
    requests: list[Request],
    built: Mapping[str, SecurityModel],
    horizon: Mapping[str, int],
    parting: dict[tuple[str, str], int] | None = None,
) -> list[tuple[families.Member, ...]]:
    """The requests of one seed as families: per group of configs that may share runs, a root (the
    config whose inputs part latest from the others') and its members with the week each leaves it.

    ``parting`` holds the week two configs' inputs part (it does not depend on the seed: pass the
    same dict for every seed of a batch, and each pair is compared once)."""
    from scenarios.model.resume import first_difference

    parting = {} if parting is None else parting

    def part(a: str, b: str) -> int:
        key = (a, b) if a <= b else (b, a)
        if key not in parting:
            parting[key] = first_difference(built[a], built[b])
        return parting[key]

    wanted: dict[str, set[tuple[int, bool]]] = {}
    for r in requests:
        wanted.setdefault(r.config, set()).add((r.years, r.whole))
    for config, asked in wanted.items():  # a summary is cut from the longest summarised run
        summaries = [y for y, whole in asked if not whole]
        wanted[config] = {(y, whole) for y, whole in asked if whole or y == max(summaries)}
    groups: dict[str, list[str]] = {}
    for config in sorted(wanted):
        groups.setdefault(families.family_key(json.loads(config)), []).append(config)
    out = []
    for fam, members in groups.items():
        left = list(members)
        while left:
            split = {a: {b: part(a, b) for b in left} for a in left}
            root = max(left, key=lambda a: (sum(split[a].values()), -left.index(a)))
            branch = [c for c in left if c != root and split[root][c] > 0]
            burn_in = built[root].burn_in
            out.append(
                tuple(
                    families.Member(
                        c,
                        {**json.loads(c), "years": horizon[fam]},
                        0 if c == root else min(split[root][c], burn_in + min(wanted[c])[0] * WEEKS_PER_YEAR),
                        tuple(sorted(wanted[c])),
                    )
                    for c in (root, *branch)
                )
            )
            left = [c for c in left if c != root and c not in branch]
    return out


def whole_runs(
    scenarios: Mapping[str, Scenario], seeds: Sequence[int], design: Design
) -> dict[str, tuple[RunData, ...]]:
    """Whole runs of each scenario with each of ``seeds`` (made, or reused from ``design.runs``)."""
    fetch(whole_requests(scenarios, seeds), design)
    out = {}
    for label, sc in scenarios.items():
        config, years = horizon_key(sc)
        out[label] = tuple(design.runs.get(config, int(seed), years, True) for seed in seeds)
    return out


def ensembles(scenarios: Mapping[str, Scenario], design: Design) -> dict[str, Ensemble]:
    """Run (or reuse from ``design.runs``) ``design.seeds`` paired replicates of each scenario; one batch.

    A scenario asked for at several horizons, here or by an earlier batch of the same design, is
    run once at the longest; the shorter ensembles are its first years (:class:`RunCache`).
    """
    fetch(summary_requests(scenarios, design), design)
    seeds = paired_seeds(design)
    out = {}
    for label, sc in scenarios.items():
        config, years = horizon_key(sc)
        runs = [design.runs.get(config, seed, years, False) for seed in seeds]
        out[label] = {name: np.array([run[name] for run in runs]) for name in runs[0]}
    return out
