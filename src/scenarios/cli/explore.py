"""Exploration commands: ``sensitivity`` (Morris, Sobol), ``sweep`` (LHS, factorial), ``discover`` (PRIM)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from scenarios.cli.options import (
    EXIT_OK,
    SubParsers,
    batch_args,
    check_batch_args,
    command,
    command_line,
    confirm_cost,
    parameters_arg,
    positive_int,
    set_option,
    show_progress,
)
from scenarios.errors import ScenarioError


def register(sub: SubParsers) -> None:
    p = command(
        sub,
        "sensitivity",
        "Global sensitivity of outcomes to the uncertainties and levers of a scenario's exploration: section (SALib).",
        "scenarios sensitivity exploration --method morris --samples 20\n"
        "scenarios sensitivity exploration --method sobol --samples 256 --outcomes stability_index",
        sensitivity,
    )
    p.add_argument("config", metavar="CONFIG")
    p.add_argument(
        "--method",
        choices=("morris", "sobol"),
        default="morris",
        help="morris: screening (mu*, sigma); sobol: S1 and ST with bootstrap CIs",
    )
    p.add_argument(
        "--samples",
        type=positive_int,
        default=10,
        help="Morris trajectories, or Sobol base samples (a power of 2); runs = samples x (k + 1) or (k + 2)",
    )
    p.add_argument(
        "--outcomes",
        default=None,
        metavar="NAMES",
        help="comma-separated outcomes (default: the exploration section's)",
    )
    batch_args(p, "replicates per design point, averaged (common random numbers)")
    set_option(p)
    parameters_arg(p, seeds_per_draw=1)

    p = command(
        sub,
        "sweep",
        "Run levers x uncertainties of a scenario's exploration: section over a design; store one tidy table.",
        "scenarios sweep exploration --design lhs --samples 200 --workers 2",
        sweep,
    )
    p.add_argument("config", metavar="CONFIG")
    p.add_argument(
        "--design",
        choices=("lhs", "factorial"),
        default="lhs",
        help="lhs: Latin hypercube of SAMPLES points; factorial: SAMPLES levels per factor",
    )
    p.add_argument("--samples", type=positive_int, default=100)
    batch_args(p, "replicates per design point (common random numbers)")
    set_option(p)
    parameters_arg(p, seeds_per_draw=1)

    p = command(
        sub,
        "discover",
        "Scenario discovery with PRIM: which ranges of the swept inputs make an outcome fall below (or above) a threshold.",
        "scenarios discover results/sweep-20261128-101500 --outcome stability_index --below 80",
        discover,
    )
    p.add_argument("folder", metavar="RESULTS_DIR", help="a finished sweep folder")
    p.add_argument("--outcome", required=True)
    grp = p.add_mutually_exclusive_group(required=True)
    grp.add_argument("--below", type=float, default=None, metavar="X", help="cases of interest: outcome < X")
    grp.add_argument("--above", type=float, default=None, metavar="X", help="cases of interest: outcome > X")
    p.add_argument(
        "--min-coverage",
        type=float,
        default=0.5,
        help="choose the densest box covering at least this share of cases (default 0.5)",
    )
    p.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="a new folder for the discovery report (default: results/discover-<scenario>-<UTC time>); an existing one is refused",
    )


def design_for(args: argparse.Namespace, kind: str, factors: list[Any], seed: int) -> tuple[Any, dict[str, Any]]:
    """The design matrix of a sweep or a sensitivity analysis, and what to record about it."""
    from scenarios.experiments.exploration import design_for as make_design

    method = args.design if kind == "sweep" else args.method
    try:
        return make_design(method, factors, args.samples, seed)
    except ScenarioError as err:
        raise ScenarioError(str(err).replace("samples for sobol", "--samples for sobol")) from None


def exploration_run(args: argparse.Namespace, kind: str) -> tuple[Any, str | Path]:
    """Load the scenario, build the design and run it into a results folder (resumable)."""
    from scenarios.cli.options import load_config, posterior_draws
    from scenarios.experiments.exploration import factors_of, run_design
    from scenarios.experiments.progress import scenario_seconds
    from scenarios.experiments.runner import default_out, executor_for

    overrides = list(args.overrides)
    if getattr(args, "outcomes", None):
        names = [n.strip() for n in args.outcomes.split(",") if n.strip()]
        overrides.append("exploration.outcomes=" + json.dumps(names))
    scenario = load_config(args.config, overrides)
    check_batch_args(args)
    factors = factors_of(scenario)
    seed = scenario.seed if args.seed is None else args.seed
    design, meta = design_for(args, kind, factors, seed)
    meta["command"] = command_line()
    sets, record = None, None
    if args.parameters:  # a missing or damaged posterior is refused before any folder is made
        sets, record = posterior_draws(args.parameters, args.replicates, args.seeds_per_draw)
        print(
            f"parameters: posterior {record['file']} ({record['particles']} particles); replicate i of every point "
            f"uses draw i // {args.seeds_per_draw} and seed i",
            file=sys.stderr,
        )
    out: str | Path = args.out if args.out else default_out(f"{kind}-{scenario.name}")
    points = int(design.shape[0])
    confirm_cost(
        f"{kind}: {points:,} points x {args.replicates} replicate(s) over {len(factors)} factors",
        points * args.replicates,
        scenario_seconds(scenario),
        args.workers,
        args.yes,
    )
    with executor_for(args.executor, args.workers, args.scheduler) as pool:
        path = run_design(
            scenario,
            factors,
            design,
            out,
            replicates=args.replicates,
            seed=seed,
            workers=pool.workers,
            executor=pool.executor,
            resume=args.resume,
            meta=meta,
            progress=show_progress(args),
            executor_label=pool.label,
            parameter_sets=sets,
            parameters_record=record,
        )
    return scenario, path


def sensitivity(args: argparse.Namespace) -> int:
    from scenarios.analysis.sensitivity import stability_warnings
    from scenarios.analysis.summary import render_table
    from scenarios.reporting.exploration import sensitivity_tables, write_sensitivity_report

    _, path = exploration_run(args, "sensitivity")
    paths = write_sensitivity_report(path)
    manifest, rows = sensitivity_tables(path)
    for note in stability_warnings(manifest["method"], int(manifest["samples"]), rows):
        print(f"warning: {note}", file=sys.stderr)
    key = "mu_star" if manifest["method"] == "morris" else "ST"
    rows.sort(key=lambda r: (r["outcome"], -r[key]))
    cols = (
        ["outcome", "factor", "mu_star", "mu", "sigma"]
        if key == "mu_star"
        else ["outcome", "factor", "S1", "S1_conf", "ST", "ST_conf"]
    )
    print(render_table(cols, [[r[c] if isinstance(r[c], str) else f"{r[c]:.4g}" for c in cols] for r in rows]))
    print(f"report: {paths['html']}  (indices: {paths['csv']})")
    return EXIT_OK


def sweep(args: argparse.Namespace) -> int:
    from scenarios.experiments.results import join
    from scenarios.reporting.exploration import write_sweep_report

    _, path = exploration_run(args, "sweep")
    paths = write_sweep_report(path)
    print(f"sweep table: {join(path, 'sweep.parquet')}  (design: {join(path, 'design.parquet')})")
    print(f"report: {paths['html']}  (Markdown: {paths['markdown']})")
    return EXIT_OK


def discover(args: argparse.Namespace) -> int:
    from scenarios.experiments.exploration import load_sweep
    from scenarios.experiments.results import is_url, staged_folder
    from scenarios.experiments.runner import default_out
    from scenarios.reporting.exploration import discover as run_discovery

    folder = args.folder
    threshold = args.below if args.below is not None else args.above
    if not 0 < args.min_coverage <= 1:
        raise ScenarioError(f"--min-coverage must be in (0, 1], got {args.min_coverage}")
    if args.out and is_url(args.out):
        raise ScenarioError(f"--out {args.out}: discover writes a local folder, not a URL")
    manifest, _ = load_sweep(folder)  # a clear error before any folder is made
    out = Path(args.out) if args.out else default_out(f"discover-{manifest['scenario']}")
    try:
        with staged_folder(out) as partial:
            res = run_discovery(folder, args.outcome, threshold, args.below is not None, partial, args.min_coverage)
    except ValueError as err:
        raise ScenarioError(str(err)) from None
    print(f"{res['cases']} of {res['runs']} runs have {res['condition']}.")
    print("box:" if res["box"] else "box: no input is restricted (the cases are spread over the whole space)")
    for line in res["box"]:
        print("  " + line)
    print(f"coverage {res['coverage']:.2f}, density {res['density']:.2f}, mass {res['mass']:.2f}")
    for note in res["warnings"]:
        print(f"warning: {note}", file=sys.stderr)
    print(f"details: {out / 'discovery.html'}  (Markdown: {out / 'discovery.md'}, box: {out / 'box.csv'})")
    return EXIT_OK
