"""Tables for docs/model.md generated from the registries, so the document cannot drift from the code.

``python scripts/gen_docs.py`` rewrites every block between ``<!-- BEGIN GENERATED: name -->`` and
``<!-- END GENERATED: name -->``; ``tests/test_docs.py`` fails when a block is stale.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from scenarios.reporting.render import md_table
from scenarios.spec import outcomes, registry


def levers_table() -> str:
    rows = []
    for lv in registry.levers().values():
        effects = ", ".join(f"{k} {v:g}" for k, v in lv.effects.items()) or "funds Tajik levers (aid_allocation)"
        extras = [
            x
            for x, on in (
                ("SCO-amplified", lv.sco_amplified),
                ("multiplier", lv.multiplier),
                ("raises Chinese exposure", lv.raises_exposure),
                ("helps smugglers", lv.helps_smugglers),
                ("default aid allocation", lv.aid_default),
            )
            if on
        ]
        rows.append(
            [
                f"`{lv.name}`",
                lv.unit,
                f"{lv.min:g}-{lv.max:g}",
                f"{lv.cost_musd_per_unit:g}",
                ", ".join(lv.suppliers),
                lv.spatial,
                str(lv.lag_weeks),
                f"{lv.lifetime_weeks:g}",
                f"{lv.half_saturation_stock:g}",
                effects + ("; " + ", ".join(extras) if extras else ""),
                f"{lv.dose.level:g} ({lv.dose.rationale})",
                expected_signs(lv),
                f'"{lv.article}"',
                lv.notes,
            ]
        )
    header = [
        "lever",
        "unit",
        "range",
        "USD M per unit",
        "suppliers",
        "spatial",
        "lag (weeks)",
        "lifetime (weeks)",
        "half-saturation (unit-years in service)",
        "channels (weight)",
        "strong dose (check-model)",
        "expected sign (check-model)",
        "article passage",
        "source / assumption",
    ]
    return md_table(header, rows)


def expected_signs(lever: registry.Lever) -> str:
    """The lever's expected signs as table text (``outcome up/down (source)``, per supplier where they differ)."""
    parts = []
    for exp in lever.expected_sign:
        who = f" [{', '.join(exp.suppliers)}]" if exp.suppliers else ""
        parts.append(f"`{exp.outcome}` {'up' if exp.sign > 0 else 'down'}{who} ({exp.source})")
    return "; ".join(parts) or "report only (no clear sign in the literature)"


def channels_table() -> str:
    rows = [[f"`{c.name}`", c.level, c.description] for c in registry.channels().values()]
    return md_table(["channel", "level", "what it is"], rows)


def pathways_table() -> str:
    """Lever -> channels -> stages -> first outcomes, from the lever and channel declarations."""
    chans = registry.channels()
    rows = []
    for lv in registry.levers().values():
        if lv.funds_other_levers:
            rows.append(
                [
                    f"`{lv.name}`",
                    "(none: becomes Tajik spending on the aid allocation)",
                    "states",
                    "as the levers it funds",
                ]
            )
            continue
        names = sorted(lv.effects, key=lambda c: -lv.effects[c])
        extra = []
        if lv.multiplier:
            extra.append("multiplies intelligence sharing and joint exercises (sco_multiplier)")
        if lv.helps_smugglers:
            extra.append("roads: cheaper routes carry more drugs (roads_help_smugglers, roads_volume_elasticity)")
        if lv.raises_exposure:
            extra.append("Chinese investment stock: exposure of Chinese targets and visibility")
        if lv.category == "security":
            extra.append("when China supplies it: visibility (anti-China recruitment, resentment)")
        stages = sorted({s for c in names for s in chans[c].read_by})
        reached = list(dict.fromkeys(o for c in names for o in chans[c].reaches))
        rows.append(
            [
                f"`{lv.name}`",
                ", ".join(f"{c} ({lv.effects[c]:g})" for c in names) + ("; " + "; ".join(extra) if extra else ""),
                ", ".join(stages),
                ", ".join(f"`{o}`" for o in reached),
            ]
        )
    return md_table(
        ["lever", "channels (weight) and other paths", "stages that read them", "outcomes reached first"], rows
    )


