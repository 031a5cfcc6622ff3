"""Comparison reports from stored results, for a policy audience: HTML (self-contained) and Markdown.

One table per scenario compared with the baseline, one row per outcome: baseline | scenario |
difference (absolute and %) | adjusted 95% interval | better or worse in words, with labels and units
from the outcome registry, over a chosen time window. Then what differs between the scenarios
(levers, drivers, events, description, question), fan charts, a regions map and the levers.
A single ensemble gets a summary of its outcomes (with CIs when it has several replicates) and no
comparison text. Everything here reads results folders and never a live model, so a report can be
regenerated at any time with ``scenarios report RESULTS_DIR``.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from scenarios.analysis.compare import Row, Window, compare, replicates_for_precision, window_values
from scenarios.analysis.costs import ALL_STATES, PER_MUSD, Cost, CostEffect, cost_effectiveness, costs
from scenarios.analysis.summary import HEADLINE, fmt, yearly, yearly_unit
from scenarios.errors import ResultsError
from scenarios.experiments.results import code_version, load_manifest, load_table
from scenarios.reporting.document import Document, Figure, Section, Table, write_document
from scenarios.reporting.render import png
from scenarios.schedule import expand, step_years
from scenarios.spec import outcomes, registry

FAN_OUTCOMES = outcomes.view("fan")
COLORS = ("#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d5a97", "#30638e", "#e07a5f")
SPENDING_NOTE = (
    "Each state's lever spending over the window (mean per year), by category, as the runs recorded it "
    "(adaptive rules and budget caps included). Tajikistan's spending includes the aid it spends, so aid "
    "is counted for the donor and again for Tajikistan in 'all states'."
)
EFFECT_NOTE = (
    "Change in each outcome per 100 USD M/yr of extra spending by {payer}, against {baseline}: "
    "100 x (mean difference in the outcome) / (mean extra spending), paired run by run; the interval "
    "(delta method, at the adjusted level) reflects how the outcome's difference varies between runs. "
    "n/a where the scenario spends the same as the baseline (less than 0.5 USD M/yr apart)."
)
ARTICLE_NOTE = (
    "The article's aid table (2021 $50M, 2022 $70M, 2023 $85M) is the article's own claim and is not verified "
    "by any other source; scenarios that use it say so. The model is an exploratory tool for comparing "
    "scenarios, not a forecast."
)
REGION_COLUMNS = (
    ("stability_index", "mean", "stability index (0-100)"),
    ("seizures_t", "sum", "seizures (t/yr)"),
    ("unrest_active_share", "mean", "in active unrest"),
)


@dataclass
class ScenarioData:
    """What a report needs from one ensemble folder (small: yearly values, not weekly tables)."""

    name: str
    path: Path
    manifest: dict[str, Any]
    years: np.ndarray  # calendar year of each simulated year
    yearly: dict[str, np.ndarray]  # outcome -> (replicates, years)
    regions: dict[str, dict[str, float]]  # region -> outcome -> last-year mean over replicates

    @property
    def replicates(self) -> int:
        """Replicates in the ensemble."""
        return int(self.manifest["replicates"])


def load_scenario_data(path: str | Path) -> ScenarioData:
    """Read an ensemble folder replicate by replicate, keeping only yearly aggregates."""
    path = Path(path)
    manifest = load_manifest(path)
    table = outcomes.national()
    yearly_vals: dict[str, list[np.ndarray]] = {k: [] for k in table}
    region_acc: dict[str, dict[str, list[float]]] = {}
    for i in range(manifest["replicates"]):
        ts = load_table(path, "timeseries", [i])
        for name, o in table.items():
            yearly_vals[name].append(yearly(ts[name].astype(float), o.summary))
        rg = load_table(path, "regions", [i])
        last = rg["step"] >= rg["step"].max() - 51
        for region in np.unique(rg["region"]):
            m = last & (rg["region"] == region)
            acc = region_acc.setdefault(str(region), {})
            for col, how, _ in REGION_COLUMNS:
                v = rg[col][m]
                acc.setdefault(col, []).append(float(v.sum() if how == "sum" else v.mean()))
    start_year = int(manifest["config"]["start"][:4])
    n_years = len(next(iter(yearly_vals.values()))[0])
    return ScenarioData(
        name=manifest["scenario"],
        path=path,
        manifest=manifest,
        years=np.arange(start_year, start_year + n_years),
        yearly={k: np.vstack(v) for k, v in yearly_vals.items()},
        regions={r: {k: float(np.mean(v)) for k, v in acc.items()} for r, acc in region_acc.items()},
    )


# ---------------------------------------------------------------------------- formatting


def fmt_value(x: float | None, unit: str) -> str:
    """A value in its unit for a reader: shares as percentages, no scientific notation for small shares."""
    if x is None or not math.isfinite(x):
        return "n/a"
    if unit == "share":
        return _plain(100 * x, form=".3g") + "%"
    return _plain(x)


def fmt_diff(x: float | None, unit: str) -> str:
    """A signed difference in its unit: shares in percentage points."""
    if x is None or not math.isfinite(x):
        return "n/a"
    if x == 0:
        return "0"
    if unit == "share":
        return _plain(100 * x, signed=True, form="+.3g") + " pp"
    return _plain(x, signed=True)


def _plain(x: float, signed: bool = False, form: str = "") -> str:
    """A number without scientific notation (readers of a policy report do not read 1.5e-08): below
    0.0001 in size it is given as a bound, ``< 0.0001`` (``< +0.0001`` when signed) or ``> -0.0001``;
    otherwise with ``form`` (a format spec) or :func:`fmt`."""
    plus = "+" if signed and x > 0 else ""
    if x != 0 and abs(x) < 1e-4:
        return f"< {plus}0.0001" if x > 0 else "> -0.0001"
    return format(x, form) if form else plus + fmt(x)


def fmt_p(p: float | None) -> str:
    """A p-value as a reader expects it: ``< 0.001`` rather than 0."""
    if p is None or not math.isfinite(p):
        return "not tested"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def verdict(row: Row) -> str:
    """The difference in words, by the outcome's direction (better / worse, or higher / lower)."""
    if row.diff is None:
        return ""
    if not row.tested:
        if row.diff == 0:
            return "same in every run"
        return ("higher" if row.diff > 0 else "lower") + " by the same amount in every run (nothing to test)"
    if not row.significant:
        return "no clear difference"
    better = outcomes.national()[row.outcome].higher_is_better
    if better is None:
        return "higher" if row.diff > 0 else "lower"
    return "better" if (row.diff > 0) == better else "worse"


