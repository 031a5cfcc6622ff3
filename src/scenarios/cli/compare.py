"""``scenarios compare`` (scenarios against a baseline, paired) and ``scenarios report`` (regenerate)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scenarios.cli.options import (
    EXIT_OK,
    SubParsers,
    command,
    command_line,
    confirm_cost,
    executor_args,
    int_in,
    parameters_arg,
    positive_int,
    replicates_count,
    seed,
    set_option,
    show_progress,
    yes_arg,
)
from scenarios.errors import ConfigError, ScenarioError

if TYPE_CHECKING:
    from scenarios.analysis.compare import Window


def register(sub: SubParsers) -> None:
    p = command(
        sub,
        "compare",
        "Compare scenarios with a baseline (the first file): paired statistics over common random numbers, and a report.",
        "scenarios compare baseline security_first --replicates 30\n"
        "scenarios compare baseline economy_first --precision 0.5\n"
        "scenarios compare baseline security_first economy_first --from 2025 --payer china",
        compare,
    )
    p.add_argument(
        "configs",
        nargs="+",
        metavar="CONFIG",
        help="baseline first, then the scenarios to compare with it (files or library names)",
    )
    p.add_argument("--replicates", type=replicates_count, default=30, help="replicates per scenario (default 30)")
    p.add_argument("--workers", type=positive_int, default=1, help="worker processes (default 1)")
    p.add_argument(
        "--seed", type=seed, default=None, help="root seed shared by all scenarios (default: the baseline's)"
    )
    set_option(p, "override applied to every scenario")
    p.add_argument(
        "--precision",
        type=float,
        default=None,
        metavar="H",
        help="wanted half-width of the 95%% CI of --precision-outcome; says how many replicates that needs",
    )
    p.add_argument(
        "--precision-outcome",
        default="stability_index",
        metavar="NAME",
        help="outcome for --precision (default stability_index)",
    )
    p.add_argument(
        "--results", default="results", metavar="DIR", help="where ensembles are stored and reused (default results/)"
    )
    p.add_argument("--out", default=None, metavar="DIR", help="comparison folder (default: results/compare-<UTC time>)")
    window_args(p)
    payer_arg(p)
    p.add_argument(
        "--resume",
        action="store_true",
        help="finish ensembles of an interrupted comparison (found in --results by config, seed and replicates)",
    )
    yes_arg(p)
    executor_args(p)
    parameters_arg(p)
    p.add_argument(
        "--seeds-per-draw",
        type=int_in(1, 1000, "a whole number in 1-1000"),
        default=2,
        help="with --parameters: seeds run per posterior draw (default 2: replicate i uses draw i // 2), so the "
        "report can separate seed noise from parameter uncertainty",
    )
    p.add_argument(
        "--explain",
        nargs="?",
        const="all",
        default=None,
        metavar="COUPLINGS",
        help="also decompose each difference by coupling: paired knockouts of the couplings of docs/model.md 7.7 "
        "(all, or a comma-separated list of names of spec/data/knockouts.yaml), with the remainder interactions "
        "leave; runs 2 more ensembles per coupling and scenario",
    )

    p = command(
        sub,
        "report",
        "Regenerate a report (HTML + Markdown) from stored results, without rerunning.",
        "scenarios report results/compare-20261128-101500\nscenarios report results/baseline-20261128-101000",
        report,
    )
    p.add_argument("folder", metavar="RESULTS_DIR", help="a comparison folder or a run/ensemble folder")
    p.add_argument("--out", default=None, metavar="DIR", help="where to write (default: the folder itself)")
    window_args(p, "(default: the window the comparison was made with)")
    payer_arg(p, "(default: the one the comparison was made with)")


def window_args(p: argparse.ArgumentParser, default: str = "(default: the whole run)") -> None:
    """``--from YEAR``, ``--to YEAR``, ``--last-year``: the years the report's statistics cover."""
    year = int_in(1900, 2200, "a year like 2026")
    p.add_argument(
        "--from", dest="year_from", type=year, default=None, metavar="YEAR", help="first year of the window " + default
    )
    p.add_argument("--to", dest="year_to", type=year, default=None, metavar="YEAR", help="last year of the window")
    p.add_argument("--last-year", action="store_true", help="statistics of the last simulated year only")


def payer_arg(p: argparse.ArgumentParser, default: str = "(default: all states)") -> None:
    """``--payer``: whose extra spending cost-effectiveness is per 100 USD M/yr of."""
    p.add_argument(
        "--payer",
        default=None,
        metavar="all|STATE",
        help="cost-effectiveness per 100 USD M/yr of this state's extra spending (china, russia, tajikistan, sco), "
        "or all states' " + default,
    )


def payer_of(args: argparse.Namespace, stored: str | None = None) -> str:
    """The payer the options ask for (``all`` is all states), else the stored one, else all states.

    Raises:
        ScenarioError: a payer that is not ``all`` or a state with recorded spending.
    """
    from scenarios.analysis.costs import ALL_STATES, spending_outcomes

    if args.payer is None:
        return stored or ALL_STATES
    if args.payer == "all":
        return ALL_STATES
    if args.payer not in spending_outcomes():
        raise ScenarioError(f"--payer {args.payer!r}: allowed: all, {', '.join(spending_outcomes())}")
    return str(args.payer)


