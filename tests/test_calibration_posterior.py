"""Posterior files round-trip, refuse what is not a posterior, and give deterministic draws."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scenarios.calibration.posterior import (
    Posterior,
    draws,
    ensemble_parameters,
    posterior_meta,
    read_posterior,
    resolve,
    write_posterior,
)
from scenarios.errors import ScenarioError

NAMES = ("legitimacy_initial", "police_per_citizen")


def _posterior(n: int = 5) -> Posterior:
    theta = np.column_stack([np.linspace(0.91, 0.96, n), np.linspace(0.05, 0.25, n)])
    w = np.arange(1.0, n + 1)
    return Posterior(NAMES, theta, w / w.sum(), np.linspace(0.1, 2.0, n))


def test_a_posterior_file_round_trips(tmp_path):
    post = _posterior()
    write_posterior(tmp_path / "posterior.parquet", post, {"scenario": "baseline"})
    back = read_posterior(tmp_path)  # a folder holding posterior.parquet works too
    assert back.names == NAMES
    np.testing.assert_array_equal(back.theta, post.theta)
    np.testing.assert_allclose(back.weights, post.weights)
    np.testing.assert_array_equal(back.distances, post.distances)
    assert len(back.sha256) == 64
    assert posterior_meta(tmp_path / "posterior.parquet") == {"scenario": "baseline"}
    table = pq.read_table(tmp_path / "posterior.parquet")
    assert table.column_names == [*NAMES, "weight", "distance"]  # one column per parameter and a weight
    np.testing.assert_allclose(back.mean(), post.weights @ post.theta)


def _write(path, columns):
    pq.write_table(pa.table({k: pa.array(v, pa.float64()) for k, v in columns.items()}), path)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"legitimacy_initial": [0.99], "weight": [1.0]}, r"outside its declared range \[0.91, 0.97\]"),
        ({"no_such": [1.0], "weight": [1.0]}, "not parameters of parameters.yaml"),
        ({"legitimacy_initial": [0.93]}, "needs a 'weight' column"),
        ({"legitimacy_initial": [0.93], "weight": [-1.0]}, "weights must be"),
        ({"legitimacy_initial": [0.93], "weight": [0.0]}, "weights must be"),
    ],
)
def test_a_bad_posterior_file_names_what_is_wrong(tmp_path, columns, message):
    _write(tmp_path / "p.parquet", columns)
    with pytest.raises(ScenarioError, match=message):
        read_posterior(tmp_path / "p.parquet")


def test_not_a_posterior(tmp_path):
    (tmp_path / "x.parquet").write_text("not parquet", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not a Parquet posterior"):
        read_posterior(tmp_path / "x.parquet")
    with pytest.raises(ScenarioError, match="no posterior file"):
        read_posterior(tmp_path / "missing")
    with pytest.raises(ScenarioError, match="allowed: a folder written by scenarios calibrate"):
        resolve(tmp_path / "missing")


def test_draws_are_systematic_and_deterministic():
    post = _posterior(4)  # weights 0.1, 0.2, 0.3, 0.4
    theta, rows, draw = draws(post, 10)
    assert rows == [0, 1, 1, 2, 2, 2, 3, 3, 3, 3]  # each particle as often as its weight says
    assert draw == list(range(10))  # replicate i uses draw i
    np.testing.assert_array_equal(theta, post.theta[rows])
    assert draws(post, 10)[1] == rows
    _, rows2, draw2 = draws(post, 6, seeds_per_draw=2)
    assert draw2 == [0, 0, 1, 1, 2, 2]  # replicate i uses draw i // 2
    assert rows2[0] == rows2[1] and rows2[2] == rows2[3]


def test_ensemble_parameters_record_what_a_manifest_needs(tmp_path):
    write_posterior(tmp_path / "posterior.parquet", _posterior())
    sets, record = ensemble_parameters(tmp_path, 4, seeds_per_draw=2)
    assert len(sets) == 4 and set(sets[0]) == set(NAMES)
    assert sets[0] == sets[1]
    assert record["draw_of_replicate"] == [0, 0, 1, 1]
    assert record["key"] == f"{record['sha256']}:2"
    assert record["file"].endswith("posterior.parquet")


def test_the_shipped_posterior_is_what_parameters_calibrated_reads():
    import json

    from scenarios.calibration.posterior import shipped_dir

    path = resolve("calibrated")
    assert path == shipped_dir() / "posterior.parquet"
    post = read_posterior(path)  # in range of the registry, weights valid
    manifest = json.loads((shipped_dir() / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "calibration" and "finished" in manifest
    assert list(post.names) == list(manifest["parameters"])  # made by a calibration of these parameters


def test_no_shipped_posterior_is_a_clear_error(monkeypatch, tmp_path):
    from scenarios.calibration import posterior

    monkeypatch.setattr(posterior, "shipped_dir", lambda: tmp_path)
    with pytest.raises(ScenarioError, match="scenarios calibrate baseline --ship"):
        resolve("calibrated")
