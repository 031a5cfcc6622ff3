"""The web app: teacher console, projector, team pages, debrief, explorer. Every asset is served from here.

Pages are server-rendered Jinja2 templates (autoescaped); they update themselves by polling small
JSON endpoints, so no page needs a reload and nothing is fetched from outside the server (the
charts are SVG drawn by the app's own script: no chart library to download). The routes
are in :mod:`scenarios.web.routes`; the guards in :mod:`scenarios.web.security`.
"""

from __future__ import annotations

import logging
import secrets
import socket
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response

from scenarios.spec.config import ConfigError
from scenarios.web.classroom import Classroom, ClassroomError
from scenarios.web.classroom.scoring import state_label
from scenarios.web.explorer import Explorer
from scenarios.web.pages import TEMPLATES, AppContext, error
from scenarios.web.routes import assets, debrief, explore, teacher, team
from scenarios.web.security import (
    CodeLimitGuard,
    Devices,
    RateLimited,
    RequestGuard,
    RequestLimit,
    TeacherAuth,
    Throttle,
)

log = logging.getLogger("scenarios.web")


def create_app(
    db_path: str | Path,
    configs_dir: str | Path,
    pin: str | None = None,
    allowed_hosts: Iterable[str] = (),
    warm_up: bool = False,
    public_url: str | None = None,
    parameters: str | Path | None = None,
    explain: bool = False,
) -> FastAPI:
    """The app for one classroom database and one configs folder.

    Args:
        db_path: the SQLite file of sessions.
        configs_dir: scenario configs; exercises in its ``exercises`` folder.
        pin: the teacher's PIN (at least 8 characters; a new one ends every earlier teacher login);
            None keeps the one stored (hashed) with the database, or generates one for a new file.
            ``app.state.pin`` is the PIN to show the teacher, or None when it is the stored one.
        allowed_hosts: host names accepted besides localhost and IP addresses.
        warm_up: compute a new session's baseline and noise band right after creating it (the
            server does; in-process tests leave it to the first Advance).
        public_url: the address students open (join links, QR codes); None: the one the
            teacher's browser used.
        parameters: a posterior sessions may be played on (``serve --parameters``: a calibration
            folder, a posterior file or ``calibrated``); a bad one raises ScenarioError.
        explain: compute "why stability moved" for the debrief when a session's last round has run,
            in a worker process (the server does; in-process tests of other features leave it off).
    """
    configs_dir = Path(configs_dir)
    room = Classroom(db_path, configs_dir / "exercises", parameters=parameters)
    room.why.enabled = explain
    shown_pin = room.store.teacher_pin(pin)
    explorer = Explorer(configs_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        explorer.close()
        room.why.close()

    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters["state_label"] = state_label
    templates.env.globals["asset_url"] = assets.asset_url
    app = FastAPI(title="scenarios classroom", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    devices = Devices(room.store.meta_value("device_key", secrets.token_hex(32)))
    # a page polls every 2 s; a phone submitting and reloading stays far below 4 a second
    code_limit = RequestLimit("join code", rate=4.0, burst=20.0)
    app.state.code_limit = code_limit
    app.state.ctx = AppContext(
        room=room,
        auth=TeacherAuth(room.store, Throttle("teacher PIN")),
        # short lockouts: a whole class behind one address must not be locked out for long by typos;
        # per device (or address without one), and a looser one per address against made-up devices
        join_throttle=Throttle("join code", burst=20, base_seconds=1.0, max_seconds=60.0),
        address_throttle=Throttle("join code (address)", burst=100, base_seconds=1.0, max_seconds=60.0),
        devices=devices,
        templates=templates,
        configs_dir=configs_dir,
        explorer=explorer,
        warm_up=warm_up,
        public_url=public_url.rstrip("/") if public_url else None,
    )
    app.state.pin = shown_pin
    app.state.room = room
    for module in (assets, teacher, team, debrief, explore):
        app.include_router(module.router)
    # pages and JSON states compressed for phones (static files come compressed already)
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    app.add_middleware(RequestGuard, allowed_hosts=tuple(allowed_hosts))
    app.add_middleware(CodeLimitGuard, limit=code_limit, devices=devices)  # outermost: the cheapest refusal

    @app.exception_handler(ClassroomError)
    async def classroom_error(request: Request, exc: ClassroomError) -> Response:
        headers = {"retry-after": f"{max(1, round(exc.retry_after))}"} if isinstance(exc, RateLimited) else None
        return error(request, str(exc), exc.status, headers)

    @app.exception_handler(ConfigError)
    async def config_error(request: Request, exc: ConfigError) -> Response:
        return error(request, "; ".join(str(p) for p in exc.problems), 400)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for e in exc.errors():
            loc = ".".join(str(x) for x in e["loc"] if x != "body")
            parts.append(f"{loc or 'request'}: {e['msg']}")
        return error(request, "; ".join(parts), 400)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error(request, str(exc.detail), exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error(request, "internal error: the server logged it", 500)

    return app


def lan_address() -> str | None:
    """This machine's address on its network (the local end of a UDP socket: nothing is sent), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.254.254.254", 1))
            return str(s.getsockname()[0])
        except OSError:
            return None
