"""Reports of sweeps, sensitivity analyses and scenario discovery (from stored sweep folders).

Each report is a :class:`~scenarios.reporting.document.Document` written as HTML and Markdown;
axes carry the outcome's unit (per simulated year) and each factor's unit from the registries,
and warnings say when a design is too small for stable indices or a box rests on few cases.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

from scenarios.analysis import prim
from scenarios.analysis.sensitivity import Problem, morris_indices, sobol_indices, stability_warnings
from scenarios.analysis.summary import fmt, yearly_unit
from scenarios.experiments.exploration import START, load_sweep, point_means
from scenarios.experiments.results import Storage, is_url, join
from scenarios.reporting.document import Document, Figure, Section, Table, write_document
from scenarios.reporting.render import png
from scenarios.spec import outcomes, registry

MIN_CASES = 20
"""Below this many cases of interest a PRIM box is flagged as resting on too few runs."""


def outcome_label(name: str) -> str:
    """``Label (unit per year)`` of an outcome, as the statistic of a sweep is its mean per simulated year."""
    o = outcomes.national()[name]
    return f"{o.label} ({yearly_unit(o)})"


def factor_unit(name: str) -> str:
    """The unit of a swept factor: a driver, a parameter, ``state.lever`` or ``state.lever@start`` (a year)."""
    if name.endswith(START):
        return "year"
    lever = name.partition(".")[2]
    if lever in registry.levers():
        return registry.levers()[lever].unit
    if name in registry.drivers():
        return registry.drivers()[name].unit
    if name in registry.parameters():
        return registry.parameters()[name].unit
    return ""


def _factors_text(manifest: dict[str, Any]) -> str:
    return "; ".join(f"{f['name']} [{f['low']:g}, {f['high']:g}] {factor_unit(f['name'])}" for f in manifest["factors"])


def publish(doc: Document, folder: str | Path, stem: str = "report") -> dict[str, str | Path]:
    """Write a document into ``folder``, a local folder or an fsspec URL (rendered locally, then uploaded)."""
    if not is_url(folder):
        return dict(write_document(doc, Path(folder), stem))
    store = Storage(folder)
    with tempfile.TemporaryDirectory() as tmp:
        local = write_document(doc, Path(tmp), stem)
        for f in sorted(Path(tmp).rglob("*")):
            if f.is_file():
                store.write_bytes(join(folder, *f.relative_to(tmp).parts), f.read_bytes())
    return {kind: join(folder, path.name) for kind, path in local.items()}


def write_csv(location: str | Path, header: list[str], rows: list[list[Any]]) -> None:
    """A CSV file at a local path or an fsspec URL, written atomically."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    Storage(location).write_bytes(location, buf.getvalue().encode("utf-8"))


def intro_of_timing(manifest: dict[str, Any]) -> list[str]:
    """A sentence saying what a start-year factor means, when the design has one."""
    starts = [f["name"] for f in manifest["factors"] if f["name"].endswith(START)]
    if not starts:
        return []
    return [
        f"Start years ({', '.join(starts)}, whole years): each such lever follows the scenario's own schedule "
        "until the sampled year and holds its sampled level from that year on; levers without a start year hold "
        "their sampled level for the whole run."
    ]


def intro_of_parameters(manifest: dict[str, Any]) -> list[str]:
    """A sentence saying which posterior a sweep ran over, when it ran over one (``--parameters``)."""
    record = manifest.get("parameters")
    if not record:
        return []
    draws = len(set(record.get("draw_of_replicate", [])))
    swept = record.get("swept_not_drawn") or []
    return [
        f"Parameters: posterior ensemble from {record.get('file', '?')} (SHA-256 {str(record.get('sha256', ''))[:12]}, "
        f"{record.get('particles', '?')} particles): replicate i of every design point runs posterior draw "
        f"i // {record.get('seeds_per_draw', 1)} with seed i ({draws} draws), so points stay paired within each draw "
        "and each point's mean spans the parameter uncertainty as well as seed noise."
        + (f" Swept by the design, so not taken from the draws: {', '.join(swept)}." if swept else "")
    ]


