"""The one-shot results-folder protocol (compare and check-model outputs): complete or absent."""

from __future__ import annotations

import pytest

from scenarios.errors import ResultsError
from scenarios.experiments.results import staged_folder


def test_a_finished_block_moves_the_partial_folder_into_place(tmp_path):
    out = tmp_path / "cmp"
    with staged_folder(out) as partial:
        assert partial.name == "cmp.partial"
        (partial / "report.md").write_text("x")
    assert (out / "report.md").read_text() == "x" and not partial.exists()


def test_a_failure_leaves_nothing_under_the_final_name(tmp_path):
    out = tmp_path / "cmp"
    with pytest.raises(RuntimeError), staged_folder(out):
        raise RuntimeError("boom")
    assert not out.exists() and not (tmp_path / "cmp.partial").exists()  # empty partial removed
    with pytest.raises(RuntimeError), staged_folder(out) as partial:
        (partial / "half.csv").write_text("1")
        raise RuntimeError("boom")
    assert not out.exists() and (tmp_path / "cmp.partial" / "half.csv").exists()  # work kept


def test_an_existing_folder_is_never_overwritten(tmp_path):
    (tmp_path / "cmp").mkdir()
    with pytest.raises(ResultsError, match="already exists"), staged_folder(tmp_path / "cmp"):
        pass
