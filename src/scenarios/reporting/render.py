"""One rendering layer for plain tables and figures: Markdown and HTML tables, PNG figures, CSS.

Every report (comparison, exploration, check-model, the generated docs tables) renders through
these functions, so a table or a figure looks the same wherever it appears.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}
th{background:#f0f0f0}img{max-width:100%}.figs{display:flex;flex-wrap:wrap;gap:8px}.figs img{width:48%}
.note{background:#fff8e1;padding:.6em 1em;border-left:4px solid #edae49}"""
"""Style sheet embedded in every HTML report (self-contained: no external assets)."""


def md_cell(value: object) -> str:
    """A value as a Markdown table cell (pipes and newlines would break the row)."""
    return str(value).replace("|", "/").replace("\n", " ")


def md_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table."""
    out = ["| " + " | ".join(md_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def html_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """An HTML table with every cell escaped."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def png(fig: Any) -> bytes:
    """A matplotlib figure as PNG bytes (no timestamp metadata, so reruns are byte-identical); closes it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()
