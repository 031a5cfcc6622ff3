"""QR codes of join links, drawn on the server as inline SVG (segno; nothing is fetched)."""

from __future__ import annotations

import segno


def qr_svg(text: str, title: str, scale: int = 4) -> str:
    """An inline ``<svg>`` of ``text`` as a QR code, with an accessible title; ``scale`` pixels a module."""
    return segno.make(text, error="m").svg_inline(scale=scale, border=2, title=title, dark="#000", light="#fff")
