"""The rendering layer (reporting/render.py): Markdown and HTML tables, reproducible PNG figures."""

from __future__ import annotations

import matplotlib.pyplot as plt

from scenarios.reporting.render import html_table, md_cell, md_table, png


def test_markdown_cells_cannot_break_a_row():
    assert md_cell("a|b\nc") == "a/b c"
    assert md_cell(0.5) == "0.5" and md_cell(None) == "None"


def test_markdown_table_has_a_header_rule_and_one_line_per_row():
    text = md_table(["name", "value"], [["x", 1], ["y|z", 2.5]])
    assert text.splitlines() == ["| name | value |", "|---|---|", "| x | 1 |", "| y/z | 2.5 |"]
    assert md_table(["only"], []) == "| only |\n|---|"


def test_html_table_escapes_every_cell():
    text = html_table(["<b>"], [["<script>alert(1)</script>"], ["a & b"]])
    assert "<script>" not in text and "&lt;script&gt;" in text and "&lt;b&gt;" in text and "a &amp; b" in text
    assert text.startswith("<table><thead><tr><th>") and text.count("<tr>") == 3


def figure() -> plt.Figure:
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1, 2], [1, 3, 2])
    return fig


def test_png_bytes_are_the_same_on_every_run_and_the_figure_is_closed():
    fig = figure()
    first = png(fig)
    assert first.startswith(b"\x89PNG\r\n\x1a\n")
    assert not plt.fignum_exists(fig.number)
    assert png(figure()) == first  # no timestamp or software version in the file
