"""Shared fixtures: the real atlas built once per test session."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """`atlas build` of the real content into a temporary site folder."""
    site = tmp_path_factory.mktemp("atlas") / "site"
    result = subprocess.run([sys.executable, "-m", "atlas.cli", "build", "--site", str(site)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return site


@pytest.fixture(scope="session")
def real_atlas():
    from atlas import content, index

    atlas = content.load(CONTENT)
    return atlas, index.build(atlas)


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A writable copy of the real content folder."""
    dest = tmp_path / "content"
    shutil.copytree(CONTENT, dest)
    return dest
