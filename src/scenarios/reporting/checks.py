"""The check-model table: printed, and written as ``checks.csv`` and ``checks.md``."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scenarios.analysis.summary import fmt
from scenarios.reporting.render import md_table

HEADER = ["id", "check", "measured", "95% CI", "expected", "result", "source"]
CSV_COLUMNS = [
    "id",
    "check",
    "kind",
    "measured",
    "ci_low",
    "ci_high",
    "expected",
    "passed",
    "source",
    "detail",
    "seeds",
]


def check_rows(results: Sequence[Any]) -> list[list[str]]:
    """One printable row per check result."""
    return [
        [
            r.id,
            r.title,
            fmt(r.measured),
            f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]",
            r.expected,
            "PASS" if r.passed else "FAIL",
            r.source,
        ]
        for r in results
    ]


def write_checks(folder: Path, results: Sequence[Any]) -> None:
    """``checks.csv`` (every field) and ``checks.md`` (the table and each check's details) in ``folder``."""
    with open(folder / "checks.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for r in results:
            w.writerow(
                [
                    r.id,
                    r.title,
                    r.kind,
                    r.measured,
                    r.ci_low,
                    r.ci_high,
                    r.expected,
                    r.passed,
                    r.source,
                    r.detail,
                    r.seeds,
                ]
            )
    md = [md_table(HEADER, check_rows(results)), "", "Details:", ""]
    md += [f"- **{r.id}** {r.detail}" for r in results]
    (folder / "checks.md").write_text("\n".join(md) + "\n", encoding="utf-8")
