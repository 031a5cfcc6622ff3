"""Scenario configs: every error kind, extends merging, overrides, schedules, schema."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scenarios.errors import ConfigError
from scenarios.schedule import expand, step_years
from scenarios.spec.config import json_schema, load_scenario, parse_override, scenario_dict


def problems_of(path, overrides=()):
    with pytest.raises(ConfigError) as info:
        load_scenario(path, overrides)
    return info.value.problems


def test_minimal_file_gets_defaults(write_yaml):
    sc = load_scenario(write_yaml("a.yaml", "name: a\n"))
    assert sc.years == 10 and sc.start == "2021-01" and sc.society.citizens == 10_000
    assert sc.states.china.levers.financial_aid is None


def test_name_defaults_to_file_stem(write_yaml):
    sc = load_scenario(write_yaml("my_case.yaml", "years: 3\n"))
    assert sc.name == "my_case"


def test_empty_file(write_yaml):
    (p,) = problems_of(write_yaml("e.yaml", ""))
    assert "empty" in p.message and p.file.endswith("e.yaml")


def test_missing_file(tmp_path):
    (p,) = problems_of(tmp_path / "nope.yaml")
    assert "not found" in p.message


def test_yaml_syntax_error_has_line(write_yaml):
    (p,) = problems_of(write_yaml("s.yaml", "name: a\nyears: [1, 2\nseed: 3\n"))
    assert "YAML syntax error" in p.message and p.line is not None and p.line >= 2


def test_top_level_must_be_mapping(write_yaml):
    (p,) = problems_of(write_yaml("l.yaml", "- a\n- b\n"))
    assert "mapping" in p.message


def test_unknown_key_with_did_you_mean_and_line(write_yaml):
    text = "name: a\nstates:\n  china:\n    levers:\n      militray_training: 5\n"
    (p,) = problems_of(write_yaml("u.yaml", text))
    assert p.path == "states.china.levers.militray_training"
    assert p.message == "unknown key"
    assert p.line == 5
    assert p.hint == "did you mean 'military_training'?"
    assert "military_training" in p.allowed


def test_lever_a_state_does_not_supply_is_unknown(write_yaml):
    (p,) = problems_of(write_yaml("x.yaml", "states:\n  tajikistan:\n    levers:\n      financial_aid: 5\n"))
    assert p.path == "states.tajikistan.levers.financial_aid" and p.message == "unknown key"


def test_wrong_type(write_yaml):
    (p,) = problems_of(write_yaml("t.yaml", "years: ten\n"))
    assert p.path == "years" and "'ten'" in p.value and p.line == 1


def test_out_of_range_names_allowed_range(write_yaml):
    (p,) = problems_of(write_yaml("r.yaml", "years: 500\n"))
    assert p.path == "years" and p.allowed == "[1, 50]"


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_nan_and_infinity_rejected(write_yaml, value):
    (p,) = problems_of(write_yaml("n.yaml", f"drivers:\n  corruption: {value}\n"))
    assert p.path == "drivers.corruption" and "finite" in p.message and p.line == 2


def test_nan_in_parameter(write_yaml):
    (p,) = problems_of(write_yaml("n.yaml", "parameters:\n  risk_memory: .nan\n"))
    assert p.path == "parameters.risk_memory"


def test_negative_budget(write_yaml):
    (p,) = problems_of(write_yaml("b.yaml", "states:\n  china:\n    budget_musd: -5\n"))
    assert p.path == "states.china.budget_musd" and p.line == 3


def test_spending_over_budget(write_yaml):
    text = "states:\n  china:\n    budget_musd: 50\n    levers:\n      financial_aid: {2021: 10, 2024: 80}\n"
    (p,) = problems_of(write_yaml("o.yaml", text))
    assert "over the budget" in p.message and "2024" in p.message


def test_negative_lever_value_and_schedule_value(write_yaml):
    text = "states:\n  china:\n    levers:\n      military_training: -1\n      financial_aid: {2021: 10, 2022: -3}\n"
    probs = problems_of(write_yaml("neg.yaml", text))
    paths = {p.path for p in probs}
    assert paths == {"states.china.levers.military_training", "states.china.levers.financial_aid"}
    assert any("at 2022" in p.message for p in probs)


def test_bad_schedule_key(write_yaml):
    (p,) = problems_of(write_yaml("k.yaml", "drivers:\n  corruption: {soon: 0.2}\n"))
    assert "not a date" in p.message


def test_every_problem_reported_at_once(write_yaml):
    text = "years: 0\nseed: -1\nsociety:\n  citizen: 5\ndrivers:\n  corruption: 2\n"
    probs = problems_of(write_yaml("m.yaml", text))
    assert {p.path for p in probs} == {"years", "seed", "society.citizen", "drivers.corruption"}


def test_unknown_allocation_segment_and_event_region(write_yaml):
    text = "allocation:\n  border: {nowhere: 1}\nevents:\n  - {when: '2022-04', kind: attack, region: atlantis}\n"
    seg, reg = problems_of(write_yaml("w.yaml", text))
    assert (seg.path, seg.line, seg.value) == ("allocation.border.nowhere", 2, "'nowhere'")
    assert "khatlon_lowland" in seg.allowed
    assert (reg.path, reg.line, reg.value) == ("events.0.region", 4, "'atlantis'")
    assert "khatlon" in reg.allowed


def test_misspelt_segment_has_line_and_did_you_mean_and_comes_with_other_errors(write_yaml):
    text = "years: 0\nallocation:\n  border:\n    khatlon_lowlnd: 2\n"
    probs = problems_of(write_yaml("seg.yaml", text))
    by_path = {p.path: p for p in probs}
    assert set(by_path) == {"years", "allocation.border.khatlon_lowlnd"}
    seg = by_path["allocation.border.khatlon_lowlnd"]
    assert seg.line == 4 and seg.hint == "did you mean 'khatlon_lowland'?"
    assert len(str(seg)) < 400, "the message must not dump the whole config"


def test_misspelt_event_kind_has_did_you_mean(write_yaml):
    (p,) = problems_of(write_yaml("k.yaml", "events:\n  - {when: 2022, kind: atack}\n"))
    assert p.path == "events.0.kind" and p.line == 2 and p.hint == "did you mean 'attack'?"


def test_misspelt_team_state_is_named(write_yaml):
    text = (
        "years: 2\nexercise:\n  title: t\n  rounds: 1\n  learning_objectives: [x]\n"
        "  teams:\n    chna: {budget_musd: 10, briefing: b, goals: [g]}\n"
    )
    (p,) = problems_of(write_yaml("team.yaml", text))
    assert (p.path, p.line, p.value) == ("exercise.teams.chna", 7, "'chna'")
    assert p.hint == "did you mean 'china'?" and "tajikistan" in p.allowed


def test_duplicate_keys_are_refused_with_both_lines(write_yaml):
    text = "name: a\nyears: 3\nstates:\n  china:\n    levers: {financial_aid: 5}\nyears: 4\n"
    (p,) = problems_of(write_yaml("dup.yaml", text))
    assert (p.path, p.line) == ("years", 6) and "first given at line 2" in p.message


def test_duplicate_nested_keys_are_refused(write_yaml):
    text = "states:\n  china:\n    levers:\n      financial_aid: 5\n      financial_aid: 6\n"
    (p,) = problems_of(write_yaml("dup2.yaml", text))
    assert (p.path, p.line) == ("states.china.levers.financial_aid", 5) and "line 4" in p.message


@pytest.mark.parametrize("loader", ["libyaml", "pure Python"])
def test_both_yaml_loaders_give_the_same_scenario_and_lines(write_yaml, monkeypatch, loader):
    """libyaml's loader is used where PyYAML has it; the pure-Python one is the fallback."""
    import yaml

    from scenarios.spec import loader as yaml_files

    if loader == "pure Python":
        monkeypatch.setattr(yaml_files, "_LOADER", yaml.SafeLoader)
    elif not hasattr(yaml, "CSafeLoader"):
        pytest.skip("this PyYAML has no libyaml")
    text = "name: a\nyears: 3\nstates:\n  china:\n    levers: {financial_aid: 5}\nyears: 4\n"
    (p,) = problems_of(write_yaml("dup.yaml", text))
    assert (p.path, p.line) == ("years", 6) and "first given at line 2" in p.message
    sc = load_scenario(write_yaml("ok.yaml", "name: ok\nyears: 2\nstates: {china: {levers: {financial_aid: 5}}}\n"))
    assert sc.years == 2 and sc.states.china.levers.financial_aid == 5


