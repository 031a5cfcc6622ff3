"""The calibration report: parameters (prior, posterior, shrinkage), marginals, pairs, the fit to
every target with its interval, held-out coverage and the generations, as ``report.html`` and
``report.md`` (one :class:`~scenarios.reporting.document.Document`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from numpy.typing import NDArray

from scenarios.calibration.abc import Generation, weighted_quantile
from scenarios.calibration.targets import Target
from scenarios.reporting.document import Document, Figure, Section, Table, write_document
from scenarios.reporting.render import png
from scenarios.spec import registry

if TYPE_CHECKING:
    from scenarios.calibration.fit import Plan

INTERVAL = (0.05, 0.95)
"""The report's intervals: 90% (weighted 5% and 95% quantiles)."""
PAIRS = 6
"""Parameters shown in the pairs plot: the most shrunk ones."""


def shrinkage(
    theta: NDArray[np.float64], weights: NDArray[np.float64], prior_variance: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Prior-to-posterior shrinkage of each parameter, 1 - var_post / var_prior (0: nothing learnt)."""
    mean = weights @ theta
    var = weights @ (theta - mean) ** 2
    return np.asarray(1.0 - var / prior_variance)


def _q(values: NDArray[np.float64], weights: NDArray[np.float64], q: float) -> float:
    return weighted_quantile(values, weights, q)


def predictive(gen: Generation, targets: tuple[Target, ...]) -> list[dict[str, Any]]:
    """Per target: observed, posterior predictive median and 90% interval, and whether they meet.

    For fitted targets the interval is of accepted runs (within the last epsilon); for held-out
    targets it is a prediction: they were never part of the distance.
    """
    rows = []
    for k, t in enumerate(targets):
        v = gen.stats[:, k]
        lo, med, hi = (_q(v, gen.weights, q) for q in (INTERVAL[0], 0.5, INTERVAL[1]))
        rows.append(
            {
                "key": t.key,
                "held_out": t.held_out,
                "median": med,
                "low": lo,
                "high": hi,
                "covered": hi >= t.low and lo <= t.high,
            }
        )
    return rows


def _marginals(gen: Generation, names: tuple[str, ...], low: NDArray[np.float64], high: NDArray[np.float64]) -> bytes:
    n = len(names)
    cols = 4
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= n:
            ax.axis("off")
            continue
        ax.hist(gen.theta[:, k], bins=20, range=(low[k], high[k]), weights=gen.weights, density=True, color="#3b75af")
        ax.axhline(1.0 / (high[k] - low[k]), color="#999", ls="--", lw=1)
        ax.set_title(names[k], fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle("Posterior marginals (bars) and the uniform prior (dashed)", fontsize=9)
    fig.tight_layout()
    return png(fig)


def _pairs(gen: Generation, names: tuple[str, ...], order: list[int]) -> bytes:
    k = len(order)
    fig, axes = plt.subplots(k, k, figsize=(1.9 * k, 1.9 * k), squeeze=False)
    size = 4 + 60 * gen.weights / gen.weights.max()
    for i, a in enumerate(order):
        for j, b in enumerate(order):
            ax = axes[i][j]
            ax.tick_params(labelsize=6)
            if i == j:
                ax.hist(gen.theta[:, a], bins=15, weights=gen.weights, color="#3b75af")
            else:
                ax.scatter(gen.theta[:, b], gen.theta[:, a], s=size, alpha=0.4, color="#3b75af", lw=0)
            if i == k - 1:
                ax.set_xlabel(names[b], fontsize=6)
            if j == 0:
                ax.set_ylabel(names[a], fontsize=6)
    fig.tight_layout()
    return png(fig)


def _g(x: float) -> str:
    return f"{x:.4g}"


def report_document(p: Plan, gens: list[Generation], manifest: dict[str, Any]) -> Document:
    """The calibration report as a document."""
    last = gens[-1]
    prior = p.prior()
    shrink = shrinkage(last.theta, last.weights, prior.variance())
    params = registry.parameters()
    mean = last.weights @ last.theta
    par_rows = []
    for k, n in enumerate(p.names):
        lo, hi = (_q(last.theta[:, k], last.weights, q) for q in INTERVAL)
        par_rows.append(
            [
                n,
                params[n].kind,
                f"{_g(prior.low[k])}-{_g(prior.high[k])}",
                _g(params[n].value),
                _g(mean[k]),
                f"[{_g(lo)}, {_g(hi)}]",
                f"{shrink[k]:.2f}",
            ]
        )
    pred = predictive(last, p.targets)
    fit_rows = []
    for t, r in zip(p.targets, pred, strict=True):
        fit_rows.append(
            [
                t.key + (" (held out)" if t.held_out else ""),
                t.outcome + (f" / {t.of}" if t.of else ""),
                f"{t.years[0]}-{t.years[1]}" if t.years[0] != t.years[1] else str(t.years[0]),
                t.statistic,
                t.observed_text(),
                _g(t.tolerance),
                _g(r["median"]),
                f"[{_g(r['low'])}, {_g(r['high'])}]",
                "yes" if r["covered"] else "no",
                ", ".join(t.facts) or t.note,
            ]
        )
    held = [r for r in pred if r["held_out"]]
    covered = sum(1 for r in held if r["covered"])
    gen_rows = [
        [
            g.index,
            "inf" if not np.isfinite(g.epsilon) else _g(g.epsilon),
            g.attempts,
            f"{g.acceptance:.0%}",
            f"{g.ess:.0f}",
            f"{g.seconds:.0f}",
        ]
        for g in gens
    ]
    order = [int(i) for i in np.argsort(-shrink, kind="stable")[: min(PAIRS, len(p.names))]]
    quick = " This is a --quick calibration: too few particles and generations for conclusions." if p.quick else ""
    intro = [
        f"Calibration of {p.scenario.name} ({p.scenario.start} to {p.start_year + p.scenario.years - 1}, "
        f"{p.scenario.society.citizens:,} citizens) by ABC-SMC: {p.settings.particles} particles, "
        f"{len(gens)} populations, {manifest.get('model_runs', sum(g.attempts for g in gens)):,} model runs, "
        f"{manifest.get('duration_seconds', 0):.0f} s. Stopped: {manifest.get('stopped', '')}.{quick}",
        "Priors are uniform on each parameter's declared range (parameters.yaml); the distance is the sum over "
        "fitted targets of ((simulated - observed) / tolerance)^2, zero inside an observed range (targets.yaml).",
    ]
    sections = [
        Section(
            "Parameters",
            paragraphs=[
                "Posterior mean and 90% interval of the last population; shrinkage = 1 - posterior variance / prior "
                "variance (0: the targets say nothing about it; 1: pinned down)."
            ],
            table=Table(
                [
                    "parameter",
                    "kind",
                    "prior (uniform)",
                    "registry value",
                    "posterior mean",
                    "90% interval",
                    "shrinkage",
                ],
                par_rows,
            ),
        ),
        Section(
            "Fit to every target",
            paragraphs=[
                "Median and 90% interval of the target's statistic over the last population (weighted). Fitted targets: "
                "runs accepted within the last epsilon. Held-out targets were never part of the distance: their "
                "intervals are predictions. 'meets' = the interval meets the observed value or range."
            ],
            table=Table(
                [
                    "target",
                    "outcome",
                    "years",
                    "statistic",
                    "observed",
                    "tolerance",
                    "median",
                    "90% interval",
                    "meets",
                    "source (facts.yaml)",
                ],
                fit_rows,
            ),
        ),
        Section(
            "Held-out coverage",
            paragraphs=[
                f"{covered} of {len(held)} held-out observations lie in (or meet) their 90% predictive interval."
                if held
                else "No held-out target."
            ],
        ),
        Section(
            "Marginals and pairs",
            figures=[
                Figure(
                    "marginals.png", _marginals(last, p.names, prior.low, prior.high), "posterior marginals", wide=True
                ),
                Figure(
                    "pairs.png",
                    _pairs(last, p.names, order),
                    f"pairs of the {len(order)} most shrunk parameters",
                    wide=True,
                ),
            ],
        ),
        Section("Generations", table=Table(["generation", "epsilon", "attempts", "kept", "ESS", "seconds"], gen_rows)),
    ]
    return Document(f"Calibration report: {p.scenario.name}", intro, sections)


def write_report(folder: Path, p: Plan, gens: list[Generation], manifest: dict[str, Any]) -> dict[str, Path]:
    """Write ``report.html``, ``report.md`` and ``figures/`` into ``folder``."""
    return write_document(report_document(p, gens, manifest), folder)