def window_of(args: argparse.Namespace, stored: dict[str, Any] | None = None) -> Window:
    """The report window the options ask for (or the stored one when none is given)."""
    from scenarios.analysis.compare import Window

    if args.last_year and (args.year_from is not None or args.year_to is not None):
        raise ScenarioError("--last-year takes no --from/--to: choose a span or the last year")
    if stored and not (args.last_year or args.year_from is not None or args.year_to is not None):
        return Window(stored.get("from"), stored.get("to"), bool(stored.get("last_year")))
    return Window(args.year_from, args.year_to, args.last_year)


def load_all(files: list[str], overrides: list[str]) -> list[Any]:
    """Load every scenario, collecting the problems of all files into one config error."""
    from scenarios.cli.options import load_config

    problems, scenarios = [], []
    for f in files:
        try:
            scenarios.append(load_config(f, overrides))
        except ConfigError as err:
            problems.extend(err.problems)
    if problems:
        raise ConfigError(problems)
    return scenarios


def ensembles(args: argparse.Namespace, scenarios: list[Any], root: int) -> list[Path]:
    """One ensemble folder per scenario: reused, resumed (``--resume``) or run (:func:`plan_ensembles`)."""
    from scenarios.experiments.progress import scenario_seconds
    from scenarios.experiments.runner import executor_for, plan_ensembles, run_ensemble

    sets, record = None, None
    if getattr(args, "parameters", None):
        from scenarios.calibration.posterior import ensemble_parameters

        if args.replicates % args.seeds_per_draw:
            raise ScenarioError(
                f"--replicates {args.replicates} must be a multiple of --seeds-per-draw {args.seeds_per_draw}"
            )
        sets, record = ensemble_parameters(args.parameters, args.replicates, args.seeds_per_draw)
        print(
            f"parameters: posterior {record['file']}; replicate i of every scenario uses draw "
            f"i // {args.seeds_per_draw} and seed i",
            file=sys.stderr,
        )
    plans = plan_ensembles(
        scenarios, args.results, root, args.replicates, args.resume, None if record is None else record["key"]
    )
    runs = [p.scenario for p in plans if p.action != "reuse"]
    if runs:
        confirm_cost(
            f"{len(runs)} ensemble(s) x {args.replicates:,} replicates",
            len(runs) * args.replicates,
            max(scenario_seconds(sc) for sc in runs),
            args.workers,
            args.yes,
        )
    folders = []
    with executor_for(args.executor, args.workers, args.scheduler) as pool:
        for plan in plans:
            name = plan.scenario.name
            if plan.warning:
                print(f"warning: {plan.warning}", file=sys.stderr)
            if plan.action == "reuse":
                print(f"{name}: reusing {plan.path}", file=sys.stderr)
                folders.append(plan.path)
                continue
            verb = f"resuming {plan.path}" if plan.action == "resume" else "running"
            print(f"{name}: {verb} ({args.replicates} replicates)", file=sys.stderr)
            res = run_ensemble(
                plan.scenario,
                plan.path,
                replicates=args.replicates,
                seed=root,
                workers=pool.workers,
                executor=pool.executor,
                resume=plan.action == "resume",
                overrides=tuple(args.overrides),
                command=command_line(),
                progress=show_progress(args),
                executor_label=pool.label,
                parameter_sets=sets,
                parameters_record=record,
            )
            folders.append(Path(res.path))
    return folders


