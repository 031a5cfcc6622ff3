"""``scenarios serve``: the classroom (teacher console, team pages, debrief) and the explorer."""

from __future__ import annotations

import argparse
import secrets
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
    p.add_argument("--pin", default=None, help="teacher's PIN (default: a random 6-digit PIN, printed)")


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from scenarios.spec.config import library_dir
    from scenarios.web.app import create_app

    configs = library_dir() if args.configs is None else Path(args.configs)
    if not (configs / "exercises").is_dir():
        raise ScenarioError(
            f"{configs / 'exercises'} is not a folder of exercise configs "
            "(--configs DIR needs DIR/exercises; without --configs the packaged library is served)"
        )
    pin = args.pin or f"{secrets.randbelow(10**6):06d}"
    if len(pin) < 4:
        raise ScenarioError("--pin must have at least 4 characters")
    app = create_app(args.db, configs, pin)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(
        f"scenarios classroom: http://{shown}:{args.port}/  (teacher's PIN: {pin}; sessions in {args.db})", flush=True
    )
    if args.host in ("0.0.0.0", "::"):
        print("listening on all interfaces: students use this machine's address on the classroom network", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return EXIT_OK
