"""Errors (errors.py): a problem names file, line, key path, value, what is allowed and a hint."""

from __future__ import annotations

import pytest

from scenarios.errors import ConfigError, Interrupted, Problem, ResultsError, ScenarioError


def test_a_problem_reads_as_one_line_with_everything_known():
    p = Problem(
        "my.yaml",
        12,
        "states.china.levers.militry_training",
        "unknown key",
        "5",
        "a lever",
        "did you mean military_training?",
    )
    assert str(p) == (
        "my.yaml:12: states.china.levers.militry_training: unknown key; got 5; allowed: a lever; "
        "did you mean military_training?"
    )


def test_a_problem_leaves_out_what_is_not_known():
    assert str(Problem("<command line>", None, "years", "must be a whole number")) == (
        "<command line>: years: must be a whole number"
    )
    assert str(Problem("a.yaml", 0, "", "empty file")) == "a.yaml: <top level>: empty file"
    # an empty value is still a value the user wrote
    assert str(Problem("a.yaml", 3, "seed", "not a number", value="''")).endswith("; got ''")


def test_a_config_error_lists_every_problem():
    problems = [Problem("a.yaml", 1, "x", "bad"), Problem("a.yaml", 2, "y", "worse")]
    err = ConfigError(problems)
    assert err.problems == problems and err.problems is not problems
    assert str(err) == "2 problems in the scenario config:\n  - a.yaml:1: x: bad\n  - a.yaml:2: y: worse"
    assert str(ConfigError(problems[:1])).startswith("1 problem in the scenario config:")


def test_user_errors_share_one_base_and_an_interrupt_stays_an_interrupt():
    assert issubclass(ConfigError, ScenarioError) and issubclass(ResultsError, ScenarioError)
    stop = Interrupted("SIGTERM", "out.partial", 3, 10)
    assert isinstance(stop, KeyboardInterrupt) and not isinstance(stop, ScenarioError)
    assert (stop.signal_name, stop.folder, stop.done, stop.total) == ("SIGTERM", "out.partial", 3, 10)
    with pytest.raises(KeyboardInterrupt):
        raise Interrupted()
