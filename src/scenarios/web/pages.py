"""Rendering shared by every route: the templates, the app's context, errors, and bounded form reading."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from scenarios.spec import outcomes
from scenarios.web.classroom import Classroom, ClassroomError
from scenarios.web.classroom.claims import device_hash
from scenarios.web.classroom.scoring import labels, lever_labels, yearly_unit
from scenarios.web.classroom.series import SERIES
from scenarios.web.security import Devices, TeacherAuth, Throttle, client_of

STATIC = Path(str(resources.files("scenarios.web").joinpath("static")))
TEMPLATES = Path(str(resources.files("scenarios.web").joinpath("templates")))
MAX_FORM_FIELDS = 20
MAX_FIELD_CHARS = 200


@dataclass
class AppContext:
    """What the routes of one app share (``request.app.state.ctx``)."""

    room: Classroom
    auth: TeacherAuth
    join_throttle: Throttle
    address_throttle: Throttle
    devices: Devices
    templates: Jinja2Templates
    configs_dir: Path
    explorer: Any
    warm_up: bool = False
    public_url: str | None = None


def ctx(request: Request) -> AppContext:
    context: AppContext = request.app.state.ctx  # set by create_app; Starlette's state is untyped
    return context


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return ctx(request).templates.TemplateResponse(request, name, context, status_code=status_code)


def error(request: Request, message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    """JSON for the API and scripts, an HTML page for browsers."""
    accept = request.headers.get("accept", "")
    if request.url.path.startswith("/api/") or ("application/json" in accept and "text/html" not in accept):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    resp = page(request, "error.html", status_code=status, status=status, message=message)
    resp.headers.update(headers or {})
    return resp


async def read_form(request: Request) -> dict[str, str]:
    """An urlencoded form of at most :data:`MAX_FORM_FIELDS` fields of :data:`MAX_FIELD_CHARS` characters."""
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        fields = parse_qs(body, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        raise ClassroomError(f"too many form fields (at most {MAX_FORM_FIELDS})") from None
    out = {}
    for key, values in fields.items():
        if len(key) > MAX_FIELD_CHARS or any(len(v) > MAX_FIELD_CHARS for v in values):
            raise ClassroomError(f"form field {key[:40]!r}: at most {MAX_FIELD_CHARS} characters")
        out[key] = values[0]
    return out


@dataclass(frozen=True)
class TeamAccess:
    """Who asks for a team's page: its session and state, this browser's device token ('' for
    none), and whether this device holds the team's code (else it may only view)."""

    sid: str
    state: str
    device: str
    holds: bool


def team_access(request: Request, code: str) -> TeamAccess:
    """The team of a join code, and whether this device holds it.

    A device holding a valid code is never throttled by guesses (so a student sending wrong codes
    from the class's shared address cannot freeze a team's page); anything else is: unknown codes
    count as wrong guesses per device (or per address without a device cookie: 429 after 20, for
    up to a minute) and per address (429 after 100). (Every request with a code has already been
    counted against that code's limit by :class:`~scenarios.web.security.CodeLimitGuard`.)
    """
    c = ctx(request)
    client = client_of(request)
    device = c.devices.of(request)
    found = c.room.find_team(code)
    holds = found is not None and bool(device) and found[2] == device_hash(device)
    if not holds:
        guesser = f"{client} device {device_hash(device)[:8]}" if device else client
        c.join_throttle.check(guesser)
        c.address_throttle.check(client)
        if found is None:
            c.join_throttle.failed(guesser)
            c.address_throttle.failed(client)
            raise ClassroomError("unknown join code", 404)
    assert found is not None
    return TeamAccess(found[0], found[1], device, holds)


def team_of(request: Request, code: str) -> tuple[str, str]:
    """(session, state) of a join code, throttled as :func:`team_access` says."""
    access = team_access(request, code)
    return access.sid, access.state


def page_data() -> dict[str, Any]:
    """What every session page's script needs besides the state: labels and which series to chart."""
    regional = outcomes.regional()
    return {
        "labels": labels(),
        "charts": list(SERIES.charts),
        "levers": lever_labels(),
        "regions_table": [
            {"name": n, "label": regional[n].label, "unit": yearly_unit(regional[n])} for n in SERIES.regions_table
        ],
    }


def unchanged_or(room: Classroom, sid: str, since: int | None, for_state: str | None = None) -> dict[str, Any]:
    """What a polling page needs: ``{"unchanged": true}`` if it has the current version, else the state."""
    if since is not None and room.version(sid) == since:
        return {"version": since, "unchanged": True}
    return room.state(sid, for_state)
