"""``scenarios run``: one run or an ensemble of a scenario, into a results folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scenarios.cli.options import (
    EXIT_OK,
    SubParsers,
    batch_args,
    check_batch_args,
    command,
    command_line,
    confirm_cost,
    load_config,
    parameters_arg,
    set_option,
    show_progress,
)


def register(sub: SubParsers) -> None:
    p = command(
        sub,
        "run",
        "Run a scenario (one run or an ensemble) and write a results folder.",
        "scenarios run baseline --seed 7 --set years=5\n"
        "scenarios run baseline --replicates 30 --workers 2\n"
        "scenarios run baseline --replicates 200 --executor dask --scheduler tcp://10.0.0.5:8786 --out s3://bucket/base",
        run,
    )
    p.add_argument(
        "config", metavar="CONFIG", help="scenario YAML file, or the name of a library scenario (e.g. baseline)"
    )
    batch_args(p, "replicates (default 1); seeds come from the root seed by SeedSequence.spawn")
    set_option(p, "override a config value (repeatable), e.g. --set states.china.levers.financial_aid=0")
    p.add_argument("--quiet", action="store_true", help="no progress line and no summary table")
    parameters_arg(p)


def run(args: argparse.Namespace) -> int:
    from scenarios.analysis.summary import headline_rows, render_table
    from scenarios.experiments.progress import scenario_seconds
    from scenarios.experiments.results import is_url
    from scenarios.experiments.runner import default_out, executor_for, run_ensemble

    scenario = load_config(args.config, args.overrides)
    check_batch_args(args)
    out: str | Path = (args.out if is_url(args.out) else Path(args.out)) if args.out else default_out(scenario.name)
    show = not args.quiet
    confirm_cost(
        f"{args.replicates:,} replicate(s)",
        args.replicates,
        scenario_seconds(scenario),
        args.workers,
        args.yes,
        show,
    )
    seed = scenario.seed if args.seed is None else args.seed
    sets, record = None, None
    if args.parameters:
        from scenarios.calibration.posterior import ensemble_parameters

        sets, record = ensemble_parameters(args.parameters, args.replicates)
        if show:
            print(
                f"parameters: posterior {record['file']} ({record['particles']} particles); replicate i uses draw i",
                file=sys.stderr,
            )
    if show:
        print(
            f"running {scenario.name}: {args.replicates} replicate(s), {scenario.years} years weekly, "
            f"{scenario.society.citizens:,} citizens, seed {seed}",
            file=sys.stderr,
        )
    with executor_for(args.executor, args.workers, args.scheduler) as pool:
        result = run_ensemble(
            scenario,
            out,
            replicates=args.replicates,
            seed=args.seed,
            workers=pool.workers,
            executor=pool.executor,
            resume=args.resume,
            overrides=tuple(args.overrides),
            command=command_line(),
            progress=show and show_progress(args),
            executor_label=pool.label,
            parameter_sets=sets,
            parameters_record=record,
        )
    if show:
        header = ["outcome", "unit", f"first year ({scenario.start[:4]})", "last year", "mean per year"]
        print(render_table(header, headline_rows(result.per_replicate)))
        if args.replicates > 1:
            print("(± is the half-width of the 95% CI of the mean over replicates)")
    print(f"results: {result.path}  ({result.manifest['duration_seconds']:.1f} s)")
    return EXIT_OK
