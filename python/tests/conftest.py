"""Shared fixtures: where the goldens are (``$YUMA_GOLDENS`` or ``../shared/goldens`` beside the
repository; the tests fail, never skip, without them) and the ``yuma`` binary."""

import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def goldens_dir() -> pathlib.Path:
    d = pathlib.Path(os.environ.get("YUMA_GOLDENS", REPO.parent / "shared" / "goldens"))
    assert (d / "MANIFEST.tsv").is_file(), f"golden cases not found at {d} (set YUMA_GOLDENS)"
    return d


def golden_cases():
    root = goldens_dir()
    return sorted(p.parent for p in root.rglob("snapshot.json"))


@pytest.fixture(scope="session")
def goldens() -> pathlib.Path:
    return goldens_dir()


@pytest.fixture(scope="session")
def yuma_bin() -> pathlib.Path:
    """The release binary, built once (cargo shares the target folder with the wheel build)."""
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    return REPO / "target" / "release" / "yuma"
