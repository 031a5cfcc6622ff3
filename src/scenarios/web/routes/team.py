"""The teams' side: the start page, joining by code or QR link, the team page and its API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from scenarios.spec import registry
from scenarios.web.classroom import claims, deals, normalize_code
from scenarios.web.classroom.scoring import lever_view, state_label
from scenarios.web.pages import TeamAccess, ctx, page, page_data, read_form, team_access, team_of, unchanged_or
from scenarios.web.security import DEVICE_COOKIE, DEVICE_COOKIE_SECONDS, client_of

router = APIRouter()


class Proposal(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    to: str = Field(max_length=20, description="the team the proposal is made to")
    give_lever: str = Field(max_length=40, description="a lever of the proposing team")
    give_musd: float = Field(gt=0, description="USD M the proposing team puts on it")
    ask_lever: str | None = Field(None, max_length=40, description="a lever of the other team (the condition)")
    ask_musd: float | None = Field(None, gt=0, description="USD M the other team puts on it, at least")


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: str = Field(max_length=10, description="accept, reject (the other team) or withdraw (the proposer)")


class Submission(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    round: int = Field(ge=1, le=50, description="the round this allocation was made for")
    allocation: dict[str, float] = Field(max_length=40)


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    """The start page; it gives a new browser its device cookie, so its join attempts count as its own."""
    resp = page(request, "index.html")
    if not ctx(request).devices.of(request):
        set_device(resp, ctx(request).devices.new())
    return resp


def device_first(request: Request) -> Response | None:
    """A browser without a device cookie (a QR code scanned by a fresh phone) is sent back to the
    same address once with one, so its attempts are counted per device, not per shared address."""
    if ctx(request).devices.of(request) or request.query_params.get("d") == "1":
        return None
    resp = RedirectResponse(f"{request.url.path}?d=1", status_code=303)
    set_device(resp, ctx(request).devices.new())
    return resp


@router.post("/join")
async def join(request: Request) -> Response:
    form = await read_form(request)
    code = form.get("code", "")
    team_of(request, code)
    return RedirectResponse(f"/team/{normalize_code(code)}", status_code=303)


@router.get("/j/{code}")
def join_link(request: Request, code: str) -> Response:
    """The link in a QR code."""
    first = device_first(request)
    if first is not None:
        return first
    team_of(request, code)
    return RedirectResponse(f"/team/{normalize_code(code)}", status_code=303)


def with_device(request: Request, access: TeamAccess) -> tuple[TeamAccess, str]:
    """The access with a device token: the browser's, or a new one (then to be set as its cookie)."""
    if access.device:
        return access, ""
    token = ctx(request).devices.new()
    return TeamAccess(access.sid, access.state, token, False), token


def set_device(resp: Response, token: str) -> None:
    if token:
        resp.set_cookie(DEVICE_COOKIE, token, httponly=True, samesite="lax", max_age=DEVICE_COOKIE_SECONDS)


@router.get("/team/{code}", response_class=HTMLResponse)
def team_page(request: Request, code: str) -> Response:
    """The team's page. The first device to open it claims the code; any other gets a read-only view."""
    first = device_first(request)
    if first is not None:
        return first
    access, new_token = with_device(request, team_access(request, code))
    room = ctx(request).room
    with room.store.transaction(write=True) as db:
        holds = claims.claim(db, access.sid, access.state, access.device)
    sid, state = access.sid, access.state
    sc = room.scenario(sid)
    team = sc.exercise.teams[state]
    levers = [lever_view(n, team.budget_musd) for n in registry.levers_of(state)]
    st = room.state(sid, state)
    resp = page(
        request,
        "team.html",
        code=normalize_code(code),
        state_name=state,
        team=team,
        exercise=sc.exercise,
        levers=levers,
        state=st,
        read_only=not holds,
        others=[(t, state_label(t)) for t in sc.exercise.teams if t != state],
        data=page_data()
        | {
            "code": normalize_code(code),
            "state_name": state,
            "budget": team.budget_musd,
            "state": st,
            "read_only": not holds,
            "team_levers": {t: list(registry.levers_of(t)) for t in sc.exercise.teams},
        },
    )
    set_device(resp, new_token)
    return resp


@router.get("/api/team/{code}/state")
def team_state(request: Request, code: str, since: int | None = None) -> dict[str, Any]:
    """The team's state; with ``since`` equal to the current version, only that it is unchanged."""
    access = team_access(request, code)
    out = unchanged_or(ctx(request).room, access.sid, since, access.state)
    return out | {"read_only": not access.holds}


@router.post("/api/team/{code}/submit")
def submit(request: Request, code: str, body: Submission) -> Response:
    """Save the team's allocation for the round it names; the answer shows exactly what was stored."""
    access, new_token = with_device(request, team_access(request, code))
    room = ctx(request).room
    saved = room.submit(code, body.round, body.allocation, access.device, client_of(request))
    resp = JSONResponse(
        {
            "ok": True,
            "saved": saved,
            "total_musd": sum(saved.values()),
            "round": body.round,
            "state": room.state(access.sid, access.state) | {"read_only": False},
        }
    )
    set_device(resp, new_token)
    return resp


@router.post("/api/team/{code}/propose")
def propose(request: Request, code: str, body: Proposal) -> Response:
    """Propose a deal to another team for the open round (see :mod:`scenarios.web.classroom.deals`)."""
    access, new_token = with_device(request, team_access(request, code))
    room = ctx(request).room
    pid = deals.propose(
        room, code, body.to, body.give_lever, body.give_musd, body.ask_lever, body.ask_musd, access.device
    )
    resp = JSONResponse({"ok": True, "id": pid, "state": room.state(access.sid, access.state) | {"read_only": False}})
    set_device(resp, new_token)
    return resp


@router.post("/api/team/{code}/proposal/{proposal_id}")
def decide(request: Request, code: str, proposal_id: int, body: Decision) -> Response:
    """Accept or reject a proposal made to this team, or withdraw one it made."""
    access, new_token = with_device(request, team_access(request, code))
    room = ctx(request).room
    deals.decide(room, code, proposal_id, body.action, access.device, client_of(request))
    resp = JSONResponse({"ok": True, "state": room.state(access.sid, access.state) | {"read_only": False}})
    set_device(resp, new_token)
    return resp
