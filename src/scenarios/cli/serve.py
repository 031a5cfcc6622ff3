"""``scenarios serve``: the classroom (teacher console, team pages, debrief) and the explorer."""

from __future__ import annotations

import argparse
from pathlib import Path

from scenarios.cli.options import EXIT_OK, SubParsers, command, port
from scenarios.errors import ScenarioError


def register(sub: SubParsers) -> None:
    p = command(
        sub,
        "serve",
        "Serve the classroom (teacher console, team pages, debrief) and the explorer in the browser; works offline.",
        "scenarios serve\nscenarios serve --host 0.0.0.0 --port 8080   # open to the classroom network",
        serve,
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; 0.0.0.0 opens it to the network)"
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
        help="teacher's PIN (default: a random 12-character one, generated once and kept with the database)",
    )
    p.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the address students open, for join links and QR codes (default: this machine's network "
        "address when --host 0.0.0.0, else the address the teacher's browser used)",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name pages may be opened by (besides localhost and IP addresses); repeatable",
    )


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
    if args.pin is not None and len(args.pin) < 4:
        raise ScenarioError("--pin must have at least 4 characters")
    public = args.public_url
    if public is None and args.host in ("0.0.0.0", "::"):
        lan = lan_address()
        public = f"http://{lan}:{args.port}" if lan else None
    app = create_app(args.db, configs, args.pin, allowed_hosts=args.allow_host, warm_up=True, public_url=public)
    pin = app.state.pin
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(
        f"scenarios classroom: http://{shown}:{args.port}/  (teacher's PIN: {pin}; sessions in {args.db})", flush=True
    )
    link = app.state.room.store.new_teacher_link()
    print(f"teacher's one-time login link: http://{shown}:{args.port}/teacher/enter/{link}", flush=True)
    if args.host in ("0.0.0.0", "::"):
        where = public or "this machine's address on the classroom network"
        print(f"listening on all interfaces: students open {where}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return EXIT_OK
