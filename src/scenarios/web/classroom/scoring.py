"""What a session's numbers mean: a team's "this year" report, debrief scores and costs, stylized facts.

Plain functions on plain data (the JSON-ready state of :class:`~scenarios.web.classroom.game.Classroom`).
Labels and units come from the outcome and lever registries. A change is compared with the noise
band (:func:`~scenarios.web.classroom.simulate.noise_band`): within it, it is called noise.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from scenarios.spec import outcomes, registry
from scenarios.web.classroom.series import SCORE_GOALS, SERIES

SCALE_UNITS = ("0-1", "0-100")


def yearly_unit(o: outcomes.Outcome) -> str:
    """The unit of an outcome's yearly value: a flow's weekly unit becomes per year; shares are shown in %."""
    unit = o.unit.replace("/week", "/yr") if o.summary == "sum" else o.unit
    return "%" if unit == "share" else unit


def bounds(unit: str) -> tuple[float, float | None]:
    """What an outcome of this unit can be: an index's scale ("0-1", "0-100"), a share in [0, 1];
    every other classroom outcome is a count, a flow, an amount or a level, never below zero."""
    m = re.fullmatch(r"(\d+)-(\d+)", unit)
    if m:
        return float(m[1]), float(m[2])
    return (0.0, 1.0) if unit == "share" else (0.0, None)


def labels() -> dict[str, dict[str, Any]]:
    """Label, yearly unit and bounds (``min``, ``max`` or None) of every recorded series."""
    table = outcomes.national()
    out: dict[str, dict[str, Any]] = {}
    for name in SERIES.recorded:
        lo, hi = bounds(table[name].unit)
        out[name] = {"label": table[name].label, "unit": yearly_unit(table[name]), "min": lo, "max": hi}
    return out


def lever_labels() -> dict[str, dict[str, Any]]:
    """Label, unit and cost of every lever."""
    return {
        n: {"label": lv.label, "unit": lv.unit, "cost": lv.cost_musd_per_unit, "max": lv.max}
        for n, lv in registry.levers().items()
    }


def lever_view(name: str, budget_musd: float) -> dict[str, Any]:
    """A lever as the team page shows it: in USD M, its slider bounded by the lever's maximum and the
    budget, and what a USD M buys in the lever's own unit (none for levers counted in USD M)."""
    lv = registry.levers()[name]
    cap = lv.max * lv.cost_musd_per_unit
    if lv.unit.startswith("USD M"):
        natural = None
    elif "0-1" in lv.unit:
        natural = f"{lv.unit}; {lv.cost_musd_per_unit:g} USD M buys 1, the most there is"
    else:
        natural = f"{lv.unit}; {lv.cost_musd_per_unit:g} USD M each, at most {lv.max:g}"
    return {
        "name": name,
        "label": lv.label,
        "description": lv.description,
        "article": lv.article,
        "lag_weeks": lv.lag_weeks,
        "cost": lv.cost_musd_per_unit,
        "max_musd": cap,
        "slider_max": min(cap, budget_musd),
        "unit": lv.unit,
        "natural": natural,
    }


def fmt(name: str, value: float | None) -> str:
    """A value of a series in its unit, readable (shares as percentages, no exponents)."""
    if value is None or not np.isfinite(value):
        return "-"
    unit = labels()[name]["unit"] if name in labels() else ""
    if unit == "%":
        return f"{number(100 * value)} %"
    text = number(value)
    if unit in SCALE_UNITS:  # an index: its scale is not a unit to repeat after every number
        return text
    return f"{text} {unit}".strip()


def number(x: float) -> str:
    """A number with about three significant digits, never in exponent notation."""
    a = abs(x)
    if a >= 100:
        return f"{x:,.0f}"
    if a >= 1:
        return f"{x:.2f}"
    if a >= 0.01 or a == 0:
        return f"{x:.3f}"
    return f"{x:.{min(8, 2 - int(np.floor(np.log10(a))))}f}"


def fmt_diff(name: str, diff: float) -> str:
    """The size of a difference: shares in percentage points, anything else in its unit."""
    if name in labels() and labels()[name]["unit"] == "%":
        return f"{number(100 * diff)} percentage points"
    return fmt(name, diff)


def change(name: str, now: float, ref: float, noise: float | None) -> dict[str, Any]:
    """How ``now`` compares with ``ref``: difference, percentage, whether within noise, and in words."""
    diff = now - ref
    if abs(diff) <= 1e-9 * max(1.0, abs(ref)):  # rounding in the last digits is no change
        diff = 0.0
    pct = None if ref == 0 else 100 * diff / abs(ref)
    within = noise is not None and abs(diff) <= noise
    if diff == 0:
        words = "no change"
    elif within:
        words = f"{'up' if diff > 0 else 'down'} {fmt_diff(name, abs(diff))}, within noise"
    else:
        size = f" ({pct:+.0f} %)" if pct is not None else ""
        words = f"{'up' if diff > 0 else 'down'} {fmt_diff(name, abs(diff))}{size}"
    return {"diff": diff, "pct": pct, "within_noise": within, "words": words}