def compare(args: argparse.Namespace) -> int:
    import numpy as np

    from scenarios.analysis.summary import HEADLINE, render_table
    from scenarios.experiments.results import make_portable, staged_folder
    from scenarios.experiments.runner import check_compare_locations, default_out
    from scenarios.reporting.comparison import build_comparison, console_costs, console_rows

    if args.precision is not None and not args.precision > 0:
        raise ScenarioError(f"--precision must be a positive half-width, got {args.precision}")
    if args.precision_outcome not in HEADLINE:
        raise ScenarioError(f"--precision-outcome {args.precision_outcome!r} is not one of: {', '.join(HEADLINE)}")
    window = window_of(args)
    payer = payer_of(args)  # refused before anything runs
    check_compare_locations(args.out, args.results)
    scenarios = load_all(args.configs, args.overrides)
    first = int(scenarios[0].start[:4])
    try:  # a window outside the run is refused before anything runs
        window.mask(np.arange(first, first + scenarios[0].years))
    except ValueError as err:
        raise ScenarioError(str(err)) from None
    out = Path(args.out) if args.out else default_out("compare", args.results)
    if out.exists():
        raise ScenarioError(f"{out} already exists; choose another --out")
    if args.explain:
        chosen_knockouts(args.explain)  # an unknown name is refused before anything runs
    root = scenarios[0].seed if args.seed is None else args.seed
    folders = ensembles(args, scenarios, root)
    extra = (explained(args, scenarios, folders, root, window),) if args.explain else ()
    with staged_folder(out) as partial:
        built = build_comparison(
            folders,
            partial,
            precision=args.precision,
            precision_outcome=args.precision_outcome,
            window=window,
            extra_sections=extra,
            payer=payer,
        )
        make_portable(partial)
    header, table = console_rows(built.rows)
    print(render_table(header, table))
    print("intervals and 'better'/'worse' adjusted for every comparison made (Bonferroni); all outcomes in the report")
    for header, table in console_costs(built.spending, built.effects):
        print()
        print(render_table(header, table))
    whose = "all states'" if payer == "all states" else f"{payer}'s"
    print(
        f"spending: mean per year over the window; per 100 USD M/yr: change per 100 USD M/yr of {whose} extra spending"
    )
    for n in built.notes:
        print("note:", n)
    if args.parameters:  # posterior ensembles: seed noise against parameter uncertainty, and robustness
        from scenarios.reporting.comparison import load_scenario_data, uncertainty_section

        section = uncertainty_section([load_scenario_data(f) for f in folders], window)
        if section is not None and section.table is not None:
            print(
                render_table([str(h) for h in section.table.header], [[str(c) for c in r] for r in section.table.rows])
            )
    print(f"report: {out / 'report.html'}  (Markdown: {out / 'report.md'})")
    return EXIT_OK


def chosen_knockouts(text: str) -> list[Any]:
    """The knockouts ``--explain`` names (``all``, or names separated by commas)."""
    from scenarios.analysis.explain import knockouts

    declared = {k.name: k for k in knockouts()}
    if text == "all":
        return list(declared.values())
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in declared]
    if unknown or not names:
        raise ScenarioError(
            f"--explain {text}: unknown couplings {unknown}; allowed: all, or some of {', '.join(declared)}"
        )
    return [declared[n] for n in names]


def explained(args: argparse.Namespace, scenarios: list[Any], folders: list[Path], root: int, window: Window) -> Any:
    """``--explain``: run every knockout variant (reusing stored ones), decompose each difference, print the
    main parts and return the report's section."""
    import numpy as np

    from scenarios.analysis.compare import window_values
    from scenarios.analysis.explain import FULL, explain_against_first, variants
    from scenarios.analysis.summary import render_table
    from scenarios.reporting.comparison import HEADLINE_VIEW, explanation_section, load_scenario_data

    chosen = chosen_knockouts(args.explain)
    by_scenario = [variants(sc, chosen) for sc in scenarios]
    others = [v for vs in by_scenario for name, v in vs.items() if name != FULL]
    print(f"--explain: {len(others)} knockout ensembles ({len(by_scenario[0]) - 2} couplings)", file=sys.stderr)
    ko_folders = iter(ensembles(args, others, root))
    values = []
    for vs, full in zip(by_scenario, folders, strict=True):
        got = {}
        for name in vs:
            d = load_scenario_data(full if name == FULL else next(ko_folders))
            got[name] = window_values(d.yearly, d.years, window)
        values.append(got)
    found = explain_against_first(values, [sc.name for sc in scenarios], HEADLINE_VIEW, chosen)
    table = []
    for e in found:
        top = [p for p in sorted(e.parts, key=lambda p: -abs(p.mean)) if np.any(p.values != 0)][:2]
        named = [f"{p.name} {p.mean:+.3g}" for p in top] + ["-"] * (2 - len(top))
        table.append(
            [e.scenario, e.outcome, f"{e.total.mean:+.4g}", f"{e.direct.mean:+.4g}", *named, f"{e.remainder.mean:+.4g}"]
        )
    print(render_table(["scenario", "outcome", "total", "direct", "largest part", "next part", "remainder"], table))
    return explanation_section(found)


def report(args: argparse.Namespace) -> int:
    from scenarios.experiments.results import ensembles_of, load_manifest
    from scenarios.reporting.comparison import build_comparison

    folder = Path(args.folder)
    if not folder.is_dir():
        raise ScenarioError(f"{folder} is not a folder")
    spec_file = folder / "comparison.json"
    if spec_file.is_file():
        spec = json.loads(spec_file.read_text(encoding="utf-8"))
        folders = [Path(f) for f in ensembles_of(folder)]
        precision, outcome = spec.get("precision"), spec.get("precision_outcome", "stability_index")
        window = window_of(args, spec.get("window"))
        payer = payer_of(args, spec.get("payer"))
    else:
        load_manifest(folder)  # raises a clear error if this is not a results folder
        folders, precision, outcome = [folder], None, "stability_index"
        window = window_of(args)
        payer = payer_of(args)
    out = Path(args.out) if args.out else folder
    paths = build_comparison(
        folders, out, precision=precision, precision_outcome=outcome, window=window, payer=payer
    ).paths
    print(f"report: {paths['html']}  (Markdown: {paths['markdown']})")
    return EXIT_OK
