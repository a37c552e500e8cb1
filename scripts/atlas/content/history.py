"""What changed in the content, and when: read from git in one pass for the whole folder.

`read(content_dir)` runs one `git log --raw` over the content folder (not one process per
file) and returns every change, newest first, with the blob ids before and after; the
blobs themselves are fetched in one `git cat-file --batch` when the « Nouveautés » need
them. Without git, outside a repository, or on any git failure the history is empty: a
build from a tarball says nothing about dates rather than something wrong.
"""
from __future__ import annotations

import datetime
import logging
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("mkdocs.plugins.atlas")

GIT_TIMEOUT_S = 60  # a whole national history is read in well under a second; never hang a build
NULL_BLOB = "0" * 40


@dataclass(frozen=True)
class Change:
    """One content file touched by one commit."""

    commit: str
    date: datetime.datetime  # committer date, timezone-aware
    path: str  # relative to the repository root, POSIX
    status: str  # "A" added, "M" modified, "D" deleted
    old_blob: str | None
    new_blob: str | None


@dataclass
class History:
    root: Path | None = None  # repository root; None when there is no usable git history
    changes: list[Change] = field(default_factory=list)  # newest first
    head: str = ""  # commit of the checkout
    head_date: datetime.datetime | None = None
    _last: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for ch in self.changes:  # newest first: the first seen is the last change
            self._last.setdefault(ch.path, ch)

    def __bool__(self) -> bool:
        return self.root is not None

    def last_change(self, file: Path | str) -> Change | None:
        """Last commit that touched `file` (absolute, or relative to the repository root)."""
        if self.root is None:
            return None
        rel = self.relative(file)
        return self._last.get(rel) if rel else None

    def relative(self, file: Path | str) -> str | None:
        p = Path(file)
        if not p.is_absolute():
            return p.as_posix()
        try:
            return p.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None

    def blobs(self, ids: list[str]) -> dict[str, bytes]:
        """The contents of these blobs, in one `git cat-file --batch` process."""
        wanted = [i for i in dict.fromkeys(ids) if i and i != NULL_BLOB]
        if self.root is None or not wanted:
            return {}
        try:
            out = subprocess.run(
                ["git", "-C", str(self.root), "cat-file", "--batch"], input=("\n".join(wanted) + "\n").encode(),
                capture_output=True, timeout=GIT_TIMEOUT_S, check=True).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            log.info("historique git : contenus anciens illisibles (%s)", exc)
            return {}
        result: dict[str, bytes] = {}
        pos = 0
        for blob in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            pos = end + 1
            if len(header) < 3 or header[1] != b"blob":  # "<id> missing"
                continue
            size = int(header[2])
            result[blob] = out[pos:pos + size]
            pos += size + 1  # the content is followed by a newline
        return result


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          timeout=GIT_TIMEOUT_S, check=True).stdout


def read(content_dir: Path | str) -> History:
    """The git history of `content_dir`, or an empty History when there is none."""
    content_dir = Path(content_dir).resolve()
    if shutil.which("git") is None or not content_dir.is_dir():
        return History()
    try:
        top = _git(content_dir, "rev-parse", "--show-toplevel").strip()
        if not top:
            return History()
        root = Path(top).resolve()
        if _git(root, "rev-parse", "--is-shallow-repository").strip() == "true":
            # a shallow clone (CI's default) shows every file as added by its one commit: wrong dates
            log.info("historique git tronqué (clone superficiel) : les pages ne diront pas leur date ; "
                        "récupérez tout l'historique (actions/checkout : fetch-depth: 0)")
            return History()
        head = _git(root, "log", "-1", "--format=%H%x00%cI").strip()
        # --raw: status and blob ids before/after; -z keeps any file name intact.
        raw = _git(root, "log", "-z", "--raw", "--no-abbrev", "--no-renames", "--format=%x01%H%x00%cI",
                   "--", content_dir.relative_to(root).as_posix() or ".")
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        log.info("pas d'historique git pour %s (%s) : les pages ne diront pas leur date", content_dir, exc)
        return History()
    if not head:  # a repository with no commit yet
        return History()
    head_commit, head_date = head.split("\0")
    return History(root=root, changes=_parse(raw), head=head_commit,
                   head_date=datetime.datetime.fromisoformat(head_date))


def tracked(folder: Path | str) -> list[str]:
    """Files under `folder` that git tracks (none outside a repository or without git)."""
    folder = Path(folder)
    if shutil.which("git") is None or not folder.is_dir():
        return []
    try:
        out = _git(folder, "ls-files", "-z", "--", ".")
    except (OSError, subprocess.SubprocessError, ValueError):
        return []
    return [p for p in out.split("\0") if p]


def _parse(raw: str) -> list[Change]:
    changes: list[Change] = []
    for record in raw.split("\x01")[1:]:
        parts = record.split("\0")
        commit, date = parts[0], datetime.datetime.fromisoformat(parts[1].strip())
        fields = [p for p in parts[2:]]
        i = 0
        while i + 1 < len(fields):
            meta = fields[i].strip()
            if not meta.startswith(":"):
                i += 1
                continue
            # ":100644 100644 <old> <new> M" then the path
            _, _, old, new, status = meta[1:].split(" ")[:5]
            path = fields[i + 1]
            status = status[:1]
            if status in "AMD":
                changes.append(Change(commit, date, path, status,
                                      None if old == NULL_BLOB else old, None if new == NULL_BLOB else new))
            i += 2
    return changes


def history_url(repo_url: str, branch: str, path: str) -> str:
    """The page listing a file's commits on the forge (GitHub and GitLab share this form)."""
    if not repo_url:
        return ""
    return f"{repo_url.rstrip('/')}/commits/{branch}/{path}"
