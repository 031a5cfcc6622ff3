"""Classroom sessions: teams play states round by round; persisted in SQLite; plain Python.

``store`` (the SQLite file), ``codes`` (join codes), ``claims`` (a code held by one device, the
submission log), ``controls`` (the teacher's clock, undo, release, archive), ``deals`` (proposals between
teams), ``counterfactual`` (what a team's own choices did), ``game`` (rounds,
submissions, injects, allocations in force),
``simulate`` (running the model), ``scoring`` (reports, debrief scores and costs) and ``series``
(which outcomes the classroom uses).
"""

from scenarios.web.classroom import claims, controls, counterfactual, deals
from scenarios.web.classroom.codes import normalize_code, show_code
from scenarios.web.classroom.errors import ClassroomError
from scenarios.web.classroom.game import Classroom, Team, exercise_files
from scenarios.web.classroom.series import SCORE_GOALS, SERIES
from scenarios.web.classroom.simulate import run_years

__all__ = [
    "SCORE_GOALS",
    "SERIES",
    "Classroom",
    "ClassroomError",
    "Team",
    "claims",
    "controls",
    "counterfactual",
    "deals",
    "exercise_files",
    "normalize_code",
    "run_years",
    "show_code",
]
