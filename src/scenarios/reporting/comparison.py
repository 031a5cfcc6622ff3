"""Reports from stored results: a self-contained HTML file (figures embedded) and a Markdown twin.

Everything here reads results folders (Parquet tables, manifests) and never a live model, so a
report can be regenerated at any time with ``scenarios report RESULTS_DIR``.
"""

from __future__ import annotations

import base64
import csv
import html
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from scenarios.analysis.compare import Row, compare, per_replicate, replicates_for_precision
from scenarios.analysis.summary import HEADLINE, fmt, yearly
from scenarios.errors import ResultsError
from scenarios.experiments.results import load_manifest, load_table
from scenarios.reporting.render import CSS, html_table, md_table, png
from scenarios.schedule import expand, step_years
from scenarios.spec import outcomes, registry

FAN_OUTCOMES = outcomes.view("fan")
COLORS = ("#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d5a97", "#30638e", "#e07a5f")
ARTICLE_NOTE = (
    "The article's aid table (2021 $50M, 2022 $70M, 2023 $85M) is the article's own claim and is not verified "
    "by any other source; scenarios that use it say so. The model is an exploratory tool for comparing "
    "scenarios, not a forecast."
)


@dataclass
class ScenarioData:
    """What a report needs from one ensemble folder (small: yearly values, not weekly tables)."""

    name: str
    path: Path
    manifest: dict[str, Any]
    years: np.ndarray  # calendar year of each simulated year
    yearly: dict[str, np.ndarray]  # outcome -> (replicates, years)
    values: dict[str, np.ndarray]  # outcome -> per-replicate statistic
    regions: dict[str, dict[str, float]]  # region -> outcome -> last-year mean over replicates


def load_scenario_data(path: str | Path, statistic: str = "mean_per_year") -> ScenarioData:
    """Read an ensemble folder replicate by replicate, keeping only yearly aggregates."""
    path = Path(path)
    manifest = load_manifest(path)
    n = manifest["replicates"]
    table = outcomes.national()
    by_rep = {}
    yearly_vals: dict[str, list[np.ndarray]] = {k: [] for k in table}
    region_acc: dict[str, dict[str, list[float]]] = {}
    for i in range(n):
        ts = load_table(path, "timeseries", [i])
        by_rep[i] = ts
        for name, o in table.items():
            yearly_vals[name].append(yearly(ts[name].astype(float), o.summary))
        rg = load_table(path, "regions", [i])
        last = rg["step"] >= rg["step"].max() - 51
        for region in np.unique(rg["region"]):
            m = last & (rg["region"] == region)
            acc = region_acc.setdefault(str(region), {})
            for col, how in (
                ("stability_index", "mean"),
                ("seizures_t", "sum"),
                ("unrest_active_share", "mean"),
                ("attacks", "sum"),
                ("legitimacy", "mean"),
            ):
                v = rg[col][m]
                acc.setdefault(col, []).append(float(v.sum() if how == "sum" else v.mean()))
    values = per_replicate(by_rep, statistic)
    start_year = int(manifest["config"]["start"][:4])
    n_years = len(next(iter(yearly_vals.values()))[0])
    return ScenarioData(
        name=manifest["scenario"],
        path=path,
        manifest=manifest,
        years=np.arange(start_year, start_year + n_years),
        yearly={k: np.vstack(v) for k, v in yearly_vals.items()},
        values=values,
        regions={r: {k: float(np.mean(v)) for k, v in acc.items()} for r, acc in region_acc.items()},
    )


# ---------------------------------------------------------------------------- figures


