"""Which outcomes the classroom records, charts and scores: kept in one place, edited here only.

Names are outcome names of :mod:`scenarios.outcomes`; labels and units always come from there.
"""

from __future__ import annotations

from typing import NamedTuple


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


SERIES = ClassroomSeries(
    recorded=(
        "stability_index",
        "infiltration_preempted",
        "attacks",
        "casualties",
        "attacks_on_chinese",
        "infiltration_successes",
        "seizures_t",
        "delivered_t",
        "unrest_active_share",
        "radicalised_share",
        "legitimacy",
        "china_influence_share",
        "cost_to_china",
        "capacity_domestic_surveillance",
    ),
    charts=(
        "stability_index",
        "casualties",
        "seizures_t",
        "unrest_active_share",
        "legitimacy",
        "china_influence_share",
    ),
    world=("stability_index", "attacks", "casualties", "seizures_t", "unrest_active_share", "legitimacy"),
    regional=("stability_index", "seizures_t", "unrest_active_share", "attacks", "legitimacy"),
    regions_table=("stability_index", "seizures_t", "unrest_active_share"),
)

SCORE_GOALS: dict[str, tuple[tuple[str, int], ...]] = {
    "china": (("attacks_on_chinese", -1), ("infiltration_successes", -1), ("china_influence_share", +1)),
    "tajikistan": (("stability_index", +1), ("unrest_active_share", -1), ("legitimacy", +1)),
    "russia": (("china_influence_share", -1), ("stability_index", +1)),
    "sco": (("infiltration_preempted", +1), ("infiltration_successes", -1)),
}
"""Each state's own goals for scores: (outcome, +1 if higher is better for that state)."""
