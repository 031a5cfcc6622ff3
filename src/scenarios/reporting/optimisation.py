"""The report of a lever-mix optimisation: the Pareto front, the mixes and how robust each is.

Reads a finished optimisation folder (``manifest.json``, ``pareto.csv``, ``evaluations.csv``) and
writes ``report.html`` (self-contained) and ``report.md`` with ``figures/``: the front against the
baseline (the scenario's own policy of the state) and the do-nothing mix (no spending) on the
objectives, and a table of every non-dominated mix with its levels, cost, each objective's mean
with its 95% interval, and the share of replicates (paired by seed) in which it beats the baseline.
An optimisation over a posterior (``--parameters``) adds how robust each mix's gain is across the
posterior's draws: "better than no extra spending in 80% of parameter sets".
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from scenarios.analysis.summary import fmt
from scenarios.experiments.results import Storage, join, load_manifest
from scenarios.reporting.document import Document, Figure, Section, Table
from scenarios.reporting.exploration import publish
from scenarios.reporting.render import png
from scenarios.spec import registry


def read_csv(folder: str | Path, name: str) -> pd.DataFrame:
    """A CSV table of a results folder (local or a URL); an empty table for an empty file."""
    data = Storage(folder).read_bytes(join(folder, name))
    return pd.read_csv(io.BytesIO(data)) if data.strip() else pd.DataFrame()


def _interval(mean: float, low: float, high: float) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return f"{fmt(mean)} (one replicate: no interval)"
    return f"{fmt(mean)} [{fmt(low)}, {fmt(high)}]"


def front_figure(manifest: dict[str, Any], front: pd.DataFrame, evaluated: pd.DataFrame) -> bytes:
    """Each simulated objective against the cost: every evaluated mix, the front and the baseline."""
    objectives = [o for o in manifest["problem"]["objectives"] if o["name"] != "cost"]
    fig, axes = plt.subplots(1, max(1, len(objectives)), figsize=(4.6 * max(1, len(objectives)), 3.8), squeeze=False)
    base = manifest["baseline"]
    for ax, o in zip(axes[0], objectives, strict=False):
        col = f"{o['name']}_mean"
        if not evaluated.empty:
            ax.scatter(
                evaluated["cost_musd_per_yr"], evaluated[col], s=10, color="#bbb", label="evaluated mixes", zorder=1
            )
        if not front.empty:
            low = front[col] - front[f"{o['name']}_low"]
            high = front[f"{o['name']}_high"] - front[col]
            ax.errorbar(
                front["cost_musd_per_yr"],
                front[col],
                yerr=[low.fillna(0), high.fillna(0)],
                fmt="o",
                color="#1b6ca8",
                ms=5,
                capsize=2,
                label="Pareto mixes (95% interval)",
                zorder=2,
            )
        ax.scatter(
            [base["cost"]["mean"]],
            [base[o["name"]]["mean"]],
            marker="*",
            s=180,
            color="#d1495b",
            label="baseline (the scenario's own policy)",
            zorder=3,
        )
        nothing = manifest.get("nothing")
        if nothing is not None:
            ax.scatter(
                [0.0], [nothing[o["name"]]["mean"]], marker="X", s=70, color="k", label="do nothing (no spending)"
            )
        ax.axvline(manifest["budget_musd"], color="k", linestyle=":", linewidth=1, label="budget")
        ax.set_xlabel(f"cost of the mix [USD M/yr], from {manifest['from_year']}", fontsize=8)
        better = "higher" if o["maximise"] else "lower"
        ax.set_ylabel(f"{o['label']} [{o['unit']}], mean per year ({better} is better)", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=6)
    fig.tight_layout()
    return png(fig)


def mixes_table(manifest: dict[str, Any], front: pd.DataFrame) -> Table:
    """One row per Pareto mix: levels of the levers any mix uses, cost, objectives and robustness."""
    objectives = [o for o in manifest["problem"]["objectives"] if o["name"] != "cost"]
    lever_cols = [f"{manifest['state']}.{n}" for n in manifest["levers"]]
    used = [c for c in lever_cols if not front.empty and float(front[c].abs().max()) > 0]
    units = {f"{manifest['state']}.{n}": registry.levers()[n].unit for n in manifest["levers"]}
    header = [
        "mix",
        *(f"{c.split('.', 1)[1]} [{units[c]}]" for c in used),
        "cost [USD M/yr]",
        *(f"{o['label']} [{o['unit']}]" for o in objectives),
        *(f"{o['name']} minus baseline, paired [95% CI] (share of replicates better)" for o in objectives),
        *(
            f"{o['name']} minus do-nothing, paired [95% CI] (share of replicates better)"
            for o in objectives
            if f"{o['name']}_vs_nothing" in front
        ),
    ]
    rows = []
    for _, r in front.iterrows():
        rows.append(
            [
                str(int(r["mix"])),
                *(fmt(float(r[c])) for c in used),
                fmt(float(r["cost_musd_per_yr"])),
                *(
                    _interval(
                        float(r[f"{o['name']}_mean"]), float(r[f"{o['name']}_low"]), float(r[f"{o['name']}_high"])
                    )
                    for o in objectives
                ),
                *(_versus(r, o["name"]) for o in objectives),
                *(_versus(r, o["name"], "nothing") for o in objectives if f"{o['name']}_vs_nothing" in front),
            ]
        )
    base = manifest["baseline"]
    rows.append(
        [
            "baseline",
            *("" for _ in used),
            fmt(base["cost"]["mean"]),
            *(_interval(base[o["name"]]["mean"], *_finite(base[o["name"]])) for o in objectives),
            *("" for _ in header[len(used) + 2 + len(objectives) :]),
        ]
    )
    nothing = manifest.get("nothing")
    if nothing is not None:
        rows.append(
            [
                "do nothing",
                *("0" for _ in used),
                "0",
                *(_interval(nothing[o["name"]]["mean"], *_finite(nothing[o["name"]])) for o in objectives),
                *("" for _ in header[len(used) + 2 + len(objectives) :]),
            ]
        )
    return Table(header, rows)


def _versus(row: pd.Series, name: str, reference: str = "baseline") -> str:
    diff = _interval(*(float(row[f"{name}_vs_{reference}{k}"]) for k in ("", "_low", "_high")))
    return f"{diff} ({float(row[f'{name}_beats_{reference}']):.0%})"


def posterior_of(manifest: dict[str, Any]) -> dict[str, Any] | None:
    """The posterior record of an optimisation over draws (``--parameters``), else None."""
    record = manifest.get("parameters")
    return record if isinstance(record, dict) and "draw_of_replicate" in record else None


def robustness_items(manifest: dict[str, Any], front: pd.DataFrame) -> list[str]:
    """Per non-dominated mix, how robust its gain over the do-nothing mix (and the baseline) is across
    the posterior's draws: "stability index: better than no extra spending in 80% of parameter sets"."""
    record = posterior_of(manifest)
    if record is None or front.empty:
        return []
    draws = max(1, len(set(record["draw_of_replicate"])))
    per_draw = max(1, len(record["draw_of_replicate"]) // draws)
    objectives = [o for o in manifest["problem"]["objectives"] if o["name"] != "cost"]
    items = []
    for _, r in front.iterrows():
        clauses = []
        for o in objectives:
            n = o["name"]
            noise = float(r[f"{n}_seed_sd"]) / math.sqrt(per_draw)
            said = (
                f"seed noise of a draw's mean: +/- {fmt(noise)} {o['unit']}"
                if math.isfinite(noise)
                else "seed noise not separable: 1 seed per draw"
            )
            clauses.append(
                f"{o['label']}: better than no extra spending in {float(r[f'{n}_draws_better_than_nothing']):.0%} of "
                f"parameter sets, better than the baseline in {float(r[f'{n}_draws_better_than_baseline']):.0%} "
                f"(mean gain over no spending {float(r[f'{n}_vs_nothing']):+.3g} {o['unit']}; {said})"
            )
        items.append(
            f"Mix {int(r['mix'])} ({fmt(float(r['cost_musd_per_yr']))} USD M/yr; {draws} parameter sets x {per_draw} "
            "seeds): " + "; ".join(clauses) + "."
        )
    return items


def spread_table(manifest: dict[str, Any], front: pd.DataFrame) -> Table:
    """Per mix and objective: the spread of a replicate's value from seed noise and from parameter uncertainty."""
    objectives = [o for o in manifest["problem"]["objectives"] if o["name"] != "cost"]
    rows = []
    for _, r in front.iterrows():
        for o in objectives:
            seed_sd, par_sd = float(r[f"{o['name']}_seed_sd"]), float(r[f"{o['name']}_parameter_sd"])
            rows.append(
                [
                    str(int(r["mix"])),
                    f"{o['label']} [{o['unit']}]",
                    fmt(seed_sd) if math.isfinite(seed_sd) else "n/a",
                    fmt(par_sd) if math.isfinite(par_sd) else "n/a",
                ]
            )
    return Table(["mix", "objective", "seed noise (sd)", "parameter uncertainty (sd)"], rows)


def _finite(stats: dict[str, Any]) -> tuple[float, float]:
    low, high = stats.get("low"), stats.get("high")
    return (float("nan") if low is None else float(low)), (float("nan") if high is None else float(high))


def _parameters_sentence(manifest: dict[str, Any]) -> str:
    record = posterior_of(manifest)
    if record is None:
        return ""
    draws = len(set(record["draw_of_replicate"]))
    per_draw = len(record["draw_of_replicate"]) // max(1, draws)
    if "sha256" not in record:
        return f" Each replicate also runs its own parameter overrides ({draws} sets, given to the API)."
    return (
        f" Parameters: posterior ensemble from {record.get('file', '?')} (SHA-256 {str(record['sha256'])[:12]}, "
        f"{record.get('particles', '?')} particles): replicate i of every mix and reference runs posterior draw "
        f"i // {per_draw} with seed i ({draws} draws x {per_draw} seeds), so mixes stay paired within each draw; "
        "intervals are over the draws' means, so they include parameter uncertainty."
    )


def optimisation_document(folder: str | Path) -> Document:
    """The report of the optimisation folder ``folder`` as a document."""
    manifest = load_manifest(folder)
    front = read_csv(folder, "pareto.csv")
    evaluated = read_csv(folder, "evaluations.csv")
    search = manifest["search"]
    objectives = manifest["problem"]["objectives"]
    names = ", ".join(f"{o['label']} ({'max' if o['maximise'] else 'min'}imise, {o['unit']})" for o in objectives)
    intro = [
        f"Which mix of {manifest['state']}'s {len(manifest['levers'])} levers, held from {manifest['from_year']} on "
        f"(the scenario's own schedule before), is best within a budget of {manifest['budget_musd']:g} USD M/yr? "
        f"Scenario {manifest['scenario']}; objectives: {names}. Simulated outcomes are means per year over "
        f"{manifest['from_year']} to the end of the run.",
        f"Search: NSGA-II (pymoo {manifest['algorithm']['version']}), population {manifest['population']}, "
        f"{manifest['generations']} generations after the first, seed {manifest['root_seed']}; the cost of a mix is "
        "the sum of each level times the lever's price (cost_musd_per_unit in the lever registry), a constraint. "
        f"{search['mixes_simulated']} mixes simulated ({search['mixes_taken_from_the_folder']} taken from an earlier run "
        f"of this folder), {search['over_budget_not_simulated']} over-budget offspring not simulated; "
        f"{search['pareto_mixes']} of {search['feasible_mixes']} feasible mixes are non-dominated.",
        f"Every mix, the baseline and the do-nothing mix (every lever at 0 from {manifest['from_year']}: no "
        f"spending) run the same {manifest['replicates']} replicate seeds (common random numbers), so a mix's share "
        "of replicates that beat the baseline compares runs under the same chance events."
        + _parameters_sentence(manifest),
    ]
    record = posterior_of(manifest)
    sections = [
        Section(
            "The front",
            paragraphs=[
                "Each panel: one simulated objective against the cost. Grey: every feasible mix evaluated; blue: the "
                "non-dominated mixes (no other mix is at least as good on every objective and better on one) with 95% "
                "intervals over replicates; red star: the baseline."
            ],
            figures=[Figure("pareto_front.png", front_figure(manifest, front, evaluated), "the front", wide=True)],
        ),
        Section(
            "The mixes",
            paragraphs=[
                "Levers no Pareto mix uses are left out. Intervals: 95% t intervals of the mean over "
                + ("the posterior draws' means (so they include parameter uncertainty). " if record else "replicates. ")
                + "Robustness: the mix minus the baseline (and minus the do-nothing mix), replicate by replicate (the "
                "same seeds, so chance events largely cancel and the interval is narrower than the means'), and the "
                "share of replicates in which the mix beats it; a mix better on average but in few replicates rests "
                "on a few runs."
            ],
            table=mixes_table(manifest, front),
        ),
    ]
    if record is not None and not front.empty:
        sections.append(
            Section(
                "Robustness across parameter sets",
                paragraphs=[
                    "For each non-dominated mix and objective: the share of the posterior's draws (plausible parameter "
                    "sets) in which the mix's mean over that draw's seeds beats the do-nothing mix (no spending), and "
                    "the baseline; the seed noise is the standard deviation of a draw's mean from the seeds alone. "
                    "The table splits the spread of one replicate's value into seed noise (within a draw) and "
                    "parameter uncertainty (between draws; a one-way random-effects split, n/a with one seed per draw)."
                ],
                items=robustness_items(manifest, front),
                table=spread_table(manifest, front),
            )
        )
    return Document(
        f"Lever mix for {manifest['state']}: {manifest['budget_musd']:g} USD M/yr from {manifest['from_year']}",
        intro,
        sections,
    )


def write_optimisation_report(folder: str | Path) -> dict[str, str | Path]:
    """``report.html`` and ``report.md`` (with ``figures/``) of a finished optimisation folder."""
    return publish(optimisation_document(folder), folder)