def shown_unit(unit: str) -> str:
    """The unit as a column shows it: shares are shown as percentages."""
    return "%" if unit == "share" else unit


def _label(outcome: str) -> str:
    return outcomes.national()[outcome].label


# ---------------------------------------------------------------------------- figures


def fan_chart(data: list[ScenarioData], outcome: str, window: Window) -> bytes:
    """Yearly values: mean line, 25-75% and 5-95% bands over replicates, one colour per scenario; window shaded."""
    o = outcomes.national()[outcome]
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    keep = window.mask(data[0].years)
    if not keep.all():
        yrs = data[0].years[keep]
        ax.axvspan(yrs.min() - 0.5, yrs.max() + 0.5, color="#888", alpha=0.1, linewidth=0, label="window")
    for k, d in enumerate(data):
        y = d.yearly[outcome]
        c = COLORS[k % len(COLORS)]
        if d.replicates > 1:
            ax.fill_between(d.years, *np.percentile(y, [5, 95], axis=0), color=c, alpha=0.12, linewidth=0)
            ax.fill_between(d.years, *np.percentile(y, [25, 75], axis=0), color=c, alpha=0.25, linewidth=0)
        ax.plot(d.years, y.mean(axis=0), color=c, label=d.name, linewidth=2)
    ax.set_title(f"{o.label} ({yearly_unit(o)})", fontsize=10)
    ax.set_xlabel("year", fontsize=8)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    return png(fig)


def _short(name: str, label: str) -> str:
    """A short map label: the abbreviation in parentheses, a short label, or the name in capitals."""
    if "(" in label:
        return label[label.index("(") + 1 : label.rindex(")")]
    return label if len(label) <= 14 else name.upper()