STATE_LABELS = {"sco": "SCO"}
"""States whose name is not simply capitalized (the state registry has names only)."""


def state_label(state: str) -> str:
    """A state as people write it: "China", "SCO"."""
    return STATE_LABELS.get(state, state.capitalize())


def place_labels() -> dict[str, str]:
    """Label of every region and border segment of the default world (registry names otherwise)."""
    world = registry.default_world()
    out = {r.name: r.label for r in world.regions}
    return out | {s.name: s.label for s in world.segments}


def event_words(inj: dict[str, Any]) -> str:
    """An inject in words, with the places' labels: "attack in Gorno-Badakhshan"."""
    places = place_labels()
    where = " in " + places.get(inj["region"], inj["region"]) if inj.get("region") else ""
    where += " on the " + places.get(inj["segment"], inj["segment"]) + " segment" if inj.get("segment") else ""
    return f"{inj['kind'].replace('_', ' ')}{where}"


def own_effect(
    st: dict[str, Any], state: str, round_: int, counterfactual: dict[str, Any] | None
) -> dict[str, Any] | None:
    """What a team's own choices did in ``round_``: that year as played against the same year re-run
    with the team's plan instead of its choices (common random numbers), for shared stability and
    the team's own goals, each with the noise band. None until the counterfactual is computed."""
    if counterfactual is None:
        return None
    if counterfactual["same_as_plan"]:
        return {
            "text": "Your allocation this round was the exercise's plan, so it changed nothing against the plan.",
            "rows": [],
        }
    i = round_ - 1
    played, cf, band = st["played"]["yearly"], counterfactual["yearly"], (st["band"] or {})
    rows = []
    goals = dict(SCORE_GOALS.get(state, ()))
    for name in dict.fromkeys(["stability_index", *goals]):
        noise = band[name][i] if name in band else None
        c = change(name, played[name][i], cf[name], noise)
        sign = goals.get(name, 1)
        better = None if c["within_noise"] or c["diff"] == 0 else (c["diff"] * sign > 0)
        verdict = "" if better is None else (" (better for you)" if better else " (worse for you)")
        rows.append(
            {"outcome": name, "label": labels()[name]["label"], "words": c["words"] + verdict, "better": better}
        )
    text = (
        "Against the same year re-run with the exercise's plan for your team instead of your choices "
        "(same random numbers, every other team as it played): "
        + "; ".join(f"{r['label']}: {r['words']}" for r in rows)
        + "."
    )
    return {"text": text, "rows": rows}


