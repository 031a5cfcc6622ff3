"""The teams' side: the start page, joining by code or QR link, the team page and its API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from scenarios.spec import registry
from scenarios.web.classroom import normalize_code
from scenarios.web.pages import ctx, page, page_data, read_form, team_of, unchanged_or

router = APIRouter()


class Submission(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    round: int = Field(ge=1, le=50, description="the round this allocation was made for")
    allocation: dict[str, float] = Field(max_length=40)


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    return page(request, "index.html")


@router.post("/join")
async def join(request: Request) -> Response:
    form = await read_form(request)
    code = form.get("code", "")
    team_of(request, code)
    return RedirectResponse(f"/team/{normalize_code(code)}", status_code=303)


@router.get("/j/{code}")
def join_link(request: Request, code: str) -> Response:
    """The link in a QR code."""
    team_of(request, code)
    return RedirectResponse(f"/team/{normalize_code(code)}", status_code=303)


@router.get("/team/{code}", response_class=HTMLResponse)
def team_page(request: Request, code: str) -> HTMLResponse:
    sid, state = team_of(request, code)
    room = ctx(request).room
    sc = room.scenario(sid)
    levers = [registry.levers()[n] for n in registry.levers_of(state)]
    st = room.state(sid, state)
    team = sc.exercise.teams[state]
    return page(
        request,
        "team.html",
        code=normalize_code(code),
        state_name=state,
        team=team,
        exercise=sc.exercise,
        levers=levers,
        state=st,
        data=page_data() | {"code": normalize_code(code), "state_name": state, "budget": team.budget_musd, "state": st},
    )


@router.get("/api/team/{code}/state")
def team_state(request: Request, code: str, since: int | None = None) -> dict[str, Any]:
    """The team's state; with ``since`` equal to the current version, only that it is unchanged."""
    sid, state = team_of(request, code)
    return unchanged_or(ctx(request).room, sid, since, state)


@router.post("/api/team/{code}/submit")
def submit(request: Request, code: str, body: Submission) -> dict[str, Any]:
    sid, state = team_of(request, code)
    room = ctx(request).room
    room.submit(code, body.round, body.allocation)
    return {"ok": True, "state": room.state(sid, state)}