def test_events_and_schedule_points_outside_the_run_are_named(write_yaml):
    from scenarios.spec.config import outside_the_run

    text = (
        "start: 2021-01\nyears: 3\n"
        "events:\n  - {when: 2022, kind: attack}\n  - {when: 2030, kind: opium_ban}\n  - {when: 2019, kind: attack}\n"
        "drivers:\n  opium_production: {2018: 10, 2020: 20, 2023: 30, 2026: 40}\n"
    )
    notes = outside_the_run(load_scenario(write_yaml("late.yaml", text)))
    assert len(notes) == 4
    assert "events.1 (opium_ban on 2030) is after the end" in notes[0]
    assert "events.2 (attack on 2019) is before the start" in notes[1]
    assert notes[2].startswith("schedule points after the end") and notes[2].endswith("drivers.opium_production (2026)")
    assert notes[3].startswith("schedule points before the start") and notes[3].endswith(
        "drivers.opium_production (2018)"
    )


def test_event_inside_the_run_gives_no_note(write_yaml):
    from scenarios.spec.config import outside_the_run

    sc = load_scenario(write_yaml("ok.yaml", "years: 3\nevents:\n  - {when: 2023-12, kind: attack}\n"))
    assert outside_the_run(sc) == []


def test_unknown_event_kind(write_yaml):
    (p,) = problems_of(write_yaml("ev.yaml", "events:\n  - {when: 2022, kind: earthquake}\n"))
    assert p.path == "events.0.kind" and "opium_ban" in p.allowed


