"""A session played on a posterior draw (``serve --parameters``) and "why stability moved" in the debrief.

Sessions are one round of one year without the burn-in (``short``), so that an explanation (15
runs of the session plus 15 per team that moved) costs a few seconds."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import uvicorn
from fastapi.testclient import TestClient
from helpers import library_copy, shortened

from scenarios.calibration.posterior import Posterior, write_posterior
from scenarios.cli.main import main
from scenarios.errors import ScenarioError
from scenarios.web.app import create_app
from scenarios.web.classroom import Classroom, ClassroomError, game, why
from scenarios.web.classroom.game import POSTERIOR_DRAWS
from scenarios.web.classroom.simulate import run_years

PIN = "why-moved-9"
ORIGIN = {"origin": "http://testserver"}
EXERCISE = "short_border_pressure"
FEW_DRAWS = 3
"""Plausible parameter sets of the explained session (the server draws POSTERIOR_DRAWS)."""


@pytest.fixture(scope="module")
def configs(tmp_path_factory):
    """The library with the exercise shortened to 1 round of 1 year, without the burn-in."""
    folder = tmp_path_factory.mktemp("why_configs")
    return library_copy(folder, exercises={EXERCISE: shortened(1) | {"parameters": {"burn_in_weeks": 0}}})


@pytest.fixture(scope="module")
def posterior(tmp_path_factory):
    """A two-particle posterior of two parameters that move stability."""
    folder = tmp_path_factory.mktemp("cal")
    theta = np.array([[0.92, 0.05], [0.95, 0.2]])
    post = Posterior(("legitimacy_initial", "police_per_citizen"), theta, np.array([0.5, 0.5]), np.zeros(2))
    write_posterior(folder / "posterior.parquet", post)
    return folder


def finished(room, parameters="defaults", seed=3):
    """A one-round session in which only China changed the plan, played to the end."""
    sid, teams = room.create_session(EXERCISE, seed=seed, parameters=parameters)
    code = {t.state: t.code for t in teams}["china"]
    room.submit(code, 1, {"intelligence_sharing": 9, "surveillance_systems": 200})
    room.advance(sid, 1)
    return sid


@pytest.fixture(scope="module")
def explained(tmp_path_factory, configs, posterior, two_band_seeds):
    """A finished session played on a posterior draw, explained (room, session id, result)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(game, "POSTERIOR_DRAWS", FEW_DRAWS)  # each draw costs two runs of the session
        room = Classroom(tmp_path_factory.mktemp("why") / "c.sqlite", configs / "exercises", parameters=posterior)
    sid = finished(room, "posterior")
    return room, sid, why.compute_now(room, sid)


# ---------------------------------------------------------------------------- parameters


def test_a_posterior_session_plays_one_recorded_draw_picked_by_its_seed(tmp_path, configs, posterior):
    room = Classroom(tmp_path / "c.sqlite", configs / "exercises", parameters=posterior)
    assert room.parameter_choices() == ("defaults", "posterior")
    a, _ = room.create_session(EXERCISE, seed=3, parameters="posterior")
    b, _ = room.create_session(EXERCISE, seed=3, parameters="posterior")
    plain, _ = room.create_session(EXERCISE, seed=3)
    rec = room.parameters_record(a)
    assert len(rec["draws"]) == POSTERIOR_DRAWS and rec["values"] == rec["draws"][rec["played_draw"]]
    assert rec["values"] in (
        {"legitimacy_initial": 0.92, "police_per_citizen": 0.05},
        {"legitimacy_initial": 0.95, "police_per_citizen": 0.2},
    )
    assert room.parameters_record(b) == rec  # the same seed picks the same draw
    picked = {
        room.parameters_record(room.create_session(EXERCISE, seed=s, parameters="posterior")[0])["played_draw"]
        for s in range(12)
    }
    assert len(picked) > 1  # other seeds pick other draws
    for key, value in rec["values"].items():
        assert room.config(a)["parameters"][key] == value  # every run of the session uses the draw
    assert room.parameters_record(plain) is None
    assert room.config(plain)["parameters"]["police_per_citizen"] is None  # the defaults