def region_map(data: list[ScenarioData]) -> bytes:
    """Regions at their coordinates, one panel per scenario: colour = stability index, size = seizures.

    Labels sit on the side of each point away from the centre of the map, so neighbours do not
    overlap; a legend explains marker sizes and border segments, a colour bar the stability index.
    """
    world = registry.default_world()
    coords = {r.name: r.coords for r in world.regions}
    labels = {r.name: _short(r.name, r.label) for r in world.regions}
    centre = np.mean(np.array(list(coords.values())), axis=0)
    fig, axes = plt.subplots(1, len(data), figsize=(3.8 * len(data), 3.6), squeeze=False)
    max_seiz = max(max(v["seizures_t"] for v in d.regions.values()) for d in data) or 1.0

    def size(t: float) -> float:
        return 80 + 900 * t / max_seiz

    scatter = None
    for ax, d in zip(axes[0], data, strict=True):
        for s in world.segments:
            ax.plot(*s.coords, marker="s", color="#999", markersize=5, linestyle="none")
        for region, v in d.regions.items():
            if region not in coords:
                continue
            x, y = coords[region]
            scatter = ax.scatter(
                [x],
                [y],
                s=size(v["seizures_t"]),
                c=[v["stability_index"]],
                cmap="RdYlGn",
                vmin=0,
                vmax=100,
                edgecolors="k",
            )
            away = np.array([x, y]) - centre
            away = away / (np.linalg.norm(away) or 1.0)
            ax.annotate(
                labels[region],
                (x, y),
                xytext=(22 * away[0], 22 * away[1]),
                textcoords="offset points",
                fontsize=8,
                ha="left" if away[0] > 0.3 else "right" if away[0] < -0.3 else "center",
                va="bottom" if away[1] > 0 else "top",
            )
        ax.set_title(d.name, fontsize=10)
        ax.set_xlim(67.2, 74.2)
        ax.set_ylim(36.6, 40.9)
        ax.set_xticks([])
        ax.set_yticks([])
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markerfacecolor="white",
            markeredgecolor="k",
            markersize=math.sqrt(size(t)),
            label=f"{fmt(t)} t/yr seized",
        )
        for t in (max_seiz / 10, max_seiz / 2, max_seiz)
    ]
    handles.append(Line2D([], [], marker="s", color="#999", linestyle="none", markersize=5, label="border segment"))
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=len(handles),
        fontsize=8,
        frameon=False,
        bbox_to_anchor=(0.45, -0.14),
        handletextpad=1.6,
        columnspacing=3.0,
    )
    if scatter is not None:
        fig.colorbar(scatter, ax=axes[0].tolist(), label="stability index, last year (0-100)", shrink=0.8)
    return png(fig)


# ---------------------------------------------------------------------------- tables


def _schedule_text(value: object) -> str:
    if value is None:
        return "not set"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {float(v):g}" for k, v in value.items())
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{float(value):g}"
    return str(value)


def _events_text(events: list[dict[str, Any]]) -> str:
    if not events:
        return "none"
    parts = []
    for ev in events:
        where = ev.get("region") or ev.get("segment")
        parts.append(f"{ev['kind']} {ev['when']}" + (f" ({where})" if where else ""))
    return "; ".join(parts)


