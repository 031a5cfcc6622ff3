"""Which mid-course lever effects survive the posterior: the share of draws with the expected sign.

China raises each lever that declares a literature sign (levers.yaml ``expected_sign``) to its strong
dose from 2025, stocks built through their lags as in check-model's mid-course checks; for each of
DRAWS equally weighted draws of a posterior (systematic resampling, as ``--parameters`` does) and
SEEDS seeds, the paired difference (lever - baseline, same draw and seed) per year over 2026-27 of
the outcome the sign is about. Prints a Markdown table (docs/validation.md quotes it).

    .venv/bin/python -m scripts.lever_survival [POSTERIOR] [DRAWS] [SEEDS] [WORKERS]

POSTERIOR defaults to ``calibrated`` (the shipped one); 8 draws x 2 seeds x 11 scenarios = 176 runs.
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from scenarios.calibration.posterior import parameter_sets, read_posterior, resolve
from scenarios.experiments.checks.core import Design
from scenarios.experiments.checks.levers import EXPECTED_SIGN, mid_course
from scenarios.model.model import simulate
from scenarios.spec.config import derive
from scenarios.spec.outcomes import national

YEARS = 7  # 2021-2027
WINDOW = (5, 6)  # 2026 and 2027, years after the 2025 start


def _design() -> Design:
    quick = Design.for_mode(True)
    return Design(quick.seeds, quick.years, quick.citizens, quick.stress_years, mid_course_years=YEARS)


def _yearly(values: np.ndarray, summary: str) -> float:
    years = [values[y * 52 : (y + 1) * 52] for y in WINDOW]
    return float(np.mean([v.sum() if summary == "sum" else v.mean() for v in years]))


def _job(args: tuple[str, dict[str, float], int]) -> dict[str, float]:
    label, params, seed = args
    design = _design()
    overrides = {f"parameters__{k}": v for k, v in params.items()}
    if label == "baseline":
        scenario = derive(design.baseline(YEARS), **overrides)
    else:
        scenario = derive(mid_course(design, "china", label.split("@")[0]), **overrides)
    ts = simulate(scenario, seed=seed).timeseries
    wanted = {e.outcome for e in EXPECTED_SIGN.values()}
    return {o: _yearly(np.asarray(ts[o], dtype=float), national()[o].summary) for o in wanted}


def main(argv: list[str]) -> None:
    ref = argv[0] if argv else "calibrated"
    n_draws, n_seeds, workers = (int(a) for a in (argv[1:4] + ["8", "2", "2"][len(argv[1:4]) :]))
    pairs = {k: v for k, v in EXPECTED_SIGN.items() if k.endswith("@china")}
    sets, _, _ = parameter_sets(read_posterior(resolve(ref)), n_draws)
    keys = [(label, d, s) for label in ["baseline", *pairs] for d in range(n_draws) for s in range(n_seeds)]
    with ProcessPoolExecutor(workers) as pool:
        done = pool.map(_job, [(label, sets[d], 1000 + s) for label, d, s in keys])
        res = dict(zip(keys, done, strict=True))
    print("| lever (China, from 2025) | outcome | expected sign | draws with that sign | mean difference per year |")
    print("|---|---|---|---|---|")
    for label, exp in pairs.items():
        diffs = np.array(
            [
                np.mean(
                    [res[(label, d, s)][exp.outcome] - res[("baseline", d, s)][exp.outcome] for s in range(n_seeds)]
                )
                for d in range(n_draws)
            ]
        )
        same = int(np.sum(np.sign(diffs) == exp.sign))
        sign = "+" if exp.sign > 0 else "-"
        print(f"| {label.split('@')[0]} | {exp.outcome} | {sign} | {same} of {n_draws} | {diffs.mean():+.4g} |")


if __name__ == "__main__":
    main(sys.argv[1:])
