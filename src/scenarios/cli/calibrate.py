"""``scenarios calibrate``: ABC-SMC calibration of a scenario against the declared targets."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scenarios.cli.options import (
    EXIT_OK,
    SubParsers,
    command,
    command_line,
    confirm_cost,
    executor_args,
    int_in,
    load_config,
    positive_int,
    seed,
    set_option,
    show_progress,
    yes_arg,
)
from scenarios.errors import ScenarioError


def register(sub: SubParsers) -> None:
    p = command(
        sub,
        "calibrate",
        "Calibrate a scenario's parameters against the targets of targets.yaml (ABC-SMC); writes a posterior and a report.",
        "scenarios calibrate baseline --quick --workers 2 --out results/calib-quick\n"
        "scenarios calibrate baseline --workers 2 --ship     (the posterior behind --parameters calibrated)",
        calibrate,
    )
    p.add_argument(
        "config", metavar="CONFIG", help="scenario YAML file or library name (it must start in January 2021 or earlier)"
    )
    p.add_argument(
        "--quick", action="store_true", help="a small calibration (30 particles, 3 generations, 1,000 citizens)"
    )
    p.add_argument(
        "--particles",
        type=int_in(2, 100_000, "a whole number in 2-100000"),
        default=None,
        help="particles per generation (default 200; --quick 30)",
    )
    p.add_argument(
        "--generations",
        type=int_in(0, 100, "a whole number in 0-100"),
        default=None,
        help="generations after the prior's (default 6; --quick 3)",
    )
    p.add_argument(
        "--citizens",
        type=int_in(100, 10**7, "a whole number in 100-10000000"),
        default=None,
        help="citizens simulated (default 2,000; --quick 1,000)",
    )
    p.add_argument(
        "--targets", default=None, metavar="FILE", help="a targets file (default: the shipped spec/data/targets.yaml)"
    )
    p.add_argument("--workers", type=positive_int, default=1, help="worker processes (default 1)")
    p.add_argument("--seed", type=seed, default=None, help="root seed of the calibration (default: the config's seed)")
    p.add_argument(
        "--out", default=None, metavar="DIR", help="calibration folder (default: results/calibrate-<name>-<UTC time>)"
    )
    p.add_argument(
        "--resume", action="store_true", help="continue an interrupted calibration in DIR.partial (needs --out)"
    )
    p.add_argument(
        "--ship",
        action="store_true",
        help="then copy the posterior into the package: what --parameters calibrated uses",
    )
    set_option(p)
    yes_arg(p)
    executor_args(p)


def calibrate(args: argparse.Namespace) -> int:
    from scenarios.calibration.fit import calibrate as run_calibration
    from scenarios.calibration.fit import plan, ship
    from scenarios.calibration.targets import load_targets
    from scenarios.experiments.progress import duration
    from scenarios.experiments.results import is_url
    from scenarios.experiments.runner import default_out, executor_for

    if args.resume and not args.out:
        raise ScenarioError("--resume needs --out DIR: the folder of the interrupted calibration")
    if args.out and is_url(args.out):
        raise ScenarioError(f"--out {args.out}: calibrate writes a local folder, not a URL")
    scenario = load_config(args.config, args.overrides)
    targets = load_targets(args.targets) if args.targets else None
    p = plan(scenario, args.quick, args.particles, args.generations, args.citizens, args.seed, targets)
    out = Path(args.out) if args.out else default_out(f"calibrate-{scenario.name}")
    runs = p.estimated_runs()
    confirm_cost(
        f"calibration: {p.settings.particles} particles x {p.settings.generations + 1} populations, about {runs:,} model runs",
        runs,
        p.run_seconds(),
        args.workers,
        args.yes,
        show=False,
    )
    wall = runs * p.run_seconds() / max(1, args.workers)
    print(
        f"calibrating {scenario.name}: {len(p.names)} parameters, {sum(not t.held_out for t in p.targets)} fitted and "
        f"{sum(t.held_out for t in p.targets)} held-out targets, {p.settings.particles} particles x "
        f"{p.settings.generations + 1} populations, {p.scenario.society.citizens:,} citizens, years "
        f"{p.start_year}-{p.start_year + p.scenario.years - 1}; about {runs:,} model runs, {duration(wall)} at "
        f"{args.workers} worker(s) (estimate)",
        file=sys.stderr,
    )
    with executor_for(args.executor, args.workers, args.scheduler) as pool:
        result = run_calibration(
            p,
            out,
            workers=pool.workers,
            executor=pool.executor,
            resume=args.resume,
            progress=show_progress(args),
            verbose=True,
            command=command_line(),
            executor_label=pool.label,
        )
    m = result.manifest
    print(f"stopped: {m['stopped']}; {m['model_runs']:,} model runs in {duration(m['duration_seconds'])}")
    print(f"posterior: {result.path / 'posterior.parquet'}  report: {result.path / 'report.html'}")
    if args.ship:
        print(f"shipped: {ship(result.path)} (used by --parameters calibrated)")
    return EXIT_OK