def _settings(config: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """A scenario config as comparable settings: key -> (label for a reader, value as text)."""
    out: dict[str, tuple[str, str]] = {
        "description": ("Description", config.get("description") or "-"),
        "question": ("Question", config.get("question") or "-"),
        "start": ("Start", str(config["start"])),
        "years": ("Years simulated", str(config["years"])),
        "citizens": ("Citizens simulated", f"{config['society']['citizens']:,}"),
        "events": ("Events", _events_text(config.get("events") or [])),
    }
    levers = registry.levers()
    for state in registry.STATES:
        cfg = config["states"][state]
        out[f"{state}.policy"] = (f"{state.title()}: policy", str(cfg.get("policy")))
        for name, value in (cfg.get("levers") or {}).items():
            lv = levers[name]
            out[f"{state}.{name}"] = (f"{state.title()}: {lv.label} [{lv.unit}]", _schedule_text(value))
    for name, d in registry.drivers().items():
        value = config["drivers"].get(name)
        out[f"driver.{name}"] = (
            f"Driver: {d.label} [{d.unit}]",
            _schedule_text(value) if value is not None else f"default {fmt(d.default)}",
        )
    for name, par in registry.parameters().items():
        value = config["parameters"].get(name)
        out[f"parameter.{name}"] = (
            f"Parameter: {name} [{par.unit}]",
            _schedule_text(value) if value is not None else f"default {fmt(par.value)}",
        )
    return out


def differences_table(data: list[ScenarioData]) -> Table | None:
    """What differs between the scenarios' configs (levers, drivers, events, parameters, texts); None if nothing."""
    settings = [_settings(d.manifest["config"]) for d in data]
    rows = []
    for key, (label, first) in settings[0].items():
        values = [s.get(key, (label, "-"))[1] for s in settings]
        if any(v != first for v in values):
            rows.append([label, *values])
    return Table(["setting", *[d.name for d in data]], rows) if rows else None


def lever_table(data: list[ScenarioData]) -> Table:
    """Per lever: its price, and the mean effort over the run per scenario (summed over suppliers) in its unit."""
    rows = []
    for name, lever in registry.levers().items():
        cells: list[object] = [lever.label, lever.unit, fmt(lever.cost_musd_per_unit)]
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
    return Table(["lever", "unit", "price (USD M/yr per unit)", *[d.name for d in data]], rows)


def payer_text(payer: str) -> str:
    """Whose extra spending, in words: ``all states``, ``China``."""
    return state_label(payer)


def state_label(state: str) -> str:
    """A state's name for a reader: ``China``, ``SCO``, ``all states``."""
    return state if state == ALL_STATES else state.upper() if state == "sco" else state.title()


def _interval(low: float | None, high: float | None, unit: str) -> str:
    return "n/a" if low is None or high is None else f"[{fmt_diff(low, unit)}, {fmt_diff(high, unit)}]"


def cost_table(rows: list[Cost], scenario: str, baseline: str) -> Table:
    """Spending of every state by category, and of all states: baseline | scenario | difference | interval."""
    body = [
        [
            state_label(c.state),
            c.category,
            fmt_value(c.base_mean, c.unit),
            fmt_value(c.mean, c.unit),
            fmt_diff(c.diff, c.unit),
            _interval(c.diff_low, c.diff_high, c.unit),
        ]
        for c in rows
        if c.scenario == scenario
    ]
    return Table(
        ["state", "spending", f"{baseline} [USD M/yr]", f"{scenario} [USD M/yr]", "difference", "95% interval"], body
    )


def spending_table(rows: list[Cost], scenario: str) -> Table:
    """Spending of every state by category for one ensemble (no comparison)."""
    body = [[state_label(c.state), c.category, fmt_value(c.mean, c.unit)] for c in rows if c.scenario == scenario]
    return Table(["state", "spending", "mean [USD M/yr]"], body)


def effect_unit(unit: str) -> str:
    """The unit of a cost-effectiveness as shown: a share's change is in percentage points."""
    return "pp" + unit.removeprefix("share") if unit.startswith("share per ") else unit


def effect_table(effects: list[CostEffect], scenario: str) -> Table:
    """Change in each outcome per 100 USD M/yr of the scenario's extra spending, with its interval."""
    body = []
    for e in effects:
        if e.scenario != scenario:
            continue
        base_unit = e.unit.rsplit(" per ", 1)[0]
        body.append(
            [
                _label(e.outcome),
                effect_unit(e.unit),
                fmt_diff(e.diff, base_unit),
                fmt_diff(e.extra_spending, "USD M/yr"),
                fmt_diff(e.per_100, base_unit) if e.per_100 is not None else "n/a (no extra spending)",
                _interval(e.low, e.high, base_unit),
            ]
        )
    return Table(
        ["outcome", "unit", "difference", "extra spending [USD M/yr]", f"per {PER_MUSD:g} USD M/yr", "95% interval"],
        body,
    )


def outcome_table(rows: list[Row], scenario: str, baseline: str) -> Table:
    """One row per outcome: baseline | scenario | difference | % | adjusted 95% interval | in words."""
    base = {r.outcome: r for r in rows if r.scenario == baseline}
    body = []
    for r in rows:
        if r.scenario != scenario:
            continue
        b = base[r.outcome]
        interval = "n/a" if r.diff_low is None else f"[{fmt_diff(r.diff_low, r.unit)}, {fmt_diff(r.diff_high, r.unit)}]"
        pct = "n/a" if r.diff_pct is None else "0%" if r.diff == 0 else f"{r.diff_pct:+.1f}%"
        body.append(
            [
                _label(r.outcome),
                shown_unit(r.unit),
                fmt_value(b.mean, r.unit),
                fmt_value(r.mean, r.unit),
                fmt_diff(r.diff, r.unit),
                pct,
                interval,
                fmt_p(r.p_adjusted),
                verdict(r),
            ]
        )
    header = [
        "outcome",
        "unit",
        baseline,
        scenario,
        "difference",
        "change",
        "95% interval (adjusted)",
        "p (adjusted)",
        "in words",
    ]
    return Table(header, body)


def summary_table(rows: list[Row], scenario: str, replicates: int) -> Table:
    """The outcomes of one ensemble: mean with 95% CI and spread, or the single run's values."""
    mine = [r for r in rows if r.scenario == scenario]
    if replicates < 2:
        return Table(
            ["outcome", "unit", "value"],
            [[_label(r.outcome), shown_unit(r.unit), fmt_value(r.mean, r.unit)] for r in mine],
        )
    return Table(
        ["outcome", "unit", "mean", "95% CI of the mean", "5-95% of runs"],
        [
            [
                _label(r.outcome),
                shown_unit(r.unit),
                fmt_value(r.mean, r.unit),
                f"[{fmt_value(r.ci_low, r.unit)}, {fmt_value(r.ci_high, r.unit)}]",
                f"{fmt_value(r.p5, r.unit)} to {fmt_value(r.p95, r.unit)}",
            ]
            for r in mine
        ],
    )


def regions_table(data: list[ScenarioData]) -> Table:
    """Last-year values per region and scenario (the numbers behind the map)."""
    world = registry.default_world()
    rows = []
    for region in world.regions:
        for d in data:
            v = d.regions.get(region.name)
            if v is None:
                continue
            rows.append(
                [
                    region.label,
                    d.name,
                    fmt(v["stability_index"]),
                    fmt(v["seizures_t"]),
                    fmt_value(v["unrest_active_share"], "share"),
                ]
            )
    return Table(["region", "scenario", *[label for _, _, label in REGION_COLUMNS]], rows)


def precision_notes(
    rows: list[Row], data: list[ScenarioData], precision: float | None, precision_outcome: str
) -> list[str]:
    """Plain sentences on whether the replicates suffice."""
    notes = []
    if precision is not None:
        for d in data:
            r = next((r for r in rows if r.scenario == d.name and r.outcome == precision_outcome), None)
            if r is None or d.replicates < 2:
                continue
            x = d.yearly[precision_outcome].mean(axis=1)
            need = replicates_for_precision(x, precision)
            half = (r.ci_high - r.ci_low) / 2
            if need > d.replicates:
                notes.append(
                    f"{d.name}: the 95% CI of {_label(precision_outcome)} is +/-{fmt(half)}, wider than the requested "
                    f"+/-{precision:g}; about {need} replicates would be needed (have {d.replicates})."
                )
            else:
                notes.append(
                    f"{d.name}: {_label(precision_outcome)} meets the requested precision +/-{precision:g} with {d.replicates} replicates."
                )
    for r in rows:
        if (
            r.tested
            and not r.significant
            and r.n_to_resolve
            and r.n_to_resolve > r.n
            and r.outcome == "stability_index"
        ):
            notes.append(
                f"{r.scenario} vs baseline on {_label(r.outcome)}: the difference {fmt(r.diff or 0.0)} is not resolved with "
                f"{r.n} replicates; about {r.n_to_resolve} would be needed if it is real."
            )
    return notes


# ---------------------------------------------------------------------------- documents


def _runs_table(data: list[ScenarioData]) -> Table:
    head = [
        "scenario",
        "results folder",
        "replicates",
        "root seed",
        "config sha256",
        "scenarios version",
        "git revision",
    ]
    rows = []
    for d in data:
        version, revision = code_version(d.manifest)
        seed, sha = str(d.manifest["root_seed"]), d.manifest["config_sha256"][:12]
        rows.append([d.name, str(d.path), str(d.replicates), seed, sha, version or "-", (revision or "-")[:12]])
    return Table(head, rows)


def _code_note(data: list[ScenarioData]) -> list[str]:
    """A warning when the compared results were made by different versions of the code."""
    made_with = {code_version(d.manifest) for d in data}
    if len(made_with) < 2:
        return []
    return [
        "These results were made by different versions of the code (see the table): a difference between "
        "scenarios may come from the code as well as from the scenarios. Rerun them with one version to compare."
    ]


def uncertainty_section(data: list[ScenarioData], window: Window) -> Section | None:
    """Posterior ensembles (``--parameters``): each difference's seed noise against its parameter
    uncertainty, and how robust it is across the draws (:mod:`scenarios.analysis.uncertainty`)."""
    from scenarios.analysis.uncertainty import robustness

    record = data[0].manifest.get("parameters")
    if len(data) < 2 or not record or "draw_of_replicate" not in record:
        return None
    draw = np.asarray(record["draw_of_replicate"])
    values = {d.name: window_values(d.yearly, d.years, window) for d in data}
    base = values[data[0].name]
    table = outcomes.national()
    out_rows = []
    for d in data[1:]:
        for name in HEADLINE_VIEW:
            o = table[name]
            r = robustness(values[d.name][name] - base[name], draw, o.higher_is_better)
            dec = r.decomposition
            unit = shown_unit(yearly_unit(o))
            out_rows.append(
                [
                    d.name,
                    _label(name),
                    fmt_diff(dec.mean, unit),
                    "n/a" if not dec.separable else f"{math.sqrt(dec.seed):.3g}",
                    "n/a" if not dec.separable else f"{math.sqrt(dec.parameter):.3g}",
                    "n/a"
                    if not (dec.separable and math.isfinite(dec.parameter_share))
                    else f"{dec.parameter_share:.0%}",
                    r.statement(),
                ]
            )
    return Section(
        "Parameter uncertainty",
        paragraphs=[
            f"Posterior ensemble: {record.get('file', '')} (SHA-256 {str(record.get('sha256', ''))[:12]}); "
            f"{len(set(record['draw_of_replicate']))} draws x {record.get('seeds_per_draw', 1)} seeds, and replicate i "
            "of every scenario used the same draw and seed. Per replicate difference from the baseline: sd from seed "
            "noise (within a draw), sd from parameter uncertainty (between draws), the parameters' share of the "
            "variance, and the share of draws whose mean difference goes the better way."
        ],
        table=Table(
            ["scenario", "outcome", "mean difference", "seed sd", "parameter sd", "parameter share", "robustness"],
            out_rows,
        ),
    )


def explanation_section(explanations: list[Any]) -> Section:
    """``compare --explain``: each difference as direct + coupling parts + remainder (:mod:`scenarios.analysis.explain`)."""
    out_rows = []
    for e in explanations:
        unit = shown_unit(yearly_unit(outcomes.national()[e.outcome]))
        for part in [e.total, *e.terms()]:
            lo, hi = part.interval
            if part.name not in ("total", "direct", "remainder") and np.allclose(part.values, 0.0):
                continue  # a coupling that carries none of this difference in any replicate
            out_rows.append(
                [
                    e.scenario,
                    _label(e.outcome),
                    part.label,
                    fmt_diff(part.mean, unit),
                    "" if not math.isfinite(lo) else f"[{fmt_diff(lo, unit)}, {fmt_diff(hi, unit)}]",
                ]
            )
    return Section(
        "Why the outcomes moved",
        paragraphs=[
            "Each difference from the baseline split by mechanism with paired knockouts of the couplings of "
            "docs/model.md 7.7 (spec/data/knockouts.yaml): a coupling's part is the difference minus the difference "
            "with that coupling switched off in both scenarios; 'direct' is the difference with every listed coupling "
            "off; the remainder is what interactions between couplings leave. Direct + parts + remainder = total in "
            "every replicate. Intervals: 95% t intervals over the paired replicates (not adjusted). Couplings that "
            "carry nothing of a difference in any replicate are left out."
        ],
        table=Table(["scenario", "outcome", "part", "mean difference", "95% interval"], out_rows),
    )


HEADLINE_VIEW = outcomes.view("console")
"""Outcomes of the parameter-uncertainty section (the ``console`` view: the short list)."""


def report_document(
    data: list[ScenarioData],
    rows: list[Row],
    window: Window,
    notes: list[str],
    spending: list[Cost] | None = None,
    effects: list[CostEffect] | None = None,
) -> Document:
    """The report of one ensemble (or run), or of scenarios compared with the first one."""
    years = data[0].years
    span = window.text(years)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    statistic = f"the value in {span}" if window.last_year else f"the mean per year over {span}"
    clipped = window.clip_note(years)
    sections: list[Section] = []
    if len(data) == 1:
        d = data[0]
        kind = "one run" if d.replicates < 2 else f"an ensemble of {d.replicates} runs"
        title = f"Scenario report: {d.name}"
        intro = [
            f"{d.manifest['config'].get('question') or d.manifest['config'].get('description') or ''}".strip(),
            f"Generated {stamp} from stored results of {kind}. Each outcome is {statistic}; flows are per year.",
        ]
        if d.replicates < 2:
            intro.append("A single run has no confidence intervals: run with --replicates 30 or more for statistics.")
        sections.append(Section("Outcomes", table=summary_table(rows, d.name, d.replicates)))
        if spending:
            sections.append(Section("Spending", paragraphs=[SPENDING_NOTE], table=spending_table(spending, d.name)))
    else:
        baseline = data[0].name
        tested = sum(1 for r in rows if r.tested)
        title = "Comparison: " + " vs ".join(d.name for d in data)
        intro = [
            f"Generated {stamp} from stored results. Each scenario is compared with {baseline} on {statistic} "
            f"({data[0].replicates} runs each). Run i of every scenario used the same random numbers, so differences are paired.",
            f"The intervals are 95% intervals adjusted for the {tested} comparisons tested (Bonferroni), and so are the "
            "p-values: a difference is called better or worse exactly when its interval excludes zero. An outcome that is "
            "the same function of the scenario in every run (no variation) is not tested.",
        ]
        for d in data[1:]:
            sections.append(
                Section(
                    f"{d.name} compared with {baseline}",
                    paragraphs=[d.manifest["config"].get("question") or ""],
                    table=outcome_table(rows, d.name, baseline),
                )
            )
            if spending:
                sections.append(
                    Section(
                        f"{d.name}: spending", paragraphs=[SPENDING_NOTE], table=cost_table(spending, d.name, baseline)
                    )
                )
            if effects:
                sections.append(
                    Section(
                        f"{d.name}: cost-effectiveness",
                        paragraphs=[EFFECT_NOTE.format(baseline=baseline, payer=payer_text(effects[0].payer))],
                        table=effect_table(effects, d.name),
                    )
                )
        diff = differences_table(data)
        sections.append(
            Section(
                "What differs between the scenarios",
                table=diff,
                paragraphs=() if diff else ["The configs differ in nothing but their names."],
            )
        )
    if clipped:
        intro.append(clipped[0].upper() + clipped[1:] + ".")
    if notes:
        sections.append(Section("Precision", items=notes))
    posterior = uncertainty_section(data, window)
    if posterior is not None:
        sections.append(posterior)
    fans = [Figure(f"fan_{o}.png", fan_chart(data, o, window), _label(o)) for o in FAN_OUTCOMES]
    band = "Lines: mean over runs; bands: 25-75% and 5-95% of runs." if data[0].replicates > 1 else "One run."
    shade = "" if window.mask(years).all() else f" Shaded: {span}, the window of the tables."
    sections.append(Section("Outcomes over time", paragraphs=[band + shade], figures=fans))
    sections.append(
        Section(
            "Regions",
            paragraphs=["Last simulated year. Colour: stability index; marker size: seizures in the region."],
            figures=[Figure("regions.png", region_map(data), "regions", wide=True)],
            table=regions_table(data),
        )
    )
    sections.append(
        Section(
            "Levers",
            paragraphs=["Mean effort over the run, summed over supplying states (value in the last week)."],
            table=lever_table(data),
        )
    )
    sections.append(Section("Runs", paragraphs=_code_note(data), table=_runs_table(data), note=ARTICLE_NOTE))
    return Document(title, [p for p in intro if p], sections)


def window_table(data: list[ScenarioData], window: Window) -> dict[str, dict[str, np.ndarray]]:
    """Scenario -> outcome -> one value per replicate: the mean per year over ``window``.

    Raises:
        ResultsError: if the window holds no simulated year.
    """
    try:
        return {d.name: window_values(d.yearly, d.years, window) for d in data}
    except ValueError as err:
        raise ResultsError(str(err)) from None


def comparison_rows(data: list[ScenarioData], window: Window) -> list[Row]:
    """The report's statistics: each scenario against the first, paired, over ``window``.

    Raises:
        ResultsError: if the window holds no simulated year.
    """
    return compare(window_table(data, window), data[0].name)


def effect_outcomes() -> list[str]:
    """The outcomes whose change per extra spending a report gives: the headline ones that are not spending."""
    table = outcomes.national()
    return [n for n in HEADLINE if table[n].unit != "USD M/yr"]


def comparison_costs(
    data: list[ScenarioData], window: Window, level: float = 0.95, payer: str = ALL_STATES
) -> tuple[list[Cost], list[CostEffect]]:
    """Spending per state and category, and cost-effectiveness of each scenario against the first, over ``window``.

    Raises:
        ResultsError: the window holds no simulated year, or an unknown payer.
    """
    values = window_table(data, window)
    baseline = data[0].name
    spending = costs(values, baseline, level)
    try:
        effects = cost_effectiveness(values, baseline, effect_outcomes(), payer, level) if len(data) > 1 else []
    except ValueError as err:
        raise ResultsError(str(err)) from None
    return spending, effects


def adjusted_level(rows: list[Row], alpha: float = 0.05) -> float:
    """The confidence level of the comparison's intervals: 1 - alpha / (comparisons tested)."""
    return 1 - alpha / max(1, sum(1 for r in rows if r.tested))


@dataclass(frozen=True)
class Built:
    """What :func:`build_comparison` wrote and found.

    Attributes:
        rows: the outcome statistics (each scenario against the first).
        notes: sentences on the window and the precision.
        paths: the files written (``html``, ``markdown``, ``csv``, ``costs``, ``cost_effectiveness``).
        spending: each state's spending by category per scenario.
        effects: the change in each outcome per 100 USD M/yr of extra spending (none for one ensemble).
    """

    rows: list[Row]
    notes: list[str]
    paths: dict[str, Path]
    spending: list[Cost]
    effects: list[CostEffect]


def build_comparison(
    folders: list[Path],
    out: Path,
    baseline_index: int = 0,
    precision: float | None = None,
    precision_outcome: str = "stability_index",
    window: Window | None = None,
    extra_sections: tuple[Section, ...] = (),
    payer: str = ALL_STATES,
) -> Built:
    """Load ensembles, compare them with the first (or ``baseline_index``), write the report into ``out``.

    ``payer`` is whose extra spending cost-effectiveness divides by: all states, or one state.

    Raises:
        ResultsError: if the ensembles are not paired (replicates, root seed), the window holds no
            year, or the payer is unknown.
    """
    window = window or Window()
    data = [load_scenario_data(f) for f in folders]
    if baseline_index:
        data.insert(0, data.pop(baseline_index))
    names = [d.name for d in data]
    if len(set(names)) != len(names):
        data = [replace(d, name=f"{d.name}#{i}") for i, d in enumerate(data)]
    reps = {d.replicates for d in data}
    seeds = {d.manifest["root_seed"] for d in data}
    if len(reps) != 1 or len(seeds) != 1:
        raise ResultsError(
            "scenarios to compare must have the same replicates and root seed (paired by common random numbers); got "
            + ", ".join(f"{d.name}: {d.replicates} x seed {d.manifest['root_seed']}" for d in data)
        )
    if len({tuple(d.years) for d in data}) != 1:
        raise ResultsError(
            "scenarios to compare must cover the same years: "
            + ", ".join(f"{d.name}: {d.years.min()}-{d.years.max()}" for d in data)
        )
    rows = comparison_rows(data, window)
    spending, effects = comparison_costs(data, window, adjusted_level(rows), payer)
    notes = precision_notes(rows, data, precision, precision_outcome)
    out.mkdir(parents=True, exist_ok=True)
    doc = report_document(data, rows, window, notes, spending, effects)
    if extra_sections:  # e.g. compare --explain: after the comparison's own sections
        doc = replace(doc, sections=(*doc.sections, *extra_sections))
    paths = write_document(doc, out)
    paths["costs"] = write_rows(out / "costs.csv", spending)
    paths["cost_effectiveness"] = write_rows(out / "cost_effectiveness.csv", effects, CostEffect)
    clipped = window.clip_note(data[0].years)
    notes = [clipped, *notes] if clipped else notes
    paths["csv"] = out / "comparison.csv"
    with open(paths["csv"], "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        fields = list(Row.__dataclass_fields__)
        w.writerow(fields)
        for r in rows:
            w.writerow([getattr(r, f) for f in fields])
    spec = {
        "kind": "comparison",
        "folders": [str(f) for f in folders],
        "baseline": data[0].name,
        "window": {
            "from": window.first,
            "to": window.last,
            "last_year": window.last_year,
            "years_used": list(window.used(data[0].years)) if not window.last_year else [int(data[0].years.max())] * 2,
        },
        "precision": precision,
        "precision_outcome": precision_outcome,
        "payer": payer,
    }
    (out / "comparison.json").write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
    return Built(rows, notes, paths, spending, effects)


def write_rows(path: Path, rows: list[Any], kind: type | None = None) -> Path:
    """Dataclass rows as a CSV file, one column per field (the header also when there are no rows)."""
    fields = [f.name for f in dataclasses.fields(kind or type(rows[0]))] if rows or kind else []
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(fields)
        for r in rows:
            w.writerow([getattr(r, f) for f in fields])
    return path


def console_rows(rows: list[Row]) -> tuple[list[str], list[list[str]]]:
    """The short comparison table printed by ``scenarios compare``: the ``console`` view of outcomes, with units."""
    shown = [r for r in rows if r.outcome in outcomes.view("console")]
    table = [
        [
            _label(r.outcome),
            shown_unit(r.unit),
            r.scenario,
            fmt_value(r.mean, r.unit),
            ""
            if r.diff is None
            else f"{fmt_diff(r.diff, r.unit)}"
            + ("" if r.diff_low is None else f" [{fmt_diff(r.diff_low, r.unit)}, {fmt_diff(r.diff_high, r.unit)}]"),
            verdict(r),
        ]
        for r in shown
    ]
    return ["outcome", "unit", "scenario", "mean", "difference [95% interval, adjusted]", "in words"], table


def console_costs(spending: list[Cost], effects: list[CostEffect]) -> list[tuple[list[str], list[list[str]]]]:
    """The cost tables printed by ``scenarios compare``: each state's total spending (USD M/yr) per scenario
    with its difference, then the change in the ``console`` outcomes per 100 USD M/yr of extra spending."""
    totals = [
        [
            state_label(c.state),
            c.unit,
            c.scenario,
            fmt_value(c.mean, c.unit),
            ""
            if c.diff is None
            else fmt_diff(c.diff, c.unit)
            + ("" if c.diff_low is None else " " + _interval(c.diff_low, c.diff_high, c.unit)),
        ]
        for c in spending
        if c.category == "total"
    ]
    shown = set(outcomes.view("console"))
    per = [
        [
            _label(e.outcome),
            effect_unit(e.unit),
            e.scenario,
            fmt_diff(e.extra_spending, "USD M/yr"),
            "n/a (no extra spending)"
            if e.per_100 is None
            else fmt_diff(e.per_100, base) + ("" if e.low is None else " " + _interval(e.low, e.high, base)),
        ]
        for e in effects
        if e.outcome in shown
        for base in [e.unit.rsplit(" per ", 1)[0]]
    ]
    tables = [(["spending", "unit", "scenario", "mean", "difference [95% interval, adjusted]"], totals)]
    if per:
        head = ["outcome", "unit", "scenario", "extra spending (USD M/yr)", "per 100 USD M/yr [95% interval, adjusted]"]
        tables.append((head, per))
    return tables
