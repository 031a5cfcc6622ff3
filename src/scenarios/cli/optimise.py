"""``scenarios optimise``: the best mix of one state's levers within a budget from a year (NSGA-II, pymoo)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scenarios.cli.options import (
    EXIT_OK,
    SubParsers,
    batch_args,
    check_batch_args,
    command,
    command_line,
    confirm_cost,
    int_in,
    parameters_arg,
    positive_int,
    set_option,
    show_progress,
)

QUICK = {"population": 8, "generations": 3, "replicates": 3}
"""``--quick``: a small search (8 x 4 mixes, 3 replicates) that shows the method in minutes, not a converged front."""
FULL = {"population": 24, "generations": 15, "replicates": 5}
"""Defaults without ``--quick``."""


def register(sub: SubParsers) -> None:
    p = command(
        sub,
        "optimise",
        "Multi-objective search (NSGA-II) for the best mix of one state's levers within a budget, from a year.",
        "scenarios optimise baseline --state china --budget 500 --from 2026 --quick --out results/china-500\n"
        "scenarios optimise baseline --state china --budget 500 --from 2026 --objectives stability_index,cost,casualties\n"
        "scenarios optimise baseline --state china --budget 500 --from 2026 --quick --parameters calibrated",
        optimise,
    )
    p.add_argument("config", metavar="SCENARIO", help="a scenario file or a library scenario's name")
    p.add_argument("--state", required=True, help="the state whose levers are mixed (e.g. china, tajikistan)")
    p.add_argument(
        "--budget", required=True, type=float, metavar="USD_M", help="the most the mix may cost, USD M per year (> 0)"
    )
    p.add_argument(
        "--from",
        dest="from_year",
        required=True,
        type=int_in(1000, 9999, "a year, e.g. 2026"),
        metavar="YEAR",
        help="the year the mix starts (the scenario's own schedule before it); objectives are averaged from it",
    )
    p.add_argument(
        "--objectives",
        default=None,
        metavar="NAMES",
        help="comma-separated: 'cost' and national outcomes (default: stability_index,cost,attacks_on_chinese)",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help=f"a small search: population {QUICK['population']}, {QUICK['generations']} generations, "
        f"{QUICK['replicates']} replicates (unless given)",
    )
    p.add_argument(
        "--population", type=positive_int, default=None, help=f"mixes per generation (default {FULL['population']})"
    )
    p.add_argument(
        "--generations",
        type=int_in(0, 10_000, "a whole number >= 0"),
        default=None,
        help=f"generations after the first (default {FULL['generations']})",
    )
    batch_args(p, f"replicates per mix, the same seeds for every mix (default {FULL['replicates']})")
    p.set_defaults(replicates=None)
    set_option(p)
    parameters_arg(p, seeds_per_draw=1)


def settings(args: argparse.Namespace) -> dict[str, int]:
    """Population, generations and replicates: given, else ``--quick``'s, else the defaults."""
    base = QUICK if args.quick else FULL
    return {k: getattr(args, k) if getattr(args, k) is not None else v for k, v in base.items()}


def optimise(args: argparse.Namespace) -> int:
    from scenarios.analysis.summary import fmt, render_table
    from scenarios.cli.options import load_config, posterior_draws
    from scenarios.experiments.optimise import DEFAULT_OBJECTIVES, check_year, mix_problem
    from scenarios.experiments.optimise import optimise as run_optimisation
    from scenarios.experiments.progress import scenario_seconds
    from scenarios.experiments.results import join
    from scenarios.experiments.runner import default_out, executor_for
    from scenarios.reporting.optimisation import read_csv, robustness_items, write_optimisation_report

    check_batch_args(args)
    names = tuple(n.strip() for n in args.objectives.split(",") if n.strip()) if args.objectives else DEFAULT_OBJECTIVES
    problem = mix_problem(args.state, args.budget, names)  # bad state, budget or objective: exit 2 before loading
    scenario = load_config(args.config, list(args.overrides))
    check_year(scenario, args.from_year)
    s = settings(args)
    sets, record = None, None
    if args.parameters:  # a missing or damaged posterior is refused before any folder is made
        sets, record = posterior_draws(args.parameters, s["replicates"], args.seeds_per_draw)
        print(
            f"parameters: posterior {record['file']} ({record['particles']} particles); replicate i of every mix "
            f"uses draw i // {args.seeds_per_draw} and seed i",
            file=sys.stderr,
        )
    out: Any = args.out if args.out else default_out(f"optimise-{scenario.name}-{args.state}")
    mixes = s["population"] * (s["generations"] + 1) + 2
    confirm_cost(
        f"optimise: up to {mixes:,} mixes x {s['replicates']} replicate(s) over {len(problem.levers)} levers",
        mixes * s["replicates"],
        scenario_seconds(scenario),
        args.workers,
        args.yes,
    )
    with executor_for(args.executor, args.workers, args.scheduler) as pool:
        res = run_optimisation(
            scenario,
            args.state,
            args.budget,
            args.from_year,
            out,
            objectives=names,
            population=s["population"],
            generations=s["generations"],
            replicates=s["replicates"],
            seed=args.seed,
            parameters=sets,
            parameters_record=record,
            workers=pool.workers,
            executor=pool.executor,
            resume=args.resume,
            meta={"command": command_line()},
            progress=show_progress(args),
            executor_label=pool.label,
        )
    paths = write_optimisation_report(res.path)
    front = read_csv(res.path, "pareto.csv")
    shown = [o for o in problem.objectives if o.name != "cost"]
    header = ["mix", "cost [USD M/yr]", *(f"{o.name} [{o.unit}] (beats baseline)" for o in shown)]
    rows = [
        [
            str(int(r["mix"])),
            fmt(float(r["cost_musd_per_yr"])),
            *(f"{fmt(float(r[f'{o.name}_mean']))} ({float(r[f'{o.name}_beats_baseline']):.0%})" for o in shown),
        ]
        for _, r in front.iterrows()
    ]
    print(render_table(header, rows))
    base = res.manifest["baseline"]
    print(
        f"baseline (the scenario's own policy): cost {fmt(base['cost']['mean'])} USD M/yr, "
        + ", ".join(f"{o.name} {fmt(base[o.name]['mean'])}" for o in shown)
    )
    print("(beats baseline): share of replicates, paired by seed, in which the mix does better than the baseline")
    for line in robustness_items(res.manifest, front):
        print(line)
    print(f"pareto mixes: {join(res.path, 'pareto.csv')}  report: {paths['html']}")
    return EXIT_OK
