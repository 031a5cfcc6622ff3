"""``scenarios serve``: the classroom (teacher console, team pages, debrief) and the explorer."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scenarios.cli.options import EXIT_OK, SubParsers, command, port
from scenarios.errors import ScenarioError

PIN_MIN_CHARS = 8
"""As ``scenarios.web.classroom.store.PIN_MIN_CHARS`` (a test checks they agree; the CLI does not import the web app to list its options)."""


def register(sub: SubParsers) -> None:
    p = command(
        sub,
        "serve",
        "Serve the classroom (teacher console, team pages, debrief) and the explorer in the browser; works offline.",
        "scenarios serve --lan   # for a class: listens on the classroom network, links and QR codes use its address\n"
        "scenarios serve         # this machine only (http://127.0.0.1:8000/)",
        serve,
    )
    p.add_argument(
        "--host", default=None, help="address to bind (default 127.0.0.1; 0.0.0.0 opens it to every network)"
    )
    p.add_argument(
        "--lan",
        action="store_true",
        help="listen on this machine's address on the classroom network and put that address in every join "
        "link and QR code (what a class needs; the README's quick start)",
    )
    p.add_argument("--port", type=port, default=8000, help="port (default 8000)")
    p.add_argument(
        "--db",
        default="results/classroom.sqlite",
        metavar="FILE",
        help="SQLite file of sessions (default results/classroom.sqlite)",
    )
    p.add_argument(
        "--configs",
        default=None,
        metavar="DIR",
        help="scenario folder with exercises in DIR/exercises (default: the library shipped with the package)",
    )
    p.add_argument(
        "--pin",
        default=None,
        help=f"teacher's PIN, at least {PIN_MIN_CHARS} characters; a new PIN ends every earlier teacher login "
        "(default: the one kept, hashed, with the database; a new database gets a random 12-character one)",
    )
    p.add_argument(
        "--forwarded-allow-ips",
        default=None,
        metavar="IPS",
        help="comma-separated addresses of a reverse proxy whose X-Forwarded-For/-Proto headers are trusted "
        "(default: none; client addresses, which the guess limits count, are then the sockets' own)",
    )
    p.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the address students open, for join links and QR codes (default: this machine's network "
        "address when --host 0.0.0.0, else the address the teacher's browser used)",
    )
    p.add_argument(
        "--parameters",
        default=None,
        metavar="DIR|calibrated",
        help="a calibrated posterior sessions may be played on (the teacher chooses per session): a folder "
        "written by 'scenarios calibrate', a posterior.parquet, or 'calibrated' (the one shipped); such a session "
        "plays one plausible parameter set drawn with its seed and its debrief counts, over 10 of them, how often "
        "each team's choices raised stability",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name pages may be opened by (besides localhost and IP addresses); repeatable",
    )


def uvicorn_options(args: argparse.Namespace, host: str) -> dict[str, Any]:
    """uvicorn's settings: forwarded headers are trusted only from ``--forwarded-allow-ips`` (uvicorn's
    own default trusts 127.0.0.1, so any local tunnel or proxy could forge client addresses)."""
    trusted = args.forwarded_allow_ips
    return {
        "host": host,
        "port": args.port,
        "log_level": "warning",
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or "",
    }


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from scenarios.spec.config import library_dir
    from scenarios.web.app import create_app, lan_address

    configs = library_dir() if args.configs is None else Path(args.configs)
    if not (configs / "exercises").is_dir():
        raise ScenarioError(
            f"{configs / 'exercises'} is not a folder of exercise configs "
            "(--configs DIR needs DIR/exercises; without --configs the packaged library is served)"
        )
    if args.pin is not None and len(args.pin.strip()) < PIN_MIN_CHARS:
        raise ScenarioError(f"--pin must have at least {PIN_MIN_CHARS} characters (got {len(args.pin.strip())})")
    if args.lan and args.host is not None:
        raise ScenarioError("--lan chooses the address itself: give --lan or --host, not both")
    host = args.host or "127.0.0.1"
    public = args.public_url
    if args.lan:
        lan = lan_address()
        if lan is None:
            raise ScenarioError(
                "--lan: this machine has no network address (is it connected to the classroom network?); "
                "use --host 0.0.0.0 --public-url http://ADDRESS:PORT instead"
            )
        host = lan
        public = public or f"http://{lan}:{args.port}"
    elif public is None and host in ("0.0.0.0", "::"):
        lan = lan_address()
        public = f"http://{lan}:{args.port}" if lan else None
    if args.parameters is not None:  # read and checked before anything starts or is written
        from scenarios.calibration.posterior import read_posterior, resolve

        read_posterior(resolve(args.parameters))
    app = create_app(
        args.db,
        configs,
        args.pin,
        allowed_hosts=args.allow_host,
        warm_up=True,
        public_url=public,
        parameters=args.parameters,
        explain=True,
    )
    pin = app.state.pin
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    pin_text = (
        f"teacher's PIN: {pin}"
        if pin is not None
        else "teacher's PIN: the one set before (kept only as a hash; --pin sets a new one)"
    )
    print(f"scenarios classroom: http://{shown}:{args.port}/  ({pin_text}; sessions in {args.db})", flush=True)
    link = app.state.room.store.new_teacher_link()
    print(f"teacher's one-time login link: http://{shown}:{args.port}/teacher/enter/{link}", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        where = public or "this machine's address on the classroom network"
        print(f"students open {where} (join links and QR codes use it)", flush=True)
    uvicorn.run(app, **uvicorn_options(args, host))
    return EXIT_OK
