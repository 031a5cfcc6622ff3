"""The debrief: the page (charts, scores, costs, allocations, injects, replay) and its HTML and CSV exports."""

from __future__ import annotations

import base64
import csv
import io
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from scenarios.web.classroom import ClassroomError, why
from scenarios.web.classroom.series import SERIES
from scenarios.web.pages import STATIC, ctx, page, page_data, team_of

router = APIRouter()

EXPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
"""The exported file has no script at all."""


def debrief_for(request: Request, sid: str, code: str | None) -> dict[str, Any]:
    """The debrief as this reader may see it: the teacher sees everything; a team of this session
    (by its join code) sees every team's allocations and costs once the exercise is over, and
    before that only its own (``d["only"]`` names it)."""
    if ctx(request).auth.is_teacher(request):
        return ctx(request).room.debrief(sid)
    if code:
        owner, state = team_of(request, code)
        if secrets.compare_digest(owner, sid):
            d = ctx(request).room.debrief(sid)
            if d["state"]["finished"]:
                return d
            return d | {
                "only": state,
                "scores": [x for x in d["scores"] if x["state"] == state],
                "allocations": {state: d["allocations"][state]},
                "sources": {state: d["sources"][state]},
                "own_effects": {state: d["own_effects"][state]},
                "deals": [p for p in d["deals"] if state in (p["from_state"], p["to_state"])],
            }
    raise ClassroomError("this page needs the teacher's PIN or a join code of this session", 403)


@router.get("/debrief/{sid}", response_class=HTMLResponse)
def debrief(request: Request, sid: str, code: str | None = None) -> HTMLResponse:
    d = debrief_for(request, sid, code)
    if d["why"]["status"]["state"] in ("waiting", "failed"):  # e.g. after a restart: computed again, off the request
        ctx(request).room.why.start(sid)
        d["why"]["status"] = ctx(request).room.why.status(sid)
    return page(request, "debrief.html", sid=sid, code=code or "", d=d, data=page_data() | {"state": d["state"]})


@router.get("/api/session/{sid}/why")
def why_status(request: Request, sid: str, code: str | None = None) -> dict[str, Any]:
    """Whether "why stability moved" is ready (the debrief page polls this while it is computed): for
    the teacher or a team of the session, without building the whole debrief."""
    c = ctx(request)
    if not c.auth.is_teacher(request) and not (code and secrets.compare_digest(team_of(request, code)[0], sid)):
        raise ClassroomError("this page needs the teacher's PIN or a join code of this session", 403)
    return {"status": why.view(c.room, sid)["status"]}


@router.get("/debrief/{sid}/why", response_class=HTMLResponse)
def why_section(request: Request, sid: str, code: str | None = None) -> HTMLResponse:
    """The debrief's "why stability moved" section alone (the page swaps it in when it is ready)."""
    d = debrief_for(request, sid, code)
    return ctx(request).templates.TemplateResponse(request, "debrief_why.html", {"d": d})


@router.get("/debrief/{sid}/export.csv")
def debrief_csv(request: Request, sid: str, code: str | None = None) -> PlainTextResponse:
    d = debrief_for(request, sid, code)
    st = d["state"]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["year", "outcome", "label", "unit", "session", "baseline", "noise_band_half_width"])
    for name in SERIES.recorded:
        for i, year in enumerate(st["years"]):
            band = st["band"][name][i] if st["band"] else ""
            lab = d["labels"][name]
            w.writerow(
                [
                    year,
                    name,
                    lab["label"],
                    lab["unit"],
                    st["played"]["yearly"][name][i],
                    st["baseline"]["yearly"][name][i],
                    band,
                ]
            )
    w.writerow([])
    w.writerow(["team", "shared_stability_vs_baseline", "cost_musd", "plan_musd", "cost_vs_plan_musd", "own_goals"])
    for s in d["scores"]:
        goals = "; ".join(f"{g['label']}: {g['words']}" for g in s["own_goals"])
        w.writerow([s["state"], s["shared_stability"], s["cost_musd"], s["plan_musd"], s["cost_vs_plan_musd"], goals])
    w.writerow([])
    w.writerow(["team", "lever", "label", "round", "year", "musd", "source"])
    for state, rows in d["allocations"].items():
        for row in rows:
            for r, usd in enumerate(row["musd"]):
                w.writerow([state, row["lever"], row["label"], r + 1, st["years"][r], usd, d["sources"][state][r]])
    w.writerow([])
    w.writerow(["inject_round", "year", "kind", "region", "segment"])
    for i in d["injects"]:
        w.writerow([i["round"], i["year"], i["kind"], i["region"] or "", i["segment"] or ""])
    w.writerow([])
    w.writerow(["team", "why_stability_moved_term", "label", "points"])
    for t in d["why"]["teams"]:
        for term in t["terms"]:
            w.writerow([t["state"], term["name"], term["words"], term["value"]])
        if t["total"] is not None:
            w.writerow([t["state"], "total", "total difference against the team doing nothing", t["total"]])
        for k, diff in enumerate(t["draws"]):
            w.writerow(
                [t["state"], f"total_under_parameter_set_{k + 1}", "total under a plausible parameter set", diff]
            )
    w.writerow([])
    rec = d["parameters"]
    w.writerow(["parameters", "posterior_file", "sha256", "played_set", "of_sets", "values"])
    if rec is None:
        w.writerow(["defaults", "", "", "", "", ""])
    else:
        values = "; ".join(f"{k}={v:g}" for k, v in rec["values"].items())
        w.writerow(["posterior", rec["file"], rec["sha256"], rec["played_draw"] + 1, len(rec["draws"]), values])
    return PlainTextResponse(
        buf.getvalue(),
        media_type="text/csv",
        headers={"content-disposition": f'attachment; filename="debrief-{sid}.csv"'},
    )


@router.get("/debrief/{sid}/export.html", response_class=HTMLResponse)
def debrief_html(request: Request, sid: str, code: str | None = None) -> HTMLResponse:
    d = debrief_for(request, sid, code)
    css = (STATIC / "style.css").read_text(encoding="utf-8")
    resp = ctx(request).templates.TemplateResponse(
        request, "debrief_export.html", {"d": d, "css": css, "figures": figures(d)}
    )
    resp.headers["content-disposition"] = f'attachment; filename="debrief-{sid}.html"'
    resp.headers["content-security-policy"] = EXPORT_CSP
    return resp


def figures(d: dict[str, Any]) -> list[tuple[str, str]]:
    """Matplotlib figures (base64 PNG) for the exported, self-contained debrief, with the noise band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    st = d["state"]
    n = len(st["years"])
    out = []
    for name in SERIES.charts:
        fig, ax = plt.subplots(figsize=(4.6, 2.6))
        base = st["baseline"]["yearly"][name][:n]
        lab = d["labels"][name]
        if st["band"]:  # clipped to what the outcome can be (no negative casualties)
            half = st["band"][name][:n]
            top = float("inf") if lab["max"] is None else lab["max"]
            ax.fill_between(
                st["years"],
                [max(lab["min"], b - h) for b, h in zip(base, half, strict=True)],
                [min(top, b + h) for b, h in zip(base, half, strict=True)],
                alpha=0.2,
                label="noise band",
            )
        ax.plot(st["years"], st["played"]["yearly"][name], marker="o", label="this session")
        ax.plot(st["years"], base, marker="s", linestyle="--", label="baseline")
        ax.set_title(f"{lab['label']} ({lab['unit']})", fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        out.append((lab["label"], base64.b64encode(buf.getvalue()).decode()))
    return out