def parameters_table() -> str:
    rows = [
        [
            f"`{p.name}`",
            p.group,
            f"{p.value:g}",
            f"{p.min:g}-{p.max:g}",
            p.unit,
            p.kind,
            p.source + (f" (target: {p.target})" if p.target else ""),
        ]
        for p in registry.parameters().values()
    ]
    return md_table(["parameter", "submodel", "value", "range", "unit", "kind", "source"], rows)


def drivers_table() -> str:
    rows = [
        [f"`{d.name}`", d.unit, f"{d.default:g}", f"{d.min:g}-{d.max:g}", d.description, d.source]
        for d in registry.drivers().values()
    ]
    return md_table(["driver", "unit", "default", "range", "what it is", "source"], rows)


def calibration_table() -> str:
    rows = [
        [f"`{p.name}`", f"{p.value:g}", f"{p.min:g}-{p.max:g}", p.target]
        for p in registry.parameters().values()
        if p.kind == "calibrated"
    ]
    return md_table(["tuned parameter", "value", "documented range", "target it serves"], rows)


def outcomes_table() -> str:
    rows = []
    for level, table in (
        ("national", outcomes.national()),
        ("region", outcomes.regional()),
        ("segment", outcomes.per_segment()),
    ):
        for o in table.values():
            if level == "national" and (o.name.startswith("capacity_") or o.name in registry.drivers()):
                continue
            direction = {True: "higher", False: "lower", None: "-"}[o.higher_is_better]
            rows.append([f"`{o.name}`", level, o.unit, o.summary, direction, o.description, o.counterpart or "-"])
    rows.append(
        [
            "`capacity_<channel>`",
            "national",
            "0-1",
            "mean",
            "-",
            "one per capacity channel (mean over segments or regions)",
            "-",
        ]
    )
    rows.append(
        ["`<driver name>`", "national", "driver unit", "mean", "-", "every driver's weekly value, as used", "-"]
    )
    header = ["outcome", "level", "unit (weekly)", "per year", "better", "definition", "real-world counterpart"]
    return md_table(header, rows)


def views_table() -> str:
    """The named views of the outcomes."""
    return md_table(["view", "outcomes"], [[k, ", ".join(f"`{o}`" for o in v)] for k, v in outcomes.views().items()])


def stability_table() -> str:
    rows = [[k, f"{w:g}"] for k, w in outcomes.index_weights().items()]
    rows += [[f"scale: {k}", f"{v:g}"] for k, v in outcomes.SCALES.items()]
    return md_table(["component / scale", "weight or value"], rows)


BLOCKS: dict[str, Callable[[], str]] = {
    "levers": levers_table,
    "channels": channels_table,
    "parameters": parameters_table,
    "drivers": drivers_table,
    "calibration": calibration_table,
    "outcomes": outcomes_table,
    "stability": stability_table,
    "pathways": pathways_table,
    "views": views_table,
}


def _replacement(body: str) -> Callable[[re.Match[str]], str]:
    """A ``re.sub`` replacement that keeps a block's markers and puts ``body`` between them."""
    return lambda m: m.group(1) + body + "\n" + m.group(2)