def year_report(
    st: dict[str, Any],
    state: str,
    in_force: dict[str, Any],
    injects: list[dict[str, Any]],
    counterfactual: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A team's "this year" panel: events, its own spending (exactly what the simulation used), what
    its own choices did (:func:`own_effect`), and each indicator's change since last year and
    against the baseline in words and percentages, with the noise band."""
    n = st["round"]
    played, base, band = st["played"]["yearly"], st["baseline"]["yearly"], (st["band"] or {})
    lev = registry.levers()
    names = list(dict.fromkeys([*SERIES.world, *(g for g, _ in SCORE_GOALS.get(state, ()))]))
    rows = []
    for name in names:
        now = played[name][n - 1]
        noise = band[name][n - 1] if name in band else None
        rows.append(
            {
                "outcome": name,
                "label": labels()[name]["label"],
                "value": fmt(name, now),
                "since_last_year": change(name, now, played[name][n - 2], None)["words"] if n > 1 else "first year",
                "vs_baseline": change(name, now, base[name][n - 1], noise),
                "noise": fmt_diff(name, noise) if noise is not None else "-",
            }
        )
    spent = [
        {
            "lever": name,
            "label": lev[name].label,
            "musd": usd,
            # what it bought in the lever's own unit (nothing to add for levers counted in USD M)
            "amount": ""
            if lev[name].unit.startswith("USD M")
            else f"{usd / lev[name].cost_musd_per_unit:.3g} {lev[name].unit}",
        }
        for name, usd in in_force["allocation"].items()
    ]
    source = {
        "submitted": "your submission",
        "kept": "your last submission (you did not submit this round)",
        "plan": "the exercise's plan (you did not submit)",
    }[in_force["source"]]
    effect = own_effect(st, state, n, counterfactual)
    return {
        "year": st["years"][-1],
        "own_effect": None if effect is None else effect["text"],
        "own_effect_rows": [] if effect is None else effect["rows"],
        "events": [event_words(i) for i in injects],
        "spending_total": sum(in_force["allocation"].values()),
        "spending_source": source,
        "spending": spent,
        "rows": rows,
    }


def debrief(
    st: dict[str, Any],
    in_force: list[dict[str, dict[str, Any]]],
    plans: list[dict[str, dict[str, float]]],
    injects: list[dict[str, Any]],
    questions: list[str],
) -> dict[str, Any]:
    """Scores per team, costs from the allocations in force against the exercise's plan (levers
    only, like for like), allocations round by round, the inject timeline and the stylized facts."""
    n = st["round"]
    played, base, band = st["played"], st["baseline"], st["band"] or {}

    def mean(d: dict[str, Any], name: str) -> float:
        return float(np.mean(d["yearly"][name][:n]))

    def noise(name: str) -> float | None:
        # the band of a mean over n years; conservative: the mean of the yearly half-widths
        return float(np.mean(band[name][:n])) if name in band else None

    scores = []
    names = labels()
    for state in in_force[0]:
        spent = sum(sum(r[state]["allocation"].values()) for r in in_force)
        planned = sum(sum(p[state].values()) for p in plans)
        goals = []
        for name, sign in SCORE_GOALS.get(state, ()):
            c = change(name, mean(played, name), mean(base, name), noise(name))
            better = None if c["within_noise"] or c["diff"] == 0 else bool(sign * c["diff"] > 0)
            goals.append(
                {
                    "outcome": name,
                    "label": names[name]["label"],
                    "delta": c["diff"],
                    "words": c["words"],
                    "better": better,
                }
            )
        stab = change(
            "stability_index", mean(played, "stability_index"), mean(base, "stability_index"), noise("stability_index")
        )
        scores.append(
            {
                "state": state,
                "shared_stability": stab["diff"],
                "shared_stability_words": stab["words"],
                "own_goals": goals,
                "cost_musd": spent,
                "plan_musd": planned,
                "cost_vs_plan_musd": spent - planned,
                "rounds_submitted": sum(r[state]["source"] == "submitted" for r in in_force),
            }
        )
    lev = registry.levers()
    allocations = {
        state: [
            {
                "lever": name,
                "label": lev[name].label,
                "unit": lev[name].unit,
                "musd": [r[state]["allocation"].get(name, 0.0) for r in in_force],
            }
            for name in registry.levers_of(state)
        ]
        for state in in_force[0]
    }
    sources = {state: [r[state]["source"] for r in in_force] for state in in_force[0]}
    facts = detect_facts(played, base, n)
    return {
        "state": st,
        "scores": scores,
        "allocations": allocations,
        "sources": sources,
        "facts": facts,
        "questions": list(questions) + [f["prompt"] for f in facts if f["shown"]],
        "injects": [i | {"words": event_words(i)} for i in injects if i["played"]],
        "labels": names,
        "noise": {name: noise(name) for name in SERIES.charts},
    }


def detect_facts(played: dict[str, Any], base: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """Which stylized facts showed up in this session, compared with the baseline run."""
    facts = []
    seg_p = {k: sum(v[:n]) for k, v in played["segments"].items()}
    seg_b = {k: sum(v[:n]) for k, v in base["segments"].items()}
    places = place_labels()
    down = [places.get(k, k) for k in seg_p if seg_p[k] < 0.9 * seg_b[k]]
    up = [places.get(k, k) for k in seg_p if seg_p[k] > 1.1 * seg_b[k]]
    facts.append(
        {
            "id": "balloon",
            "title": "Balloon effect",
            "shown": bool(down and up),
            "evidence": f"flow fell on {', '.join(down) or 'no segment'} and rose on {', '.join(up) or 'no segment'} (vs baseline, >10%)",
            "prompt": "Trafficking moved between border segments: where did it go, and did the total delivered fall?",
        }
    )
    surv = np.mean(played["yearly"]["capacity_domestic_surveillance"][:n]) - np.mean(
        base["yearly"]["capacity_domestic_surveillance"][:n]
    )
    leg = np.mean(played["yearly"]["legitimacy"][:n]) - np.mean(base["yearly"]["legitimacy"][:n])
    facts.append(
        {
            "id": "repression_backlash",
            "title": "Repression backlash",
            "shown": bool(surv > 0.02 and leg < 0),
            "evidence": f"domestic surveillance {surv:+.3f}, legitimacy {leg:+.4f} vs baseline",
            "prompt": "Surveillance rose and legitimacy fell: was the extra policing worth the loss of legitimacy?",
        }
    )
    ch = np.mean(played["yearly"]["china_influence_share"][:n]) - np.mean(base["yearly"]["china_influence_share"][:n])
    facts.append(
        {
            "id": "influence_shift",
            "title": "Influence shifted",
            "shown": bool(abs(ch) > 0.02),
            "evidence": f"China's influence share {100 * ch:+.1f} percentage points vs baseline",
            "prompt": "Influence moved between China and Russia: what did each side pay for it?",
        }
    )
    return facts
