"""The tests' one way to run the atlas's command (`run_atlas`) and git (`git`), and a scratch git
repository holding a copy of the atlas, built with `atlas build` as CI does (test_sharing.py,
test_page_cache.py)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IDENTITY = {"GIT_AUTHOR_NAME": "Mairie", "GIT_AUTHOR_EMAIL": "mairie@example.org",
            "GIT_COMMITTER_NAME": "Mairie", "GIT_COMMITTER_EMAIL": "mairie@example.org"}


ATLAS = [sys.executable, "-m", "atlas.cli"]


def run_atlas(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """`atlas …` as a person runs it, outside GitHub's workspace; never a traceback."""
    environ = {k: v for k, v in os.environ.items() if k != "GITHUB_WORKSPACE"} | (env or {})
    result = subprocess.run([*ATLAS, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=environ)
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


def git(repo: Path, *args: str, date: str | None = None, env: dict | None = None) -> str:
    """git in `repo`, as the town hall's committer (`date`: the commit's date); its output."""
    environ = {**(env if env is not None else os.environ), **IDENTITY}
    if date:
        environ.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True,
                          env=environ).stdout


class Repository:
    """`env`: added to the environment of git and of the build; `date`: the first commit's date."""

    def __init__(self, root: Path, env: dict | None = None, date: str | None = None):
        self.root = Path(root)
        self.root.mkdir(parents=True)
        for name in ("mkdocs.yml", "CONTRIBUTING.md"):
            shutil.copy(ROOT / name, self.root / name)
        for folder in ("docs", "content", "scripts/atlas/site/theme", "scripts/atlas/schemas"):
            shutil.copytree(ROOT / folder, self.root / folder)
        (self.root / ".gitignore").write_text("/.cache/\n/site/\n", encoding="utf-8")
        self.env = {**os.environ, **IDENTITY, **(env or {})}
        self.git("init", "-q", "-b", "main")
        self.git("add", ".")
        self.git("commit", "-q", "-m", "Atlas", date=date)

    def git(self, *args: str, date: str | None = None) -> str:
        return git(self.root, *args, date=date, env=self.env)

    def build(self) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "atlas.cli", "build", "--site", str(self.root / "site")],
                              cwd=self.root, capture_output=True, text=True, timeout=600, env=self.env)
