"""The explorer: its page, and runs queued to the worker process (see :mod:`scenarios.web.explorer`)."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from scenarios.spec import registry
from scenarios.spec.config import load_scenario
from scenarios.web.explorer import EXPLORER_CITIZENS, scenario_files
from scenarios.web.pages import ctx, page, page_data
from scenarios.web.security import client_of

router = APIRouter()


class ExploreRun(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    scenario: str = Field(max_length=100)
    levers: dict[str, dict[str, float]] = Field(default_factory=dict, max_length=10)


def slider_start(levers: Any, name: str) -> dict[str, Any]:
    """Where a lever's slider starts: its value in the first year, and whether it is a yearly schedule
    (then the slider's value is only sent if the user moves it; untouched, the schedule holds)."""
    v = getattr(levers, name, None) if levers is not None else None
    if isinstance(v, dict):
        return {"value": float(next(iter(v.values()))), "schedule": {str(k): float(x) for k, x in v.items()}}
    return {"value": 0.0 if v is None else float(v), "schedule": None}


EXPLORER_COOKIE = "explorer"


def explorer_client(request: Request) -> tuple[str, str]:
    """Who asks: the address and the browser's explorer id (a cookie set by the explorer page)."""
    browser = request.cookies.get(EXPLORER_COOKIE, "")
    return client_of(request), browser[:40]


@router.get("/explore", response_class=HTMLResponse)
def explore(request: Request) -> HTMLResponse:
    scen = {}
    for name, path in scenario_files(ctx(request).configs_dir).items():
        sc = load_scenario(path)
        scen[name] = {
            s: {n: slider_start(getattr(getattr(sc.states, s), "levers", None), n) for n in registry.levers_of(s)}
            for s in registry.STATES
            if registry.levers_of(s)
        }
    resp = page(request, "explore.html", scenarios=scen, citizens=EXPLORER_CITIZENS, data=page_data())
    if not request.cookies.get(EXPLORER_COOKIE):
        resp.set_cookie(EXPLORER_COOKIE, secrets.token_urlsafe(12), httponly=True, samesite="strict")
    return resp


@router.post("/api/explore/run")
def explore_run(request: Request, body: ExploreRun) -> JSONResponse:
    job = ctx(request).explorer.submit(explorer_client(request), body.scenario, body.levers)
    return JSONResponse({"job": job}, status_code=202)


@router.get("/api/explore/job/{job_id}")
def explore_job(request: Request, job_id: str) -> dict[str, Any]:
    job: dict[str, Any] = ctx(request).explorer.job(job_id, explorer_client(request))
    return job
