"""``scenarios check-model``: the validation suite (stylized facts, calibration, lever effects, stress cases), one table."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from scenarios.cli.options import EXIT_FAILED, EXIT_OK, SubParsers, command, int_in, positive_int
from scenarios.errors import ScenarioError


def register(sub: SubParsers) -> None:
    p = command(
        sub,
        "check-model",
        "Run the validation suite: stylized facts (F1-F10), the baseline's regime (B1-B4: effective R0 by region, "
        "drift, where protest happens, legitimacy sensitivity), calibration targets (C1-C5), the full model's lever "
        "effects raised mid-course from 2025 (L:lever@state), stress orderings (S1-S3), surveillance regions "
        "(R1-R2), Chinese presence (P1), magnitudes (M1-M5), held-out years (H1) and the adaptive baseline (A1); "
        "print and save one table.",
        "scenarios check-model --quick\nscenarios check-model --only F5,C1,S1\n"
        "scenarios check-model --quick --write-docs docs/validation.md",
        check_model,
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="20 seeds, 2,000 citizens, 4-year magnitude runs, 3-year surveillance-region runs, 7-year stress "
        "runs, China's levers raised from 2025 in runs to 2028; default 30 seeds, 3,000 citizens, 6 and 8 years, "
        "every supplier's levers in runs to 2030 plus the whole-run lever table",
    )
    p.add_argument("--workers", type=positive_int, default=2, help="processes for the full-model ensembles (default 2)")
    p.add_argument(
        "--robustness",
        type=int_in(0, 10**6, "a number of trajectories >= 0"),
        default=0,
        metavar="TRAJECTORIES",
        help="also screen the coupling parameters with Morris (this many trajectories) for the main lever conclusions",
    )
    p.add_argument(
        "--write-docs",
        default=None,
        metavar="FILE",
        help="also write this validation document (docs/validation.md) from the table written",
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
    from scenarios.experiments.checks import CHECKS, UNCERTAIN, Design, morris_robustness, run_checks, suite_tables
    from scenarios.experiments.progress import Progress
    from scenarios.experiments.results import staged_folder
    from scenarios.experiments.runner import default_out
    from scenarios.reporting.checks import HEADER, check_rows, validation_doc, write_checks

    only = tuple(x.strip() for x in args.only.split(",") if x.strip()) if args.only else None
    known = {c.id for c in CHECKS}
    if only and not set(only) <= known:
        raise ScenarioError(
            f"unknown check id(s) {sorted(set(only) - known)}; allowed: {', '.join(c.id for c in CHECKS)}"
        )
    out = Path(args.out) if args.out else default_out("check-model")
    if out.exists():
        raise ScenarioError(f"{out} already exists; choose another --out")
    if args.write_docs and not Path(args.write_docs).resolve().parent.is_dir():
        raise ScenarioError(f"--write-docs {args.write_docs}: its folder does not exist (nothing was run)")
    design = replace(Design.for_mode(args.quick), workers=args.workers)
    bar = Progress(len(only) if only else len(CHECKS), "checks", enabled=sys.stderr.isatty())

    def progress(cid: str) -> None:  # called as each check starts: count the one before it as done
        if bar.enabled:
            sys.stderr.write(f"\r{bar.line()} | checking {cid} ...   ")
            sys.stderr.flush()
        else:
            print(f"checking {cid} ...", file=sys.stderr, flush=True)
        bar.done += 1

    started = time.perf_counter()
    results = run_checks(
        quick=args.quick,
        only=only,
        progress=progress,
        design=design,
    )
    if bar.enabled:
        sys.stderr.write("\n")
    tables = suite_tables(results, design)
    minutes = (time.perf_counter() - started) / 60
    robustness, robustness_note = [], ""
    if args.robustness:
        t0 = time.perf_counter()
        robust_design = replace(design, seeds=2, citizens=1500)
        robustness = morris_robustness(robust_design, args.robustness)
        robustness_note = (
            f"Morris design over {len(UNCERTAIN)} coupling parameters (their ranges in parameters.yaml), "
            f"{args.robustness} trajectories = {robustness[0].points} points; at each point the baseline and each "
            f"lever at its strong dose, {robust_design.seeds} paired seeds, {robust_design.citizens:,} citizens, "
            f"{robust_design.years} years: {(time.perf_counter() - t0) / 60:.1f} minutes on {design.workers} workers. "
            "A conclusion survives when its effect has the expected sign at every point."
        )
    timing = (
        f"Run: `scenarios check-model{' --quick' if args.quick else ''}`, {len(results)} checks, {design.seeds} seeds, "
        f"{design.citizens:,} citizens, {design.years}-year magnitude runs, "
        f"{design.region_years or design.years}-year surveillance-region runs, {design.mid_course_years}-year mid-course "
        f"lever runs, {design.stress_years}-year stress runs, "
        f"{design.workers} workers: {minutes:.1f} minutes ({datetime.now(UTC):%Y-%m-%d})."
    )
    print(render_table(HEADER, check_rows(results)))
    with staged_folder(out) as partial:
        write_checks(partial, results, tables, timing, robustness, robustness_note)
    if args.write_docs:
        target = Path(args.write_docs)
        previous = target.read_text(encoding="utf-8") if target.exists() else ""
        target.write_text(
            validation_doc((out / "checks.md").read_text(encoding="utf-8"), previous=previous), encoding="utf-8"
        )
        print(f"wrote {args.write_docs}")
    print(timing)
    failed = [r.id for r in results if r.passed is False]
    reported = sum(r.passed is None for r in results)
    print(
        f"{len(results) - len(failed) - reported}/{len(results) - reported} checks passed, {reported} report only"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    print(f"table: {out / 'checks.md'}")
    return EXIT_FAILED if failed else EXIT_OK
