"""The printed label as PDF: the same outlined SVG (:mod:`issuance.label_svg`) converted to vector PDF.

svglib reads the SVG into a ReportLab drawing (rectangles, paths, transforms; the label has no text
elements, images or fonts, as every text is already outlines) and ReportLab writes it as PDF at the
label's printed size in millimetres. ``rl_config.invariant`` makes the bytes reproducible (no creation
time or random document id). svglib and ReportLab are imported on first use (docs/adr/0022-label-artwork.md).
"""

from __future__ import annotations

import io

from issuance.errors import IssuanceError
from issuance.label_svg import Artwork
from registry.errors import Location

_MM = 72 / 25.4  # PDF points per millimetre


def render_label_pdf(artwork: Artwork) -> bytes:
    """The PDF (one page the size of the label) of a rendered label."""
    from reportlab import rl_config
    from reportlab.graphics import renderPDF
    from svglib.svglib import svg2rlg

    rl_config.invariant = 1
    drawing = svg2rlg(io.BytesIO(artwork.svg.encode("utf-8")))
    if drawing is None:  # svglib logs and returns None on an SVG it cannot read: a bug of ours, not input
        raise IssuanceError("the label's SVG could not be converted to PDF", Location(pointer="/svg"), reason="bug")
    # svglib sizes the drawing from width/height in mm; state the page size exactly, as the artwork says it
    sx, sy = artwork.width_mm * _MM / drawing.width, artwork.height_mm * _MM / drawing.height
    drawing.scale(sx, sy)
    drawing.width, drawing.height = artwork.width_mm * _MM, artwork.height_mm * _MM
    out = io.BytesIO()
    renderPDF.drawToFile(drawing, out, title="carbon label", showBoundary=0)
    return out.getvalue()
