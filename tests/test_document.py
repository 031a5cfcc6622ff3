"""Reports as data (reporting/document.py): the HTML and the Markdown say the same thing."""

from __future__ import annotations

import base64

import matplotlib.pyplot as plt

from scenarios.reporting.document import Document, Figure, Section, Table, render_html, render_markdown, write_document
from scenarios.reporting.render import png


def small_png() -> bytes:
    fig, ax = plt.subplots(figsize=(1, 1))
    ax.plot([0, 1], [0, 1])
    return png(fig)


def document(picture: bytes) -> Document:
    return Document(
        "Security first <vs> baseline",
        intro=("What changed & why.",),
        sections=(
            Section(
                "Outcomes",
                paragraphs=("Paired seeds.",),
                table=Table(["outcome", "difference"], [["attacks", "-0.4"]]),
                items=("one", "two"),
                figures=(Figure("attacks.png", picture, "Attacks per year", wide=True),),
                note="Exploratory, not a forecast.",
            ),
            Section("Empty"),
        ),
    )


def test_markdown_has_every_part_and_links_the_figures():
    md = render_markdown(document(b"png"))
    assert md.startswith("# Security first <vs> baseline\n\nWhat changed & why.\n")
    assert "## Outcomes\n\nPaired seeds.\n" in md and "| outcome | difference |\n|---|---|\n| attacks | -0.4 |" in md
    assert "- one\n- two\n" in md and "![Attacks per year](figures/attacks.png)" in md
    assert "> Exploratory, not a forecast." in md and "## Empty" in md


def test_html_is_escaped_self_contained_and_embeds_the_figures():
    picture = small_png()
    text = render_html(document(picture))
    assert "<title>Security first &lt;vs&gt; baseline</title>" in text and "What changed &amp; why." in text
    assert "<table><thead><tr><th>outcome</th>" in text and "<li>two</li>" in text
    assert f'src="data:image/png;base64,{base64.b64encode(picture).decode()}"' in text
    assert '<figure class="wide">' in text and "<figcaption>Attacks per year</figcaption>" in text
    assert '<p class="note">Exploratory, not a forecast.</p>' in text
    assert "http://" not in text and "https://" not in text  # nothing fetched when the page opens


def test_write_document_writes_both_formats_and_the_figures(tmp_path):
    picture = small_png()
    paths = write_document(document(picture), tmp_path / "out", stem="compare")
    assert paths == {"html": tmp_path / "out" / "compare.html", "markdown": tmp_path / "out" / "compare.md"}
    assert (tmp_path / "out" / "figures" / "attacks.png").read_bytes() == picture
    assert paths["markdown"].read_text(encoding="utf-8") == render_markdown(document(picture))
    assert paths["html"].read_text(encoding="utf-8") == render_html(document(picture))
