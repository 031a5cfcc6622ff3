"""What keeps a class out of the server's insides: a request guard, a guess throttle, the teacher's login.

- :class:`RequestGuard` (ASGI middleware) refuses an unknown ``Host`` (400), a state-changing
  request whose ``Origin`` (or, without one, ``Referer``) is not this server (403), and a body
  over the limit (413); it adds the security headers to every response (a CSP without inline
  scripts, ``frame-ancestors 'none'``, ``X-Frame-Options``, ``nosniff``, a same-origin referrer).
- :class:`Throttle` counts wrong guesses per client: after a short burst every further attempt is
  refused (429) for a time that doubles with each wrong guess, and each refusal is logged.
- :class:`TeacherAuth` checks the teacher's PIN against its salted scrypt hash and keeps logins as
  random tokens stored (hashed) in the database, so a restart keeps the teacher logged in, logout
  ends a login and "log out everywhere" ends them all.
- :class:`Devices` issues the signed device cookie a team's code is claimed with, and
  :class:`RequestLimit` caps the requests one device (or address) makes with one code, so one
  flooding tab cannot slow a class.

The client address is the socket's peer: ``X-Forwarded-For`` is honoured only when ``scenarios
serve --forwarded-allow-ips`` names the proxy (uvicorn's own default would trust 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request

from scenarios.web.classroom import ClassroomError
from scenarios.web.classroom.claims import device_hash
from scenarios.web.classroom.codes import normalize_code
from scenarios.web.classroom.store import TEACHER_LOGIN_HOURS, Store

log = logging.getLogger("scenarios.web.security")

MAX_BODY_BYTES = 64 * 1024
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
LOGIN_COOKIE = "teacher"
TEACHER_COOKIE_SECONDS = TEACHER_LOGIN_HOURS * 3600
DEVICE_COOKIE = "device"
DEVICE_COOKIE_SECONDS = 7 * 24 * 3600

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class RateLimited(ClassroomError):
    """Too many wrong guesses from one client: 429 with ``Retry-After``."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message, 429)
        self.retry_after = retry_after


def host_allowed(host_header: str, extra: Iterable[str] = ()) -> bool:
    """``localhost``, an IP address, or a name given with ``--allow-host`` (guards against DNS rebinding)."""
    host = urlsplit("//" + host_header).hostname or ""
    if host in {"localhost", "testserver", *extra}:
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def same_origin(headers: dict[str, str]) -> bool:
    """Whether the request comes from a page of this server: its Origin, or without one its Referer."""
    host = headers.get("host", "")
    source = headers.get("origin") or headers.get("referer") or ""
    if not source or source == "null":
        return False
    return urlsplit(source).netloc == host