# ---------------------------------------------------------------------------- sensitivity


def sensitivity_tables(folder: str | Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Indices per outcome and factor from a finished sensitivity sweep."""
    manifest, table = load_sweep(folder)
    names = [f["name"] for f in manifest["factors"]]
    problem = Problem(tuple(names), tuple((f["low"], f["high"]) for f in manifest["factors"]))
    design = np.column_stack([point_means(table, manifest["points"], n) for n in names])
    rows = []
    for outcome in manifest["outcomes"]:
        y = point_means(table, manifest["points"], outcome)
        if manifest["method"] == "morris":
            idx = morris_indices(problem, design, y, seed=manifest["root_seed"])
        else:
            idx = sobol_indices(problem, y, seed=manifest["root_seed"])
        rows += [
            {"outcome": outcome, "factor": n, **{k: float(v[j]) for k, v in idx.items()}} for j, n in enumerate(names)
        ]
    return manifest, rows


def tornado(rows: list[dict[str, Any]], outcome: str, method: str) -> bytes:
    """Horizontal bars of mu* (Morris, in the outcome's unit) or ST and S1 (Sobol, share of variance), with 95% bootstrap whiskers."""
    sel = sorted(
        (r for r in rows if r["outcome"] == outcome), key=lambda r: r["mu_star" if method == "morris" else "ST"]
    )
    fig, ax = plt.subplots(figsize=(6.4, 0.35 * len(sel) + 1.4))
    y = np.arange(len(sel))
    if method == "morris":
        ax.barh(y, [r["mu_star"] for r in sel], xerr=[r["mu_star_conf"] for r in sel], color="#1b6ca8", alpha=0.8)
        ax.set_xlabel(
            f"mu*: mean absolute elementary effect over the factor's range [{yearly_unit(outcomes.national()[outcome])}]",
            fontsize=8,
        )
    else:
        ax.barh(
            y, [r["ST"] for r in sel], xerr=[r["ST_conf"] for r in sel], color="#1b6ca8", alpha=0.8, label="ST (total)"
        )
        ax.barh(
            y,
            [r["S1"] for r in sel],
            xerr=[r["S1_conf"] for r in sel],
            height=0.4,
            color="#edae49",
            label="S1 (first order)",
        )
        ax.axvline(0, color="k", linewidth=0.6)
        ax.set_xlabel("share of the outcome's variance (0-1); whiskers: 95% bootstrap intervals", fontsize=8)
        ax.legend(fontsize=7)
    ax.set_yticks(y, [f"{r['factor']} [{factor_unit(r['factor'])}]" for r in sel], fontsize=8)
    ax.set_title(outcome_label(outcome), fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return png(fig)


def _interval(value: float, half: float) -> str:
    return f"{value:.3g} [{value - half:.3g}, {value + half:.3g}]"


def write_sensitivity_report(folder: str | Path) -> dict[str, str | Path]:
    """``report.html``/``report.md`` and ``indices.csv`` of a sensitivity sweep, with stability warnings.

    Morris rows show mu* (importance, with its 95% bootstrap interval), mu (the signed mean effect:
    its sign is the direction when effects agree; a mu near 0 with a large mu* means effects of both
    signs) and sigma (interactions or non-linearity)."""
    manifest, rows = sensitivity_tables(folder)
    method = manifest["method"]
    cols = [
        "outcome",
        "factor",
        *(["mu_star", "mu_star_conf", "mu", "sigma"] if method == "morris" else ["S1", "S1_conf", "ST", "ST_conf"]),
    ]
    write_csv(join(folder, "indices.csv"), cols, [[r[c] for c in cols] for r in rows])
    if method == "morris":
        header = ["outcome", "factor", "mu* [95% CI] (outcome unit)", "mu (signed)", "sigma"]
        body = [
            [
                outcome_label(r["outcome"]),
                r["factor"],
                _interval(r["mu_star"], r["mu_star_conf"]),
                f"{r['mu']:+.3g}",
                f"{r['sigma']:.3g}",
            ]
            for r in rows
        ]
    else:
        header = ["outcome", "factor", "S1 [95% CI]", "ST [95% CI]"]
        body = [
            [
                outcome_label(r["outcome"]),
                r["factor"],
                _interval(r["S1"], r["S1_conf"]),
                _interval(r["ST"], r["ST_conf"]),
            ]
            for r in rows
        ]
    warnings = stability_warnings(method, int(manifest["samples"]), rows)
    intro = [
        f"{manifest['points']} design points x {manifest['replicates']} replicates (common random numbers; each outcome is its "
        f"mean per simulated year, averaged over replicates). Factors and ranges: {_factors_text(manifest)}.",
        "Intervals are 95% bootstrap intervals."
        + (
            " mu* is the mean absolute elementary effect (importance); mu the signed mean (direction: "
            "positive raises the outcome; near 0 with a large mu* means effects of both signs); sigma their "
            "spread (interactions or non-linearity)."
            if method == "morris"
            else ""
        ),
        *intro_of_timing(manifest),
        *intro_of_parameters(manifest),
    ]
    sections = []
    if warnings:
        sections.append(Section("Warnings", items=warnings))
    sections.append(Section("Indices", table=Table(header, body)))
    sections.append(
        Section(
            "Figures",
            figures=[Figure(f"{o}.png", tornado(rows, o, method), outcome_label(o)) for o in manifest["outcomes"]],
        )
    )
    paths = publish(Document(f"Sensitivity ({method}) of {manifest['scenario']}", intro, sections), folder)
    return {**paths, "csv": join(folder, "indices.csv")}


# ---------------------------------------------------------------------------- sweeps


def sweep_tables(folder: str | Path) -> tuple[dict[str, Any], np.ndarray, dict[str, np.ndarray]]:
    """The design (points x factors) and each outcome's mean per point over replicates."""
    manifest, table = load_sweep(folder)
    n = manifest["points"]
    design = np.column_stack([point_means(table, n, f["name"]) for f in manifest["factors"]])
    return manifest, design, {o: point_means(table, n, o) for o in manifest["outcomes"]}


def scatter_grid(manifest: dict[str, Any], design: np.ndarray, values: dict[str, np.ndarray]) -> bytes:
    """Each outcome against each factor (one point per design point), with units on both axes."""
    factors = [f["name"] for f in manifest["factors"]]
    names = list(values)
    fig, axes = plt.subplots(len(names), len(factors), figsize=(2.4 * len(factors), 2.0 * len(names)), squeeze=False)
    for i, o in enumerate(names):
        for j, f in enumerate(factors):
            ax = axes[i][j]
            ax.scatter(design[:, j], values[o], s=6, alpha=0.6, color="#1b6ca8")
            ax.tick_params(labelsize=6)
            if i == len(names) - 1:
                ax.set_xlabel(f"{f} [{factor_unit(f)}]", fontsize=7)
            if j == 0:
                ax.set_ylabel(outcome_label(o), fontsize=7)
    fig.tight_layout()
    return png(fig)


def write_sweep_report(folder: str | Path) -> dict[str, str | Path]:
    """``report.html``/``report.md`` of a sweep: outcome ranges, rank correlations with each factor, scatter plots."""
    manifest, design, values = sweep_tables(folder)
    factors = [f["name"] for f in manifest["factors"]]
    ranges = Table(
        ["outcome", "min", "5%", "median", "95%", "max"],
        [
            [outcome_label(o), *(fmt(float(q)) for q in np.percentile(v, [0, 5, 50, 95, 100]))]
            for o, v in values.items()
        ],
    )
    corr_rows = []
    for o, v in values.items():
        for j, f in enumerate(factors):
            if np.ptp(v) == 0 or np.ptp(design[:, j]) == 0:
                corr_rows.append([outcome_label(o), f, "n/a (no variation)", ""])
                continue
            res = stats.spearmanr(design[:, j], v)
            rho, p = float(res.statistic), float(res.pvalue)
            corr_rows.append([outcome_label(o), f, f"{rho:+.2f}", "< 0.001" if p < 0.001 else f"{p:.3f}"])
    intro = [
        f"{manifest['points']} design points ({manifest.get('design', 'design')}) x {manifest['replicates']} replicates "
        f"(common random numbers); each outcome is its mean per simulated year, averaged over replicates. "
        f"Factors and ranges: {_factors_text(manifest)}.",
        *intro_of_timing(manifest),
        *intro_of_parameters(manifest),
    ]
    sections = [
        Section("Outcome ranges over the design", table=ranges),
        Section(
            "Which factors move which outcome",
            paragraphs=[
                "Spearman rank correlation over the design points, with its p-value (not adjusted for the number of pairs)."
            ],
            table=Table(["outcome", "factor", "rank correlation", "p"], corr_rows),
        ),
        Section(
            "Scatter plots",
            figures=[
                Figure(
                    "sweep_scatter.png", scatter_grid(manifest, design, values), "outcomes against factors", wide=True
                )
            ],
        ),
    ]
    return publish(Document(f"Sweep of {manifest['scenario']}", intro, sections), folder)


# ---------------------------------------------------------------------------- discovery


def trajectory_figure(trajectory: list[prim.Box], chosen: prim.Box) -> bytes:
    """Coverage against density along the peeling trajectory, coloured by the number of restricted inputs."""
    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    sc = ax.scatter(
        [b.coverage for b in trajectory],
        [b.density for b in trajectory],
        c=[len(b.restricted) for b in trajectory],
        cmap="viridis",
        s=16,
    )
    ax.plot([b.coverage for b in trajectory], [b.density for b in trajectory], color="#999", linewidth=0.6, zorder=0)
    ax.scatter(
        [chosen.coverage],
        [chosen.density],
        facecolors="none",
        edgecolors="#d1495b",
        s=120,
        linewidths=2,
        label="chosen box (pruned)",
    )
    fig.colorbar(sc, ax=ax, label="restricted inputs")
    ax.set_xlabel("coverage (share of all cases inside the box, 0-1)")
    ax.set_ylabel("density (share of runs in the box that are cases, 0-1)")
    ax.set_title("PRIM peeling trajectory: coverage against density", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return png(fig)


def discover(
    folder: str | Path,
    outcome: str,
    threshold: float,
    below: bool,
    out: Path,
    min_coverage: float = 0.5,
    alpha: float = 0.05,
) -> dict[str, Any]:
    """PRIM on a sweep: which factor ranges make ``outcome`` fall below (or rise above) ``threshold``.

    The box is chosen on the peeling trajectory (the densest with at least ``min_coverage``),
    pasted, then pruned of restrictions that are not significant at ``alpha / k`` for k inputs; each remaining
    restriction is reported with its p-value. Writes ``discovery.html``/``.md``, ``box.csv`` (one
    row per input: its range in the box, unit, whether restricted, p-value) and the trajectory
    (``prim_trajectory.csv``) into ``out`` (a folder the caller made for it; the sweep is only read).

    Returns:
        The condition, box lines, coverage, density, mass, cases, runs, warnings and ``rows`` (the
        rows of ``box.csv`` as dicts).

    Raises:
        ValueError: if the outcome was not recorded, or the threshold leaves no cases or only cases.
    """
    manifest, table = load_sweep(folder)
    if outcome not in table:
        raise ValueError(f"{outcome!r} was not recorded in this sweep; recorded: {', '.join(manifest['outcomes'])}")
    names = [f["name"] for f in manifest["factors"]]
    x = np.column_stack([table[n].astype(float) for n in names])
    yv = table[outcome].astype(float)
    y = ((yv < threshold) if below else (yv > threshold)).astype(float)
    if y.sum() == 0 or y.sum() == y.size:
        raise ValueError(
            f"{int(y.sum())} of {y.size} runs are cases of interest ({outcome} {'<' if below else '>'} {threshold:g}): "
            "PRIM needs both cases and non-cases; choose another threshold"
        )
    trajectory = prim.peel(x, y)
    pasted = prim.paste(x, y, prim.choose(trajectory, min_coverage))
    box = prim.prune(x, y, pasted, alpha=alpha)
    level = alpha / len(names)
    tests = prim.restriction_tests(x, y, box)
    lines = [
        f"{names[t.index]} in [{t.low:.4g}, {t.high:.4g}] {factor_unit(names[t.index])} (p = {'< 0.001' if t.p_value < 0.001 else f'{t.p_value:.3f}'})"
        for t in tests
    ]
    cases = int(y.sum())
    warnings = []
    if cases < MIN_CASES:
        warnings.append(f"Only {cases} cases of interest: a box found from so few runs is fragile; run a larger sweep.")
    dropped = len(pasted.restricted) - len(box.restricted)
    if dropped:
        warnings.append(
            f"{dropped} restriction(s) of the peeled box were pruned: not significant at p <= {level:.2g} "
            f"({alpha:g} / {len(names)} inputs) or adding < 0.01 density."
        )
    cond = f"{outcome} {'<' if below else '>'} {threshold:g}"
    front = prim.pareto(trajectory)
    traj_table = Table(
        ["step", "coverage", "density", "mass", "restricted inputs"],
        [
            [str(i), f"{b.coverage:.2f}", f"{b.density:.2f}", f"{b.mass:.2f}", str(len(b.restricted))]
            for i, b in enumerate(trajectory)
            if i in front
        ],
    )
    doc = Document(
        f"Scenario discovery: {cond}",
        [f"{cases} of {y.size} runs ({y.mean():.1%}) are cases of interest. Inputs: {_factors_text(manifest)}."],
        [
            *([Section("Warnings", items=warnings)] if warnings else []),
            Section(
                "Box",
                paragraphs=[
                    f"Coverage {box.coverage:.2f} (share of all cases inside the box), density {box.density:.2f} (share of runs "
                    f"in the box that are cases), mass {box.mass:.2f}. Each restriction's p-value tests whether it concentrates "
                    "cases (one-sided hypergeometric test against the box without it); restrictions are kept when "
                    f"p <= {level:.2g} ({alpha:g} adjusted for the {len(names)} inputs peeling searched). "
                    "Inputs not listed are unrestricted."
                ],
                items=lines or ["no input is restricted: the cases are spread over the whole space"],
            ),
            Section(
                "Coverage and density along the peeling trajectory",
                paragraphs=["The steps no other step beats on both coverage and density (the trade-off curve)."],
                table=traj_table,
                figures=[Figure("prim_trajectory.png", trajectory_figure(trajectory, box), "peeling trajectory")],
            ),
        ],
    )
    write_document(doc, out, stem="discovery")
    write_csv(
        out / "prim_trajectory.csv",
        ["step", "coverage", "density", "mass", "restricted"],
        [[i, b.coverage, b.density, b.mass, "; ".join(prim.describe(b, names))] for i, b in enumerate(trajectory)],
    )
    p_values = {t.index: t.p_value for t in tests}
    rows = [
        {
            "factor": n,
            "low": float(box.limits[j, 0]),
            "high": float(box.limits[j, 1]),
            "unit": factor_unit(n),
            "restricted": j in p_values,
            "p_value": p_values.get(j, float("nan")),
        }
        for j, n in enumerate(names)
    ]
    write_csv(out / "box.csv", list(rows[0]), [list(r.values()) for r in rows])
    return {
        "rows": rows,
        "condition": cond,
        "box": lines,
        "coverage": box.coverage,
        "density": box.density,
        "mass": box.mass,
        "cases": cases,
        "runs": int(y.size),
        "warnings": warnings,
    }
