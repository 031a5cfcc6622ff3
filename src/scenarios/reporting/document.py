"""A report as data (title, sections of paragraphs, tables, figures) written as HTML and Markdown.

Both files come from the same :class:`Document` through two Jinja templates
(``templates/report.html.j2`` and ``templates/report.md.j2``), with every table rendered by
:mod:`scenarios.reporting.render`; so the two formats say the same thing and no HTML is written by
hand in Python. The HTML file is self-contained (figures embedded); the Markdown file links the
PNG files written next to it under ``figures/``.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from scenarios.reporting.render import CSS, html_table, md_table


@dataclass(frozen=True)
class Table:
    """A table: header and rows of already formatted cells."""

    header: Sequence[str]
    rows: Sequence[Sequence[object]]


@dataclass(frozen=True)
class Figure:
    """A PNG figure with a file name (under ``figures/``) and a caption."""

    name: str
    png: bytes
    caption: str = ""
    wide: bool = False


@dataclass(frozen=True)
class Section:
    """A titled part of a report: paragraphs, then a table, bullet items and figures (each optional)."""

    title: str
    paragraphs: Sequence[str] = ()
    table: Table | None = None
    items: Sequence[str] = ()
    figures: Sequence[Figure] = ()
    note: str = ""


@dataclass(frozen=True)
class Document:
    """A whole report."""

    title: str
    intro: Sequence[str] = ()
    sections: Sequence[Section] = field(default_factory=tuple)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("scenarios.reporting", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["html_table"] = lambda t: Markup(html_table(t.header, t.rows))
    env.filters["md_table"] = lambda t: md_table(t.header, t.rows)
    env.filters["data_uri"] = lambda f: "data:image/png;base64," + base64.b64encode(f.png).decode()
    return env


def render_html(doc: Document) -> str:
    """The document as one self-contained HTML page."""
    return _environment().get_template("report.html.j2").render(doc=doc, css=Markup(CSS))


def render_markdown(doc: Document) -> str:
    """The document as Markdown (figures as links to ``figures/NAME``)."""
    return _environment().get_template("report.md.j2").render(doc=doc)


def write_document(doc: Document, out: Path, stem: str = "report") -> dict[str, Path]:
    """Write ``<stem>.html``, ``<stem>.md`` and the figures into ``out``; returns the paths by kind."""
    figdir = out / "figures"
    figdir.mkdir(parents=True, exist_ok=True)
    for section in doc.sections:
        for fig in section.figures:
            (figdir / fig.name).write_bytes(fig.png)
    html_path, md_path = out / f"{stem}.html", out / f"{stem}.md"
    html_path.write_text(render_html(doc), encoding="utf-8")
    md_path.write_text(render_markdown(doc), encoding="utf-8")
    return {"html": html_path, "markdown": md_path}
