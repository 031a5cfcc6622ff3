"""Which outcomes the classroom records, charts and scores: kept in one place, edited here only.

Names are outcome names of :mod:`scenarios.spec.outcomes`; labels and units always come from there.
"""

from __future__ import annotations

from typing import NamedTuple

from scenarios.spec import outcomes


class ClassroomSeries(NamedTuple):
    """The classroom's outcome lists.

    Attributes:
        recorded: national yearly series stored for every round (everything below must be in it).
        charts: charted on the console, the projector and the debrief.
        world: the team page's "the world this year" panel.
        regional: regional yearly series stored per round.
        regions_table: the explorer's table of regions (regional outcomes).
    """

    recorded: tuple[str, ...]
    charts: tuple[str, ...]
    world: tuple[str, ...]
    regional: tuple[str, ...]
    regions_table: tuple[str, ...]


def stability_first(names: tuple[str, ...]) -> tuple[str, ...]:
    """The stability index first (the one outcome every team shares), the others in their order."""
    return tuple(sorted(names, key=lambda n: n != "stability_index"))


SERIES = ClassroomSeries(
    recorded=outcomes.view("classroom"),
    charts=stability_first(outcomes.view("console")),
    world=(
        "stability_index",
        "attacks",
        "casualties",
        "seizures_t",
        "unrest_active_share",
        "prison_population",
        "legitimacy",
    ),
    regional=("stability_index", "seizures_t", "unrest_active_share", "attacks", "legitimacy"),
    regions_table=("stability_index", "seizures_t", "unrest_active_share"),
)
"""The recorded and charted lists are the ``classroom`` and ``console`` views of the outcome registry
(charted with the stability index first)."""

SCORE_GOALS = outcomes.STATE_GOALS
"""Each state's own goals for scores (declared in ``spec/data/outcomes.yaml``): (outcome, +1 if higher is better)."""
