"""The ``scenarios`` command line. Exit codes: 0 ok, 1 the run failed, 2 bad input, 130 interrupted."""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scenarios import __version__, registry
from scenarios.errors import ConfigError, ScenarioError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors name the subcommand's help and exit with 2 (bad input)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"error: {message}\n(see '{self.prog} --help')\n")


def _int_in(low: int, high: int, what: str) -> Any:
    """An argparse type: a whole number in [low, high], with a message naming what is allowed."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {what}, got {value}")
        return value

    return parse


_positive_int = _int_in(1, 10**9, "a whole number >= 1")
_port = _int_in(1, 65535, "a port number in 1-65535")
_seed = _int_in(0, 2**63 - 1, "a whole number in [0, 2^63)")


def _add(sub: argparse._SubParsersAction, name: str, help_: str, example: str) -> argparse.ArgumentParser:
    return sub.add_parser(
        name,
        help=help_,
        description=help_,
        epilog="example:\n" + textwrap.indent(example.strip(), "  "),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="scenarios",
        description="Agent-based scenarios of China-Tajikistan security cooperation (Mesa).",
        epilog=textwrap.dedent(
            """\
            examples:
              scenarios run configs/baseline.yaml
              scenarios validate configs/*.yaml
              scenarios levers
            exit codes: 0 ok, 1 run failed, 2 bad input, 130 interrupted"""
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"scenarios {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = _add(
        sub,
        "validate",
        "Check scenario files; report every problem with file, line and key.",
        "scenarios validate configs/baseline.yaml configs/security_first.yaml",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario YAML files")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value (repeatable), validated like the file",
    )

    p = _add(
        sub,
        "run",
        "Run a scenario (one run or an ensemble) and write a results folder.",
        "scenarios run configs/baseline.yaml --seed 7 --set years=5\n"
        "scenarios run configs/baseline.yaml --replicates 30 --workers 2",
    )
    p.add_argument("config", metavar="CONFIG", help="scenario YAML file")
    _batch_args(p, "replicates (default 1); seeds come from the root seed by SeedSequence.spawn")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value (repeatable), e.g. --set states.china.levers.financial_aid=0",
    )
    p.add_argument("--quiet", action="store_true", help="no progress line and no summary table")

    p = _add(
        sub,
        "levers",
        "List the 13 cooperation levers: unit, range, suppliers, lag, decay, channels, source.",
        "scenarios levers\nscenarios levers --format json",
    )
    p.add_argument("--format", choices=("table", "json"), default="table")

    p = _add(
        sub,
        "schema",
        "Print the JSON Schema of a scenario file (for editor completion).",
        "scenarios schema > scenario.schema.json",
    )

    p = _add(
        sub,
        "compare",
        "Compare scenarios with a baseline (the first file): paired statistics over common random numbers, and a report.",
        "scenarios compare configs/baseline.yaml configs/security_first.yaml --replicates 30\n"
        "scenarios compare configs/baseline.yaml configs/economy_first.yaml --precision 0.5",
    )
    p.add_argument("configs", nargs="+", metavar="CONFIG", help="baseline first, then the scenarios to compare with it")
    p.add_argument("--replicates", type=_positive_int, default=30, help="replicates per scenario (default 30)")
    p.add_argument("--workers", type=_positive_int, default=1, help="worker processes (default 1)")
    p.add_argument(
        "--seed", type=_seed, default=None, help="root seed shared by all scenarios (default: the baseline's)"
    )
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override applied to every scenario",
    )
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
    _executor_args(p)

    p = _add(
        sub,
        "report",
        "Regenerate a report (HTML + Markdown) from stored results, without rerunning.",
        "scenarios report results/compare-20261128-101500\nscenarios report results/baseline-20261128-101000",
    )
    p.add_argument("folder", metavar="RESULTS_DIR", help="a comparison folder or a run/ensemble folder")
    p.add_argument("--out", default=None, metavar="DIR", help="where to write (default: the folder itself)")

    p = _add(
        sub,
        "serve",
        "Serve the classroom (teacher console, team pages, debrief) and the explorer in the browser; works offline.",
        "scenarios serve\nscenarios serve --host 0.0.0.0 --port 8080   # open to the classroom network",
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; 0.0.0.0 opens it to the network)"
    )
    p.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    p.add_argument(
        "--db",
        default="results/classroom.sqlite",
        metavar="FILE",
        help="SQLite file of sessions (default results/classroom.sqlite)",
    )
    p.add_argument(
        "--configs",
        default="configs",
        metavar="DIR",
        help="scenario folder; exercises are in DIR/exercises (default configs)",
    )
    p.add_argument(
        "--pin",
        default=None,
        help="teacher's PIN (default: a random 12-character one, generated once and kept with the database)",
    )
    p.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the address students open, for join links and QR codes (default: this machine's network "
        "address when --host 0.0.0.0, else the address the teacher's browser used)",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name pages may be opened by (besides localhost and IP addresses); repeatable",
    )

    p = _add(
        sub,
        "sensitivity",
        "Global sensitivity of outcomes to the uncertainties and levers of a scenario's exploration: section (SALib).",
        "scenarios sensitivity configs/exploration.yaml --method morris --samples 20\n"
        "scenarios sensitivity configs/exploration.yaml --method sobol --samples 256 --outcomes stability_index",
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
        type=_positive_int,
        default=10,
        help="Morris trajectories, or Sobol base samples (a power of 2); runs = samples x (k + 1) or (k + 2)",
    )
    p.add_argument(
        "--outcomes",
        default=None,
        metavar="NAMES",
        help="comma-separated outcomes (default: the exploration section's)",
    )
    _batch_args(p, "replicates per design point, averaged (common random numbers)")

    p = _add(
        sub,
        "sweep",
        "Run levers x uncertainties of a scenario's exploration: section over a design; store one tidy table.",
        "scenarios sweep configs/exploration.yaml --design lhs --samples 200 --workers 2",
    )
    p.add_argument("config", metavar="CONFIG")
    p.add_argument(
        "--design",
        choices=("lhs", "factorial"),
        default="lhs",
        help="lhs: Latin hypercube of SAMPLES points; factorial: SAMPLES levels per factor",
    )
    p.add_argument("--samples", type=_positive_int, default=100)
    _batch_args(p, "replicates per design point (common random numbers)")

    p = _add(
        sub,
        "discover",
        "Scenario discovery with PRIM: which ranges of the swept inputs make an outcome fall below (or above) a threshold.",
        "scenarios discover results/sweep-20261128-101500 --outcome stability_index --below 80",
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

    p = _add(
        sub,
        "check-model",
        "Run the validation suite: stylized facts (MODEL.md 7) and calibration targets (MODEL.md 8); print and save one table.",
        "scenarios check-model --quick\nscenarios check-model --only F5,C1",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="20 seeds and shorter horizons (about a minute and a half on 2 cores); default 50 seeds (about 4 minutes)",
    )
    p.add_argument("--only", default=None, metavar="IDS", help="comma-separated check ids, e.g. F5,C1")
    p.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="folder for checks.csv and checks.md (default: results/check-model-<UTC time>)",
    )
    return parser


def _batch_args(p: argparse.ArgumentParser, replicates_help: str) -> None:
    """Options shared by commands that run many points: replicates, workers, seed, out, resume, executor."""
    p.add_argument("--replicates", type=_positive_int, default=1, help=replicates_help)
    p.add_argument("--workers", type=_positive_int, default=1, help="worker processes (default 1)")
    p.add_argument("--seed", type=_seed, default=None, help="root seed (default: the config's seed)")
    p.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="results folder (default: a new folder under results/ named after the scenario and the UTC time)",
    )
    p.add_argument("--resume", action="store_true", help="finish an interrupted run in DIR.partial (needs --out)")
    _executor_args(p)


def _executor_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--executor", choices=("local", "dask"), default="local", help="local processes (default) or Dask distributed"
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://host:8786 (default: a local Dask cluster)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``scenarios`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    handler = {
        "validate": _validate,
        "run": _run,
        "levers": _levers,
        "schema": _schema,
        "check-model": _check_model,
        "compare": _compare,
        "report": _report,
        "serve": _serve,
        "sensitivity": _sensitivity,
        "sweep": _sweep,
        "discover": _discover,
    }[args.command]
    try:
        return handler(args)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ScenarioError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(
            "\ninterrupted: finished replicates are kept in the .partial folder; rerun with --resume", file=sys.stderr
        )
        return EXIT_INTERRUPTED
    except Exception as err:  # an internal failure: short message, traceback only on request
        if os.environ.get("SCENARIOS_DEBUG"):
            raise
        print(f"run failed: {type(err).__name__}: {err} (set SCENARIOS_DEBUG=1 for the traceback)", file=sys.stderr)
        return EXIT_FAILED


# ---------------------------------------------------------------------------- commands


def _validate(args: argparse.Namespace) -> int:
    from scenarios.config import load_scenario

    failed = 0
    for f in args.files:
        try:
            sc = load_scenario(f, args.overrides)
        except ConfigError as err:
            failed += 1
            print(f"{f}: INVALID\n" + "\n".join(f"  - {p}" for p in err.problems), file=sys.stderr)
        else:
            print(f"{f}: ok ({sc.name}, {sc.years} years from {sc.start}, {sc.society.citizens} citizens)")
    return EXIT_BAD_INPUT if failed else EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from scenarios.analysis.summary import headline_rows, render_table
    from scenarios.config import load_scenario
    from scenarios.runner import default_out, executor_for, run_ensemble

    scenario = load_scenario(args.config, args.overrides)
    if args.resume and not args.out:
        raise ScenarioError("--resume needs --out DIR: the folder of the interrupted run")
    out = Path(args.out) if args.out else default_out(scenario.name)
    show = not args.quiet
    if show:
        print(
            f"running {scenario.name}: {args.replicates} replicate(s), {scenario.years} years weekly, "
            f"{scenario.society.citizens:,} citizens, seed {scenario.seed if args.seed is None else args.seed}",
            file=sys.stderr,
        )
    with executor_for(args.executor, args.workers, args.scheduler) as (executor, label):
        result = run_ensemble(
            scenario,
            out,
            replicates=args.replicates,
            seed=args.seed,
            workers=args.workers,
            executor=executor,
            resume=args.resume,
            overrides=tuple(args.overrides),
            command=["scenarios", *sys.argv[1:]],
            progress=show and sys.stderr.isatty(),
            executor_label=label,
        )
    if show:
        header = ["outcome", "unit", f"first year ({scenario.start[:4]})", "last year", "mean per year"]
        print(render_table(header, headline_rows(result.per_replicate)))
        if args.replicates > 1:
            print("(± is the half-width of the 95% CI of the mean over replicates)")
    print(f"results: {result.path}  ({result.manifest['duration_seconds']:.1f} s)")
    return EXIT_OK


def _levers(args: argparse.Namespace) -> int:
    from scenarios.analysis.summary import render_table

    levers = registry.levers()
    if args.format == "json":
        print(json.dumps([lv.model_dump() for lv in levers.values()], indent=2))
        return EXIT_OK
    rows = []
    for lv in levers.values():
        channels = ", ".join(f"{k} {v:g}" for k, v in lv.effects.items()) or "funds other levers"
        rows.append(
            [
                lv.name,
                lv.unit,
                f"{lv.min:g}-{lv.max:g}",
                ",".join(lv.suppliers),
                str(lv.lag_weeks),
                f"{lv.decay_weeks:g}",
                f"{lv.half_saturation:g}",
                channels,
            ]
        )
    print(
        render_table(
            ["lever", "unit", "range", "suppliers", "lag wk", "decay wk", "half-sat", "channels (weight)"], rows
        )
    )
    print("\nArticle passages and notes: scenarios levers --format json; mechanisms: docs/model.md")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from scenarios.config import json_schema

    print(json.dumps(json_schema(), indent=2))
    return EXIT_OK


def _check_model(args: argparse.Namespace) -> int:
    from scenarios.analysis.summary import fmt, render_table
    from scenarios.checks import CHECKS, run_checks
    from scenarios.runner import default_out

    only = tuple(x.strip() for x in args.only.split(",") if x.strip()) if args.only else None
    known = {c.id for c in CHECKS}
    if only and not set(only) <= known:
        raise ScenarioError(
            f"unknown check id(s) {sorted(set(only) - known)}; allowed: {', '.join(c.id for c in CHECKS)}"
        )
    out = Path(args.out) if args.out else default_out("check-model")
    if out.exists():
        raise ScenarioError(f"{out} already exists; choose another --out")

    def progress(check_id: str) -> None:
        print(f"checking {check_id} ...", file=sys.stderr, flush=True)

    results = run_checks(quick=args.quick, only=only, progress=progress)
    rows = [
        [
            r.id,
            r.title,
            fmt(r.measured),
            f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]",
            r.expected,
            "PASS" if r.passed else "FAIL",
            r.source,
        ]
        for r in results
    ]
    header = ["id", "check", "measured", "95% CI", "expected", "result", "source"]
    print(render_table(header, rows))
    tmp = out.with_name(out.name + ".partial")
    tmp.mkdir(parents=True, exist_ok=True)
    import csv

    with open(tmp / "checks.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["id", "check", "kind", "measured", "ci_low", "ci_high", "expected", "passed", "source", "detail", "seeds"]
        )
        for r in results:
            w.writerow(
                [
                    r.id,
                    r.title,
                    r.kind,
                    r.measured,
                    r.ci_low,
                    r.ci_high,
                    r.expected,
                    r.passed,
                    r.source,
                    r.detail,
                    r.seeds,
                ]
            )
    md = ["| id | check | measured | 95% CI | expected | result | source |", "|---|---|---|---|---|---|---|"]
    md += ["| " + " | ".join(row) + " |" for row in rows]
    md += ["", "Details:", ""] + [f"- **{r.id}** {r.detail}" for r in results]
    (tmp / "checks.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    tmp.rename(out)
    failed = [r.id for r in results if not r.passed]
    print(
        f"{len(results) - len(failed)}/{len(results)} checks passed"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    print(f"table: {out / 'checks.md'}")
    return EXIT_FAILED if failed else EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    from scenarios.analysis.summary import HEADLINE, fmt, render_table
    from scenarios.config import load_scenario, scenario_dict
    from scenarios.report import build_comparison
    from scenarios.results import config_hash
    from scenarios.runner import default_out, executor_for, find_stored, run_ensemble

    if args.precision is not None and not args.precision > 0:
        raise ScenarioError(f"--precision must be a positive half-width, got {args.precision}")
    if args.precision_outcome not in HEADLINE:
        raise ScenarioError(f"--precision-outcome {args.precision_outcome!r} is not one of: {', '.join(HEADLINE)}")
    problems = []
    scenarios = []
    for f in args.configs:
        try:
            scenarios.append(load_scenario(f, args.overrides))
        except ConfigError as err:
            problems.extend(err.problems)
    if problems:
        raise ConfigError(problems)
    root = scenarios[0].seed if args.seed is None else args.seed
    out = Path(args.out) if args.out else default_out("compare", args.results)
    if out.exists():
        raise ScenarioError(f"{out} already exists; choose another --out")
    folders = []
    with executor_for(args.executor, args.workers, args.scheduler) as (executor, label):
        for sc in scenarios:
            stored = find_stored(args.results, config_hash(scenario_dict(sc)), root, args.replicates)
            if stored is not None:
                print(f"{sc.name}: reusing {stored}", file=sys.stderr)
                folders.append(stored)
                continue
            print(f"{sc.name}: running {args.replicates} replicates", file=sys.stderr)
            res = run_ensemble(
                sc,
                default_out(sc.name, args.results),
                replicates=args.replicates,
                seed=root,
                workers=args.workers,
                executor=executor,
                overrides=tuple(args.overrides),
                command=["scenarios", *sys.argv[1:]],
                progress=sys.stderr.isatty(),
                executor_label=label,
            )
            folders.append(res.path)
    partial = out.with_name(out.name + ".partial")
    rows, notes, _ = build_comparison(
        folders, partial, precision=args.precision, precision_outcome=args.precision_outcome
    )
    partial.rename(out)
    shown = [
        r
        for r in rows
        if r.outcome
        in ("stability_index", "casualties", "seizures_t", "unrest_active_share", "legitimacy", "china_influence_share")
    ]
    table = [
        [
            r.outcome,
            r.scenario,
            f"{fmt(r.mean)} [{fmt(r.ci_low)}, {fmt(r.ci_high)}]",
            ""
            if r.diff is None
            else f"{fmt(r.diff)} [{fmt(r.diff_low)}, {fmt(r.diff_high)}]{' *' if r.significant else ''}",
        ]
        for r in shown
    ]
    print(render_table(["outcome", "scenario", "mean [95% CI]", "diff vs baseline [95% CI]"], table))
    print("* significant at 5% after Holm-Bonferroni correction; all outcomes in the report")
    for n in notes:
        print("note:", n)
    print(f"report: {out / 'report.html'}  (Markdown: {out / 'report.md'})")
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from scenarios.report import build_comparison
    from scenarios.results import load_manifest

    folder = Path(args.folder)
    if not folder.is_dir():
        raise ScenarioError(f"{folder} is not a folder")
    spec_file = folder / "comparison.json"
    if spec_file.is_file():
        spec = json.loads(spec_file.read_text(encoding="utf-8"))
        folders = [Path(f) for f in spec["folders"]]
        precision, outcome = spec.get("precision"), spec.get("precision_outcome", "stability_index")
    else:
        load_manifest(folder)  # raises a clear error if this is not a results folder
        folders, precision, outcome = [folder], None, "stability_index"
    out = Path(args.out) if args.out else folder
    _, _, paths = build_comparison(folders, out, precision=precision, precision_outcome=outcome)
    print(f"report: {paths['html']}  (Markdown: {paths['markdown']})")
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from scenarios.web.app import create_app, lan_address

    configs = Path(args.configs)
    if not (configs / "exercises").is_dir():
        raise ScenarioError(f"{configs / 'exercises'} is not a folder of exercise configs (use --configs DIR)")
    if args.pin is not None and len(args.pin) < 4:
        raise ScenarioError("--pin must have at least 4 characters")
    public = args.public_url
    if public is None and args.host in ("0.0.0.0", "::"):
        lan = lan_address()
        public = f"http://{lan}:{args.port}" if lan else None
    app = create_app(args.db, configs, args.pin, allowed_hosts=args.allow_host, warm_up=True, public_url=public)
    pin = app.state.pin
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(
        f"scenarios classroom: http://{shown}:{args.port}/  (teacher's PIN: {pin}; sessions in {args.db})", flush=True
    )
    link = app.state.room.store.new_teacher_link()
    print(f"teacher's one-time login link: http://{shown}:{args.port}/teacher/enter/{link}", flush=True)
    if args.host in ("0.0.0.0", "::"):
        print(
            f"listening on all interfaces: students open {public or "this machine's address on the classroom network"}",
            flush=True,
        )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return EXIT_OK


def _exploration_run(args: argparse.Namespace, kind: str) -> tuple[object, Path]:
    from scenarios.config import load_scenario
    from scenarios.exploration import factorial, factors_of, lhs, run_design
    from scenarios.runner import default_out, executor_for

    overrides = []
    if getattr(args, "outcomes", None):
        names = [n.strip() for n in args.outcomes.split(",") if n.strip()]
        overrides.append("exploration.outcomes=" + json.dumps(names))
    scenario = load_scenario(args.config, overrides)
    factors = factors_of(scenario)
    if args.resume and not args.out:
        raise ScenarioError("--resume needs --out DIR: the folder of the interrupted run")
    seed = scenario.seed if args.seed is None else args.seed
    meta: dict = {"command": ["scenarios", *sys.argv[1:]]}
    if kind == "sweep":
        design = lhs(factors, args.samples, seed) if args.design == "lhs" else factorial(factors, args.samples)
        meta.update(design=args.design, samples=args.samples)
    else:
        from scenarios.analysis.sensitivity import Problem, morris_design, sobol_design

        problem = Problem(tuple(f.name for f in factors), tuple((f.low, f.high) for f in factors))
        if args.method == "sobol" and args.samples & (args.samples - 1):
            raise ScenarioError(f"--samples for sobol must be a power of 2 (e.g. 64, 128, 256), got {args.samples}")
        design = (
            morris_design(problem, args.samples, seed)
            if args.method == "morris"
            else sobol_design(problem, args.samples, seed)
        )
        meta.update(method=args.method, samples=args.samples)
    out = Path(args.out) if args.out else default_out(f"{kind}-{scenario.name}")
    print(
        f"{kind}: {design.shape[0]} points x {args.replicates} replicate(s) over {len(factors)} factors",
        file=sys.stderr,
    )

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\rpoints {done}/{total}   ")
            sys.stderr.flush()

    with executor_for(args.executor, args.workers, args.scheduler) as (executor, _):
        path = run_design(
            scenario,
            factors,
            design,
            out,
            replicates=args.replicates,
            seed=seed,
            workers=args.workers,
            executor=executor,
            resume=args.resume,
            meta=meta,
            progress=progress,
        )
    return scenario, path


def _sensitivity(args: argparse.Namespace) -> int:
    from scenarios.analysis.summary import render_table
    from scenarios.explore_report import sensitivity_tables, write_sensitivity_report

    _, path = _exploration_run(args, "sensitivity")
    paths = write_sensitivity_report(path)
    manifest, rows = sensitivity_tables(path)
    key = "mu_star" if manifest["method"] == "morris" else "ST"
    rows.sort(key=lambda r: (r["outcome"], -r[key]))
    cols = (
        ["outcome", "factor", "mu_star", "sigma"]
        if key == "mu_star"
        else ["outcome", "factor", "S1", "S1_conf", "ST", "ST_conf"]
    )
    print(render_table(cols, [[r[c] if isinstance(r[c], str) else f"{r[c]:.4g}" for c in cols] for r in rows]))
    print(f"report: {paths['html']}  (indices: {paths['csv']})")
    return EXIT_OK


def _sweep(args: argparse.Namespace) -> int:
    _, path = _exploration_run(args, "sweep")
    print(f"sweep table: {path / 'sweep.parquet'}  (design: {path / 'design.parquet'})")
    return EXIT_OK


def _discover(args: argparse.Namespace) -> int:
    from scenarios.explore_report import discover

    folder = Path(args.folder)
    below = args.below is not None
    threshold = args.below if below else args.above
    if not 0 < args.min_coverage <= 1:
        raise ScenarioError(f"--min-coverage must be in (0, 1], got {args.min_coverage}")
    try:
        res = discover(folder, args.outcome, threshold, below, args.min_coverage)
    except ValueError as err:
        raise ScenarioError(str(err)) from None
    print(f"{res['cases']} of {res['runs']} runs have {res['condition']}.")
    print("box:" if res["box"] else "box: no input is restricted (the cases are spread over the whole space)")
    for line in res["box"]:
        print("  " + line)
    print(f"coverage {res['coverage']:.2f}, density {res['density']:.2f}, mass {res['mass']:.2f}")
    print(f"details: {folder / 'discovery.md'}")
    return EXIT_OK
