"""Load on one classroom server: 4 sessions (classes) x 3 teams = 12 teams, and 60 open pages
polling every 2 s as the browser pages do (with the version they have: the full state only when it
changed), while teams submit, teachers advance rounds, explorer users run the explorer in a loop
(its runs go to its own worker process) and one flooding tab polls one team's code in a tight loop.

Run: ``.venv/bin/python benchmarks/classroom_load.py [--seconds 60] [--explorers 2] [--flood 8]``;
prints a Markdown table (the flooding tab's requests are counted apart: most get 429 by design).
``--advance`` instead measures a replay of each round, in process and in CPU time (no server): for
each shipped exercise and round, ``run_years`` of the round's years from the start (what an Advance
costs without a snapshot, e.g. after a restart; ``benchmarks/classroom_advance.py`` measures
Advances as the server runs them, continuing the round before).
``tests/test_classroom_load.py`` runs a shorter version and asserts there are no errors.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = "9999-load"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def device_cookie(base: str, code: str) -> str:
    """The device cookie a team's browser gets when it opens its page (and so claims the code)."""
    with urllib.request.urlopen(f"{base}/team/{code}?d=1", timeout=30) as r:
        for header in r.headers.get_all("set-cookie") or []:
            if header.startswith("device="):
                return header.split(";")[0]
    raise RuntimeError(f"no device cookie from {base}/team/{code}")


def request(method: str, url: str, body: dict | None = None, pin: bool = False, cookie: str = "") -> tuple[int, dict]:
    """A JSON request as a page of the server sends it (with the server's Origin)."""
    data = None if body is None else json.dumps(body).encode()
    origin = "/".join(url.split("/")[:3])
    req = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"content-type": "application/json", "accept": "application/json", "origin": origin},
    )
    if pin:
        req.add_header("x-teacher-pin", PIN)
    if cookie:
        req.add_header("cookie", cookie)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    polls: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    advances: list[tuple[int, float]] = field(default_factory=list)
    explorer_runs: list[float] = field(default_factory=list)
    flood: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)


def start_server(db: Path, pin: str = PIN, log: Path | None = None) -> tuple[subprocess.Popen, str]:
    """Start ``scenarios serve`` on 127.0.0.1 and a free port; wait (at most 60 s) until it answers."""
    port = free_port()
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - the server owns it until it stops
    cmd = [
        sys.executable,
        "-m",
        "scenarios",
        "serve",
        "--port",
        str(port),
        "--db",
        str(db),
        "--pin",
        pin,
        "--configs",
        str(ROOT / "src" / "scenarios" / "library"),
    ]
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    if log:
        out.close()  # the child keeps its own descriptor
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/", timeout=2):
                return proc, base
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop_server(proc)
                raise RuntimeError("server did not start" + (": " + Path(log).read_text() if log else "")) from None
            time.sleep(0.2)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def run_load(
    base: str,
    seconds: float,
    sessions: int = 4,
    pages: int = 60,
    rounds: int = 2,
    explorers: int = 0,
    flood: int = 0,
) -> dict:
    """Drive the server; returns counts, latency percentiles and errors. ``flood``: loops of one
    tab polling the first team's code without pause (with that team's device cookie)."""
    codes: list[str] = []
    sids: list[str] = []
    for i in range(sessions):
        req = urllib.request.Request(
            base + "/teacher/sessions",
            data=f"exercise=short_border_pressure&label=class+{i}".encode(),
            method="POST",
            headers={"x-teacher-pin": PIN, "content-type": "application/x-www-form-urlencoded", "origin": base},
        )
        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(req, timeout=30)
        except urllib.error.HTTPError as e:
            sids.append(e.headers["location"].rsplit("/", 1)[1])
    for sid in sids:
        codes += _codes(base, sid)
    deadline = time.monotonic() + 60
    for sid in sids:  # a class takes minutes to join: the server prepares each baseline meanwhile
        while time.monotonic() < deadline:
            status, body = request("GET", f"{base}/api/session/{sid}/state", pin=True)
            if status == 200 and body.get("band"):
                break
            time.sleep(0.2)
    tally = Tally()
    stop = time.monotonic() + seconds

    def poller(k: int) -> None:
        code = codes[k % len(codes)]
        time.sleep((k % 20) * 0.1)
        version = None
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            since = "" if version is None else f"?since={version}"  # as the pages poll
            status, body = request("GET", f"{base}/api/team/{code}/state{since}")
            version = body.get("version", version)
            tally.add(time.perf_counter() - t0, None if status == 200 else f"poll {status} {body}")
            with tally.lock:
                tally.polls.append(time.perf_counter() - t0)
            time.sleep(2.0)

    devices = {code: device_cookie(base, code) for code in codes}  # each team's phone joins

    def flooder() -> None:
        code = codes[0]
        while time.monotonic() < stop:
            status, _ = request("GET", f"{base}/api/team/{code}/state", cookie=devices[code])
            with tally.lock:
                tally.flood.append(status)

    def classroom(sid: str, team_codes: list[str]) -> None:
        for rnd in range(1, rounds + 1):
            for code in team_codes:
                t0 = time.perf_counter()
                status, body = request(
                    "POST", f"{base}/api/team/{code}/submit", {"round": rnd, "allocation": {}}, cookie=devices[code]
                )
                tally.add(time.perf_counter() - t0, None if status == 200 else f"submit {status} {body}")
            time.sleep(1.0)
            t0 = time.perf_counter()
            status, body = request("POST", f"{base}/api/session/{sid}/advance", {"round": rnd}, pin=True)
            with tally.lock:
                tally.advances.append((rnd, time.perf_counter() - t0))
            if status != 200:
                tally.add(0.0, f"advance {status} {body}")

    def explorer(k: int) -> None:
        """An explorer user: run, wait for the result, run again (each with a lever moved)."""
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            levers = {"china": {"military_training": 0.5 + 0.1 * (k + len(tally.explorer_runs) % 5)}}
            status, body = request(
                "POST",
                f"{base}/api/explore/run",
                {"scenario": "baseline", "levers": levers},
                cookie=f"explorer=user{k}",
            )
            if status != 202:
                tally.add(0.0, f"explore {status} {body}")
                return
            while True:
                status, job = request("GET", f"{base}/api/explore/job/{body['job']}", cookie=f"explorer=user{k}")
                if status != 200 or job["status"] == "error":
                    tally.add(0.0, f"explore job {status} {job}")
                    return
                if job["status"] == "done":
                    break
                time.sleep(0.5)
            with tally.lock:
                tally.explorer_runs.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=poller, args=(k,)) for k in range(pages)]
    threads += [threading.Thread(target=explorer, args=(k,)) for k in range(explorers)]
    threads += [threading.Thread(target=flooder) for _ in range(flood)]
    per_session = {sid: _codes(base, sid) for sid in sids}
    threads += [threading.Thread(target=classroom, args=(sid, c)) for sid, c in per_session.items()]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=seconds + 120)
    lat = sorted(tally.latencies)
    polls = sorted(tally.polls)

    def pct(q: float, values: list[float] = lat) -> float:
        return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")

    return {
        "teams": len(codes),
        "pages": pages,
        "sessions": sessions,
        "requests": len(lat),
        "errors": tally.errors,
        "p50_ms": pct(0.5),
        "p95_ms": pct(0.95),
        "max_ms": pct(1.0),
        "poll_p50_ms": pct(0.5, polls),
        "poll_p95_ms": pct(0.95, polls),
        "advance_s": tally.advances,
        "explorers": explorers,
        "explorer_runs_s": tally.explorer_runs,
        "flood_loops": flood,
        "flood_requests": len(tally.flood),
        "flood_refused": sum(s == 429 for s in tally.flood),
        "flood_other": sorted({s for s in tally.flood if s not in (200, 429)}),
    }


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _codes(base: str, sid: str) -> list[str]:
    from scenarios.web.classroom import Classroom  # read the codes as the teacher's page shows them

    return [t.code for t in Classroom(_DB[0], ROOT / "src" / "scenarios" / "library" / "exercises").teams(sid)]


