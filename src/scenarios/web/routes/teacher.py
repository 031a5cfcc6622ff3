"""The teacher's pages: login and logout, sessions, the console (controls), the projector (no codes,
no controls), printable briefing cards, and the session API (state, inject, advance)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from scenarios.reporting.docs import exercise_guide
from scenarios.spec import registry
from scenarios.spec.config import load_scenario
from scenarios.web.classroom import ClassroomError, exercise_files
from scenarios.web.pages import ctx, error, page, page_data, read_form, unchanged_or
from scenarios.web.qr import qr_svg
from scenarios.web.security import LOGIN_COOKIE, TEACHER_COOKIE_SECONDS, client_of

router = APIRouter()


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Inject(_Body):
    kind: str = Field(max_length=40)
    region: str | None = Field(None, max_length=60)
    segment: str | None = Field(None, max_length=60)


class Advance(_Body):
    round: int = Field(ge=1, le=50, description="the round to run: the open one (a repeat gets 409)")


@router.get("/teacher", response_class=HTMLResponse)
def teacher(request: Request) -> HTMLResponse:
    c = ctx(request)
    if not c.auth.is_teacher(request):
        return page(request, "login.html")
    return page(request, "teacher.html", sessions=c.room.sessions(), exercises=c.room.exercises())


@router.post("/teacher/login")
async def login(request: Request) -> Response:
    c = ctx(request)
    form = await read_form(request)
    if not c.auth.check_pin(request, form.get("pin", "")):
        return error(request, "wrong PIN", 403)
    resp = RedirectResponse("/teacher", status_code=303)
    resp.set_cookie(
        LOGIN_COOKIE, c.auth.store.new_teacher_login(), httponly=True, samesite="strict", max_age=TEACHER_COOKIE_SECONDS
    )
    return resp


@router.get("/teacher/enter/{token}", response_class=HTMLResponse)
def enter(request: Request, token: str) -> Response:
    """The one-time link printed by ``scenarios serve``: logs the teacher in once, then is used up."""
    c = ctx(request)
    client = client_of(request)
    c.auth.throttle.check(client)
    if not c.auth.store.use_teacher_link(token):
        c.auth.throttle.failed(client)
        raise ClassroomError("this teacher's link has been used or is not the current one: log in with the PIN", 403)
    # a page (not a redirect) moves on to the console, so the same-site cookie is sent with that request
    resp = page(request, "entered.html")
    resp.set_cookie(
        LOGIN_COOKIE, c.auth.store.new_teacher_login(), httponly=True, samesite="strict", max_age=TEACHER_COOKIE_SECONDS
    )
    return resp


@router.post("/teacher/logout")
def logout(request: Request) -> Response:
    ctx(request).auth.store.end_teacher_login(request.cookies.get(LOGIN_COOKIE, ""))
    resp = RedirectResponse("/teacher", status_code=303)
    resp.delete_cookie(LOGIN_COOKIE)
    return resp


@router.post("/teacher/sessions")
async def create_session(request: Request) -> Response:
    background = BackgroundTasks()
    c = ctx(request)
    c.auth.require(request)
    form = await read_form(request)
    sid, _ = c.room.create_session(form.get("exercise", ""), form.get("label", "").strip())
    if c.warm_up:
        background.add_task(c.room.warm_up, sid)  # after the response: the first Advance need not wait
    return RedirectResponse(f"/teacher/session/{sid}", status_code=303, background=background)


def join_cards(request: Request, sid: str) -> list[dict[str, str]]:
    """Each team's code as shown, its join link and the link's QR code (SVG)."""
    base = ctx(request).public_url or str(request.base_url).rstrip("/")
    return [
        {
            "state": t.state,
            "code": t.shown_code,
            "link": f"{base}/j/{t.code}",
            "qr": qr_svg(f"{base}/j/{t.code}", f"QR code: join as {t.state}"),
        }
        for t in ctx(request).room.teams(sid)
    ]


@router.get("/teacher/session/{sid}", response_class=HTMLResponse)
def console(request: Request, sid: str) -> HTMLResponse:
    c = ctx(request)
    c.auth.require(request)
    sc = c.room.scenario(sid)
    world = registry.load_world(sc.world)
    state = c.room.state(sid)
    return page(
        request,
        "console.html",
        sid=sid,
        cards=join_cards(request, sid),
        exercise=sc.exercise,
        state=state,
        regions=world.region_names,
        segments=world.segment_names,
        data=page_data() | {"sid": sid, "state": state},
    )


@router.get("/teacher/session/{sid}/cards", response_class=HTMLResponse)
def briefing_cards(request: Request, sid: str) -> HTMLResponse:
    """One printable card per team: join code and QR, briefing, goals, budget, levers."""
    c = ctx(request)
    c.auth.require(request)
    sc = c.room.scenario(sid)
    levers = registry.levers()
    teams = [
        card
        | {"team": sc.exercise.teams[card["state"]], "levers": [levers[n] for n in registry.levers_of(card["state"])]}
        for card in join_cards(request, sid)
    ]
    return page(request, "cards.html", exercise=sc.exercise, teams=teams, label=c.room.state(sid)["label"])


@router.get("/teacher/guide/{exercise}", response_class=HTMLResponse)
def guide(request: Request, exercise: str) -> HTMLResponse:
    """The teacher's guide of an exercise, generated from its config (as docs/exercises/<name>.md)."""
    c = ctx(request)
    c.auth.require(request)
    files = exercise_files(c.room.exercises_dir)
    if exercise not in files:
        raise ClassroomError(f"unknown exercise {exercise!r}; allowed: {', '.join(files)}", 404)
    sc = load_scenario(files[exercise])
    if sc.exercise is None:
        raise ClassroomError(f"{exercise} has no exercise section", 404)
    return page(request, "guide.html", title=sc.exercise.title, text=exercise_guide(sc, files[exercise].name))


@router.get("/projector/{sid}", response_class=HTMLResponse)
def projector(request: Request, sid: str) -> HTMLResponse:
    """For the projector: big charts, round, countdown, who has submitted, events. No codes, no controls."""
    c = ctx(request)
    c.auth.require(request)
    state = c.room.state(sid)
    return page(request, "projector.html", sid=sid, state=state, data=page_data() | {"sid": sid, "state": state})


@router.get("/api/session/{sid}/state")
def session_state(request: Request, sid: str, since: int | None = None) -> dict[str, Any]:
    c = ctx(request)
    c.auth.require(request)
    return unchanged_or(c.room, sid, since)


@router.post("/api/session/{sid}/inject")
def inject(request: Request, sid: str, body: Inject) -> dict[str, Any]:
    c = ctx(request)
    c.auth.require(request)
    c.room.inject(sid, body.kind, body.region, body.segment)
    return {"ok": True, "state": c.room.state(sid)}


@router.post("/api/session/{sid}/advance")
def advance(request: Request, sid: str, body: Advance) -> dict[str, Any]:
    c = ctx(request)
    c.auth.require(request)
    return {"ok": True, "state": c.room.advance(sid, body.round)}