# ------------------------------------------------------------------ extends


def test_extends_merges_mappings_and_replaces_scalars(write_yaml):
    write_yaml(
        "base.yaml",
        {
            "name": "base",
            "years": 4,
            "states": {"china": {"levers": {"military_training": 5, "financial_aid": {"2021": 50}}}},
        },
    )
    child = write_yaml(
        "child.yaml",
        "extends: base.yaml\nname: child\nstates:\n  china:\n    levers:\n      financial_aid: {2023: 85}\n",
    )
    sc = load_scenario(child)
    assert sc.name == "child" and sc.years == 4
    assert sc.states.china.levers.military_training == 5
    assert sc.states.china.levers.financial_aid == {"2021": 50.0, "2023": 85.0}
    assert scenario_dict(sc)["extends"] is None  # what is recorded is the merged config, extends resolved


def test_extends_chain_and_relative_paths(write_yaml):
    write_yaml("lib/a.yaml", "name: a\nyears: 3\n")
    write_yaml("lib/b.yaml", "extends: a.yaml\nseed: 9\n")
    c = write_yaml("c.yaml", "extends: lib/b.yaml\nname: c\n")
    sc = load_scenario(c)
    assert (sc.years, sc.seed, sc.name) == (3, 9, "c")


def test_missing_extends(write_yaml):
    (p,) = problems_of(write_yaml("c.yaml", "name: c\nextends: gone.yaml\n"))
    assert p.path == "extends" and p.line == 2 and "does not exist" in p.message


def test_circular_extends(write_yaml):
    write_yaml("a.yaml", "extends: b.yaml\n")
    b = write_yaml("b.yaml", "extends: a.yaml\n")
    (p,) = problems_of(b)
    assert "circular" in p.message and "a.yaml" in p.message


