"""The weekly schedule as data: the declared sequence of stages that ``SecurityModel.step()`` loops over.

Each :class:`Stage` has one signature: ``step(state)`` over the typed :class:`.state.ModelState`
(it reads what earlier stages wrote and writes its own part), and ``record(state, tables)``, the
reporter that writes the outcomes the stage declares (``stage`` in outcomes.yaml). The recorder
calls the reporters in this order after the last stage of the week; two reporters have no step:
the drivers of the week and the composite stability index, which comes last as it reads outcomes
written by the reporters before it.

A stage's name is the name that ``read_by`` in levers.yaml uses for the stages that read a
capacity channel; ``tests/test_stages.py`` checks both declarations against a run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scenarios.model import border, capacity, corruption, militants, presence, society, states, threat, trafficking
from scenarios.model.recorder import Reporter, record_drivers, record_indices
from scenarios.model.state import ModelState


@dataclass(frozen=True)
class Stage:
    """One stage of the week.

    Attributes:
        name: the stage's name (outcomes.yaml ``stage``, levers.yaml ``read_by``).
        step: what the stage does to the state this week (None: a reporter only).
        record: writes the stage's outcomes of the week (None: the stage records nothing).
    """

    name: str
    step: Callable[[ModelState], None] | None = None
    record: Reporter | None = None


STAGES: tuple[Stage, ...] = (
    Stage("states", states.step, states.record),
    Stage("capacity", capacity.step, capacity.record),
    Stage("presence", presence.step, presence.record),
    Stage("border", border.step, border.record),
    Stage("trafficking", trafficking.step, trafficking.record),
    Stage("border_command", border.adapt_effort),
    Stage("militants", militants.step, militants.record),
    Stage("society", society.step, society.record),
    Stage("threat", threat.step, threat.record),
    Stage("corruption", corruption.step, corruption.record),
    Stage("investment", presence.invest),
    Stage("drivers", record=record_drivers),
    Stage("indices", record=record_indices),
)
"""The week, in order: the states act, capacities move, China's visibility, border conditions,
trafficking, the border command re-targets, militants, society, threat, corruption, China's
investment stock grows; then the reporters write the week's outcomes in the same order."""


def names() -> tuple[str, ...]:
    """Every declared stage's name, in schedule order."""
    return tuple(s.name for s in STAGES)


def reporters() -> tuple[tuple[str, Reporter], ...]:
    """``(stage name, reporter)`` of every stage that records outcomes, in schedule order."""
    return tuple((s.name, s.record) for s in STAGES if s.record is not None)


def run_week(state: ModelState) -> None:
    """Run every stage's step once, in schedule order."""
    for stage in STAGES:
        if stage.step is not None:
            stage.step(state)