def fan_chart(data: list[ScenarioData], outcome: str) -> bytes:
    """Yearly values: mean line, 25-75% and 5-95% bands over replicates, one colour per scenario."""
    o = outcomes.national()[outcome]
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    for k, d in enumerate(data):
        y = d.yearly[outcome]
        c = COLORS[k % len(COLORS)]
        ax.fill_between(d.years, *np.percentile(y, [5, 95], axis=0), color=c, alpha=0.12, linewidth=0)
        ax.fill_between(d.years, *np.percentile(y, [25, 75], axis=0), color=c, alpha=0.25, linewidth=0)
        ax.plot(d.years, y.mean(axis=0), color=c, label=d.name, linewidth=2)
    unit = o.unit.replace("/week", "/yr") if o.summary == "sum" else o.unit
    ax.set_title(f"{o.label} ({unit})", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    return png(fig)


def region_map(data: list[ScenarioData]) -> bytes:
    """A map-like view: regions at their coordinates; colour = stability, size = seizures, label = unrest."""
    world = registry.default_world()
    coords = {r.name: r.coords for r in world.regions}
    fig, axes = plt.subplots(1, len(data), figsize=(3.6 * len(data), 3.4), squeeze=False)
    max_seiz = max(max(v["seizures_t"] for v in d.regions.values()) for d in data) or 1.0
    for ax, d in zip(axes[0], data, strict=True):
        for s in world.segments:
            ax.plot(*s.coords, marker="s", color="#999", markersize=4)
        for region, v in d.regions.items():
            if region not in coords:
                continue
            x, y = coords[region]
            sc = ax.scatter(
                [x],
                [y],
                s=150 + 1500 * v["seizures_t"] / max_seiz,
                c=[v["stability_index"]],
                cmap="RdYlGn",
                vmin=0,
                vmax=100,
                edgecolors="k",
            )
            ax.annotate(
                f"{region}\nunrest {v['unrest_active_share']:.2%}",
                (x, y),
                fontsize=7,
                ha="center",
                va="bottom",
                xytext=(0, 12),
                textcoords="offset points",
            )
        ax.set_title(d.name, fontsize=9)
        ax.set_xlim(66, 76)
        ax.set_ylim(36, 41.3)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(sc, ax=axes[0].tolist(), label="stability index (last year)", shrink=0.8)
    return png(fig)


# ---------------------------------------------------------------------------- tables


def lever_table(data: list[ScenarioData]) -> tuple[list[str], list[list[str]]]:
    """Mean lever effort over the run per scenario (summed over suppliers), in each lever's unit."""
    header = ["lever", "unit", *[d.name for d in data]]
    rows = []
    for name, lever in registry.levers().items():
        cells = [name, lever.unit]
        for d in data:
            cfg = d.manifest["config"]
            years = step_years(cfg["start"], cfg["years"] * 52)
            total = np.zeros(years.size)
            for state in registry.STATES:
                sched = (cfg["states"][state].get("levers") or {}).get(name)
                if sched is not None:
                    total += expand(sched, years, 0.0)
            cells.append(f"{fmt(total.mean())} (end {fmt(total[-1])})" if total.any() else "0")
        rows.append(cells)
    return header, rows


def comparison_rows(rows: list[Row]) -> tuple[list[str], list[list[str]]]:
    header = [
        "outcome",
        "unit",
        "scenario",
        "mean [95% CI]",
        "p5-p95",
        "difference vs baseline [95% CI]",
        "effect d_z",
        "p (Holm)",
        "",
    ]
    out = []
    for r in rows:
        diff = "baseline" if r.diff is None else f"{fmt(r.diff)} [{fmt(r.diff_low)}, {fmt(r.diff_high)}]"
        es = "" if r.effect_size is None or not np.isfinite(r.effect_size) else f"{r.effect_size:+.2f}"
        p = "" if r.p_adjusted is None or not np.isfinite(r.p_adjusted) else f"{r.p_adjusted:.3g}"
        mark = "*" if r.significant else ""
        out.append(
            [
                r.outcome,
                r.unit,
                r.scenario,
                f"{fmt(r.mean)} [{fmt(r.ci_low)}, {fmt(r.ci_high)}]",
                f"{fmt(r.p5)}-{fmt(r.p95)}",
                diff,
                es,
                p,
                mark,
            ]
        )
    return header, out


def precision_notes(
    rows: list[Row], data: list[ScenarioData], precision: float | None, precision_outcome: str
) -> list[str]:
    """Plain sentences on whether the replicates suffice."""
    notes = []
    n = data[0].manifest["replicates"]
    if n < 2:
        notes.append(
            "With a single replicate there are no confidence intervals: run with --replicates 30 or more for statistics."
        )
    if precision is not None:
        for d in data:
            x = d.values[precision_outcome]
            need = replicates_for_precision(x, precision) if x.size > 1 else None
            r = (
                next(r for r in rows if r.scenario == d.name and r.outcome == precision_outcome)
                if precision_outcome in HEADLINE
                else None
            )
            half = (r.ci_high - r.ci_low) / 2 if r else float("nan")
            if need is not None and need > x.size:
                notes.append(
                    f"{d.name}: the 95% CI of {precision_outcome} is +/-{fmt(half)}, wider than the requested +/-{precision:g}; about {need} replicates would be needed (have {x.size})."
                )
            elif need is not None:
                notes.append(
                    f"{d.name}: {precision_outcome} meets the requested precision +/-{precision:g} with {x.size} replicates."
                )
    for r in rows:
        if (
            r.diff is not None
            and r.significant is False
            and r.n_to_resolve
            and r.n_to_resolve > r.n
            and r.outcome in ("stability_index",)
        ):
            notes.append(
                f"{r.scenario} vs baseline on {r.outcome}: the difference {fmt(r.diff)} is not resolved with {r.n} replicates; about {r.n_to_resolve} would be needed if it is real."
            )
    return notes


# ---------------------------------------------------------------------------- documents


def write_report(out: Path, data: list[ScenarioData], rows: list[Row], title: str, notes: list[str]) -> dict[str, Path]:
    """Write report.html (self-contained) and report.md (+ figures/) into ``out``."""
    figdir = out / "figures"
    figdir.mkdir(parents=True, exist_ok=True)
    figs: list[tuple[str, bytes]] = [(f"fan_{o}.png", fan_chart(data, o)) for o in FAN_OUTCOMES]
    figs.append(("regions.png", region_map(data)))
    for name, image in figs:
        (figdir / name).write_bytes(image)
    cmp_header, cmp_rows = comparison_rows(rows)
    lev_header, lev_rows = lever_table(data)
    meta_rows = [
        [
            d.name,
            str(d.path),
            str(d.manifest["replicates"]),
            str(d.manifest["root_seed"]),
            d.manifest["config_sha256"][:12],
        ]
        for d in data
    ]
    meta_header = ["scenario", "results folder", "replicates", "root seed", "config sha256"]
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    intro = (
        f"Generated {stamp} by scenarios from stored results. Replicate i of every scenario used the same seed "
        "(common random numbers), so differences are paired. '*' marks differences significant at 5% after "
        "Holm-Bonferroni correction over all scenario x outcome comparisons. Flows are per year; the statistic is "
        "the mean over the simulated years."
    )
    md = [
        f"# {title}",
        "",
        intro,
        "",
        md_table(meta_header, meta_rows),
        "",
        "## Summary",
        "",
        md_table(cmp_header, cmp_rows),
        "",
    ]
    if notes:
        md += ["## Precision", "", *[f"- {n}" for n in notes], ""]
    md += ["## Outcomes over time", "", "Lines: mean over replicates; bands: 25-75% and 5-95% of replicates.", ""]
    md += [f"![{n}](figures/{n})" for n, _ in figs[:-1]]
    md += [
        "",
        "## Levers by scenario",
        "",
        "Mean effort over the run, summed over supplying states (value in the last week).",
        "",
        md_table(lev_header, lev_rows),
        "",
    ]
    md += [
        "## Regions",
        "",
        "Colour: stability index in the last simulated year; size: seizures there; label: share of citizens in active unrest.",
        "",
        "![regions](figures/regions.png)",
        "",
    ]
    md += ["## Notes", "", ARTICLE_NOTE, ""]
    (out / "report.md").write_text("\n".join(md), encoding="utf-8")

    def img(name: str, png: bytes) -> str:
        return f'<img alt="{html.escape(name)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'

    body = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(intro)}</p>",
        html_table(meta_header, meta_rows),
        "<h2>Summary</h2>",
        html_table(cmp_header, cmp_rows),
    ]
    if notes:
        body += ["<h2>Precision</h2><ul>", *[f"<li>{html.escape(n)}</li>" for n in notes], "</ul>"]
    body += [
        "<h2>Outcomes over time</h2><p>Lines: mean over replicates; bands: 25-75% and 5-95% of replicates.</p><div class='figs'>"
    ]
    body += [img(n, p) for n, p in figs[:-1]] + ["</div>"]
    body += [
        "<h2>Levers by scenario</h2><p>Mean effort over the run, summed over supplying states (value in the last week).</p>",
        html_table(lev_header, lev_rows),
    ]
    body += [
        "<h2>Regions</h2><p>Colour: stability index in the last simulated year; size: seizures there; label: share of citizens in active unrest.</p>",
        img("regions", figs[-1][1]),
    ]
    body += [f"<h2>Notes</h2><p class='note'>{html.escape(ARTICLE_NOTE)}</p>"]
    page = f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>{CSS}</style></head><body>{''.join(body)}</body></html>"
    (out / "report.html").write_text(page, encoding="utf-8")
    with open(out / "comparison.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        fields = list(Row.__dataclass_fields__)
        w.writerow(fields)
        for r in rows:
            w.writerow([getattr(r, f) for f in fields])
    return {"html": out / "report.html", "markdown": out / "report.md", "csv": out / "comparison.csv"}


def build_comparison(
    folders: list[Path],
    out: Path,
    baseline_index: int = 0,
    precision: float | None = None,
    precision_outcome: str = "stability_index",
    statistic: str = "mean_per_year",
) -> tuple[list[Row], list[str], dict[str, Path]]:
    """Load ensembles, compare them with the first (or ``baseline_index``), write the report into ``out``."""
    data = [load_scenario_data(f, statistic) for f in folders]
    names = [d.name for d in data]
    if len(set(names)) != len(names):
        data = [ScenarioData(**{**d.__dict__, "name": f"{d.name}#{i}"}) for i, d in enumerate(data)]
    reps = {d.manifest["replicates"] for d in data}
    seeds = {d.manifest["root_seed"] for d in data}
    if len(reps) != 1 or len(seeds) != 1:
        raise ResultsError(
            "scenarios to compare must have the same replicates and root seed (paired by common random numbers); got "
            + ", ".join(f"{d.name}: {d.manifest['replicates']} x seed {d.manifest['root_seed']}" for d in data)
        )
    values = {d.name: d.values for d in data}
    rows = compare(values, data[baseline_index].name)
    notes = precision_notes(rows, data, precision, precision_outcome)
    title = "Comparison: " + " vs ".join(d.name for d in data) if len(data) > 1 else f"Scenario report: {data[0].name}"
    out.mkdir(parents=True, exist_ok=True)
    paths = write_report(out, data, rows, title, notes)
    spec = {
        "kind": "comparison",
        "folders": [str(f) for f in folders],
        "baseline": data[baseline_index].name,
        "statistic": statistic,
        "precision": precision,
        "precision_outcome": precision_outcome,
    }
    (out / "comparison.json").write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
    return rows, notes, paths


def console_rows(rows: list[Row]) -> tuple[list[str], list[list[str]]]:
    """The short comparison table printed by ``scenarios compare``: the ``console`` view of outcomes."""
    shown = [r for r in rows if r.outcome in outcomes.view("console")]
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
    return ["outcome", "scenario", "mean [95% CI]", "diff vs baseline [95% CI]"], table
