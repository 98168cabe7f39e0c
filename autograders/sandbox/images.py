"""Raster images in graded notebooks: the one kind of picture student content may carry.

A figure a cell shows travels from the sandbox child to the grader as base64 text, then into
the autograded notebook and every page that shows it. It is checked here by each side: the
child, so that an honest notebook's report fits the channel; the grader (`messages`) and the
inert step before a page (`nbgrader_plugin.inert_cells`), because whatever the child sends may
have been written by student code. Only the standard library (the child loads this module).
"""

from __future__ import annotations

import base64
import binascii

# The leading bytes of each raster type a page may show (GIF only in the instructor's images).
SIGNATURES = {
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
    "image/gif": b"GIF8",
}
OUTPUT_IMAGES = {"png": "image/png", "jpeg": "image/jpeg"}  # report key -> the MIME type shown

MAX_IMAGE_BYTES = 1_000_000  # a default figure is 20 to 60 kB; a poster-sized one still fits
MAX_IMAGES_PER_CELL = 20
MAX_IMAGES_PER_NOTEBOOK = 50
# With base64's 4/3 and the text around it, a cell's report stays under the channel's 16 MB.
MAX_IMAGE_BYTES_PER_CELL = 8_000_000


def image_problem(mime: str, data: object, max_bytes: int = MAX_IMAGE_BYTES) -> str | None:
    """Why `data` is not a base64 image of type `mime` fit to keep, or None when it is.

    Strict base64 (no whitespace, no other characters): what IPython's formatters produce.
    """
    if mime not in SIGNATURES:
        return f"{mime} is not a raster image type"
    if not isinstance(data, str):
        return "its data is not base64 text"
    if len(data) > base64_length(max_bytes):
        return f"it is larger than {max_bytes // 1000} kB"
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):  # ValueError: text outside ASCII
        return "its data is not valid base64"
    if not raw.startswith(SIGNATURES[mime]):
        return f"its data is not a {mime} image"
    return None


def base64_length(size: int) -> int:
    """Characters of the base64 text of `size` bytes."""
    return 4 * ((size + 2) // 3)


def decoded_size(data: str) -> int:
    """Bytes that the (valid) base64 text `data` decodes to."""
    return len(data) // 4 * 3 - data[-2:].count("=")