def test_bad_parameters_are_refused_with_what_is_allowed(tmp_path, configs, capsys):
    plain = Classroom(tmp_path / "c.sqlite", configs / "exercises")
    with pytest.raises(
        ClassroomError,
        match=r"'posterior' is not a choice \(the server was started without --parameters\); allowed: defaults",
    ) as info:
        plain.create_session(EXERCISE, parameters="posterior")
    assert info.value.status == 400
    with pytest.raises(ClassroomError, match="'draw 3' is not a choice; allowed: defaults"):
        plain.create_session(EXERCISE, parameters="draw 3")
    with pytest.raises(ScenarioError, match="not a calibration folder"):
        Classroom(tmp_path / "d.sqlite", configs / "exercises", parameters=tmp_path / "nowhere")
    db = tmp_path / "e.sqlite"
    assert main(["serve", "--parameters", str(tmp_path / "nowhere"), "--db", str(db), "--configs", str(configs)]) == 2
    err = capsys.readouterr().err
    assert "--parameters" in err and "not a calibration folder" in err and "Traceback" not in err
    assert not db.exists()  # nothing started, nothing written


def test_serve_parameters_offers_the_choice_in_the_form_and_the_debrief_records_it(
    tmp_path, configs, posterior, monkeypatch, two_band_seeds
):
    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(app=app))
    db = tmp_path / "c.sqlite"
    assert (
        main(["serve", "--parameters", str(posterior), "--db", str(db), "--configs", str(configs), "--pin", PIN]) == 0
    )
    app = started["app"]
    assert app.state.room.why.enabled  # the server explains finished sessions
    teacher = TestClient(app, headers=ORIGIN)
    teacher.post("/teacher/login", data={"pin": PIN})
    assert 'name="parameters"' in teacher.get("/teacher").text
    bad = teacher.post("/teacher/sessions", data={"exercise": EXERCISE, "parameters": "mine"}, follow_redirects=False)
    assert bad.status_code == 400 and "allowed: defaults, posterior" in bad.text
    r = teacher.post(
        "/teacher/sessions", data={"exercise": EXERCISE, "parameters": "posterior"}, follow_redirects=False
    )
    sid = r.headers["location"].rsplit("/", 1)[1]
    app.state.room.why.enabled = False  # the explanation itself is tested below, in process
    assert teacher.post(f"/api/session/{sid}/advance", json={"round": 1}).status_code == 200
    page = teacher.get(f"/debrief/{sid}").text
    rec = app.state.room.parameters_record(sid)
    assert f"Played on plausible parameter set {rec['played_draw'] + 1} of {POSTERIOR_DRAWS}" in page
    assert rec["sha256"][:12] in page
    exported = teacher.get(f"/debrief/{sid}/export.html").text
    assert f"plausible parameter set {rec['played_draw'] + 1} of {POSTERIOR_DRAWS}" in exported
    csv = teacher.get(f"/debrief/{sid}/export.csv").text
    assert f"posterior,{rec['file']},{rec['sha256']},{rec['played_draw'] + 1},{POSTERIOR_DRAWS}" in csv
    plain = TestClient(create_app(tmp_path / "p.sqlite", configs, PIN), headers=ORIGIN)
    plain.post("/teacher/login", data={"pin": PIN})
    assert 'name="parameters"' not in plain.get("/teacher").text  # no posterior: no choice to offer


# ---------------------------------------------------------------------------- why it moved


def test_the_parts_add_up_to_the_team_against_doing_nothing(explained, configs):
    room, sid, result = explained
    china = result["teams"]["china"]
    values = [t["value"] for t in china["terms"]]
    assert china["terms"][0]["name"] == "direct" and china["terms"][-1]["name"] == "remainder"
    assert len(values) == len(why_knockouts()) + 2
    assert math.fsum(values) == pytest.approx(china["total"], abs=1e-9)
    # the total is the played session against the same session with China's plan, one run each
    played = room.played_config(sid, 1)
    nothing = room.played_config(sid, 1, nothing_from="china")
    seed = 3  # the session's (see finished)
    a = np.mean(run_years(played, seed, 1)["yearly"]["stability_index"])
    b = np.mean(run_years(nothing, seed, 1)["yearly"]["stability_index"])
    assert china["total"] == pytest.approx(a - b, abs=1e-12) and china["total"] != 0
    assert result["teams"]["tajikistan"] is None and result["teams"]["russia"] is None  # kept the plan
    assert len(china["draws"]) == FEW_DRAWS


