"""The loader: schedules that overlay their parent's (parent and grandparent), sources of every
value, ``--set`` and ``override`` with the same rule, and YAML that is too large once expanded."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from scenarios.errors import ConfigError
from scenarios.spec.loader import MAX_NODES, expanded_size, load_scenario, load_with_sources, overlay, override

PARENT = "name: parent\nyears: 8\nstates:\n  china:\n    levers:\n      joint_border_patrols: 5\n      financial_aid: {2021: 50, 2024: 80, 2027: 20}\n"


def test_overlay_keeps_the_parents_points_before_the_childs_first():
    assert overlay({"2021": 5, "2024": 8, "2027": 1}, {2026: 10}) == {"2021": 5, "2024": 8, 2026: 10}
    assert overlay(5, {2026: 10}) == {"<from the parent>": 5, 2026: 10}
    assert overlay({"2021": 5}, {"2020-06": 1}) == {"2020-06": 1}  # a child from before the parent replaces it
    assert overlay(5, {"x": 1}) == {"x": 1}  # not a date: left for validation to report


def test_a_childs_schedule_starts_where_it_says_and_the_parent_holds_before(write_yaml):
    write_yaml("parent.yaml", PARENT)
    child = write_yaml(
        "child.yaml",
        "extends: parent.yaml\nname: child\nstates:\n  china:\n    levers:\n"
        "      joint_border_patrols: {2026: 10}\n      financial_aid: {2025: 0}\n",
    )
    sc = load_scenario(child)
    # the example: China's patrols stay at the parent's 5 until 2026, then 10
    assert sc.states.china.levers.joint_border_patrols == {"2021-01": 5.0, "2026": 10.0}
    # the parent's points before 2025 are kept; its 2027 point (after the child's first) is not
    assert sc.states.china.levers.financial_aid == {"2021": 50.0, "2024": 80.0, "2025": 0.0}


def test_a_grandchild_overlays_the_merged_parent(write_yaml):
    write_yaml("parent.yaml", PARENT)
    write_yaml("child.yaml", "extends: parent.yaml\nstates: {china: {levers: {joint_border_patrols: {2026: 10}}}}\n")
    grandchild = write_yaml(
        "grandchild.yaml",
        "extends: child.yaml\nname: g\nstates: {china: {levers: {joint_border_patrols: {2028: 0}}}}\n",
    )
    sc, sources = load_with_sources(grandchild)
    assert sc.states.china.levers.joint_border_patrols == {"2021-01": 5.0, "2026": 10.0, "2028": 0.0}
    where = {
        k: sources[("states", "china", "levers", "joint_border_patrols", k)][0] for k in ("2021-01", "2026", "2028")
    }
    assert [w.rsplit("/", 1)[-1] for w in where.values()] == ["parent.yaml", "child.yaml", "grandchild.yaml"]


def test_a_child_starting_at_the_run_start_replaces_the_parents_schedule(write_yaml):
    write_yaml("parent.yaml", PARENT)
    child = write_yaml(
        "child.yaml",
        "extends: parent.yaml\nstates: {china: {levers: {joint_border_patrols: {2021: 7, 2025: 0}, financial_aid: 3}}}\n",
    )
    sc = load_scenario(child)
    assert sc.states.china.levers.joint_border_patrols == {"2021": 7.0, "2025": 0.0}
    assert sc.states.china.levers.financial_aid == 3.0  # a number replaces the whole schedule


def test_the_parents_constant_is_dated_at_the_childs_own_start(write_yaml):
    write_yaml("parent.yaml", PARENT)
    child = write_yaml(
        "child.yaml",
        "extends: parent.yaml\nstart: '2019-06'\nstates: {china: {levers: {joint_border_patrols: {2026: 10}}}}\n",
    )
    assert load_scenario(child).states.china.levers.joint_border_patrols == {"2019-06": 5.0, "2026": 10.0}


def test_drivers_overlay_too(write_yaml):
    write_yaml("parent.yaml", "drivers:\n  taliban_border_cooperation: {2021: 0.1, 2021-08: 0.05, 2025-11: 0.15}\n")
    child = write_yaml("child.yaml", "extends: parent.yaml\ndrivers:\n  taliban_border_cooperation: {2025-03: 0.0}\n")
    cooperation = load_scenario(child).drivers.taliban_border_cooperation
    assert cooperation == {"2021": 0.1, "2021-08": 0.05, "2025-03": 0.0}


def test_set_and_override_overlay_like_a_child(write_yaml):
    base = write_yaml("parent.yaml", PARENT)
    sc = load_scenario(base, ["states.china.levers.joint_border_patrols={2026: 10}"])
    assert sc.states.china.levers.joint_border_patrols == {"2021-01": 5.0, "2026": 10.0}
    again = override(load_scenario(base), {"states.china.levers.financial_aid": {2026: 1}, "years": 9})
    assert again.states.china.levers.financial_aid == {"2021": 50.0, "2024": 80.0, "2026": 1.0} and again.years == 9
    with pytest.raises(ConfigError) as info:
        override(load_scenario(base), {"states.china.levers.financial_aid": {2026: -1}})
    assert info.value.problems[0].path.startswith("states.china.levers.financial_aid")


def test_sources_name_the_file_and_line_of_each_value(write_yaml):
    write_yaml("parent.yaml", PARENT)
    child = write_yaml("child.yaml", "extends: parent.yaml\nname: c\nyears: 3\n")
    _, sources = load_with_sources(child, ["seed=4"])
    assert sources[("years",)][0].endswith("child.yaml") and sources[("years",)][1] == 3
    assert sources[("states", "china", "levers", "joint_border_patrols")][0].endswith("parent.yaml")
    assert sources[("seed",)] == ("<command line>", None)
    assert ("society", "citizens") not in sources  # a default


# ------------------------------------------------------------------ YAML too large once expanded

BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
)
"""Nine levels of ten aliases: 10^9 strings once expanded, 400 bytes as text."""


def test_an_alias_bomb_is_refused_quickly_and_in_little_memory(write_yaml):
    path = write_yaml("bomb.yaml", BOMB)
    tracemalloc.start()
    t0 = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        load_scenario(path)
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    (p,) = info.value.problems
    assert "too large" in p.message and f"{MAX_NODES:,}" in p.message and p.file.endswith("bomb.yaml")
    assert seconds < 2 and peak < 20e6


def test_a_recursive_alias_is_refused(write_yaml):
    (p,) = _problems(write_yaml("loop.yaml", "a: &a [1, *a]\n"))
    assert "recursive" in p.message


def test_a_huge_file_is_refused_before_it_is_read(write_yaml):
    (p,) = _problems(write_yaml("big.yaml", "description: '" + "x" * 1_100_000 + "'\n"))
    assert "bytes" in p.message and "at most" in p.allowed


def test_aliases_within_bounds_still_work(write_yaml):
    text = "name: ok\nstates:\n  china:\n    levers:\n      military_training: &same {2021: 5, 2025: 9}\n      cybersecurity: *same\n"
    sc = load_scenario(write_yaml("ok.yaml", text))
    assert sc.states.china.levers.cybersecurity == sc.states.china.levers.military_training
    import yaml

    assert expanded_size(yaml.compose("a: &a [1, 2]\nb: *a\n")) == 9  # counted as if the alias were copied


def _problems(path):
    with pytest.raises(ConfigError) as info:
        load_scenario(path)
    return info.value.problems


# ------------------------------------------------------------------ the command line


def test_show_prints_the_merged_scenario_with_the_file_and_line_of_each_value(write_yaml, capsys, monkeypatch):
    from scenarios.cli import main

    monkeypatch.chdir(write_yaml("parent.yaml", PARENT).parent)
    write_yaml(
        "child.yaml",
        "extends: parent.yaml\nname: child\nstates:\n  china:\n    levers:\n      joint_border_patrols: {2026: 10}\n",
    )
    assert main(["show", "child.yaml", "--set", "years=3"]) == 0
    out = capsys.readouterr().out
    assert "years: 3" in out and "# --set" in out
    lines = out.splitlines()
    at = lines.index(next(x for x in lines if x.strip() == "joint_border_patrols:"))
    assert lines[at + 1].split("#")[0].strip() == "2021-01: 5.0" and lines[at + 1].endswith("# parent.yaml:6")
    assert lines[at + 2].split("#")[0].strip() == "2026: 10.0" and lines[at + 2].endswith("# child.yaml:6")
    assert "citizens" not in out  # defaults only with --defaults
    assert main(["show", "child.yaml", "--defaults"]) == 0
    assert "citizens: 10000" in capsys.readouterr().out


def test_the_command_line_refuses_an_alias_bomb_with_exit_2(write_yaml, capsys):
    from scenarios.cli import main

    assert main(["validate", str(write_yaml("bomb.yaml", BOMB))]) == 2
    err = capsys.readouterr().err
    assert "too large" in err and "Traceback" not in err
    assert main(["show", str(write_yaml("bomb.yaml", BOMB))]) == 2


def test_a_bad_date_in_a_parents_schedule_is_still_reported(write_yaml):
    write_yaml("parent.yaml", "states: {china: {levers: {financial_aid: {2021: 5, soon: 9}}}}\n")
    child = write_yaml("child.yaml", "extends: parent.yaml\nstates: {china: {levers: {financial_aid: {2026: 1}}}}\n")
    (p,) = _problems(child)
    assert p.path.startswith("states.china.levers.financial_aid") and "soon" in p.message


def test_an_alias_bomb_in_a_set_value_is_refused_too(write_yaml):
    import scenarios

    base = write_yaml("parent.yaml", PARENT)
    nested = "{" + ", ".join(line.replace(":", ":", 1) for line in BOMB.strip().splitlines()) + "}"
    for change in (
        lambda: load_scenario(base, ["description=" + nested]),
        lambda: scenarios.override(load_scenario(base), ["description=" + nested]),
    ):
        with pytest.raises(ConfigError) as info:
            change()
        (p,) = info.value.problems
        assert p.path == "description" and "too large" in p.message
