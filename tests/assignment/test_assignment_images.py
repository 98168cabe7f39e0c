"""images/derivatives/ is what scripts/make_images.py draws, and nbgrader ships a copy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib.image
import numpy as np
from assignment_support import ROOT, SOURCE, tool_env

IMAGES = ROOT / "images" / "derivatives"


def test_images_regenerate_identically(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "make_images.py"),
            "--out",
            str(tmp_path),
            "--no-copy",
        ],
        check=True,
        env=tool_env(),
        capture_output=True,
    )
    fresh = sorted(p.name for p in tmp_path.glob("*.png"))
    assert fresh == sorted(p.name for p in IMAGES.glob("*.png"))
    for name in fresh:
        if (tmp_path / name).read_bytes() == (IMAGES / name).read_bytes():
            continue
        # Another FreeType may move a few text pixels: accept that, not a changed figure.
        got, want = (matplotlib.image.imread(folder / name) for folder in (tmp_path, IMAGES))
        assert got.shape == want.shape, name
        assert np.abs(got - want).mean() < 0.01, f"images/derivatives/{name} is stale"


def test_source_holds_copies_of_the_images() -> None:
    copies = sorted(p.name for p in (SOURCE / "images").glob("*.png"))
    assert copies == sorted(p.name for p in IMAGES.glob("*.png"))
    for name in copies:
        assert (SOURCE / "images" / name).read_bytes() == (IMAGES / name).read_bytes(), name
