"""The site folder: `atlas build` replaces a real folder atomically, and nothing else.

A link named `site` would have its target emptied, a file named `site` would be left beside a
half-made folder, a full disk would end in a traceback: each is refused or stopped with a French
message, the old site untouched and no staging folder left behind.
"""
from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

from atlas.commands import build

ROOT = Path(__file__).resolve().parents[1]


def _run(target: Path, capsys) -> tuple[int, str]:
    code = build.run(config=ROOT / "mkdocs.yml", site_dir=target)
    return code, capsys.readouterr().err


def test_a_site_that_is_a_symlink_is_refused_and_its_target_kept(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    (elsewhere / "precieux.txt").write_text("à garder", encoding="utf-8")
    link = tmp_path / "site"
    link.symlink_to(elsewhere, target_is_directory=True)
    code, err = _run(link, capsys)
    assert code == 2 and "lien symbolique" in err and "Traceback" not in err
    assert (elsewhere / "precieux.txt").read_text(encoding="utf-8") == "à garder"
    assert link.is_symlink() and not list(tmp_path.glob(".site.neuf-*"))


@pytest.mark.parametrize("kind", ["file", "dangling-link"])
def test_a_site_that_is_a_file_or_a_dangling_link_is_refused_leaving_nothing_behind(tmp_path, capsys, monkeypatch, kind):
    monkeypatch.chdir(ROOT)
    site = tmp_path / "site"
    if kind == "file":
        site.write_text("un fichier", encoding="utf-8")
    else:
        site.symlink_to(tmp_path / "nulle-part")
    code, err = _run(site, capsys)
    assert code == 2 and ("est un fichier" in err or "lien symbolique" in err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.parametrize("failure", [errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO])
def test_a_write_failure_gives_a_french_message_and_keeps_the_old_site(tmp_path, capsys, monkeypatch, failure):
    monkeypatch.chdir(ROOT)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("ancien site", encoding="utf-8")

    def half_written(config, **options):
        Path(config.site_dir, "moitie.html").write_text("à moitié", encoding="utf-8")
        raise OSError(failure, os.strerror(failure), str(Path(config.site_dir, "pays", "sn", "index.html")))

    monkeypatch.setattr(build.mkbuild, "build", half_written)
    code, err = _run(site, capsys)
    assert code == 1 and "Traceback" not in err and "l'ancien site reste intact" in err
    if failure in (errno.ENOSPC, errno.EDQUOT):
        assert "disque plein" in err
    assert (site / "index.html").read_text(encoding="utf-8") == "ancien site"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging folder left


@pytest.mark.parametrize("kind", ["folder", "file", "symlink"])
def test_git_ignores_the_site_whatever_it_is(tmp_path, kind):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_bytes((ROOT / ".gitignore").read_bytes())
    for name in ("site", "site.ancien", ".site.neuf-1-x", ".site.vieux-1-x"):
        path = tmp_path / name
        if kind == "folder":
            path.mkdir()
            (path / "index.html").write_text("x", encoding="utf-8")
        elif kind == "file":
            path.write_text("x", encoding="utf-8")
        else:
            path.symlink_to(tmp_path / ".gitignore")
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path,
                            capture_output=True, text=True, check=True).stdout
    assert status.strip() == "?? .gitignore", status
