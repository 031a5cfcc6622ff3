"""QR codes of join links, drawn on the server as inline SVG (segno; nothing is fetched)."""

from __future__ import annotations

import segno


def qr_svg(text: str, title: str) -> str:
    """An inline ``<svg>`` of ``text`` as a QR code, with an accessible title."""
    return segno.make(text, error="m").svg_inline(scale=4, border=2, title=title, dark="#000", light="#fff")
