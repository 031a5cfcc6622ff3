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
from typing import Any

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
from scenarios.spec.config import load_scenario, validate_data
from scenarios.spec.loader import override as overlay_changes
from scenarios.spec.loader import parse_override

Overrides = Mapping[str, Any] | Sequence[str]
"""Overrides as ``{"society.citizens": 2000}`` or as ``--set`` strings ``["society.citizens=2000"]``."""

KEYS = {"regions": "region", "segments": "segment"}
"""The column that names the place in a per-place table."""


def _sets(overrides: Overrides) -> list[str]:
    if isinstance(overrides, Mapping):
        return [f"{key}={json.dumps(value)}" for key, value in overrides.items()]
    return list(overrides)


def load(path: str | Path, overrides: Overrides = ()) -> Any:
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


def validate(data: Mapping[str, Any]) -> Any:
    """Validate a scenario given as a mapping (defaults fill in everything not given).

    Raises:
        ConfigError: every problem found, with key path and what is allowed.
    """
    return validate_data(dict(data))


def override(scenario: Any, overrides: Overrides) -> Any:
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
    scenario: Any,
    out: str | Path | None = None,
    replicates: int = 1,
    seed: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    progress: bool = False,
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

    Returns:
        The folder (``.path``), its manifest and per-replicate summaries.
    """
    target = out if out is not None else default_out(scenario.name)
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
    )


def compare(
    scenarios: Sequence[Any],
    out: str | Path | None = None,
    replicates: int = 30,
    seed: int | None = None,
    workers: int = 1,
    results: str | Path = "results",
    resume: bool = False,
    payer: str = "all states",
) -> Path:
    """Compare scenarios with the first (paired over common random numbers); write a comparison folder.

    Ensembles already stored under ``results`` with the same config, seed, size and package
    version are reused; the others are run there (``resume`` finishes interrupted ones). The comparison folder (default
    ``<results>/compare-<UTC time>``) holds ``report.html``, ``report.md``, ``comparison.csv`` and
    ``comparison.json`` (which refers to the ensembles relative to itself), ``costs.csv`` and
    ``cost_effectiveness.csv`` (per 100 USD M/yr of ``payer``'s extra spending: all states, or a state).

    Returns:
        The comparison folder; read it with :func:`read`.
    """
    from scenarios.experiments.results import staged_folder
    from scenarios.reporting.comparison import build_comparison

    if not scenarios:
        raise ResultsError("compare needs at least one scenario (the baseline first)")
    check_compare_locations(out, results)
    root = int(scenarios[0].seed if seed is None else seed)
    folders = []
    for plan in plan_ensembles(list(scenarios), results, root, replicates, resume):
        if plan.warning:  # an ensemble reused from another git revision: the CLI prints the same words
            warnings.warn(plan.warning, stacklevel=2)
        if plan.action == "reuse":
            folders.append(plan.path)
            continue
        res = run_ensemble(
            plan.scenario, plan.path, replicates=replicates, seed=root, workers=workers, resume=plan.action == "resume"
        )
        folders.append(Path(res.path))
    final = Path(out) if out is not None else default_out("compare", results)
    with staged_folder(final) as partial:
        build_comparison(folders, partial, payer=payer)
        make_portable(partial)
    return final


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
    return pd.concat(frames, ignore_index=True)


def read_wide(folder: str | Path, table: str = "timeseries") -> pd.DataFrame:
    """One table of a results or comparison folder as stored: one column per outcome, plus ``scenario``."""
    if table not in TABLES:
        raise ResultsError(f"unknown table {table!r}; allowed: {', '.join(TABLES)}")
    frames = []
    for f in ensembles_of(folder):
        wide = pd.DataFrame(load_table(f, table))
        wide.insert(0, "scenario", load_manifest(f)["scenario"])
        frames.append(wide)
    return pd.concat(frames, ignore_index=True)


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
    ids = ["point", "replicate", *factors]
    long = wide.melt(id_vars=ids, value_vars=names, var_name="outcome", value_name="value")
    units = column_units("timeseries")
    long["unit"] = long["outcome"].map(lambda name: units.get(name, "") + " (mean per year)")
    long.insert(0, "scenario", manifest["scenario"])
    return long


def _comparison_data(folder: str | Path, first: int | None, last: int | None) -> tuple[list[Any], Any]:
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


__all__ = [
    "EnsembleResult",
    "compare",
    "cost_effectiveness",
    "costs",
    "load",
    "manifest",
    "override",
    "read",
    "read_wide",
    "run",
    "summary",
    "validate",
]
