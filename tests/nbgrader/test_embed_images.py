"""`EmbedImages`: the assignment's own images become data: URIs in feedback; a link to anything
else (another folder, another type, bytes that are not the image they claim) stays a link."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from autograders.nbgrader_plugin.embed_images import embed_images

PNG = b"\x89PNG\r\n\x1a\n" + bytes(20)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "source" / "images").mkdir(parents=True)
    (tmp_path / "source" / "images" / "chain.png").write_bytes(PNG)
    (tmp_path / "source" / "images" / "fake.png").write_bytes(b"<svg onload=alert(1)>")
    (tmp_path / "source" / "notes.html").write_text("<script>alert(1)</script>")
    (tmp_path / "secret.png").write_bytes(PNG)
    return tmp_path / "source"


def test_an_assignment_image_is_inlined(folder: Path) -> None:
    text = embed_images('See ![chain rule](images/chain.png "the chain") here.', folder, 10_000)
    uri = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert text == f'See ![chain rule]({uri} "the chain") here.'


@pytest.mark.parametrize(
    "link",
    [
        "images/fake.png",  # not PNG bytes
        "notes.html",  # not an image type
        "../secret.png",  # outside the assignment's folder
        "/etc/passwd",
        "https://example.org/x.png",
        "images/missing.png",
    ],
)
def test_anything_else_stays_a_link(folder: Path, link: str) -> None:
    markdown = f"![x]({link})"
    assert embed_images(markdown, folder, 10_000) == markdown


def test_an_image_over_the_size_cap_stays_a_link(folder: Path) -> None:
    assert embed_images("![x](images/chain.png)", folder, 10) == "![x](images/chain.png)"