def test_self_extends(write_yaml):
    (p,) = problems_of(write_yaml("s.yaml", "extends: s.yaml\n"))
    assert "circular" in p.message


def test_error_in_parent_names_parent_file_and_line(write_yaml):
    write_yaml("p.yaml", "name: p\nyears: 99\n")
    c = write_yaml("c.yaml", "extends: p.yaml\n")
    (p,) = problems_of(c)
    assert p.file.endswith("p.yaml") and p.line == 2


# ------------------------------------------------------------------ overrides


def test_set_overrides_validated_and_applied(write_yaml):
    f = write_yaml("a.yaml", "name: a\n")
    sc = load_scenario(
        f, ["years=3", "states.china.levers.financial_aid={2021: 5}", "society.legitimacy_feedback=false"]
    )
    assert sc.years == 3 and sc.states.china.levers.financial_aid == {"2021": 5.0}
    assert sc.society.legitimacy_feedback is False


def test_bad_set_override_reported_as_command_line(write_yaml):
    f = write_yaml("a.yaml", "name: a\n")
    probs = problems_of(f, ["years=-2", "states.china.levers.trainig=1"])
    assert {p.file for p in probs} == {"<command line>"}
    by_path = {p.path: p for p in probs}
    assert set(by_path) == {"years", "states.china.levers.trainig"}
    assert by_path["years"].allowed == "[1, 50]"
    assert by_path["states.china.levers.trainig"].message == "unknown key"
    assert "military_training" in by_path["states.china.levers.trainig"].allowed


def test_set_without_equals():
    with pytest.raises(ConfigError):
        parse_override("years")


# ------------------------------------------------------------------ schedules and schema


def test_schedule_expansion_holds_values_and_uses_default_before_first_date():
    years = step_years("2021-01", 52 * 4)
    x = expand({"2022": 10.0, "2023-07": 20.0}, years, 0.0)
    assert x[0] == 0 and x[51] == 0
    assert x[52] == 10.0
    july = int(np.argmax(years >= 2023.5 - 1e-9))
    assert x[july - 1] == 10.0 and x[july] == 20.0 and x[-1] == 20.0
    assert np.all(expand(3.0, years, 0.0) == 3.0)


def test_json_schema_is_generated_from_registries():
    schema = json_schema()
    text = json.dumps(schema)
    for name in ("military_training", "cybersecurity", "afghan_instability", "risk_memory", "legitimacy_feedback"):
        assert name in text
    assert schema["additionalProperties"] is False


def test_every_shipped_config_validates():
    from helpers import CONFIGS

    files = sorted(CONFIGS.rglob("*.yaml"))
    assert files
    for f in files:
        load_scenario(f)


def test_unknown_crackdown_segment(write_yaml):
    (p,) = problems_of(write_yaml("c.yaml", "events:\n  - {when: 2022, kind: crackdown, segment: nowhere}\n"))
    assert p.path == "events.0.segment" and p.value == "'nowhere'" and "khatlon_lowland" in p.allowed


# ------------------------------------------------------------------ JSON Schema


def _as_json(path):
    """A YAML file's data as an editor sees it (JSON: mapping keys become strings)."""
    import yaml

    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8"))))


def test_schema_accepts_every_shipped_config():
    import jsonschema
    from helpers import CONFIGS, ROOT

    validator = jsonschema.Draft202012Validator(json_schema())
    files = [*sorted(CONFIGS.rglob("*.yaml")), ROOT / "configs" / "example.yaml"]
    assert len(files) >= 10
    for f in files:
        errors = [e.message for e in validator.iter_errors(_as_json(f))]
        assert errors == [], f"{f.name}: {errors}"


