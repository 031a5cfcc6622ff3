"""Static files: the app's own script and style, compressed once and cached by the browser.

Each asset's address carries a hash of its content (``/static/app.js?v=1a2b3c4d``, see
:func:`asset_url`), so a browser may keep it for a year and still gets a changed file at once;
the gzip form is made once per server and sent to every browser that accepts it.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import cache

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from scenarios.web.pages import STATIC

SERVED = {"app.js": "application/javascript", "style.css": "text/css"}
CACHE_FOREVER = "public, max-age=31536000, immutable"

router = APIRouter()


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    version: str


@cache
def asset(name: str) -> Asset:
    """The file's bytes, their gzip and a short hash of them (read once per server)."""
    body = (STATIC / name).read_bytes()
    return Asset(body, gzip.compress(body, compresslevel=9, mtime=0), hashlib.sha256(body).hexdigest()[:12])


def asset_url(name: str) -> str:
    """The address of a static file, with its content hash (templates call this)."""
    return f"/static/{name}?v={asset(name).version}"


@router.get("/static/{name}")
def static(request: Request, name: str) -> Response:
    if name not in SERVED or not (STATIC / name).is_file():
        raise HTTPException(404, "not found")
    a = asset(name)
    headers = {"cache-control": CACHE_FOREVER, "etag": f'"{a.version}"', "vary": "accept-encoding"}
    if request.headers.get("if-none-match") == f'"{a.version}"':
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(a.gzipped, media_type=SERVED[name], headers=headers | {"content-encoding": "gzip"})
    return Response(a.body, media_type=SERVED[name], headers=headers)
