"""``scenarios check-model``: stylized facts and calibration targets, one table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scenarios.cli.options import EXIT_FAILED, EXIT_OK, SubParsers, command
from scenarios.errors import ScenarioError


def register(sub: SubParsers) -> None:
    p = command(
        sub,
        "check-model",
        "Run the validation suite: stylized facts (F1-F10) and calibration targets (C1-C5); print and save one table.",
        "scenarios check-model --quick\nscenarios check-model --only F5,C1",
        check_model,
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


def check_model(args: argparse.Namespace) -> int:
    from scenarios.analysis.summary import render_table
    from scenarios.experiments.checks import CHECKS, run_checks
    from scenarios.experiments.progress import Progress
    from scenarios.experiments.results import staged_folder
    from scenarios.experiments.runner import default_out
    from scenarios.reporting.checks import HEADER, check_rows, write_checks

    only = tuple(x.strip() for x in args.only.split(",") if x.strip()) if args.only else None
    known = {c.id for c in CHECKS}
    if only and not set(only) <= known:
        raise ScenarioError(
            f"unknown check id(s) {sorted(set(only) - known)}; allowed: {', '.join(c.id for c in CHECKS)}"
        )
    out = Path(args.out) if args.out else default_out("check-model")
    if out.exists():
        raise ScenarioError(f"{out} already exists; choose another --out")
    bar = Progress(len(only) if only else len(CHECKS), "checks", enabled=sys.stderr.isatty())

    def progress(cid: str) -> None:  # called as each check starts: count the one before it as done
        if bar.enabled:
            sys.stderr.write(f"\r{bar.line()} | checking {cid} ...   ")
            sys.stderr.flush()
        bar.done += 1

    results = run_checks(quick=args.quick, only=only, progress=progress)
    if bar.enabled:
        sys.stderr.write("\n")
    print(render_table(HEADER, check_rows(results)))
    with staged_folder(out) as partial:
        write_checks(partial, results)
    failed = [r.id for r in results if not r.passed]
    print(
        f"{len(results) - len(failed)}/{len(results)} checks passed"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    print(f"table: {out / 'checks.md'}")
    return EXIT_FAILED if failed else EXIT_OK