@pytest.mark.parametrize(
    "text",
    [
        "allocation:\n  border: {khatlon_lowlnd: 1}\n",
        "events:\n  - {when: 2024, kind: attack, region: atlantis}\n",
        "events:\n  - {when: '2024-13', kind: attack}\n",
        "drivers:\n  opium_production: {'2021-13': 5}\n",
        "states:\n  china:\n    levers: {financial_aid: -1}\n",
        "states:\n  taliban:\n    levers: {}\n",
        "nme: x\n",
        "exploration:\n  uncertainties: {corruptoin: [0.1, 0.5]}\n",
        "exploration:\n  levers: {taliban.financial_aid: [0, 10]}\n",
        "exploration:\n  outcomes: [stabilty_index]\n",
        "exercise:\n  title: t\n  rounds: 1\n  learning_objectives: [x]\n  teams: {taliban: {budget_musd: 1, briefing: b, goals: [g]}}\n",
    ],
)
def test_schema_and_loader_both_refuse(write_yaml, text):
    import jsonschema

    path = write_yaml("bad.yaml", text)
    problems_of(path)
    assert list(jsonschema.Draft202012Validator(json_schema()).iter_errors(_as_json(path)))


def test_schema_names_itself_and_lists_places():
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema" and schema["$id"].startswith("urn:")
    text = json.dumps(schema)
    for place in ("khatlon_lowland", "wakhan_pamir", "gbao", "dushanbe"):
        assert f'"{place}"' in text


def test_schema_accepts_year_as_number():
    import jsonschema

    jsonschema.validate({"events": [{"when": 2024, "kind": "meth_surge"}]}, json_schema())


def test_state_accessors():
    from helpers import baseline

    sc = baseline(years=2)
    assert sc.states.china.lever("financial_aid") == {"2021": 50.0, "2022": 70.0, "2023": 85.0}
    assert sc.states.tajikistan.lever("intelligence_sharing") is None  # not a lever Tajikistan supplies
    assert sc.states.taliban.lever("financial_aid") is None
    assert sc.states.of("russia") is sc.states.russia
    aid = load_scenario("baseline", ["states.tajikistan.aid_allocation.cybersecurity=0.5"]).states.tajikistan
    assert aid.aid_allocation.weight("cybersecurity") == 0.5 and aid.aid_allocation.weight("military_training") == 0.0


def test_missing_or_broken_world_file(write_yaml):
    (p,) = problems_of(write_yaml("wm.yaml", "years: 2\nworld: nowhere.yaml\n"))
    assert (p.path, p.line) == ("world", 2) and "not found" in p.message
    write_yaml("bad_world.yaml", "name: x\n")
    (p,) = problems_of(write_yaml("wb.yaml", "world: bad_world.yaml\n"))
    assert p.path == "world" and "not a valid world file" in p.message


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("region: north, length_km: 100", "region: nowhere, length_km: 100", "china_border"),
        (
            "militant_share: 1.0}",
            "militant_share: 1.0}\n  - {name: far, label: Far, coords: [5, -5], "
            "supply_share: 0.0, militant_share: 0.0}",
            "no border segment faces them",
        ),
        ("militant_share: 1.0}", "militant_share: 0.0}", "militant_share is 0 everywhere"),
    ],
)
def test_an_inconsistent_world_is_a_config_error_not_a_crash(write_yaml, old, new, says):
    """Worlds that once validated and then crashed the model mid-build (KeyError, NaN shares)."""
    from helpers import TINY_WORLD

    text = TINY_WORLD.read_text(encoding="utf-8")
    assert old in text
    write_yaml("w.yaml", text.replace(old, new, 1))
    (p,) = problems_of(write_yaml("s.yaml", "years: 1\nworld: w.yaml\n"))
    assert p.path == "world" and says in p.message


def test_custom_world_place_names(write_yaml):
    from helpers import TINY_WORLD

    text = f"world: {TINY_WORLD}\nallocation:\n  regions: {{khatlon: 1}}\n"
    probs = problems_of(write_yaml("tw.yaml", text))
    assert [p.path for p in probs] == ["allocation.regions.khatlon"], "places are those of the scenario's world"
