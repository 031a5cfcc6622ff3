"""Why an outcome moved: knockouts declared in range, variants that set them, and exact additivity."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import tiny

from scenarios.analysis.explain import ALL_OFF, FULL, explain, knockouts, variant_name, variants
from scenarios.cli import main
from scenarios.spec import registry


def test_every_knockout_is_a_declared_parameter_set_within_its_range():
    params = registry.parameters()
    ks = knockouts()
    assert len(ks) >= 10
    for k in ks:
        for name, value in k.set.items():
            assert params[name].min <= value <= params[name].max
    # every coupling parameter knocked out is named in docs/model.md's table of couplings (7.7)
    from helpers import ROOT

    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    section = text[text.index("### 7.7") : text.index("## 8.")]
    assert [name for k in ks for name in k.set if name not in section] == []


def test_variants_set_the_neutral_values_in_both_runs():
    sc = tiny(years=1)
    chosen = [k for k in knockouts() if k.name in ("prison_radicalisation", "anti_china_recruitment")]
    vs = variants(sc, chosen)
    assert list(vs) == [FULL, "prison_radicalisation", "anti_china_recruitment", ALL_OFF]
    assert vs[FULL] is sc
    assert vs["prison_radicalisation"].parameters.prison_recruiter_share == 0.0
    assert vs["prison_radicalisation"].parameters.anti_china_recruitment is None  # only its own coupling
    assert vs[ALL_OFF].parameters.prison_recruiter_share == 0.0
    assert vs[ALL_OFF].parameters.anti_china_recruitment == 0.0
    assert vs[ALL_OFF].name == variant_name("tiny", ALL_OFF) == "tiny.ko.all_off"


def test_parts_plus_direct_plus_remainder_equal_the_total_in_every_replicate():
    rng = np.random.default_rng(3)
    ks = knockouts()
    names = [FULL, ALL_OFF, *(k.name for k in ks)]
    base = {n: rng.normal(50, 10, 12) for n in names}
    scen = {n: base[n] + rng.normal(2, 3, 12) for n in names}
    e = explain(base, scen, "s", "stability_index")
    total = scen[FULL] - base[FULL]
    np.testing.assert_array_equal(e.total.values, total)
    for r in range(12):
        assert math.fsum(p.values[r] for p in e.terms()) == pytest.approx(total[r], rel=1e-12, abs=1e-12)
    assert math.fsum(p.mean for p in e.terms()) == pytest.approx(e.total.mean, rel=1e-12, abs=1e-12)
    # a coupling's part is the difference minus the difference with it knocked out
    k = ks[0].name
    np.testing.assert_allclose(e.parts[0].values, total - (scen[k] - base[k]))
    np.testing.assert_allclose(e.direct.values, scen[ALL_OFF] - base[ALL_OFF])
    lo, hi = e.total.interval
    assert lo < e.total.mean < hi


def test_a_coupling_that_carries_nothing_has_a_zero_part():
    ks = knockouts()[:2]
    base = {
        FULL: np.array([1.0, 2.0]),
        ALL_OFF: np.array([1.0, 2.0]),
        ks[0].name: np.array([1.0, 2.0]),
        ks[1].name: np.array([0.0, 0.0]),
    }
    scen = {
        FULL: np.array([3.0, 5.0]),
        ALL_OFF: np.array([2.0, 3.0]),
        ks[0].name: np.array([3.0, 5.0]),
        ks[1].name: np.array([1.0, 1.0]),
    }
    e = explain(base, scen, "s", "attacks", ks)
    np.testing.assert_array_equal(e.parts[0].values, [0.0, 0.0])  # same difference without it
    np.testing.assert_array_equal(e.parts[1].values, [1.0, 2.0])
    np.testing.assert_array_equal(e.direct.values, [1.0, 1.0])
    np.testing.assert_array_equal(e.remainder.values, [0.0, 0.0])
    with pytest.raises(KeyError):
        explain({FULL: np.ones(2)}, {FULL: np.ones(2)}, "s", "attacks", ks)


def test_cli_refuses_an_unknown_coupling_before_running(tmp_path, capsys):
    code = main(
        [
            "compare",
            "baseline",
            "security_first",
            "--explain",
            "no_such",
            "--results",
            str(tmp_path),
            "--out",
            str(tmp_path / "c"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "unknown couplings ['no_such']" in err and "prison_radicalisation" in err
    assert not any(tmp_path.iterdir())


def test_cli_compare_explain_runs_the_knockouts_and_reports_the_parts(tmp_path, capsys):
    import yaml
    from helpers import TINY_WORLD

    base = {
        "name": "a",
        "years": 1,
        "world": str(TINY_WORLD),
        "society": {"citizens": 200},
        "parameters": {"burn_in_weeks": 0},
    }
    more = {**base, "name": "b", "states": {"china": {"levers": {"surveillance_systems": 150}}}}
    for data in (base, more):
        (tmp_path / f"{data['name']}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    argv = ["compare", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "--replicates", "2"]
    argv += ["--explain", "surveillance_backlash", "--results", str(tmp_path / "res"), "--out", str(tmp_path / "c")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "largest part" in out and "remainder" in out
    report = (tmp_path / "c" / "report.md").read_text(encoding="utf-8")
    assert "## Why the outcomes moved" in report and "direct (every listed coupling off)" in report
    # the knockout ensembles are stored beside the others: 3 variants x 2 scenarios
    names = sorted(p.name.split("-")[0] for p in (tmp_path / "res").iterdir())
    assert names == [
        "a",
        "a.ko.all_off",
        "a.ko.surveillance_backlash",
        "b",
        "b.ko.all_off",
        "b.ko.surveillance_backlash",
    ]
