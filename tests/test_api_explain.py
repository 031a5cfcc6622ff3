"""``scenarios.explain``: the API twin of ``compare --explain``, as a DataFrame of parts that add up."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import tiny

import scenarios
from scenarios.errors import ScenarioError

COUPLINGS = ["surveillance_backlash", "surveillance_arrests_extremists"]


def pair():
    base = tiny(years=1, society={"citizens": 200}, name="a")
    more = tiny(
        years=1, society={"citizens": 200}, name="b", states={"china": {"levers": {"surveillance_systems": 150}}}
    )
    return base, more


def test_explain_returns_parts_that_add_up_to_the_total_and_reuses_its_ensembles(tmp_path):
    base, more = pair()
    kw = {"couplings": COUPLINGS, "replicates": 2, "results": tmp_path / "res"}
    frame = scenarios.explain([base, more], outcomes=["legitimacy", "stability_index"], **kw)
    assert list(frame.columns) == ["scenario", "outcome", "part", "label", "mean", "lo", "hi", "unit"]
    assert set(frame["scenario"]) == {"b"} and set(frame["outcome"]) == {"legitimacy", "stability_index"}
    for _, rows in frame.groupby("outcome"):
        parts = rows.set_index("part")
        assert list(parts.index) == ["total", "direct", *COUPLINGS, "remainder"]
        assert parts.loc["total", "mean"] == pytest.approx(parts["mean"].iloc[1:].sum(), abs=1e-9)
        assert (parts["lo"] <= parts["mean"] + 1e-12).all() and (parts["mean"] <= parts["hi"] + 1e-12).all()
    # the total is the plain paired difference of the two full ensembles (the same seeds)
    full = {name: scenarios.read(next((tmp_path / "res").glob(f"{name}-*")), outcomes=["legitimacy"]) for name in "ab"}
    diff = full["b"].groupby("replicate")["value"].mean() - full["a"].groupby("replicate")["value"].mean()
    total = frame[(frame.outcome == "legitimacy") & (frame.part == "total")]["mean"].item()
    assert total == pytest.approx(float(np.mean(diff)), rel=1e-9, abs=1e-12)
    assert len(list((tmp_path / "res").iterdir())) == 2 * (2 + len(COUPLINGS))  # full, each knockout, all off
    again = scenarios.explain([base, more], outcomes=["legitimacy", "stability_index"], **kw)
    assert len(list((tmp_path / "res").iterdir())) == 2 * (2 + len(COUPLINGS))  # reused, none run again
    assert again.equals(frame)


def test_explain_refuses_bad_input_before_running(tmp_path):
    base, more = pair()
    for kwargs, message in (
        ({"couplings": ["no_such"]}, "unknown ['no_such']; allowed: some of prison_radicalisation"),
        ({"outcomes": ["stabilty_index"]}, "outcomes: unknown ['stabilty_index']"),
        ({"first": 1990, "last": 2000}, "2021"),
        ({"parameters": tmp_path / "missing"}, "allowed: a folder written by scenarios calibrate"),
    ):
        with pytest.raises(ScenarioError, match=None) as info:
            scenarios.explain([base, more], replicates=2, results=tmp_path / "res", **kwargs)
        assert message in str(info.value), (kwargs, str(info.value))
    with pytest.raises(ScenarioError, match="a baseline and at least one scenario"):
        scenarios.explain([base], results=tmp_path / "res")
    assert not (tmp_path / "res").exists()