def render(text: str) -> str:
    """``text`` with every generated block replaced by its current content."""
    for name, fn in BLOCKS.items():
        pattern = re.compile(rf"(<!-- BEGIN GENERATED: {name} -->\n)(?:.*?\n)?(<!-- END GENERATED: {name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"docs/model.md has no generated block '{name}'")
        text = pattern.sub(_replacement(fn()), text)
    return text


def exercise_guide(scenario: object, file_name: str) -> str:
    """The teacher's guide of an exercise config (docs/exercises/<name>.md), written from its ``exercise:`` section."""
    ex = scenario.exercise  # type: ignore[attr-defined]
    start = int(scenario.start[:4])  # type: ignore[attr-defined]
    lines = [
        f"# Teacher's guide: {ex.title}",
        "",
        f"*Generated from `src/scenarios/library/exercises/{file_name}` by `python scripts/gen_docs.py`; edit the config, not this file.*",
        "",
        f"- **Rounds:** {ex.rounds} (one simulated year each, {start}-{start + ex.rounds - 1}), about {ex.minutes_per_round} minutes per round, "
        f"plus 10 minutes of briefing and 15-20 of debrief: about {ex.rounds * ex.minutes_per_round + 30} minutes in all.",
        f"- **Teams:** {', '.join(ex.teams)} ({len(ex.teams)} teams; several students per team can open the same join code).",
        f"- **Injects you may use:** {', '.join(ex.injects)}.",
        "",
        "## Learning objectives",
        "",
        *[f"- {o}" for o in ex.learning_objectives],
        "",
        "## Running the session",
        "",
        "1. Start the server on the teacher's machine: `scenarios serve --host 0.0.0.0` (students on the classroom",
        "   network) or `scenarios serve` (this machine only). It prints the address and the teacher's PIN (kept with",
        "   the database, so a restart keeps it and keeps you logged in). It needs no internet: every page and chart",
        "   is served by the app.",
        f"2. Open the address, choose **Teacher**, enter the PIN, pick *{ex.title}*, give the session a label and create it.",
        "   Open **Show join codes** on the console (not while projecting) or print the **briefing cards**: each team",
        "   has a short code (any case, dash optional) and a QR code.",
        "3. Put the **projector view** on the wall: the round, a countdown of"
        f" {ex.minutes_per_round} minutes per round, who has submitted, events",
        "   and big charts; it shows no codes and no controls.",
        "4. Teams open the address on their own devices (phones work) and join with their code. They read their",
        "   briefing, budget and levers. Each round they set their levers and submit (they may resubmit until you",
        "   advance). You may inject an event; it takes effect at the start of the round and is not shown to the teams",
        "   before. Press **Advance**: the model simulates the year; every page updates by itself and each team sees",
        "   what happened: events, its spending, and each indicator against last year and the baseline (with the noise band).",
        "5. After the last round open the **Debrief** (teams can open it too from their page), replay it round by round,",
        "   discuss, and export it as HTML or CSV. Restarting the server mid-class loses nothing: sessions live in",
        "   `results/classroom.sqlite`.",
        "",
        "## Roles and briefings",
        "",
    ]
    from scenarios.spec import registry

    for state, team in ex.teams.items():
        levers = ", ".join(registry.levers_of(state))
        lines += [
            f"### {state} (budget {team.budget_musd:g} USD M per round)",
            "",
            team.briefing,
            "",
            "Goals:",
            *[f"- {g}" for g in team.goals],
            "",
            f"Levers: {levers}.",
            "",
        ]
    lines += [
        "## Debrief",
        "",
        "The debrief compares the session with the baseline run of the same exercise under the same seed, so",
        "differences come from the teams' choices and the injects, not from chance; a difference inside the noise band",
        "(twice the spread of the baseline over other seeds) is called within noise. It scores each team on shared",
        "stability (stability index vs baseline), its own goals (below) and cost (the allocations in force, against the",
        "exercise's plan for the same levers and years), shows every team's allocations round by round and the events",
        "injected, and says which stylized facts showed up.",
        "",
        "| team | own-goal outcomes (better if) |",
        "|---|---|",
    ]

    for state in ex.teams:
        goals = ", ".join(f"`{o}` ({'higher' if s > 0 else 'lower'})" for o, s in outcomes.STATE_GOALS.get(state, ()))
        lines.append(f"| {state} | {goals} |")
    lines += ["", "Questions for discussion (each tied to outcomes on the debrief page):", ""]
    lines += [f"{i}. {q}" for i, q in enumerate(ex.debrief_questions, 1)]
    lines += [
        f"{len(ex.debrief_questions) + 1}. Balloon effect: compare segment flows with the baseline (the debrief says whether flow moved between segments).",
        f"{len(ex.debrief_questions) + 2}. Repression backlash: did domestic surveillance rise while legitimacy fell?",
        "",
        "Remind the class that the model is an exploratory tool, not a forecast, and that the article's aid table",
        "(50/70/85 USD M for 2021-2023) is the article's unverified claim.",
        "",
    ]
    return "\n".join(lines)