def why_knockouts():
    from scenarios.analysis.explain import knockouts

    return knockouts()


def test_the_debrief_says_it_in_plain_words_and_keeps_it_until_the_inputs_change(explained):
    room, sid, result = explained
    view = why.view(room, sid)
    assert view["status"]["state"] == "ready" and view["runs"] == result["runs"]
    china = next(t for t in view["teams"] if t["state"] == "china")
    words = " ".join(china["words"])
    verb = "raised" if result["teams"]["china"]["total"] > 0 else "lowered"
    assert f"China's choices {verb} shared stability by {abs(result['teams']['china']['total']):.2f} points" in words
    assert "Mostly through:" in words and "the remainder" in words
    up = sum(1 for d in result["teams"]["china"]["draws"] if d > 0)
    assert f"raised stability in {up} of {FEW_DRAWS}" in words
    russia = next(t for t in view["teams"] if t["state"] == "russia")
    assert russia["words"] == ["Russia kept the exercise's plan in every round: its choices moved nothing."]
    d = room.debrief(sid)
    assert d["why"]["teams"] == view["teams"]
    # undoing the last round makes the kept explanation stale: the debrief no longer shows it
    from scenarios.web.classroom import controls

    controls.undo_last_round(room, sid, 1)
    assert why.stored(room, sid) is None and why.view(room, sid)["status"]["state"] == "not_finished"
    room.advance(sid, 1)  # the same inputs again: the same explanation is current again
    assert why.stored(room, sid) == result


def test_the_page_and_its_status_api_show_the_explanation_to_the_teacher_and_after_the_end_to_teams(
    explained, configs, posterior, two_band_seeds
):
    room, sid, result = explained
    app = create_app(room.store.path, configs, PIN, parameters=posterior)  # the same file: a restarted server
    teacher = TestClient(app, headers=ORIGIN)
    teacher.post("/teacher/login", data={"pin": PIN})
    assert teacher.get(f"/api/session/{sid}/why").json()["status"]["state"] == "ready"
    page = teacher.get(f"/debrief/{sid}").text
    assert 'id="why" data-state="ready"' in page and "Every part for China" in page and "China&#39;s choices" in page
    code = {t.state: t.code for t in room.teams(sid)}["russia"]
    student = TestClient(app, headers=ORIGIN)
    assert "China&#39;s choices" in student.get(f"/debrief/{sid}?code={code}").text  # the game is over
    assert student.get(f"/api/session/{sid}/why?code={code}").json()["status"]["state"] == "ready"
    csv = teacher.get(f"/debrief/{sid}/export.csv").text
    assert f"china,total,total difference against the team doing nothing,{result['teams']['china']['total']}" in csv
    assert TestClient(app, headers=ORIGIN).get(f"/api/session/{sid}/why").status_code == 403  # no PIN, no code
    other = finished(app.state.room)  # a server with the explanation off says so
    assert teacher.get(f"/api/session/{other}/why").json()["status"]["state"] == "off"
    assert student.get(f"/api/session/{other}/why?code={code}").status_code == 403  # a code of another session
    assert "Not computed by this server" in teacher.get(f"/debrief/{other}").text


def test_the_runner_computes_in_a_worker_process_once(tmp_path, configs, two_band_seeds):
    room = Classroom(tmp_path / "c.sqlite", configs / "exercises")
    room.why.enabled = True
    sid, _ = room.create_session(EXERCISE, seed=3)  # no team moves: the worker's answer needs no run
    room.advance(sid, 1)
    room.why.start(sid)
    assert room.why.status(sid)["state"] == "running"
    room.why.start(sid)  # a second start while running does nothing
    try:
        for _ in range(600):
            if room.why.status(sid)["state"] != "running":
                break
            time.sleep(0.2)
        assert room.why.status(sid)["state"] == "ready"
        assert why.stored(room, sid)["teams"] == {"china": None, "tajikistan": None, "russia": None}
    finally:
        room.why.close()
