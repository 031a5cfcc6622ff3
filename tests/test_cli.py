"""The command line, in-process through main([...]) and once as a real subprocess."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CONFIGS, interrupt_on_call

from scenarios.cli import main
from scenarios.spec import registry

BASELINE = str(CONFIGS / "baseline.yaml")
FAST = ["--set", "years=1", "--set", "society.citizens=1000", "--set", "parameters.burn_in_weeks=0"]


def test_help_lists_commands_with_examples(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for cmd in ("validate", "run", "levers", "schema"):
        assert cmd in out
    for cmd in ("validate", "run", "levers", "schema"):
        with pytest.raises(SystemExit):
            main([cmd, "--help"])
        assert "example:" in capsys.readouterr().out


def test_validate_ok_and_bad(write_yaml, capsys):
    assert main(["validate", BASELINE]) == 0
    assert "ok" in capsys.readouterr().out
    bad = write_yaml("bad.yaml", "years: 0\nstates:\n  china:\n    levers:\n      finacial_aid: 5\n")
    assert main(["validate", BASELINE, str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:1: years" in err and "did you mean 'financial_aid'" in err and "Traceback" not in err


def test_run_writes_a_complete_results_folder(tmp_path, capsys):
    out = tmp_path / "r"
    assert (
        main(["run", BASELINE, "--out", str(out), "--seed", "5", *FAST, "--set", "states.china.levers.financial_aid=0"])
        == 0
    )
    printed = capsys.readouterr().out
    assert "stability_index" in printed and str(out) in printed
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["root_seed"] == 5 and len(manifest["replicate_seeds"]) == 1
    assert manifest["config"]["years"] == 1 and manifest["overrides"][-1] == "states.china.levers.financial_aid=0"
    assert manifest["config"]["states"]["china"]["levers"]["financial_aid"] == 0
    assert len(manifest["config_sha256"]) == 64 and manifest["versions"]["mesa"].startswith("3.")
    assert manifest["duration_seconds"] > 0 and "0" in manifest["timings"]
    for table in ("timeseries", "regions", "segments", "severities"):
        assert (out / table / "scenario=baseline" / "replicate=0" / "part.parquet").is_file()
    assert (out / "summary.csv").read_text().startswith("replicate,outcome")
    assert (out / "config.yaml").is_file()


def test_same_seed_gives_byte_identical_tables(tmp_path):
    for name in ("a", "b", "c"):
        seed = "9" if name != "c" else "10"
        assert main(["run", BASELINE, "--out", str(tmp_path / name), "--seed", seed, "--quiet", *FAST]) == 0
    a = (tmp_path / "a" / "timeseries" / "scenario=baseline" / "replicate=0" / "part.parquet").read_bytes()
    b = (tmp_path / "b" / "timeseries" / "scenario=baseline" / "replicate=0" / "part.parquet").read_bytes()
    c = (tmp_path / "c" / "timeseries" / "scenario=baseline" / "replicate=0" / "part.parquet").read_bytes()
    assert a == b and a != c


def test_bad_config_leaves_no_results_folder(write_yaml, tmp_path, capsys):
    bad = write_yaml("bad.yaml", "drivers:\n  corruption: 3\n")
    out = tmp_path / "never"
    assert main(["run", str(bad), "--out", str(out)]) == 2
    assert not out.exists() and not Path(str(out) + ".partial").exists()
    assert "drivers.corruption" in capsys.readouterr().err


def test_bad_override_and_bad_arguments_exit_2(tmp_path, capsys):
    assert main(["run", BASELINE, "--set", "years=many", "--out", str(tmp_path / "x")]) == 2
    assert "<command line>" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["run", BASELINE, "--replicates", "0"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["run"])
    assert info.value.code == 2


def test_existing_out_folder_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "keep"
    out.mkdir()
    (out / "mine.txt").write_text("user data")
    assert main(["run", BASELINE, "--out", str(out), *FAST]) == 2
    assert (out / "mine.txt").read_text() == "user data"
    assert "already exists" in capsys.readouterr().err


def test_levers_and_schema(capsys):
    assert main(["levers"]) == 0
    out = capsys.readouterr().out
    assert "joint_border_patrols" in out and "cybersecurity" in out
    assert "price USD M/yr per unit" in out.splitlines()[0]
    intelligence = next(line for line in out.splitlines() if line.startswith("intelligence_sharing "))
    assert intelligence.split()[4] == "15", "the price of an intensity lever (USD M/yr per unit of 0-1)"
    assert main(["levers", "--format", "json"]) == 0
    assert [lv["name"] for lv in json.loads(capsys.readouterr().out)] == list(registry.levers())
    assert main(["schema"]) == 0
    assert "financial_aid" in json.loads(capsys.readouterr().out)["$defs"]["ChinaLevers"]["properties"]


def test_real_subprocess(tmp_path):
    out = tmp_path / "sub"
    proc = subprocess.run(
        [sys.executable, "-m", "scenarios", "run", BASELINE, "--out", str(out), "--seed", "1", *FAST],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "stability_index" in proc.stdout and (out / "manifest.json").is_file()
    bad = subprocess.run(
        [sys.executable, "-m", "scenarios", "validate", str(tmp_path / "missing.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and "not found" in bad.stderr and "Traceback" not in bad.stderr


def test_setup_says_in_one_line_when_no_python_is_suitable(tmp_path):
    from helpers import ROOT

    env = {"PATH": str(tmp_path), "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "none")}
    proc = subprocess.run(
        ["/bin/sh", str(ROOT / "scripts" / "find-python.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Python >= 3.12" in lines[0]


def test_setup_finds_a_suitable_python():
    from helpers import ROOT

    proc = subprocess.run(
        ["/bin/sh", str(ROOT / "scripts" / "find-python.sh")], capture_output=True, text=True, timeout=30, check=False
    )
    assert proc.returncode == 0
    out = subprocess.run(
        [proc.stdout.strip(), "-c", "import sys; print(sys.version_info >= (3, 12))"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert out.stdout.strip() == "True"


class Terminal:
    """A stdin that is a terminal and answers a prompt."""

    def __init__(self, answer: str):
        self.answer = answer

    def isatty(self) -> bool:
        return True

    def readline(self) -> str:
        return self.answer + "\n"


def test_a_long_run_asks_on_a_terminal_and_needs_yes_without_one(tmp_path, monkeypatch, capsys):
    from scenarios.cli import options

    monkeypatch.setattr(options, "CONFIRM_ABOVE_SECONDS", 0.0)  # every run counts as long
    run = ["run", BASELINE, "--replicates", "2", *FAST]
    assert main([*run, "--out", str(tmp_path / "refused")]) == 2  # pytest's stdin is not a terminal
    err = capsys.readouterr().err
    assert "2 replicate(s) would take about" in err and "add --yes" in err and not (tmp_path / "refused").exists()
    monkeypatch.setattr(sys, "stdin", Terminal("n"))
    assert main([*run, "--out", str(tmp_path / "declined")]) == 2
    assert "not started" in capsys.readouterr().err and not (tmp_path / "declined").exists()
    monkeypatch.setattr(sys, "stdin", Terminal("y"))
    assert main([*run, "--out", str(tmp_path / "accepted")]) == 0
    monkeypatch.undo()
    monkeypatch.setattr(options, "CONFIRM_ABOVE_SECONDS", 0.0)
    assert main([*run, "--out", str(tmp_path / "yes"), "--yes"]) == 0
    assert (tmp_path / "yes" / "manifest.json").is_file()


def test_progress_always_draws_rate_and_time_left(tmp_path, capsys):
    args = ["run", BASELINE, "--replicates", "3", *FAST]
    assert main([*args, "--out", str(tmp_path / "p"), "--progress", "always"]) == 0
    err = capsys.readouterr().err
    assert "replicates 3/3 |" in err and "/s |" in err and "left" in err
    assert main([*args, "--out", str(tmp_path / "q"), "--progress", "never"]) == 0
    assert "replicates 3/3" not in capsys.readouterr().err


def test_resume_without_out_is_refused_by_run_and_sweep(capsys):
    for command, config in (("run", BASELINE), ("sweep", str(CONFIGS / "exploration.yaml"))):
        assert main([command, config, *FAST, "--resume"]) == 2
        assert "--resume needs --out DIR" in capsys.readouterr().err


def test_compare_refuses_a_url_out(tmp_path, capsys):
    # sweeps write URLs through the results-folder protocol (tests/test_exploration.py)
    assert main(["compare", BASELINE, BASELINE, *FAST, "--results", "s3://bucket/results"]) == 2
    assert "compare writes local folders" in capsys.readouterr().err and not Path("s3:").exists()


def test_a_stopped_run_without_out_names_the_folder_in_its_resume_command(tmp_path, monkeypatch, capsys):
    from scenarios.experiments import runner

    monkeypatch.chdir(tmp_path)
    _, real = interrupt_on_call(monkeypatch, runner, "run_replicate", 2)
    assert main(["run", BASELINE, "--replicates", "3", *FAST]) == 130
    (partial,) = (tmp_path / "results").glob("baseline-*.partial")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.startswith(f"stopped by SIGINT: 1/3 finished, kept in results/{partial.name}; to finish: scenarios run")
    assert line.endswith(f"--resume --out results/{partial.name.removesuffix('.partial')}")
    monkeypatch.setattr(runner, "run_replicate", real)
    assert main(shlex.split(line.split("to finish: scenarios ")[1])) == 0  # the printed command finishes it
    assert (tmp_path / "results" / partial.name.removesuffix(".partial") / "summary.csv").is_file()


def test_output_cut_short_by_its_reader_is_not_a_failure():
    # as `scenarios schema | head`: the reader goes away before the output (125 kB) is written
    env = {**__import__("os").environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "scenarios", "schema"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0 and "BrokenPipe" not in err and "run failed" not in err
