"""`atlas build` under signals: site/ is always the old complete site or the new one."""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def start_build(site: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "atlas.cli", "build", "--site", str(site)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def whole(site: Path, marker: str | None = None) -> bool:
    """A complete site: its home page, its sitemap (written last by MkDocs) and, for the old one, our marker."""
    ok = (site / "index.html").is_file() and (site / "sitemap.xml").is_file() and (site / "collectivites" / "lille" / "index.html").is_file()
    return ok and (marker is None or (site / "marqueur.txt").read_text() == marker)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A built site, marked so that the old site can be told from a new one."""
    site = tmp_path_factory.mktemp("publie") / "site"
    result = subprocess.run([sys.executable, "-m", "atlas.cli", "build", "--site", str(site)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return site


def staging_folders(site: Path) -> list[Path]:
    return sorted(site.parent.glob(f".{site.name}.neuf-*")) + sorted(site.parent.glob(f".{site.name}.ancien"))


@pytest.mark.parametrize("delay", [0.5, 3.0, "last-moment"])
def test_sigkill_at_any_moment_leaves_a_whole_site_and_the_next_build_cleans_up(published: Path, delay):
    (published / "marqueur.txt").write_text("ancien")
    process = start_build(published)
    if delay == "last-moment":
        # kill as soon as the new site is complete in its staging folder: the swap is next
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            if any((s / "sitemap.xml").exists() for s in published.parent.glob(f".{published.name}.neuf-*")):
                break
            time.sleep(0.005)
    else:
        time.sleep(delay)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert whole(published), "site/ must stay whole after SIGKILL"
    # the next build removes the leftovers of the killed one and publishes a whole site
    result = subprocess.run([sys.executable, "-m", "atlas.cli", "build", "--site", str(published)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert whole(published) and not (published / "marqueur.txt").exists()
    assert staging_folders(published) == []


def test_sigterm_removes_the_staging_folder_and_keeps_the_old_site(published: Path):
    (published / "marqueur.txt").write_text("ancien")
    process = start_build(published)
    # as soon as MkDocs writes the new site into its staging folder (its theme's assets come first,
    # then the pages): past the start-up, well before the end of a build from the caches
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None and not any(
            (s / "assets").is_dir() for s in published.parent.glob(f".{published.name}.neuf-*")):
        time.sleep(0.002)
    assert process.poll() is None, "la construction s'est terminée avant le signal"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode != 0
    assert "Traceback" not in err
    assert whole(published, "ancien")
    assert staging_folders(published) == []


def test_an_old_copy_left_by_a_killed_swap_is_restored_not_deleted(tmp_path: Path):
    from atlas.commands import build

    site = tmp_path / "site"
    old = tmp_path / ".site.ancien"
    old.mkdir()
    (old / "index.html").write_text("ancien")
    stale = tmp_path / ".site.neuf-999999999-abc"
    stale.mkdir()
    build._recover(site)
    assert (site / "index.html").read_text() == "ancien" and not old.exists() and not stale.exists()


def test_published_site_is_world_readable(published: Path):
    assert stat.S_IMODE(published.stat().st_mode) & 0o005 == 0o005
    assert stat.S_IMODE((published / "index.html").stat().st_mode) & 0o004


def test_a_sigterm_swallowed_by_a_finalizer_still_stops_the_build_before_the_swap(tmp_path, monkeypatch, capsys):
    """A SIGTERM arriving while Python runs a `__del__` has its SystemExit dropped there: the build
    goes on, but it is not swapped in; the old site stays, the staging folder goes, exit 143."""
    from mkdocs.commands import build as mkbuild

    from atlas.commands import build

    site = tmp_path / "site"
    site.mkdir()
    (site / "marqueur.txt").write_text("ancien")

    class Finalized:
        def __del__(self):
            build._terminate(signal.SIGTERM, None)  # what the handler does, inside a finalizer

    def build_with_a_late_signal(cfg, **options):
        Finalized()  # dropped at once: its SystemExit is "ignored" by Python, the build goes on

    monkeypatch.setattr(mkbuild, "build", build_with_a_late_signal)
    monkeypatch.chdir(ROOT)
    assert build.run(ROOT / "mkdocs.yml", site_dir=site) == 128 + signal.SIGTERM
    assert (site / "marqueur.txt").read_text() == "ancien"
    assert staging_folders(site) == []
    assert "Traceback" not in capsys.readouterr().err
