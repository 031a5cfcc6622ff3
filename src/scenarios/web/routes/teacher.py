"""The teacher's pages: login and logout, sessions, the console (controls), the projector (no codes,
no controls), printable briefing cards, and the session API (state, inject, advance)."""

from __future__ import annotations

import time
from typing import Any, Literal

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from scenarios.reporting.docs import exercise_guide
from scenarios.spec import registry
from scenarios.spec.config import load_scenario
from scenarios.web.classroom import ClassroomError, claims, controls, counterfactual, exercise_files
from scenarios.web.classroom.codes import show_code
from scenarios.web.classroom.scoring import state_label
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


class Undo(_Body):
    round: int = Field(ge=1, le=50, description="the round to take back: the last played one (else 409)")


class Clock(_Body):
    action: Literal["start", "pause", "resume", "extend", "lock", "unlock"]
    minutes: float = Field(0, ge=0, le=60, description="for extend: minutes to add")


class TeamAction(_Body):
    action: Literal["release", "reissue", "reset"]


@router.get("/teacher", response_class=HTMLResponse)
def teacher(request: Request) -> HTMLResponse:
    c = ctx(request)
    if not c.auth.is_teacher(request):
        return page(request, "login.html")
    sessions = c.room.sessions()
    for s in sessions:
        s["created_text"] = time.strftime("%Y-%m-%d %H:%M", time.localtime(s["created"]))
        s["archived_text"] = time.strftime("%Y-%m-%d", time.localtime(s["archived"])) if s["archived"] else ""
    return page(
        request,
        "teacher.html",
        sessions=[s for s in sessions if not s["archived"]],
        archived=[s for s in sessions if s["archived"]],
        exercises=c.room.exercises(),
        parameter_choices=c.room.parameter_choices(),
        posterior=None if c.room.parameters is None else c.room.parameters.ref,
    )


@router.post("/teacher/session/{sid}/archive")
async def archive_session(request: Request, sid: str) -> Response:
    """Archive a session (``restore=1``: bring it back)."""
    c = ctx(request)
    c.auth.require(request)
    form = await read_form(request)
    controls.archive(c.room, sid, form.get("restore") != "1")
    return RedirectResponse("/teacher", status_code=303)


@router.post("/teacher/session/{sid}/delete")
async def delete_session(request: Request, sid: str) -> Response:
    """Delete a session for good; the form must repeat the session's label (``confirm``)."""
    c = ctx(request)
    c.auth.require(request)
    form = await read_form(request)
    label = c.room.state(sid)["label"]
    if form.get("confirm", "").strip() != label:
        raise ClassroomError(f"to delete the session, type its label exactly: {label!r}", 400)
    controls.delete(c.room, sid)
    return RedirectResponse("/teacher", status_code=303)


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


@router.post("/teacher/logout-everywhere")
def logout_everywhere(request: Request) -> Response:
    """End every teacher login (every browser, every copied cookie) and the one-time link."""
    c = ctx(request)
    c.auth.require(request)
    c.auth.store.end_every_teacher_login()
    c.auth.forget()
    resp = RedirectResponse("/teacher", status_code=303)
    resp.delete_cookie(LOGIN_COOKIE)
    return resp


@router.post("/teacher/sessions")
async def create_session(request: Request) -> Response:
    background = BackgroundTasks()
    c = ctx(request)
    c.auth.require(request)
    form = await read_form(request)
    sid, _ = c.room.create_session(
        form.get("exercise", ""), form.get("label", "").strip(), parameters=form.get("parameters", "defaults")
    )
    if c.warm_up:
        background.add_task(c.room.warm_up, sid)  # after the response: the first Advance need not wait
    return RedirectResponse(f"/teacher/session/{sid}", status_code=303, background=background)


def join_address(request: Request) -> str:
    """The address students open: ``--public-url`` (or ``--lan``'s), else the one this browser used."""
    return ctx(request).public_url or str(request.base_url).rstrip("/")


def join_cards(request: Request, sid: str) -> list[dict[str, str]]:
    """Each team's code as shown, its join link and the link's QR code (SVG)."""
    base = join_address(request)
    return [
        {
            "state": t.state,
            "label": state_label(t.state),
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
        regions=world.regions,
        segments=world.segments,
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
    address = join_address(request) + "/"
    return page(
        request,
        "projector.html",
        sid=sid,
        state=state,
        join_address=address,
        join_qr=qr_svg(address, f"QR code: open {address}", scale=9),
        data=page_data() | {"sid": sid, "state": state},
    )


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
def advance(request: Request, sid: str, body: Advance) -> JSONResponse:
    """Run the open round; then, after the answer, what each team's own choices did (counterfactuals)."""
    c = ctx(request)
    c.auth.require(request)
    state = c.room.advance(sid, body.round)
    background = BackgroundTasks()
    background.add_task(counterfactual.compute, c.room, sid, body.round)
    if state["finished"]:  # why stability moved: once, in the explanation worker process
        background.add_task(c.room.why.start, sid)
    return JSONResponse({"ok": True, "state": state}, background=background)


@router.post("/api/session/{sid}/undo")
def undo(request: Request, sid: str, body: Undo) -> dict[str, Any]:
    """Take back the last played round (it opens again with its submissions and injects)."""
    c = ctx(request)
    c.auth.require(request)
    controls.undo_last_round(c.room, sid, body.round)
    return {"ok": True, "state": c.room.state(sid)}


@router.post("/api/session/{sid}/clock")
def clock(request: Request, sid: str, body: Clock) -> dict[str, Any]:
    """Start, pause, resume or extend the round's countdown; lock or unlock submissions at zero."""
    c = ctx(request)
    c.auth.require(request)
    if body.action == "start":
        controls.start_clock(c.room, sid)
    elif body.action == "pause":
        controls.pause_clock(c.room, sid)
    elif body.action == "resume":
        controls.resume_clock(c.room, sid)
    elif body.action == "extend":
        controls.extend_clock(c.room, sid, body.minutes)
    else:
        controls.lock_at_zero(c.room, sid, body.action == "lock")
    return {"ok": True, "state": c.room.state(sid)}


@router.post("/api/session/{sid}/inject/{inject_id}/cancel")
def cancel_inject(request: Request, sid: str, inject_id: int) -> dict[str, Any]:
    c = ctx(request)
    c.auth.require(request)
    controls.cancel_inject(c.room, sid, inject_id)
    return {"ok": True, "state": c.room.state(sid)}


@router.post("/api/session/{sid}/team/{state}")
def team_action(request: Request, sid: str, state: str, body: TeamAction) -> dict[str, Any]:
    """Release a team's code (the next device claims it), re-issue it (a new code), or reset the team."""
    c = ctx(request)
    c.auth.require(request)
    out: dict[str, Any] = {"ok": True}
    if body.action == "release":
        controls.release(c.room, sid, state)
    elif body.action == "reissue":
        code = controls.reissue(c.room, sid, state)
        out["code"] = show_code(code)
    else:
        controls.reset_team(c.room, sid, state)
    return out | {"state": c.room.state(sid)}


@router.get("/api/session/{sid}/log")
def submission_log(request: Request, sid: str) -> dict[str, Any]:
    """Every submission of the session, saved or refused, with its device and address."""
    c = ctx(request)
    c.auth.require(request)
    c.room.state(sid)  # 404 for an unknown session
    with c.room.store.transaction() as db:
        return {"log": claims.submission_log(db, sid)}
