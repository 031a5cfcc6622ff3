"""Reports of sensitivity analyses and scenario discovery (from stored sweep folders)."""

from __future__ import annotations

import base64
import csv
import html
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from scenarios.analysis import prim
from scenarios.analysis.sensitivity import Problem, morris_indices, sobol_indices
from scenarios.experiments.exploration import load_sweep, point_means
from scenarios.reporting.render import CSS, html_table, md_table, png


def sensitivity_tables(folder: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
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
    """Horizontal bars of mu* (Morris) or ST and S1 (Sobol), largest first, with confidence whiskers."""
    sel = [r for r in rows if r["outcome"] == outcome]
    key = "mu_star" if method == "morris" else "ST"
    sel.sort(key=lambda r: r[key])
    fig, ax = plt.subplots(figsize=(6.4, 0.35 * len(sel) + 1.2))
    y = np.arange(len(sel))
    ax.barh(y, [r[key] for r in sel], xerr=[r[key + "_conf"] for r in sel], color="#1b6ca8", alpha=0.8, label=key)
    if method == "sobol":
        ax.barh(y, [r["S1"] for r in sel], height=0.4, color="#edae49", label="S1")
    ax.set_yticks(y, [r["factor"] for r in sel], fontsize=8)
    ax.set_title(f"{outcome}: {'Morris mu*' if method == 'morris' else 'Sobol ST and S1'}", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(axis="x", alpha=0.3)
    return png(fig)


def write_sensitivity_report(folder: Path) -> dict[str, Path]:
    manifest, rows = sensitivity_tables(folder)
    method = manifest["method"]
    cols = [
        "outcome",
        "factor",
        *(["mu_star", "mu_star_conf", "mu", "sigma"] if method == "morris" else ["S1", "S1_conf", "ST", "ST_conf"]),
    ]
    with open(folder / "indices.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for r in rows:
            w.writerow([r[c] for c in cols])
    figs = [(f"{o}.png", tornado(rows, o, method)) for o in manifest["outcomes"]]
    (folder / "figures").mkdir(exist_ok=True)
    for name, image in figs:
        (folder / "figures" / name).write_bytes(image)
    text_rows = [[str(r[c]) if isinstance(r[c], str) else f"{r[c]:.4g}" for c in cols] for r in rows]
    title = f"Sensitivity ({method}) of {manifest['scenario']}"
    intro = (
        f"{manifest['points']} design points x {manifest['replicates']} replicates (common random numbers; outcome = mean per "
        f"simulated year, averaged over replicates). Factors and ranges: "
        + "; ".join(f"{f['name']} [{f['low']:g}, {f['high']:g}]" for f in manifest["factors"])
        + "."
    )
    md = [f"# {title}", "", intro, "", md_table(cols, text_rows), "", *[f"![{n}](figures/{n})" for n, _ in figs], ""]
    (folder / "report.md").write_text("\n".join(md), encoding="utf-8")
    imgs = "".join(
        f'<img alt="{html.escape(n)}" src="data:image/png;base64,{base64.b64encode(p).decode()}">' for n, p in figs
    )
    page = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>{CSS}</style></head>"
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(intro)}</p>{html_table(cols, text_rows)}<div class='figs'>{imgs}</div></body></html>"
    )
    (folder / "report.html").write_text(page, encoding="utf-8")
    return {"html": folder / "report.html", "markdown": folder / "report.md", "csv": folder / "indices.csv"}


def discover(
    folder: Path, outcome: str, threshold: float, below: bool, min_coverage: float = 0.5, out: Path | None = None
) -> dict[str, Any]:
    """PRIM on a sweep: which factor ranges make ``outcome`` fall below (or rise above) ``threshold``."""
    manifest, table = load_sweep(folder)
    if outcome not in table:
        raise ValueError(f"{outcome!r} was not recorded in this sweep; recorded: {', '.join(manifest['outcomes'])}")
    names = [f["name"] for f in manifest["factors"]]
    x = np.column_stack([table[n].astype(float) for n in names])
    yv = table[outcome].astype(float)
    y = (yv < threshold) if below else (yv > threshold)
    if y.sum() == 0 or y.sum() == y.size:
        raise ValueError(
            f"{int(y.sum())} of {y.size} runs are cases of interest ({outcome} {'<' if below else '>'} {threshold:g}): PRIM needs both cases and non-cases; choose another threshold"
        )
    trajectory = prim.peel(x, y.astype(float))
    box = prim.paste(x, y.astype(float), prim.choose(trajectory, min_coverage))
    lines = prim.describe(box, names)
    out = out or folder
    fig, ax = plt.subplots(figsize=(4.8, 3.6))
    ax.plot([b.coverage for b in trajectory], [b.density for b in trajectory], marker=".", color="#1b6ca8")
    ax.scatter([box.coverage], [box.density], color="#d1495b", zorder=3, label="chosen box")
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_title("PRIM peeling trajectory", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    image = png(fig)
    (out / "prim_trajectory.png").write_bytes(image)
    cond = f"{outcome} {'<' if below else '>'} {threshold:g}"
    md = [
        f"# Scenario discovery: {cond}",
        "",
        f"{int(y.sum())} of {y.size} runs ({y.mean():.1%}) are cases of interest.",
        "",
        "Box (inputs not listed are unrestricted):",
        "",
        *[f"- {line}" for line in lines],
        "",
        f"coverage {box.coverage:.2f} (share of all cases inside the box), density {box.density:.2f} (share of runs in the box that are cases), mass {box.mass:.2f}.",
        "",
        "![trajectory](prim_trajectory.png)",
        "",
    ]
    (out / "discovery.md").write_text("\n".join(md), encoding="utf-8")
    with open(out / "prim_trajectory.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["step", "coverage", "density", "mass", "restricted"])
        for i, b in enumerate(trajectory):
            w.writerow([i, b.coverage, b.density, b.mass, "; ".join(prim.describe(b, names))])
    return {
        "condition": cond,
        "box": lines,
        "coverage": box.coverage,
        "density": box.density,
        "mass": box.mass,
        "cases": int(y.sum()),
        "runs": int(y.size),
    }
