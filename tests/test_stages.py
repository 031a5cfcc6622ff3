"""The weekly schedule as data (model/stages.py): declared stages over a typed state, per-stage
reporters declared with the outcomes, channels read by the stages levers.yaml names."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from helpers import scenario

from scenarios.model import SecurityModel, stages
from scenarios.model.capacity import Capacities
from scenarios.spec import outcomes, registry

MODEL = Path(__file__).resolve().parents[1] / "src" / "scenarios" / "model"


def small_model() -> SecurityModel:
    return SecurityModel(scenario(years=1, society={"citizens": 500}), 1)


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, TYPE_CHECKING blocks included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_no_module_of_the_model_package_but_its_init_imports_the_model_module():
    offenders = [
        f.name
        for f in sorted(MODEL.glob("*.py"))
        if f.name not in ("__init__.py", "model.py") and "scenarios.model.model" in imported_modules(f)
    ]
    assert offenders == []


def test_step_is_the_loop_over_the_declared_stages():
    """The model's week equals running the declared stages and reporters by hand, in order."""
    a, b = small_model(), small_model()
    for _ in range(3):
        a.step()
        for stage in stages.STAGES:
            if stage.step is not None:
                stage.step(b)
        b.recorder.record(b)
        b.t += 1
        b.week += 1
    da, db = a.data(), b.data()
    for name, values in da.timeseries.items():
        assert np.array_equal(values, db.timeseries[name], equal_nan=True), name


def test_stage_names_are_unique_and_every_stage_steps_or_records():
    names = stages.names()
    assert len(set(names)) == len(names)
    assert all(s.step is not None or s.record is not None for s in stages.STAGES)


class WrittenBy(dict):
    """A table that notes which reporter writes each outcome (item assignment into a row)."""

    def __init__(self, table: dict[str, np.ndarray], level: str, log: dict[tuple[str, str], list[str]]):
        super().__init__(table)
        self.level, self.log, self.current = level, log, ""

    def __getitem__(self, name: str) -> np.ndarray:
        return Row(dict.__getitem__(self, name), (self.level, name), self)


class Row(np.ndarray):
    """A view of a table column whose writes are noted in the owner's log."""

    def __new__(cls, values: np.ndarray, key: tuple[str, str], owner: WrittenBy) -> Row:
        row = values.view(cls)
        row.key, row.owner = key, owner
        return row

    def __array_finalize__(self, obj: object) -> None:
        self.key = getattr(obj, "key", None)
        self.owner = getattr(obj, "owner", None)

    def __setitem__(self, index: object, value: object) -> None:
        self.owner.log.setdefault(self.key, []).append(self.owner.current)
        super().__setitem__(index, value)


def writers_of_one_week() -> dict[tuple[str, str], list[str]]:
    m = small_model()
    stages.run_week(m)
    log: dict[tuple[str, str], list[str]] = {}
    tables = m.recorder.tables
    spies = [WrittenBy(tables.ts, "national", log), WrittenBy(tables.rg, "region", log)]
    spies.append(WrittenBy(tables.sg, "segment", log))
    tables.ts, tables.rg, tables.sg = spies
    for name, reporter in stages.reporters():
        for spy in spies:
            spy.current = name
        reporter(m, tables)
    return log


def test_every_outcome_is_written_by_exactly_one_reporter_the_one_it_declares():
    log = writers_of_one_week()
    declared = {
        **{("national", n): o.stage for n, o in outcomes.national().items()},
        **{("region", n): o.stage for n, o in outcomes.regional().items()},
        **{("segment", n): o.stage for n, o in outcomes.per_segment().items()},
    }
    written = {key: sorted(set(who)) for key, who in log.items()}
    assert {k: w for k, w in written.items() if len(w) != 1} == {}
    assert {k: w[0] for k, w in written.items()} == declared


def test_every_declared_outcome_stage_is_a_stage_with_a_reporter():
    with_reporter = {name for name, _ in stages.reporters()}
    every = [*outcomes.national().values(), *outcomes.regional().values(), *outcomes.per_segment().values()]
    assert {o.stage for o in every} <= with_reporter


def test_an_outcome_without_a_stage_is_refused():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="stage"):
        outcomes.Outcome(name="x", label="x", unit="-", description="x", higher_is_better=None)


def channel_readers(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """Which stage reads which capacity channel during one week (a wrapper on ``Capacities.__getitem__``)."""
    reads: dict[str, set[str]] = {}
    current = [""]
    original = Capacities.__getitem__

    def noted(self: Capacities, channel: str) -> np.ndarray:
        reads.setdefault(channel, set()).add(current[0])
        return original(self, channel)

    monkeypatch.setattr(Capacities, "__getitem__", noted)
    m = small_model()
    for _ in range(2):
        for stage in stages.STAGES:
            if stage.step is not None:
                current[0] = stage.name
                stage.step(m)
        current[0] = "recorder"
        m.recorder.record(m)
        m.t += 1
        m.week += 1
    return {ch: who - {"recorder"} for ch, who in reads.items()}


def test_every_declared_channel_is_read_by_a_stage_its_read_by_names(monkeypatch):
    """Each channel is read during the week, and only by stages its ``read_by`` lists. ``read_by``
    may also name stages that use the channel through what a reading stage wrote (trafficking and
    militants through the border conditions, the states through the Taliban's cooperation)."""
    readers = channel_readers(monkeypatch)
    channels = registry.channels()
    unread = sorted(c for c in channels if not readers.get(c))
    assert unread == []
    undeclared = {
        c: sorted(who - set(channels[c].read_by)) for c, who in readers.items() if who - set(channels[c].read_by)
    }
    assert undeclared == {}


def test_read_by_names_only_declared_stages():
    named = {s for ch in registry.channels().values() for s in ch.read_by}
    assert named <= set(stages.names())


def test_every_stage_has_one_signature():
    """``step(state)`` and ``record(state, tables)``, nothing else (the uniform stage convention)."""
    import inspect

    for stage in stages.STAGES:
        if stage.step is not None:
            assert list(inspect.signature(stage.step).parameters) == ["state"], stage.name
        if stage.record is not None:
            assert list(inspect.signature(stage.record).parameters) == ["state", "tables"], stage.name
