"""Shared fixtures: the real atlas built once per test session."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("ATLAS_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
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
    from atlas import pipeline

    loaded = pipeline.load(CONTENT)
    return loaded.atlas, loaded.idx


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A writable copy of the real content folder."""
    dest = tmp_path / "content"
    shutil.copytree(CONTENT, dest)
    return dest


@pytest.fixture(scope="session")
def browser():
    """One Debian Chromium for the whole session (Playwright allows one sync driver at a time)."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = f"Chromium introuvable ({CHROMIUM}) : apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must run the browser suite, never skip it
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
