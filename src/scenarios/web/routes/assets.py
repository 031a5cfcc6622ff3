"""Static files: the app's own script and style, and the chart library shipped inside ``plotly``."""

from __future__ import annotations

from pathlib import Path

import plotly
from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.exceptions import HTTPException

from scenarios.web.pages import STATIC

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
SERVED = {"app.js": "application/javascript", "style.css": "text/css"}

router = APIRouter()


@router.get("/static/vendor/plotly.min.js")
def plotly_js() -> FileResponse:
    return FileResponse(PLOTLY_JS, media_type="application/javascript")


@router.get("/static/{name}")
def static(name: str) -> FileResponse:
    path = STATIC / name
    if name not in SERVED or not path.is_file():
        raise HTTPException(404, "not found")
    return FileResponse(path, media_type=SERVED[name])
