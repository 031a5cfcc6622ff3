"""Tables for docs/model.md generated from the registries, so the document cannot drift from the code.

``python scripts/gen_docs.py`` rewrites every block between ``<!-- BEGIN GENERATED: name -->`` and
``<!-- END GENERATED: name -->``; ``tests/test_docs.py`` fails when a block is stale.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from scenarios import outcomes, registry


def _table(header: list[str], rows: list[list[str]]) -> str:
    def cell(x: object) -> str:
        return str(x).replace("|", "/").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


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
                f"{lv.decay_weeks:g}",
                f"{lv.half_saturation:g}",
                effects + ("; " + ", ".join(extras) if extras else ""),
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
        "decay (weeks)",
        "half-saturation",
        "channels (weight)",
        "article passage",
        "source / assumption",
    ]
    return _table(header, rows)


def channels_table() -> str:
    rows = [[f"`{c.name}`", c.level, c.description] for c in registry.channels().values()]
    return _table(["channel", "level", "what it is"], rows)


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
    return _table(["parameter", "submodel", "value", "range", "unit", "kind", "source"], rows)


def drivers_table() -> str:
    rows = [
        [f"`{d.name}`", d.unit, f"{d.default:g}", f"{d.min:g}-{d.max:g}", d.description, d.source]
        for d in registry.drivers().values()
    ]
    return _table(["driver", "unit", "default", "range", "what it is", "source"], rows)


def calibration_table() -> str:
    rows = [
        [f"`{p.name}`", f"{p.value:g}", f"{p.min:g}-{p.max:g}", p.target]
        for p in registry.parameters().values()
        if p.kind == "calibrated"
    ]
    return _table(["tuned parameter", "value", "documented range", "target it serves"], rows)


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
            rows.append([f"`{o.name}`", level, o.unit, o.summary, direction, o.description])
    rows.append(
        [
            "`capacity_<channel>`",
            "national",
            "0-1",
            "mean",
            "-",
            "one per capacity channel (mean over segments or regions)",
        ]
    )
    rows.append(["`<driver name>`", "national", "driver unit", "mean", "-", "every driver's weekly value, as used"])
    return _table(["outcome", "level", "unit (weekly)", "per year", "better", "definition"], rows)


def stability_table() -> str:
    rows = [[k, f"{w:g}"] for k, w in outcomes.STABILITY_WEIGHTS.items()]
    rows += [[f"scale: {k}", f"{v:g}"] for k, v in outcomes.SCALES.items()]
    return _table(["component / scale", "weight or value"], rows)


BLOCKS: dict[str, Callable[[], str]] = {
    "levers": levers_table,
    "channels": channels_table,
    "parameters": parameters_table,
    "drivers": drivers_table,
    "calibration": calibration_table,
    "outcomes": outcomes_table,
    "stability": stability_table,
}


def render(text: str) -> str:
    """``text`` with every generated block replaced by its current content."""
    for name, fn in BLOCKS.items():
        pattern = re.compile(rf"(<!-- BEGIN GENERATED: {name} -->\n)(?:.*?\n)?(<!-- END GENERATED: {name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"docs/model.md has no generated block '{name}'")
        text = pattern.sub(lambda m, fn=fn: m.group(1) + fn() + "\n" + m.group(2), text)
    return text