_DB: list[Path] = []


def advance_cpu_seconds() -> None:
    """CPU seconds of the simulation behind each Advance of each shipped exercise (the config as
    shipped, the plan's levers): round r re-runs years 1..r from the start (burn-in included)."""
    from scenarios.spec.config import load_scenario, scenario_dict
    from scenarios.web.classroom.simulate import run_years

    print("| exercise | citizens | rounds | Advance CPU s per round (1, 2, ...) | max |")
    print("|---|---:|---:|---|---:|")
    for path in sorted((ROOT / "src" / "scenarios" / "library" / "exercises").glob("*.yaml")):
        sc = load_scenario(path)
        cfg = scenario_dict(sc)
        times = []
        for rnd in range(1, sc.exercise.rounds + 1):
            t0 = time.process_time()
            run_years(cfg, sc.seed, rnd)
            times.append(time.process_time() - t0)
        cells = ", ".join(f"{t:.2f}" for t in times)
        print(f"| {path.stem} | {sc.society.citizens:,} | {len(times)} | {cells} | {max(times):.2f} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--explorers", type=int, default=2, help="explorer users running in a loop (default 2)")
    ap.add_argument("--flood", type=int, default=8, help="loops of one tab polling one code without pause (default 8)")
    ap.add_argument("--advance", action="store_true", help="only the CPU time of each Advance's simulation")
    args = ap.parse_args()
    if args.advance:
        advance_cpu_seconds()
        return
    with tempfile.TemporaryDirectory() as tmp:
        _DB.append(Path(tmp) / "load.sqlite")
        proc, base = start_server(_DB[0])
        try:
            r = run_load(base, args.seconds, explorers=args.explorers, flood=args.flood)
        finally:
            stop_server(proc)
    first = max(t for rnd, t in r["advance_s"] if rnd == 1)
    later = max((t for rnd, t in r["advance_s"] if rnd > 1), default=float("nan"))
    runs = sorted(r["explorer_runs_s"])
    print(
        "| classes | teams | open pages polling every 2 s | explorer users | flooding tab (loops: requests, 429) "
        "| requests | errors | poll p50 / p95 (ms) | all requests p50 / p95 / max (ms) "
        "| advance round 1 / round 2 (s, max) | explorer runs (count, median s) |"
    )
    print("|---:|---:|---:|---:|---|---:|---:|---|---|---|---|")
    print(
        f"| {r['sessions']} | {r['teams']} | {r['pages']} | {r['explorers']} "
        f"| {r['flood_loops']}: {r['flood_requests']}, {r['flood_refused']} | {r['requests']} | {len(r['errors'])} "
        f"| {r['poll_p50_ms']:.0f} / {r['poll_p95_ms']:.0f} | {r['p50_ms']:.0f} / {r['p95_ms']:.0f} / {r['max_ms']:.0f} "
        f"| {first:.2f} / {later:.2f} | {len(runs)}, {f'{runs[len(runs) // 2]:.1f}' if runs else '-'} |"
    )
    if r["errors"]:
        print("errors:", r["errors"][:5])


if __name__ == "__main__":
    main()
