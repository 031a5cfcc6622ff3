"""The public Python API: load and validate scenarios, run them, compare them, read results as tables.

Everything a script or notebook needs, without the command line::

    import scenarios

    base = scenarios.load("baseline", {"years": 2, "society.citizens": 2000})
    result = scenarios.run(base, "results/base", replicates=4)
    table = scenarios.read(result.path)            # tidy pandas DataFrame

Tidy tables have one row per value, with the columns ``scenario``, ``replicate``, ``date``
(weekly tables; a calendar date), ``region`` or ``segment`` (for those tables), ``outcome``,
``value`` and ``unit``. The files behind them are hive-partitioned Parquet datasets that pandas,
polars and DuckDB also read directly (see :mod:`scenarios.experiments.results`).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from scenarios.errors import ResultsError
from scenarios.experiments.results import (
    TABLES,
    Storage,
    column_units,
    ensembles_of,
    join,
    load_manifest,
    load_table,
    make_portable,
)
from scenarios.experiments.runner import (
    EnsembleResult,
    check_compare_locations,
    default_out,
    plan_ensembles,
    run_ensemble,
)
from scenarios.spec.config import Scenario, load_scenario, validate_data
from scenarios.spec.loader import bounded_yaml, parse_override
from scenarios.spec.loader import override as overlay_changes

if TYPE_CHECKING:
    from scenarios.analysis.compare import Window
    from scenarios.calibration.fit import CalibrationResult
    from scenarios.reporting.comparison import ScenarioData

Overrides = Mapping[str, Any] | Sequence[str]
"""Overrides as ``{"society.citizens": 2000}`` or as ``--set`` strings ``["society.citizens=2000"]``."""

KEYS = {"regions": "region", "segments": "segment"}
"""The column that names the place in a per-place table."""


def _sets(overrides: Overrides) -> list[str]:
    if isinstance(overrides, Mapping):
        return [f"{key}={json.dumps(value)}" for key, value in overrides.items()]
    return list(overrides)


def load(path: str | Path, overrides: Overrides = ()) -> Scenario:
    """Load, merge (``extends:``), override and validate a scenario file.

    Args:
        path: a scenario YAML file, or the name of a library scenario (``"baseline"``).
        overrides: values to change, validated like the file (``{"years": 2}`` or ``["years=2"]``).

    Returns:
        The validated scenario (frozen; ``scenario.years``, ``scenario.society.citizens`` ...).

    Raises:
        ConfigError: every problem found, each with file, line, key path and what is allowed.
    """
    return load_scenario(path, _sets(overrides))


def validate(data: Mapping[str, Any]) -> Scenario:
    """Validate a scenario given as a mapping (defaults fill in everything not given).

    Raises:
        ConfigError: every problem found, with key path and what is allowed.
    """
    return validate_data(dict(data))


def override(scenario: Scenario, overrides: Overrides) -> Scenario:
    """A validated copy of ``scenario`` with ``overrides`` applied (the original is unchanged).

    Like ``--set``: a schedule given as a mapping of dates overlays the scenario's schedule from
    its first date (``{"states.china.levers.joint_border_patrols": {2026: 10}}`` keeps the
    scenario's patrols until 2025); a number replaces the whole schedule.

    Raises:
        ConfigError: an override names an unknown key or a value out of bounds.
    """
    if not isinstance(overrides, Mapping):  # ``--set`` strings: values are YAML, as on the command line
        overrides = {".".join(path): value for path, value in map(parse_override, overrides)}
    return overlay_changes(scenario, overrides)


def run(
    scenario: Scenario,
    out: str | Path | None = None,
    replicates: int = 1,
    seed: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    progress: bool = False,
    parameters: str | Path | None = None,
) -> EnsembleResult:
    """Run ``replicates`` replicates of a scenario into a results folder.

    Args:
        scenario: a validated scenario (:func:`load`, :func:`validate`).
        out: results folder, a local path or an fsspec URL (default ``results/<name>-<UTC time>``).
        replicates: replicates; their seeds come from the root seed (common random numbers).
        seed: root seed (default: the scenario's).
        workers: local worker processes (1 = in this process); call from under
            ``if __name__ == "__main__":`` when more than 1.
        executor: any ``concurrent.futures.Executor``, e.g. ``distributed.Client(...).get_executor()``.
        resume: finish an interrupted run of ``out``.
        progress: print a progress line on stderr.
        parameters: a posterior ensemble: a calibration folder, a ``posterior.parquet`` or
            ``"calibrated"`` (the shipped posterior); replicate i runs posterior draw i with seed i,
            recorded in the manifest under ``parameters``.

    Returns:
        The folder (``.path``), its manifest and per-replicate summaries.
    """
    target = out if out is not None else default_out(scenario.name)
    sets, record = None, None
    if parameters is not None:
        from scenarios.calibration.posterior import ensemble_parameters

        sets, record = ensemble_parameters(parameters, replicates)
    return run_ensemble(
        scenario,
        target,
        replicates=replicates,
        seed=seed,
        workers=workers,
        executor=executor,
        resume=resume,
        progress=progress,
        executor_label="local" if executor is None else type(executor).__name__,
        parameter_sets=sets,
        parameters_record=record,
    )


def compare(
    scenarios: Sequence[Scenario],
    out: str | Path | None = None,
    replicates: int = 30,
    seed: int | None = None,
    workers: int = 1,
    results: str | Path = "results",
    resume: bool = False,
    parameters: str | Path | None = None,
    seeds_per_draw: int = 2,
    payer: str = "all states",
) -> Path:
    """Compare scenarios with the first (paired over common random numbers); write a comparison folder.

    Ensembles already stored under ``results`` with the same config, seed, size and package
    version are reused; the others are run there (``resume`` finishes interrupted ones). The comparison folder (default
    ``<results>/compare-<UTC time>``) holds ``report.html``, ``report.md``, ``comparison.csv`` and
    ``comparison.json`` (which refers to the ensembles relative to itself), ``costs.csv`` and
    ``cost_effectiveness.csv`` (per 100 USD M/yr of ``payer``'s extra spending: all states, or a state).

    With ``parameters`` (a calibration folder, a posterior file or ``"calibrated"``) every scenario
    runs a posterior ensemble: replicate i uses draw ``i // seeds_per_draw`` and seed i, and the
    report separates seed noise from parameter uncertainty (read it with :func:`uncertainty`).

    Returns:
        The comparison folder; read it with :func:`read`.
    """
    from scenarios.experiments.results import staged_folder
    from scenarios.reporting.comparison import build_comparison

    if not scenarios:
        raise ResultsError("compare needs at least one scenario (the baseline first)")
    check_compare_locations(out, results)
    root = int(scenarios[0].seed if seed is None else seed)
    sets, record = None, None
    if parameters is not None:
        from scenarios.calibration.posterior import ensemble_parameters

        if replicates % seeds_per_draw:
            raise ResultsError(f"replicates ({replicates}) must be a multiple of seeds_per_draw ({seeds_per_draw})")
        sets, record = ensemble_parameters(parameters, replicates, seeds_per_draw)
    folders = _ensembles(list(scenarios), results, root, replicates, resume, workers, sets, record)
    final = Path(out) if out is not None else default_out("compare", results)
    with staged_folder(final) as partial:
        build_comparison(folders, partial, payer=payer)
        make_portable(partial)
    return final


def _ensembles(
    scenarios: list[Any],
    results: str | Path,
    root: int,
    replicates: int,
    resume: bool,
    workers: int,
    sets: list[dict[str, float]] | None,
    record: dict[str, Any] | None,
) -> list[Path]:
    """One ensemble folder per scenario under ``results``: reused, resumed or run (:func:`plan_ensembles`)."""
    folders = []
    key = None if record is None else record["key"]
    for plan in plan_ensembles(scenarios, results, root, replicates, resume, key):
        if plan.warning:  # an ensemble reused from another git revision: the CLI prints the same words
            warnings.warn(plan.warning, stacklevel=3)
        if plan.action == "reuse":
            folders.append(plan.path)
            continue
        res = run_ensemble(
            plan.scenario,
            plan.path,
            replicates=replicates,
            seed=root,
            workers=workers,
            resume=plan.action == "resume",
            parameter_sets=sets,
            parameters_record=record,
        )
        folders.append(Path(res.path))
    return folders


def explain(
    scenarios: Sequence[Any],
    couplings: Sequence[str] | None = None,
    outcomes: Sequence[str] | None = None,
    replicates: int = 30,
    seed: int | None = None,
    workers: int = 1,
    results: str | Path = "results",
    resume: bool = False,
    parameters: str | Path | None = None,
    seeds_per_draw: int = 2,
    first: int | None = None,
    last: int | None = None,
) -> pd.DataFrame:
    """Why each outcome moved: every difference from the first scenario split by coupling (as ``compare --explain``).

    For each scenario after the first and each outcome, the paired difference from the baseline is
    split into *direct* (every listed coupling knocked out in both), one *part* per coupling (the
    difference minus the difference with that coupling knocked out in both) and the *remainder*
    that interactions between couplings leave, so direct + parts + remainder = total in every
    replicate (:mod:`scenarios.analysis.explain`). The couplings and their neutral values are
    declared in ``spec/data/knockouts.yaml``. Runs (or reuses, from ``results``) an ensemble of every
    scenario in full and with each coupling knocked out, and with all of them knocked out: 2 + the
    number of couplings ensembles per scenario.

    Args:
        scenarios: validated scenarios, the baseline first.
        couplings: names from ``knockouts.yaml`` (default: all of them).
        outcomes: national outcomes to explain (default: the console view, as ``compare --explain``).
        replicates, seed, workers, results, resume: as :func:`compare`.
        parameters, seeds_per_draw: posterior ensembles, as :func:`compare` (every variant runs the
            same draws and seeds).
        first, last: the years each replicate's value is averaged over (default: the whole run).

    Returns:
        One row per (scenario, outcome, part): ``scenario``, ``outcome``, ``part`` (``total``,
        ``direct``, each coupling's name, ``remainder``), ``label``, ``mean`` (over replicates),
        ``lo``, ``hi`` (95% t interval over the paired replicates), ``unit`` (the outcome's per year).

    Raises:
        ScenarioError: fewer than 2 scenarios, an unknown coupling or outcome, or years outside the
            run (each naming what is allowed), before anything runs.
    """
    from scenarios.analysis.compare import Window, window_values
    from scenarios.analysis.explain import explain_against_first, knockouts, variants
    from scenarios.analysis.summary import yearly_unit
    from scenarios.errors import ScenarioError
    from scenarios.reporting.comparison import HEADLINE_VIEW, load_scenario_data
    from scenarios.spec import outcomes as registry_outcomes

    if len(scenarios) < 2:
        raise ScenarioError("explain needs a baseline and at least one scenario to compare with it")
    declared = {k.name: k for k in knockouts()}
    names = list(declared) if couplings is None else list(couplings)
    unknown = [n for n in names if n not in declared]
    if unknown or not names:
        raise ScenarioError(f"couplings: unknown {unknown}; allowed: some of {', '.join(declared)}")
    chosen = [declared[n] for n in names]
    table = registry_outcomes.national()
    wanted = list(HEADLINE_VIEW) if outcomes is None else list(outcomes)
    bad = [o for o in wanted if o not in table]
    if bad or not wanted:
        raise ScenarioError(f"outcomes: unknown {bad}; allowed: national outcomes ({', '.join(table)})")
    window = Window(first, last)
    start = int(scenarios[0].start[:4])
    try:
        window.mask(np.arange(start, start + scenarios[0].years))
    except ValueError as err:
        raise ScenarioError(str(err)) from None
    root = int(scenarios[0].seed if seed is None else seed)
    sets, record = None, None
    if parameters is not None:
        sets, record = _posterior_draws(parameters, replicates, seeds_per_draw)
    by_scenario = [variants(sc, chosen) for sc in scenarios]
    flat = [v for vs in by_scenario for v in vs.values()]
    folders = iter(_ensembles(flat, results, root, replicates, resume, workers, sets, record))
    values = []
    for vs in by_scenario:
        got = {}
        for name in vs:
            d = load_scenario_data(next(folders))
            got[name] = window_values(d.yearly, d.years, window)
        values.append(got)
    rows = []
    for e in explain_against_first(values, [sc.name for sc in scenarios], wanted, chosen):
        for part in [e.total, *e.terms()]:
            lo, hi = part.interval
            rows.append(
                {
                    "scenario": e.scenario,
                    "outcome": e.outcome,
                    "part": part.name,
                    "label": part.label,
                    "mean": part.mean,
                    "lo": lo,
                    "hi": hi,
                    "unit": yearly_unit(table[e.outcome]),
                }
            )
    return pd.DataFrame(rows, columns=["scenario", "outcome", "part", "label", "mean", "lo", "hi", "unit"])


def read(folder: str | Path, table: str = "timeseries", outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """One table of a results or comparison folder as a tidy DataFrame (one row per value).

    Args:
        folder: an ensemble folder or a comparison folder (its ensembles are read), local or a URL;
            or a sweep or sensitivity folder (then one row per point, replicate and outcome, with
            the factor values as columns and ``table`` ignored).
        table: ``timeseries`` (national, weekly), ``regions``, ``segments`` or ``severities``
            (casualties of every attack).
        outcomes: keep only these outcomes (default all).

    Returns:
        Columns ``scenario``, ``replicate``, ``date`` (not for severities), ``region`` or ``segment``
        (for those tables), ``outcome``, ``value``, ``unit``.

    Raises:
        ResultsError: not a results folder, or an unknown table.
    """
    if table not in TABLES:
        raise ResultsError(f"unknown table {table!r}; allowed: {', '.join(TABLES)}")
    frames = [_tidy(f, table, outcomes) for f in ensembles_of(folder)]
    return _dates(pd.concat(frames, ignore_index=True))


def _dates(frame: pd.DataFrame) -> pd.DataFrame:
    """``date`` as datetime64 (Parquet's date32 comes back as Python dates, an object column)."""
    if "date" in frame.columns:
        frame["date"] = pd.to_datetime(frame["date"])
    return frame


def read_wide(folder: str | Path, table: str = "timeseries") -> pd.DataFrame:
    """One table of a results or comparison folder as stored: one column per outcome, plus ``scenario``."""
    if table not in TABLES:
        raise ResultsError(f"unknown table {table!r}; allowed: {', '.join(TABLES)}")
    frames = []
    for f in ensembles_of(folder):
        wide = pd.DataFrame(load_table(f, table))
        wide.insert(0, "scenario", load_manifest(f)["scenario"])
        frames.append(wide)
    return _dates(pd.concat(frames, ignore_index=True))


def _tidy(folder: str | Path, table: str, keep: Sequence[str] | None) -> pd.DataFrame:
    manifest = load_manifest(folder)
    if manifest.get("kind") == "sweep":
        return _tidy_sweep(folder, manifest, keep)
    wide = pd.DataFrame(load_table(folder, table))
    ids = ["replicate"] + (["date"] if "date" in wide else []) + ([KEYS[table]] if table in KEYS else [])
    values = [c for c in wide.columns if c not in {*ids, "step", "year"} and (keep is None or c in keep)]
    long = wide.melt(id_vars=ids, value_vars=values, var_name="outcome", value_name="value")
    long["value"] = long["value"].astype(float)
    units = column_units(table)
    long["unit"] = long["outcome"].map(lambda name: units.get(name, ""))
    long.insert(0, "scenario", manifest["scenario"])
    if "date" in long:
        long["date"] = pd.to_datetime(long["date"]).dt.date
    return long[["scenario", *ids, "outcome", "value", "unit"]]


def _tidy_sweep(folder: str | Path, manifest: dict[str, Any], keep: Sequence[str] | None) -> pd.DataFrame:
    """A sweep or sensitivity folder: one row per (point, replicate, outcome), with the factor values."""
    from scenarios.experiments.exploration import load_sweep

    _, table = load_sweep(folder)
    wide = pd.DataFrame(table)
    factors = [f["name"] for f in manifest["factors"]]
    names = [n for n in manifest["outcomes"] if keep is None or n in keep]
    ids = ["point", "replicate", *(["draw"] if "draw" in wide else []), *factors]
    long = wide.melt(id_vars=ids, value_vars=names, var_name="outcome", value_name="value")
    units = column_units("timeseries")
    long["unit"] = long["outcome"].map(lambda name: units.get(name, "") + " (mean per year)")
    long.insert(0, "scenario", manifest["scenario"])
    return long


def _comparison_data(folder: str | Path, first: int | None, last: int | None) -> tuple[list[ScenarioData], Window]:
    """The ensembles behind ``folder`` (baseline first) and the window: the given years, else the stored one."""
    from scenarios.analysis.compare import Window
    from scenarios.reporting.comparison import load_scenario_data

    store = Storage(folder)
    spec_file = join(folder, "comparison.json")
    stored = json.loads(store.read_bytes(spec_file)).get("window", {}) if store.exists(spec_file) else {}
    if first is None and last is None and stored:
        window = Window(stored.get("from"), stored.get("to"), bool(stored.get("last_year")))
    else:
        window = Window(first, last)
    return [load_scenario_data(f) for f in ensembles_of(folder)], window


def costs(folder: str | Path, first: int | None = None, last: int | None = None) -> pd.DataFrame:
    """Each state's spending by category (security, economic, soft, total) and all states', per scenario.

    Args:
        folder: a comparison folder (the first ensemble is the baseline) or one ensemble folder.
        first, last: the years to average over (default: the comparison's window, else the whole run).

    Returns:
        Columns ``scenario``, ``state``, ``category``, ``mean``, ``base_mean``, ``diff``, ``diff_low``,
        ``diff_high`` (paired 95% interval, adjusted like the report's), ``unit`` (USD M/yr).

    Raises:
        ResultsError: not a results folder, or a window outside the run.
    """
    from scenarios.reporting.comparison import adjusted_level, comparison_costs, comparison_rows

    data, window = _comparison_data(folder, first, last)
    spending, _ = comparison_costs(data, window, adjusted_level(comparison_rows(data, window)))
    return pd.DataFrame([vars(c) for c in spending])


def cost_effectiveness(
    folder: str | Path, payer: str = "all states", first: int | None = None, last: int | None = None
) -> pd.DataFrame:
    """The change in each headline outcome per 100 USD M/yr of extra spending, against the baseline.

    Args:
        folder: a comparison folder (the first ensemble is the baseline).
        payer: whose extra spending: ``all states`` (default) or one state (``china``, ``russia``,
            ``tajikistan``, ``sco``).
        first, last: the years to average over (default: the comparison's window, else the whole run).

    Returns:
        Columns ``scenario``, ``outcome``, ``unit``, ``payer``, ``extra_spending`` (USD M/yr),
        ``diff``, ``per_100`` and its interval ``low``, ``high`` (paired, delta method, adjusted like
        the report's); ``per_100`` is missing (NaN) when the extra spending is under 0.5 USD M/yr.

    Raises:
        ResultsError: not a comparison of two or more ensembles, or an unknown payer.
    """
    from scenarios.reporting.comparison import adjusted_level, comparison_costs, comparison_rows

    data, window = _comparison_data(folder, first, last)
    if len(data) < 2:
        raise ResultsError(f"{folder} holds one ensemble: cost-effectiveness needs a comparison with a baseline")
    _, effects = comparison_costs(data, window, adjusted_level(comparison_rows(data, window)), payer)
    return pd.DataFrame([vars(e) for e in effects])


def manifest(folder: str | Path) -> dict[str, Any]:
    """The manifest of a results folder: config, hash, seeds, versions, executor, timings."""
    return load_manifest(folder)


def summary(folder: str | Path) -> pd.DataFrame:
    """The ``summary.csv`` of an ensemble folder (per replicate and across replicates)."""
    store = Storage(folder)
    import io

    return pd.read_csv(io.BytesIO(store.read_bytes(join(folder, "summary.csv"))))


# ------------------------------------------------------------------ exploration and optimisation


def _explore(
    scenario: Scenario,
    kind: str,
    method: str,
    samples: int,
    out: str | Path | None,
    replicates: int,
    seed: int | None,
    workers: int,
    executor: Executor | None,
    resume: bool,
    progress: bool,
    policies: Mapping[str, Overrides] | None = None,
    parameters: str | Path | None = None,
    seeds_per_draw: int = 1,
) -> str | Path:
    from scenarios.experiments.exploration import (
        crossed,
        design_for,
        factors_of,
        policy_factor,
        run_design,
    )

    factors = factors_of(scenario)
    root = int(scenario.seed if seed is None else seed)
    design, meta = design_for(method, factors, samples, root)
    if policies is not None:
        mapped = {name: dict(zip(*_split(_sets(o)), strict=True)) for name, o in policies.items()}
        factors, design = crossed(factors, design, policy_factor(mapped))
        _check_policies(scenario, mapped)
    sets, record = None, None
    if parameters is not None:  # refused before anything is written: a missing or damaged posterior
        sets, record = _posterior_draws(parameters, replicates, seeds_per_draw)
    target = out if out is not None else default_out(f"{kind}-{scenario.name}")
    return run_design(
        scenario,
        factors,
        design,
        target,
        replicates=replicates,
        seed=root,
        workers=workers,
        executor=executor,
        resume=resume,
        meta=meta,
        progress=progress,
        executor_label="local" if executor is None else type(executor).__name__,
        parameter_sets=sets,
        parameters_record=record,
    )


def _posterior_draws(
    ref: str | Path, replicates: int, seeds_per_draw: int
) -> tuple[list[dict[str, float]], dict[str, Any]]:
    """``parameters=``: each replicate's posterior values and the manifest's record (the mechanism of
    :func:`run` and :func:`compare`), after checking the sizes.

    Raises:
        ScenarioError: sizes that cannot pair every draw, or no readable posterior at ``ref``.
    """
    from scenarios.calibration.posterior import ensemble_parameters
    from scenarios.experiments.exploration import check_seeds_per_draw

    check_seeds_per_draw(replicates, seeds_per_draw)
    return ensemble_parameters(ref, replicates, seeds_per_draw)


def _split(sets: list[str]) -> tuple[list[str], list[Any]]:
    pairs = [text.partition("=") for text in sets]
    return [k for k, _, _ in pairs], [bounded_yaml(v) for _, _, v in pairs]


def _check_policies(scenario: Scenario, policies: Mapping[str, Mapping[str, Any]]) -> None:
    """Each policy applied to the scenario must validate (before any point runs)."""
    from scenarios.errors import ConfigError, ScenarioError
    from scenarios.experiments.exploration import with_overrides
    from scenarios.spec.config import scenario_dict

    for name, overrides in policies.items():
        try:
            validate_data(with_overrides(scenario_dict(scenario), overrides))
        except ConfigError as err:
            raise ScenarioError(f"policies[{name!r}] does not give a valid scenario: {err}") from None


def _sweep_frame(folder: str | Path) -> pd.DataFrame:
    from scenarios.experiments.exploration import load_sweep

    manifest, table = load_sweep(folder)
    frame = pd.DataFrame(table)
    for f in manifest["factors"]:
        if f["kind"] == "policy":
            names = [c["name"] for c in f["choices"]]
            frame["policy"] = [names[round(v)] for v in frame["policy"]]
    frame.attrs["path"] = str(folder)
    return frame


def sweep(
    scenario: Scenario,
    out: str | Path | None = None,
    design: str = "lhs",
    samples: int = 100,
    replicates: int = 1,
    seed: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    progress: bool = False,
    policies: Mapping[str, Overrides] | None = None,
    report: bool = True,
    parameters: str | Path | None = None,
    seeds_per_draw: int = 1,
) -> pd.DataFrame:
    """Run a sweep over the scenario's ``exploration:`` factors (as ``scenarios sweep``) and return its table.

    Args:
        scenario: a validated scenario with an ``exploration:`` section (its factors may include
            start years, ``'state.lever@start': [first, last]``).
        out: results folder, a local path or an fsspec URL (default ``results/sweep-<name>-<UTC time>``);
            an existing one is refused; ``resume`` finishes an interrupted one.
        design: ``lhs`` (a Latin hypercube of ``samples`` points) or ``factorial`` (``samples`` levels per factor).
        policies: named policies, each a mapping of overrides (any schedule of any lever, e.g.
            ``{"late": {"states.china.levers.joint_border_patrols": {2021: 5, 2027: 60}}}``); every design
            point then runs under every policy, and the table gets a ``policy`` column with its name.
        report: also write ``report.html``/``report.md`` into the folder.
        parameters: a posterior ensemble at every point: a calibration folder, a ``posterior.parquet``
            or ``"calibrated"`` (the shipped posterior); replicate r of every point runs posterior draw
            ``r // seeds_per_draw`` with seed r (as :func:`run` and :func:`compare`), recorded in the
            manifest under ``parameters``. A parameter the design sweeps keeps its swept value.
        seeds_per_draw: with ``parameters``, seeds per draw; ``replicates`` must be a multiple of it.

    Returns:
        One row per (point, replicate): ``point``, ``replicate`` (with ``parameters``: ``draw``, the
        replicate's posterior draw), every factor and every outcome (its mean per simulated year).
        ``frame.attrs["path"]`` is the folder.

    Raises:
        ScenarioError: a missing or damaged posterior, ``seeds_per_draw`` below 1 or ``replicates`` not
            a multiple of it (nothing is written).
    """
    path = _explore(
        scenario,
        "sweep",
        design,
        samples,
        out,
        replicates,
        seed,
        workers,
        executor,
        resume,
        progress,
        policies,
        parameters,
        seeds_per_draw,
    )
    if report:
        from scenarios.reporting.exploration import write_sweep_report

        write_sweep_report(path)
    return _sweep_frame(path)


def sensitivity(
    scenario: Scenario,
    method: str = "morris",
    samples: int = 10,
    out: str | Path | None = None,
    replicates: int = 1,
    seed: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    progress: bool = False,
    report: bool = True,
    parameters: str | Path | None = None,
    seeds_per_draw: int = 1,
) -> pd.DataFrame:
    """Global sensitivity of the exploration's outcomes to its factors (as ``scenarios sensitivity``).

    Args:
        method: ``morris`` (``samples`` trajectories) or ``sobol`` (``samples`` base samples, a power of 2).
        out, replicates, seed, workers, executor, resume, progress, parameters, seeds_per_draw: as :func:`sweep`.

    Returns:
        One row per (outcome, factor): ``mu_star``, ``mu_star_conf`` (95% bootstrap half-width), ``mu``
        (signed: the direction) and ``sigma`` for Morris; ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` for Sobol.
        ``frame.attrs`` holds ``path`` and ``warnings`` (a design too small for stable indices).
    """
    from scenarios.analysis.sensitivity import stability_warnings
    from scenarios.reporting.exploration import sensitivity_tables, write_sensitivity_report

    path = _explore(
        scenario,
        "sensitivity",
        method,
        samples,
        out,
        replicates,
        seed,
        workers,
        executor,
        resume,
        progress,
        None,
        parameters,
        seeds_per_draw,
    )
    if report:
        write_sensitivity_report(path)
    _, rows = sensitivity_tables(path)
    frame = pd.DataFrame(rows)
    frame.attrs["path"] = str(path)
    frame.attrs["warnings"] = stability_warnings(method, samples, rows)
    return frame


def discover(
    folder: str | Path,
    outcome: str,
    below: float | None = None,
    above: float | None = None,
    min_coverage: float = 0.5,
    out: str | Path | None = None,
) -> pd.DataFrame:
    """Scenario discovery with PRIM on a finished sweep (as ``scenarios discover``).

    Args:
        folder: a sweep folder (local or a URL); it is only read.
        outcome: the outcome whose cases of interest are sought.
        below, above: cases of interest are runs with the outcome below (or above) this; give one.
        min_coverage: the densest box covering at least this share of the cases is chosen.
        out: a new local folder for ``discovery.html``/``.md``, ``box.csv`` and the trajectory
            (default ``results/discover-<scenario>-<UTC time>``); an existing one is refused.

    Returns:
        One row per input: ``factor``, ``low``, ``high`` (its range in the box), ``unit``,
        ``restricted`` and ``p_value``. ``frame.attrs`` holds ``path``, ``coverage``, ``density``,
        ``mass``, ``cases``, ``runs`` and ``warnings``.

    Raises:
        ScenarioError: not one of below/above, a coverage outside (0, 1], an unknown outcome or a
            threshold that leaves no cases or only cases.
    """
    from scenarios.errors import ScenarioError
    from scenarios.experiments.exploration import load_sweep
    from scenarios.experiments.results import is_url, staged_folder
    from scenarios.reporting.exploration import discover as run_discovery

    if (below is None) == (above is None):
        raise ScenarioError("discover needs exactly one of below= or above=")
    if not 0 < min_coverage <= 1:
        raise ScenarioError(f"min_coverage must be in (0, 1], got {min_coverage}")
    if out is not None and is_url(out):
        raise ScenarioError(f"out {out}: discover writes a local folder, not a URL")
    manifest, _ = load_sweep(folder)
    target = Path(out) if out is not None else default_out(f"discover-{manifest['scenario']}")
    threshold = below if below is not None else above
    assert threshold is not None
    try:
        with staged_folder(target) as partial:
            res = run_discovery(folder, outcome, threshold, below is not None, partial, min_coverage)
    except ValueError as err:
        raise ScenarioError(str(err)) from None
    frame = pd.DataFrame(res["rows"])
    frame.attrs.update({k: res[k] for k in ("coverage", "density", "mass", "cases", "runs", "warnings", "condition")})
    frame.attrs["path"] = str(target)
    return frame


def optimise(
    scenario: Scenario,
    state: str,
    budget: float,
    from_year: int,
    out: str | Path | None = None,
    objectives: Sequence[str] | None = None,
    population: int = 24,
    generations: int = 15,
    replicates: int = 5,
    seed: int | None = None,
    parameters: str | Path | list[dict[str, float]] | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    progress: bool = False,
    report: bool = True,
    seeds_per_draw: int = 1,
) -> pd.DataFrame:
    """The best mixes of ``state``'s levers within ``budget`` USD M/yr from ``from_year`` (as ``scenarios optimise``).

    Args:
        scenario: a validated scenario; before ``from_year`` its own schedule runs.
        objectives: ``cost`` and national outcomes (default stability_index, cost, attacks_on_chinese;
            each outcome's direction comes from its declaration).
        population, generations: NSGA-II's population and generations after the first.
        replicates: replicates per mix, the same seeds for every mix, the baseline and the do-nothing mix.
        parameters: a posterior: a calibration folder, a ``posterior.parquet`` or ``"calibrated"``
            (replicate i of every mix runs posterior draw ``i // seeds_per_draw`` with seed i, as
            :func:`run` and :func:`compare`; recorded in the manifest under ``parameters``); or one
            dict of parameter overrides per replicate; or None.
        seeds_per_draw: with a posterior, seeds per draw; ``replicates`` must be a multiple of it.
        out: results folder, local or a URL (default ``results/optimise-<name>-<state>-<UTC time>``);
            an existing one is refused; ``resume`` continues an interrupted search in it.

    Returns:
        ``pareto.csv`` as a DataFrame: one row per non-dominated mix, by cost: each lever
        (``state.lever``), ``cost_musd_per_yr``, and per simulated objective ``<name>_mean``,
        ``_low``, ``_high`` (95% interval), ``_vs_baseline`` with ``_low``/``_high`` (the mix minus the
        baseline, paired by seed) and ``_beats_baseline`` (share of replicates), and the same against
        the do-nothing mix (every lever at 0 from ``from_year``): ``_vs_nothing``, ``_beats_nothing``.
        With ``parameters`` the intervals are over the draws' means (they include parameter
        uncertainty), and each objective adds ``_seed_sd``, ``_parameter_sd`` and
        ``_draws_better_than_nothing``, ``_draws_better_than_baseline`` (share of draws).
        ``frame.attrs`` holds ``path``, ``baseline``, ``nothing`` and ``search`` (counts of the search).

    Raises:
        ScenarioError: an unknown state, a budget that is not positive, a year outside the run, an
            unknown objective, or a missing or damaged posterior (nothing is written).
    """
    from scenarios.experiments.optimise import DEFAULT_OBJECTIVES
    from scenarios.experiments.optimise import optimise as run_optimisation
    from scenarios.reporting.optimisation import read_csv, write_optimisation_report

    sets, record = None, None
    if isinstance(parameters, str | Path):
        sets, record = _posterior_draws(parameters, replicates, seeds_per_draw)
    elif parameters is not None:
        sets = [dict(p) for p in parameters]
    target = out if out is not None else default_out(f"optimise-{scenario.name}-{state}")
    res = run_optimisation(
        scenario,
        state,
        budget,
        from_year,
        target,
        objectives=tuple(objectives) if objectives is not None else DEFAULT_OBJECTIVES,
        population=population,
        generations=generations,
        replicates=replicates,
        seed=seed,
        parameters=sets,
        parameters_record=record,
        workers=workers,
        executor=executor,
        resume=resume,
        progress=progress,
        executor_label="local" if executor is None else type(executor).__name__,
    )
    if report:
        write_optimisation_report(res.path)
    frame = read_csv(res.path, "pareto.csv")
    frame.attrs.update(
        {
            "path": str(res.path),
            "baseline": res.manifest["baseline"],
            "nothing": res.manifest["nothing"],
            "search": res.manifest["search"],
        }
    )
    return frame


def calibrate(
    scenario: Scenario,
    out: str | Path | None = None,
    quick: bool = False,
    particles: int | None = None,
    generations: int | None = None,
    citizens: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    resume: bool = False,
    progress: bool = False,
) -> CalibrationResult:
    """Calibrate a scenario against the targets of ``spec/data/targets.yaml`` by ABC-SMC (as ``scenarios calibrate``).

    Args:
        scenario: a validated scenario starting in January 2021 or earlier.
        out: the calibration folder (default ``results/calibrate-<name>-<UTC time>``).
        quick: the small size of ``--quick``; ``particles``, ``generations`` and ``citizens`` override it.
        seed: root seed of the calibration (default: the scenario's).
        workers: local worker processes (call from under ``if __name__ == "__main__":`` when more than 1).
        resume: continue an interrupted calibration of ``out``.
        progress: print a line per generation on stderr.

    Returns:
        The result: ``.path``, ``.manifest``, ``.generations`` and ``.posterior``; read the posterior
        as a DataFrame with :func:`posterior`.
    """
    from scenarios.calibration.fit import calibrate as run_calibration
    from scenarios.calibration.fit import plan

    p = plan(scenario, quick, particles, generations, citizens, seed)
    target = Path(out) if out is not None else default_out(f"calibrate-{scenario.name}")
    return run_calibration(p, target, workers=workers, resume=resume, progress=progress, verbose=progress)


def posterior(folder: str | Path = "calibrated") -> pd.DataFrame:
    """A posterior as a DataFrame: one row per particle, a column per parameter, ``weight`` and ``distance``.

    Args:
        folder: a calibration folder, a ``posterior.parquet``, or ``"calibrated"`` (the shipped one).
    """
    from scenarios.calibration.posterior import read_posterior, resolve

    post = read_posterior(resolve(folder))
    frame = pd.DataFrame(post.theta, columns=list(post.names))
    frame["weight"] = post.weights
    frame["distance"] = post.distances
    return frame


def uncertainty(comparison: str | Path, window: Window | None = None) -> pd.DataFrame:
    """Seed noise against parameter uncertainty of a comparison of posterior ensembles.

    One row per scenario (not the baseline) and outcome: ``mean_difference``, ``seed_variance``,
    ``parameter_variance``, ``parameter_share``, ``share_better`` (share of posterior draws whose
    mean difference goes the better way), ``seed_noise`` and the ``robustness`` sentence.

    Raises:
        ResultsError: the comparison's ensembles are not posterior ensembles.
    """
    from scenarios.analysis.compare import Window, window_values
    from scenarios.analysis.uncertainty import robustness
    from scenarios.reporting.comparison import load_scenario_data
    from scenarios.spec import outcomes as registry_outcomes

    data = [load_scenario_data(f) for f in ensembles_of(comparison)]
    record = data[0].manifest.get("parameters")
    if not record or "draw_of_replicate" not in record:
        raise ResultsError(f"{comparison}: not a comparison of posterior ensembles (run compare with parameters=)")
    draw = np.asarray(record["draw_of_replicate"])
    win = window or Window()
    values = {d.name: window_values(d.yearly, d.years, win) for d in data}
    base = values[data[0].name]
    rows = []
    for d in data[1:]:
        for name, o in registry_outcomes.national().items():
            r = robustness(values[d.name][name] - base[name], draw, o.higher_is_better)
            dec = r.decomposition
            rows.append(
                {
                    "scenario": d.name,
                    "outcome": name,
                    "mean_difference": dec.mean,
                    "seed_variance": dec.seed,
                    "parameter_variance": dec.parameter,
                    "parameter_share": dec.parameter_share,
                    "share_better": r.share_better,
                    "seed_noise": r.seed_noise,
                    "robustness": r.statement(),
                }
            )
    return pd.DataFrame(rows)


__all__ = [
    "EnsembleResult",
    "calibrate",
    "compare",
    "cost_effectiveness",
    "costs",
    "discover",
    "explain",
    "load",
    "manifest",
    "optimise",
    "override",
    "posterior",
    "read",
    "read_wide",
    "run",
    "sensitivity",
    "summary",
    "sweep",
    "uncertainty",
    "validate",
]
