"""The web app: teacher console, team pages, debrief, explorer. Every asset is served from here.

Pages are server-rendered Jinja2 templates (autoescaped); they update themselves by polling small
JSON endpoints, so no page needs a reload and nothing is fetched from outside the server (the
chart library is the ``plotly.min.js`` shipped inside the installed ``plotly`` package).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import secrets
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import plotly
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from scenarios.spec import outcomes, registry
from scenarios.spec.config import ConfigError, load_scenario, scenario_dict, validate_data
from scenarios.web.classroom import SCORE_GOALS, SERIES, Classroom, ClassroomError, run_years

STATIC = Path(str(resources.files("scenarios.web").joinpath("static")))
TEMPLATES = Path(str(resources.files("scenarios.web").joinpath("templates")))
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
EXPLORER_CITIZENS = 3000


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Submission(_Body):
    round: int = Field(ge=1, le=50)
    allocation: dict[str, float]


class Inject(_Body):
    kind: str = Field(max_length=40)
    region: str | None = Field(None, max_length=60)
    segment: str | None = Field(None, max_length=60)


class ExploreRun(_Body):
    scenario: str = Field(max_length=100)
    levers: dict[str, dict[str, float]] = Field(default_factory=dict)


def create_app(db_path: str | Path, configs_dir: str | Path, pin: str) -> FastAPI:
    """The app for one classroom database, one configs folder and one teacher PIN."""
    configs_dir = Path(configs_dir)
    room = Classroom(db_path, configs_dir / "exercises")
    secret = room.secret()
    token = hmac.new(secret, pin.encode(), hashlib.sha256).hexdigest()
    templates = Jinja2Templates(directory=str(TEMPLATES))
    app = FastAPI(title="scenarios classroom", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.room = room

    def is_teacher(request: Request) -> bool:
        cookie = request.cookies.get("teacher", "")
        header = request.headers.get("x-teacher-pin", "")
        return hmac.compare_digest(cookie, token) or (bool(header) and hmac.compare_digest(header, pin))

    def require_teacher(request: Request) -> None:
        if not is_teacher(request):
            raise ClassroomError("the teacher's PIN is required", 403)

    def page(request: Request, name: str, **ctx: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, ctx)

    # ------------------------------------------------------------------ errors
    @app.exception_handler(ClassroomError)
    async def classroom_error(request: Request, exc: ClassroomError) -> Response:
        return _error(request, templates, str(exc), exc.status)

    @app.exception_handler(ConfigError)
    async def config_error(request: Request, exc: ConfigError) -> Response:
        return _error(request, templates, "; ".join(str(p) for p in exc.problems), 400)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for e in exc.errors():
            loc = ".".join(str(x) for x in e["loc"] if x != "body")
            parts.append(f"{loc or 'request'}: {e['msg']}")
        return _error(request, templates, "; ".join(parts), 400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, templates, str(exc.detail), exc.status_code)

    # ------------------------------------------------------------------ assets
    @app.get("/static/vendor/plotly.min.js")
    def plotly_js() -> FileResponse:
        return FileResponse(PLOTLY_JS, media_type="application/javascript")

    @app.get("/static/{name}")
    def static(name: str) -> FileResponse:
        path = STATIC / name
        if name not in {"app.js", "style.css"} or not path.is_file():
            raise StarletteHTTPException(404, "not found")
        return FileResponse(path, media_type="application/javascript" if name.endswith(".js") else "text/css")

    # ------------------------------------------------------------------ pages
    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        return page(request, "index.html")

    @app.post("/join")
    async def join(request: Request) -> Response:
        form = await _form(request)
        code = form.get("code", "").strip()
        room.team_by_code(code)
        return RedirectResponse(f"/team/{code}", status_code=303)

    @app.get("/teacher", response_class=HTMLResponse)
    def teacher(request: Request) -> HTMLResponse:
        if not is_teacher(request):
            return page(request, "login.html")
        return page(request, "teacher.html", sessions=room.sessions(), exercises=room.exercises())

    @app.post("/teacher/login")
    async def login(request: Request) -> Response:
        form = await _form(request)
        if not hmac.compare_digest(form.get("pin", ""), pin):
            return _error(request, templates, "wrong PIN", 403)
        resp = RedirectResponse("/teacher", status_code=303)
        resp.set_cookie("teacher", token, httponly=True, samesite="strict")
        return resp

    @app.post("/teacher/sessions")
    async def create_session(request: Request) -> Response:
        require_teacher(request)
        form = await _form(request)
        sid, _ = room.create_session(form.get("exercise", ""), form.get("label", "").strip())
        return RedirectResponse(f"/teacher/session/{sid}", status_code=303)

    @app.get("/teacher/session/{sid}", response_class=HTMLResponse)
    def console(request: Request, sid: str) -> HTMLResponse:
        require_teacher(request)
        sc = room.scenario(sid)
        world = registry.load_world(sc.world)
        return page(
            request,
            "console.html",
            sid=sid,
            teams=room.teams(sid),
            exercise=sc.exercise,
            state=room.state(sid),
            regions=world.region_names,
            segments=world.segment_names,
            labels=_labels(),
        )

    @app.get("/team/{code}", response_class=HTMLResponse)
    def team_page(request: Request, code: str) -> HTMLResponse:
        sid, state = room.team_by_code(code)
        sc = room.scenario(sid)
        team = sc.exercise.teams[state]
        levers = [registry.levers()[n] for n in registry.levers_of(state)]
        st = room.state(sid, state)
        return page(
            request,
            "team.html",
            code=code,
            state_name=state,
            team=team,
            exercise=sc.exercise,
            levers=levers,
            state=st,
            labels=_labels(),
            plan=_plan_allocation(sc, state, st["open_year"]),
            goals=[name for name, _ in SCORE_GOALS.get(state, ())],
        )

    @app.get("/debrief/{sid}", response_class=HTMLResponse)
    def debrief(request: Request, sid: str, code: str | None = None) -> HTMLResponse:
        _require_session_access(request, sid, code)
        return page(request, "debrief.html", sid=sid, code=code or "", d=room.debrief(sid), labels=_labels())

    @app.get("/debrief/{sid}/export.csv")
    def debrief_csv(request: Request, sid: str, code: str | None = None) -> PlainTextResponse:
        _require_session_access(request, sid, code)
        d = room.debrief(sid)
        st = d["state"]
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["year", "outcome", "session", "baseline"])
        for name in SERIES:
            for i, year in enumerate(st["years"]):
                w.writerow([year, name, st["played"]["yearly"][name][i], st["baseline"]["yearly"][name][i]])
        w.writerow([])
        w.writerow(["team", "shared_stability_vs_baseline", "cost_musd", "cost_vs_plan_musd", "own_goals"])
        for s in d["scores"]:
            goals = "; ".join(f"{g['outcome']} {g['delta']:+.4g}" for g in s["own_goals"])
            w.writerow([s["state"], s["shared_stability"], s["cost_musd"], s["cost_vs_plan_musd"], goals])
        return PlainTextResponse(
            buf.getvalue(),
            media_type="text/csv",
            headers={"content-disposition": f'attachment; filename="debrief-{sid}.csv"'},
        )

    @app.get("/debrief/{sid}/export.html", response_class=HTMLResponse)
    def debrief_html(request: Request, sid: str, code: str | None = None) -> HTMLResponse:
        _require_session_access(request, sid, code)
        d = room.debrief(sid)
        css = (STATIC / "style.css").read_text(encoding="utf-8")
        resp = templates.TemplateResponse(
            request, "debrief_export.html", {"d": d, "labels": _labels(), "css": css, "figures": _debrief_figures(d)}
        )
        resp.headers["content-disposition"] = f'attachment; filename="debrief-{sid}.html"'
        return resp

    @app.get("/explore", response_class=HTMLResponse)
    def explore(request: Request) -> HTMLResponse:
        scen = {}
        for name, path in _scenario_files(configs_dir).items():
            sc = load_scenario(path)
            scen[name] = {
                s: {n: _constant(getattr(getattr(sc.states, s), "levers", None), n) for n in registry.levers_of(s)}
                for s in registry.STATES
                if registry.levers_of(s)
            }
        return page(
            request,
            "explore.html",
            scenarios=scen,
            levers={n: lv.model_dump() for n, lv in registry.levers().items()},
            labels=_labels(),
        )

    # ------------------------------------------------------------------ JSON API
    @app.get("/api/session/{sid}/state")
    def session_state(request: Request, sid: str) -> dict[str, Any]:
        require_teacher(request)
        return room.state(sid)

    @app.get("/api/team/{code}/state")
    def team_state(code: str) -> dict[str, Any]:
        sid, state = room.team_by_code(code)
        return room.state(sid, state)

    @app.post("/api/team/{code}/submit")
    def submit(code: str, body: Submission) -> dict[str, Any]:
        room.submit(code, body.round, body.allocation)
        sid, state = room.team_by_code(code)
        return {"ok": True, "state": room.state(sid, state)}

    @app.post("/api/session/{sid}/inject")
    def inject(request: Request, sid: str, body: Inject) -> dict[str, Any]:
        require_teacher(request)
        room.inject(sid, body.kind, body.region, body.segment)
        return {"ok": True, "state": room.state(sid)}

    @app.post("/api/session/{sid}/advance")
    def advance(request: Request, sid: str) -> dict[str, Any]:
        require_teacher(request)
        return {"ok": True, "state": room.advance(sid)}

    @app.post("/api/explore/run")
    def explore_run(body: ExploreRun) -> dict[str, Any]:
        files = _scenario_files(configs_dir)
        if body.scenario not in files:
            raise ClassroomError(f"unknown scenario {body.scenario!r}; allowed: {', '.join(files)}", 404)
        base_cfg = scenario_dict(load_scenario(files[body.scenario], [f"society.citizens={EXPLORER_CITIZENS}"]))
        cfg = json.loads(json.dumps(base_cfg))
        for state, levers in body.levers.items():
            if state not in registry.STATES or not registry.levers_of(state):
                raise ClassroomError(
                    f"unknown state {state!r}; allowed: {', '.join(s for s in registry.STATES if registry.levers_of(s))}"
                )
            for name, value in levers.items():
                cfg["states"][state].setdefault("levers", {})[name] = value
        validate_data(cfg)  # a bad value raises ConfigError -> 400 naming key and range
        years = cfg["years"]
        return {
            "years": [int(cfg["start"][:4]) + i for i in range(years)],
            "baseline": run_years(base_cfg, base_cfg["seed"], years),
            "explored": run_years(cfg, cfg["seed"], years),
        }

    def _require_session_access(request: Request, sid: str, code: str | None) -> None:
        if is_teacher(request):
            return
        if code:
            owner, _ = room.team_by_code(code)
            if secrets.compare_digest(owner, sid):
                return
        raise ClassroomError("this page needs the teacher's PIN or a join code of this session", 403)

    return app


# ---------------------------------------------------------------------------- helpers


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", errors="replace")
    from urllib.parse import parse_qs

    return {k: v[0] for k, v in parse_qs(body, max_num_fields=20).items()}


def _error(request: Request, templates: Jinja2Templates, message: str, status: int) -> Response:
    accept = request.headers.get("accept", "")
    if request.url.path.startswith("/api/") or ("application/json" in accept and "text/html" not in accept):
        return JSONResponse({"error": message}, status_code=status)
    return templates.TemplateResponse(request, "error.html", {"message": message, "status": status}, status_code=status)


def _labels() -> dict[str, dict[str, str]]:
    table = outcomes.national()
    out = {}
    for name in SERIES:
        o = table[name]
        out[name] = {"label": o.label, "unit": o.unit.replace("/week", "/yr") if o.summary == "sum" else o.unit}
    return out


def _plan_allocation(sc: Any, state: str, year: int | None) -> dict[str, float]:
    """The exercise's own plan for ``state`` in ``year``, in USD M per lever (the team page's starting values)."""
    from scenarios.schedule import expand

    if year is None:
        return {}
    levers_cfg = getattr(getattr(sc.states, state), "levers", None)
    out = {}
    for name in registry.levers_of(state):
        sched = getattr(levers_cfg, name, None) if levers_cfg is not None else None
        value = float(expand(sched, np.array([year + 0.5]), 0.0)[0]) if sched is not None else 0.0
        out[name] = round(value * registry.levers()[name].cost_musd_per_unit, 3)
    return out


def _scenario_files(configs_dir: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted(configs_dir.glob("*.yaml"))}


def _constant(levers: Any, name: str) -> float:
    """A lever's value in the first year of a scenario (the explorer's slider start)."""
    if levers is None:
        return 0.0
    v = getattr(levers, name, None)
    if v is None:
        return 0.0
    if isinstance(v, dict):
        return float(next(iter(v.values())))
    return float(v)


def _debrief_figures(d: dict[str, Any]) -> list[tuple[str, str]]:
    """Matplotlib figures (base64 PNG) for the exported, self-contained debrief."""
    import base64

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    st = d["state"]
    figs = []
    for name in outcomes.view("console"):
        fig, ax = plt.subplots(figsize=(4.6, 2.6))
        ax.plot(st["years"], st["played"]["yearly"][name], marker="o", label="this session")
        ax.plot(
            st["years"],
            st["baseline"]["yearly"][name][: len(st["years"])],
            marker="s",
            linestyle="--",
            label="baseline",
        )
        ax.set_title(outcomes.national()[name].label, fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        figs.append((name, base64.b64encode(buf.getvalue()).decode()))
    return figs