class RequestGuard:
    """ASGI middleware: host check, origin check on state-changing requests, body limit, headers."""

    def __init__(
        self, app: Callable[..., Awaitable[None]], allowed_hosts: Iterable[str] = (), max_body: int = MAX_BODY_BYTES
    ):
        self.app = app
        self.allowed_hosts = tuple(allowed_hosts)
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path = scope.get("path", "")
        if not host_allowed(headers.get("host", ""), self.allowed_hosts):
            await _refuse(send, path, 400, "unknown Host: open the server by its IP address or localhost")
            return
        if scope["method"] not in SAFE_METHODS:
            if not same_origin(headers):
                log.warning("refused %s %s: Origin/Referer is not this server", scope["method"], path)
                await _refuse(send, path, 403, "refused: the request did not come from a page of this server")
                return
            length = headers.get("content-length", "0")
            if not length.isdigit() or int(length) > self.max_body:
                await _refuse(send, path, 413, f"request body over {self.max_body // 1024} KB")
                return
            body, ok = await _read_body(receive, self.max_body)
            if not ok:
                await _refuse(send, path, 413, f"request body over {self.max_body // 1024} KB")
                return
            receive = _replay(body)

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                ]
                message["headers"] = list(message.get("headers", [])) + [(k, v) for k, v in extra if k not in have]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", False
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", False
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _refuse(
    send: Send, path: str, status: int, message: str, extra: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    if path.startswith("/api/"):
        body, ctype = json.dumps({"error": message}).encode(), b"application/json"
    else:
        body, ctype = (
            f"<!doctype html><title>Error {status}</title><h1>Error {status}</h1><p>{message}</p>".encode(),
            b"text/html; charset=utf-8",
        )
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", ctype),
                (b"content-length", str(len(body)).encode()),
                (b"content-security-policy", CSP.encode()),
                (b"x-frame-options", b"DENY"),
                (b"x-content-type-options", b"nosniff"),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


TEAM_PATH = re.compile(r"^/(?:api/team|team|j)/([^/]{1,40})")
"""Paths that name a join code: the team page, its API, the QR link."""


def cookie_value(header: str, name: str) -> str:
    """The value of cookie ``name`` in a ``Cookie`` header ('' if absent)."""
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


class CodeLimitGuard:
    """ASGI middleware: every request naming a join code counts against that code's
    :class:`RequestLimit` for this device (or address without one), reads and writes apart, before
    any routing, thread or database work. Over the limit it waits (at most ``limit.tarpit``
    seconds: a tight polling loop slows down at no CPU cost) and answers 429 with ``Retry-After``.
    """

    def __init__(self, app: Callable[..., Awaitable[None]], limit: RequestLimit, devices: Devices):
        self.app = app
        self.limit = limit
        self.devices = devices

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = TEAM_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is not None:
            cookie = next((v.decode("latin-1") for k, v in scope["headers"] if k.lower() == b"cookie"), "")
            device = self.devices.check(cookie_value(cookie, DEVICE_COOKIE))
            client = scope["client"][0] if scope.get("client") else "unknown"
            kind = "read" if scope["method"] in SAFE_METHODS else "write"
            who = f"device {device_hash(device)[:8]}" if device else client
            try:
                self.limit.take(f"{kind}/{normalize_code(match[1]) or match[1]}/{who}")
            except RateLimited as e:
                await asyncio.sleep(min(e.retry_after, self.limit.tarpit))
                retry = str(max(1, round(e.retry_after))).encode()
                await _refuse(send, scope["path"], 429, str(e), ((b"retry-after", retry),))
                return
        await self.app(scope, receive, send)


class Throttle:
    """Wrong guesses per client: ``burst`` are free, then each further one locks the client out for
    ``base_seconds`` doubling per wrong guess (at most ``max_seconds``). A right guess resets it.

    Args:
        what: what is being guessed, for messages and the log.
        burst: wrong guesses allowed before a lockout.
        base_seconds: the first lockout.
        max_seconds: the longest lockout.
        clock: monotonic seconds (tests pass their own).
    """

    MAX_CLIENTS = 10_000

    def __init__(
        self,
        what: str,
        burst: int = 5,
        base_seconds: float = 2.0,
        max_seconds: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.what = what
        self.burst = burst
        self.base_seconds = base_seconds
        self.max_seconds = max_seconds
        self.clock = clock
        self._clients: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()  # routes run in a thread pool

    def check(self, client: str) -> None:
        """Raise :class:`RateLimited` if ``client`` is locked out now."""
        with self._lock:
            _, until = self._clients.get(client, (0, 0.0))
        wait = until - self.clock()
        if wait > 0:
            log.warning("%s: %s refused for %.0f s more (too many wrong guesses)", self.what, client, wait)
            raise RateLimited(f"too many wrong {self.what} attempts: wait {wait:.0f} s and try again", wait)

    def failed(self, client: str) -> None:
        with self._lock:
            count, _ = self._clients.pop(client, (0, 0.0))
            count += 1
            until = 0.0
            if count >= self.burst:
                until = self.clock() + min(self.max_seconds, self.base_seconds * 2 ** (count - self.burst))
            self._clients[client] = (count, until)
            while len(self._clients) > self.MAX_CLIENTS:
                self._clients.popitem(last=False)
        log.warning("%s: wrong guess %d from %s", self.what, count, client)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._clients.pop(client, None)


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class TeacherAuth:
    """The teacher's PIN (checked against its scrypt hash), the guess throttle and the login tokens.

    A right PIN sent in the ``x-teacher-pin`` header by a script is remembered (as a keyed hash, in
    memory) so that later requests with it skip scrypt; a wrong one always costs a full check.
    """

    def __init__(self, store: Store, throttle: Throttle):
        self.store = store
        self.throttle = throttle
        self._key = secrets.token_bytes(32)
        self._known: str | None = None

    def is_teacher(self, request: Request) -> bool:
        """A valid login cookie, or the PIN in the ``x-teacher-pin`` header (scripts; throttled)."""
        if self.store.teacher_login_valid(request.cookies.get(LOGIN_COOKIE, "")):
            return True
        header = request.headers.get("x-teacher-pin", "")
        if not header:
            return False
        keyed = hmac.new(self._key, header.strip().upper().encode(), hashlib.sha256).hexdigest()
        if self._known is not None and hmac.compare_digest(keyed, self._known):
            return True
        if self.check_pin(request, header):
            self._known = keyed
            return True
        return False

    def require(self, request: Request) -> None:
        if not self.is_teacher(request):
            raise ClassroomError("the teacher's PIN is required: log in at /teacher", 403)

    def check_pin(self, request: Request, pin: str) -> bool:
        """Whether ``pin`` is right; a wrong guess counts against the client (429 when locked out)."""
        client = client_of(request)
        self.throttle.check(client)
        if len(pin) <= 200 and self.store.pin_matches(pin):
            self.throttle.succeeded(client)
            return True
        self.throttle.failed(client)
        return False

    def forget(self) -> None:
        """Forget the remembered header PIN (on logging out everywhere)."""
        self._known = None


class Devices:
    """Device tokens for the ``device`` cookie: random, signed with the server's key (kept in the
    database), so a made-up token is no device at all (it is treated like a request without one)."""

    def __init__(self, key: str):
        self.key = key.encode()

    def new(self) -> str:
        raw = secrets.token_urlsafe(18)
        return f"{raw}.{self._sign(raw)}"

    def of(self, request: Request) -> str:
        """The request's device token if it carries a valid one, else ''."""
        return self.check(request.cookies.get(DEVICE_COOKIE, ""))

    def check(self, token: str) -> str:
        """``token`` if it is a device token this server signed, else ''."""
        raw, _, sig = token.partition(".")
        if not raw or len(token) > 100 or not hmac.compare_digest(sig, self._sign(raw)):
            return ""
        return token

    def _sign(self, raw: str) -> str:
        return hmac.new(self.key, raw.encode(), hashlib.sha256).hexdigest()[:22]


class RequestLimit:
    """A token bucket per key: ``burst`` requests at once, then ``rate`` per second (429 beyond).

    Args:
        what: what is limited, for messages and the log.
        rate: requests per second in the long run.
        burst: requests allowed at once.
        clock: monotonic seconds (tests pass their own).
        tarpit: at most this many seconds :class:`CodeLimitGuard` waits before answering 429.
    """

    MAX_KEYS = 10_000

    def __init__(
        self,
        what: str,
        rate: float,
        burst: float,
        clock: Callable[[], float] = time.monotonic,
        tarpit: float = 1.0,
    ):
        self.what = what
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tarpit = tarpit
        self._buckets: OrderedDict[str, tuple[float, float, bool]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        """Count one request of ``key``; raise :class:`RateLimited` if its bucket is empty (logged
        once each time a key goes over the limit, not at every refused request)."""
        now = self.clock()
        with self._lock:
            tokens, last, over = self._buckets.pop(key, (self.burst, now, False))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            wait = (1 - tokens) / self.rate if tokens < 1 else 0.0
            first_refusal = wait > 0 and not over
            self._buckets[key] = (tokens, now, True) if wait > 0 else (tokens - 1, now, False)
            while len(self._buckets) > self.MAX_KEYS:
                self._buckets.popitem(last=False)
        if first_refusal:
            log.warning("%s: %s over the limit of %g a second", self.what, key, self.rate)
        if wait > 0:
            raise RateLimited(
                f"too many requests with this {self.what} (at most {self.rate:g} a second): wait and try again",
                wait,
            )
