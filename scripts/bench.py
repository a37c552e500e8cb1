#!/usr/bin/env python
"""Load test of the atlas build: real content, then synthetic corpora at 1×, 2×, 4× a base size.

    python scripts/bench.py                       # base 1200 collectivités: 4× = national scale
    python scripts/bench.py --base 300 --scales 1,2 --skip-real

For every corpus it measures, each in its own subprocess:
  - the phases called directly (check, load, aggregation, maps, exports, pages) as the
    plugin calls them, with a collecting `emit` instead of MkDocs;
  - the full `python -m mkdocs build` (wall time, peak memory via RUSAGE_CHILDREN);
  - the site: size, number of files, weight of the home page and of the map pages;
  - in the same run, a bare MkDocs Material build of as many trivial pages (the reference).
Then it prints the targets with OK / MISSED. Everything goes under --out (git-ignored bench-out/).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "mkdocs.yml"
PUBLIC_URL = "https://atlas.example.org/"  # any public address: the builds run as the publication does
NATIONAL_COLLECTIVITES, NATIONAL_PARTNERSHIPS, NATIONAL_COUNTRIES = 4800, 12000, 140
PHASES = ("check", "load", "index", "maps", "exports", "pages")
PHASE_LABELS = {"check": "check (atlas check)", "load": "chargement (load)", "index": "agrégation (index)",
                "maps": "cartes (maps)", "exports": "exports", "pages": "pages (rendu)"}
# The national atlas's targets (issue « un gigaoctet »): ratios to a bare Material build of as many pages.
TARGETS = {"ratio_cold": 4.0, "ratio_warm": 1.5, "growth_per_x": 4.5 / 4, "memory_mib": 1024, "check_s": 3.0,
           "map_mb": 1.5, "site_mb": 400e6 / (1024 * 1024), "serve_real_s": 3.0}  # site: the 400 MB, in Mio
MB = 1024 * 1024
HOOKS = Path(__file__).with_name("bench_hooks.py")


# (label, start event, end event) of the full build's steps
TIMELINE = [
    ("démarrage + config MkDocs", "start", "config_debut"),
    ("on_config atlas (check, load, index)", "config_debut", "config_fin"),
    ("on_files atlas (cartes, exports, pages)", "files_debut", "files_fin"),
    ("lecture des pages (MkDocs ; Markdown des pages écrites)", "markdown_debut", "contenu_fin"),
    ("on_env atlas (pages générées : cache ou rendu)", "env_debut", "env_fin"),
    ("gabarits + écriture (MkDocs)", "env_fin", "page_fin"),
    ("on_post_build (recherche, atlas)", "post_build_debut", "post_build_fin"),
    ("échange du dossier, fin du processus", "post_build_fin", "end"),
]
# Built as CI and a contributor build it: `atlas build` (checked first, what did not change linked
# from the previous site, the new site swapped in).
def _atlas_build(cfg: Path, site: Path) -> list[str]:
    return [sys.executable, "-m", "atlas.cli", "build", "--config", str(cfg), "--site", str(site)]




# ---------------------------------------------------------------- child modes

def _tree_rss_kb(root_pid: int) -> int:
    """Sum of the resident memory of `root_pid` and all its descendants (Linux /proc; 0 elsewhere)."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        pid = int(entry.name)
        for line in status.splitlines():
            if line.startswith("PPid:"):
                parent[pid] = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss[pid] = int(line.split()[1])
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    total = 0
    for p in tree:  # proportional set size: pages shared after fork() are counted once
        try:
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text()
            total += next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            total += rss.get(p, 0)
    return total


def child_run(result_file: str, cmd: list[str]) -> int:
    """Run `cmd`; record wall time, CPU time and peak memory (this process has no other child).

    maxrss_kb: the largest single process (RUSAGE_CHILDREN); tree_rss_kb: the largest sum over the
    process tree (the build and its PNG workers; PSS where /proc allows), sampled every 0.2 s."""
    import tempfile

    start, start_epoch = time.perf_counter(), time.time()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        tree_peak = 0
        while proc.poll() is None:
            tree_peak = max(tree_peak, _tree_rss_kb(proc.pid))
            time.sleep(0.2)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    Path(result_file).write_text(json.dumps({
        "rc": proc.returncode, "wall": wall, "start": start_epoch, "cpu": usage.ru_utime + usage.ru_stime,
        "maxrss_kb": usage.ru_maxrss, "tree_rss_kb": max(tree_peak, usage.ru_maxrss),  # KiB on Linux
        "stderr": stderr[-4000:], "stdout": stdout[-2000:]}), encoding="utf-8")
    return 0


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the PNG workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def child_phases(content_dir: str, result_file: str, profile_file: str | None) -> int:
    """The pipeline's stages (atlas.pipeline, what the plugin runs), each timed by the pipeline itself."""
    sys.path.insert(0, str(ROOT / "scripts"))
    out: dict = {"phases": {}, "cpu": {}, "errors": {}, "emitted": {}}
    profiler = None
    if profile_file:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
    t0 = time.perf_counter()
    from mkdocs.utils import yaml as mkyaml

    from atlas import config, pipeline

    out["import"] = time.perf_counter() - t0
    raw = mkyaml.yaml_load(CONFIG.read_text(encoding="utf-8"))
    # as the plugin would: mkdocs.yml's options, the public address of a publication, no cache
    settings = config.settings(config.options_of(raw), PUBLIC_URL, raw.get("site_name"), raw.get("repo_url")).replace(
        cache_dir=None)
    emitted: dict[str, list] = {"sortie": []}

    def emit(uri: str, data) -> None:
        size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
        emitted["sortie"].append((uri, size))

    cpu0 = _cpu()
    try:
        loaded = pipeline.load(Path(content_dir))
    except pipeline.ContentError as exc:
        report = exc.report
        out["errors"]["check"] = f"{len(report.errors)} erreur(s) : " + "; ".join(p.format() for p in report.errors[:3])
        Path(result_file).write_text(json.dumps(out), encoding="utf-8")
        return 1
    outputs = pipeline.generate(loaded, settings, emit)
    outputs.images.finish(emit)  # the map images, drawn meanwhile by the workers
    timings = {**loaded.timings, **outputs.timings}
    out["phases"] = {p: timings.get(p) for p in PHASES}
    out["cpu"]["total"] = _cpu() - cpu0
    out["maps_timings"] = dict(outputs.images.timings)
    if profiler:
        profiler.stop()
        Path(profile_file).write_text(profiler.output_text(unicode=True, color=False, show_all=False),
                                      encoding="utf-8")
    out["emitted"] = {k: {"files": len(v), "bytes": sum(s for _, s in v),
                          "md": sum(1 for u, _ in v if u.endswith(".md"))} for k, v in emitted.items()}
    out["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    atlas, idx = loaded.atlas, loaded.idx
    out["collectivites"] = len(atlas.collectivites)
    out["partnerships"] = len(atlas.partnerships)
    out["countries"] = len(idx.by_country)
    out["estimated_pages"] = (len(atlas.collectivites) + len(idx.by_country) + len(atlas.themes)
                              + len(atlas.networks) + 12 + sum(1 for _ in (ROOT / "docs").rglob("*.md")))
    Path(result_file).write_text(json.dumps(out), encoding="utf-8")
    return 0


# ---------------------------------------------------------------- parent helpers

def _measure(cmd: list[str], work: Path, name: str, hooks: Path | None = None) -> dict:
    """Run `cmd` under a fresh wrapper process: wall time, peak RSS, return code (and the hooks' timeline)."""
    result = work / f"{name}.json"
    env = dict(os.environ)
    if hooks:
        hooks.unlink(missing_ok=True)
        env["ATLAS_BENCH_HOOKS"] = str(hooks)
    subprocess.run([sys.executable, __file__, "_run", str(result), "--", *cmd], cwd=ROOT, check=True, env=env)
    data = json.loads(result.read_text(encoding="utf-8"))
    if hooks and hooks.exists():
        events = json.loads(hooks.read_text(encoding="utf-8"))
        events["start"] = {"t": data["start"], "rss": 0, "hwm": 0}
        events["end"] = {"t": data["start"] + data["wall"], "rss": 0, "hwm": data["maxrss_kb"]}
        data["timeline"] = events
    return data


def _phases(content_dir: Path, work: Path, profile: bool) -> dict:
    result = work / "phases.json"
    cmd = [sys.executable, __file__, "_phases", str(content_dir), str(result)]
    if profile:
        cmd += ["--profile-file", str(work / "profil.txt")]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    data = json.loads(result.read_text(encoding="utf-8")) if result.exists() else {"phases": {}, "errors": {}}
    data["wall"] = time.perf_counter() - start
    if proc.returncode and not data.get("errors"):
        data["errors"] = {"phases": proc.stderr[-500:]}
    return data


def _atlas_config(content_dir: Path, site_dir: Path, target: Path) -> Path:
    """The repository's mkdocs.yml with absolute paths, the content folder and the site folder replaced."""
    import yaml
    from mkdocs.utils import yaml as mkyaml

    cfg = mkyaml.yaml_load(CONFIG.read_text(encoding="utf-8"))
    # Built as published (publier.yml sets ATLAS_SITE_URL): embed codes, link previews and the feed
    # are part of the site's size and time.
    cfg["site_url"] = PUBLIC_URL
    cfg["docs_dir"] = str((ROOT / cfg.get("docs_dir", "docs")).resolve())
    cfg["site_dir"] = str(site_dir.resolve())
    theme = cfg.get("theme")
    if isinstance(theme, dict) and theme.get("custom_dir"):
        theme["custom_dir"] = str((ROOT / theme["custom_dir"]).resolve())
    for i, p in enumerate(cfg.get("plugins", [])):
        if isinstance(p, dict) and "atlas" in p:
            opts = dict(p["atlas"] or {})
            opts["contenu"] = str(content_dir.resolve())
            opts["guide"] = str((ROOT / opts.get("guide", "CONTRIBUTING.md")).resolve())
            cfg["plugins"][i] = {"atlas": opts}
    hooks = [str((ROOT / h).resolve()) for h in cfg.get("hooks") or []]
    for name in ("bench_hooks_debut.py", "bench_hooks_fin.py"):
        path = target.parent / name
        shutil.copyfile(HOOKS, path)
        hooks.append(str(path))
    cfg["hooks"] = hooks
    target.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def _bare_config(pages: int, work: Path) -> Path:
    """A bare MkDocs Material site of `pages` trivial pages, two-entry nav, search plugin."""
    import yaml

    docs = work / "docs"
    shutil.rmtree(docs, ignore_errors=True)
    (docs / "pages").mkdir(parents=True)
    (docs / "index.md").write_text("# Accueil\n\nSite de référence.\n", encoding="utf-8")
    width = len(str(pages))
    links = []
    for i in range(1, max(1, pages - 2) + 1):
        (docs / "pages" / f"page-{i:0{width}d}.md").write_text(f"# Page {i}\n\nUn paragraphe de texte ordinaire.\n",
                                                                encoding="utf-8")
        links.append(f"- [Page {i}](page-{i:0{width}d}.md)")
    (docs / "pages" / "index.md").write_text("# Pages\n\n" + "\n".join(links) + "\n", encoding="utf-8")
    cfg = {"site_name": "Référence", "docs_dir": str(docs), "site_dir": str(work / "site"),
           "theme": {"name": "material", "language": "fr", "font": False},
           "plugins": [{"search": {"lang": "fr"}}],
           "nav": [{"Accueil": "index.md"}, {"Pages": "pages/index.md"}],
           "validation": {"nav": {"omitted_files": "ignore"}}}
    target = work / "mkdocs.yml"
    target.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


RESOURCE = re.compile(r"""<(?:script|img|source|iframe)\b[^>]*?\bsrc=["']([^"'#?]+)|"""
                      r"""<link\b(?=[^>]*\brel=["'](?:stylesheet|preload|modulepreload)["'])[^>]*?\bhref=["']([^"'#?]+)""")


def page_weight(page: Path, site: Path) -> tuple[int, int]:
    """(HTML bytes, HTML + the local scripts, styles, images and iframes it loads on opening)."""
    html = page.read_text(encoding="utf-8", errors="replace")
    total, seen = page.stat().st_size, set()
    for m in RESOURCE.finditer(html):
        ref = m.group(1) or m.group(2)
        if "://" in ref or ref.startswith(("//", "data:")):
            continue  # external (tiles, CDN): not the site's weight
        target = (site / ref.lstrip("/")) if ref.startswith("/") else (page.parent / ref)
        target = target.resolve()
        if target in seen or not target.is_file():
            continue
        seen.add(target)
        total += target.stat().st_size
    return page.stat().st_size, total


def _site_stats(site: Path) -> dict:
    files = [p for p in site.rglob("*") if p.is_file()]
    # One viewer page draws every map from its JSON file: a map weighs its data + the viewer and what it loads.
    maps = sorted((site / "cartes").glob("*.json")) if (site / "cartes").is_dir() else []
    viewer = site / "cartes" / "index.html"
    viewer_w = page_weight(viewer, site) if viewer.exists() else (0, 0)
    weights = {p: (p.stat().st_size, p.stat().st_size + viewer_w[1]) for p in maps}
    largest = max(maps, key=lambda p: weights[p][1], default=None)

    def named(key: str, i: int):
        return max((w[i] for p, w in weights.items() if p.stem == key), default=None)

    home = site / "index.html"
    home_w = page_weight(home, site) if home.exists() else (None, None)
    return {"mb": sum(p.stat().st_size for p in files) / MB, "files": len(files),
            "home_kb": home_w[0] / 1024 if home_w[0] else None, "home_total_kb": home_w[1] / 1024 if home_w[1] else None,
            "largest_map_mb": weights[largest][1] / MB if largest else None,
            "largest_map": largest.name if largest else None,
            "monde_html_mb": (named("monde", 0) or 0) / MB or None, "monde_mb": (named("monde", 1) or 0) / MB or None,
            "liens_html_mb": (named("liens", 0) or 0) / MB or None, "liens_mb": (named("liens", 1) or 0) / MB or None,
            "html_pages": sum(1 for p in files if p.name == "index.html")}


def _edit(path: Path, change) -> None:
    """A contributor's correction of one collectivité file: `change` edits its data in place."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _add_sentence(data: dict, sentence: str) -> None:
    data["engagement"] = f"{data.get('engagement') or ''} {sentence}".strip()


def _ranked_files(content_dir: Path) -> list[Path]:
    """The collectivité files, by number of partnerships: the median one is an ordinary file."""
    files = sorted((content_dir / "collectivites").glob("*.yml"))
    return sorted(files, key=lambda p: (p.read_text(encoding="utf-8").count("- partenaire"), p.name))


def _change_one_file(content_dir: Path, typical: bool = False) -> Path:
    """Move the seat of the collectivité with the most partnerships (`typical`: the median one) by
    0.01° (its map, and the maps of its partners' countries, change), as a contributor correcting a
    file would."""
    ranked = _ranked_files(content_dir)
    path = ranked[len(ranked) // 2] if typical else ranked[-1]

    def move_seat(data: dict) -> None:
        if isinstance(data.get("siege"), dict):
            data["siege"]["lat"] = round(float(data["siege"]["lat"]) + 0.01, 4)
        else:
            _add_sentence(data, "Fiche relue.")

    _edit(path, move_seat)
    return path


def _serve_edit(cfg: Path, content_dir: Path, log, limit_s: float = 900) -> dict:
    """`atlas serve`: once the site is served, one collectivité file gets a
    new sentence; the time until the served page shows it is what a contributor waits for."""
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = sorted((content_dir / "collectivites").glob("*.yml"))[0]
    url = f"http://127.0.0.1:{port}/collectivites/{path.stem}/"
    proc = subprocess.Popen([sys.executable, "-m", "atlas.cli", "serve", "--config", str(cfg), "--adresse", f"127.0.0.1:{port}"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def fetch() -> str:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def wait(condition) -> float | None:
        start = time.perf_counter()
        while time.perf_counter() - start < limit_s and proc.poll() is None:
            if condition(fetch()):
                return time.perf_counter() - start
            time.sleep(0.1)
        return None

    try:
        start = time.perf_counter()
        if wait(bool) is None:
            return {"ready_s": None, "visible_s": None}
        ready = time.perf_counter() - start
        token = f"Relecture {int(time.time())}"
        _edit(path, lambda data: _add_sentence(data, token + "."))
        visible = wait(lambda html: token in html)
        log(f"    serve : site servi en {ready:.1f} s, modification visible en "
            + (f"{visible:.1f} s" if visible is not None else f"plus de {limit_s:.0f} s"))
        return {"ready_s": ready, "visible_s": visible}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _doc_pages() -> int:
    return sum(1 for _ in (ROOT / "docs").rglob("*.md"))


def bench_corpus(name: str, content_dir: Path, work: Path, profile: bool, keep_sites: bool, log,
                 serve: bool = True) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    res: dict = {"name": name}
    log(f"[{name}] atlas check et pipeline.load, sans cache puis une fiche modifiée…")
    res["check"] = bench_check(content_dir, work, log)
    log(f"[{name}] phases…")
    res["phases"] = _phases(content_dir, work, profile)
    for phase, err in res["phases"].get("errors", {}).items():
        log(f"[{name}]   {phase} : n/a ({err})")
    emitted_md = sum(v.get("md", 0) for v in res["phases"].get("emitted", {}).values())
    log(f"[{name}] build MkDocs complet…")
    res["load_before_build"] = os.getloadavg()[0]
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(work / ".cache", ignore_errors=True)  # cold: no image drawn by an earlier run
    cfg = _atlas_config(content_dir, site, work / "mkdocs.yml")
    build = _measure(_atlas_build(cfg, site), work, "build", hooks=work / "build-etapes.json")
    res["build"] = build
    if build["rc"] != 0:
        log(f"[{name}]   build en échec (code {build['rc']}) : {build['stderr'].strip().splitlines()[-1:] or ''}")
        res["site"] = None
    else:
        res["site"] = _site_stats(site)
        # A typical pull request: one collectivité file changed, the cache of the previous build kept.
        changed = _change_one_file(content_dir)
        log(f"[{name}] reconstruction après modification d'une fiche ({changed.name}), cache gardé…")
        res["warm"] = _measure(_atlas_build(cfg, site), work, "build")
        changed = _change_one_file(content_dir, typical=True)
        log(f"[{name}] reconstruction après modification d'une fiche ordinaire ({changed.name}), cache gardé…")
        res["warm_typical"] = _measure(_atlas_build(cfg, site), work, "build", hooks=work / "reconstruction-etapes.json")
        if serve:
            log(f"[{name}] atlas serve : une fiche modifiée pendant la prévisualisation…")
            res["serve"] = _serve_edit(cfg, content_dir, log)
    # Reference: as many plain pages as the atlas build renders.
    if res["site"]:
        pages = res["site"]["html_pages"]
    elif res["phases"]["phases"].get("pages") is not None:
        pages = emitted_md + _doc_pages()
    else:  # no build and no page phase: count the pages the atlas would render
        pages = res["phases"].get("estimated_pages") or 100
    res["bare_pages"] = pages
    log(f"[{name}] build de référence MkDocs Material nu ({pages} pages)…")
    bare_work = work / "reference"
    bare_cfg = _bare_config(pages, bare_work)
    res["bare"] = _measure([sys.executable, "-m", "mkdocs", "build", "-f", str(bare_cfg), "-q"], bare_work, "build")
    shutil.rmtree(bare_work / "site", ignore_errors=True)
    shutil.rmtree(bare_work / "docs", ignore_errors=True)
    if not keep_sites:
        shutil.rmtree(site, ignore_errors=True)
    return res


# ---------------------------------------------------------------- check and load, cold and warm

LOAD_STAGES = ("check", "load", "index", "history", "digests")


def child_load(content_dir: str, result_file: str, edit: str | None) -> int:
    """`pipeline.load` alone, as a build starts (check, records, indexes, history, digests), each stage
    timed; with `edit`, that file is then changed and loaded again in this process, as `atlas serve`
    does when a file is saved (the checker's cache in memory)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from atlas import pipeline

    out: dict = {}
    start = time.perf_counter()
    loaded = pipeline.load(Path(content_dir))
    out["load"] = {"wall": time.perf_counter() - start, **loaded.timings}
    if edit:
        _edit(Path(edit), lambda data: _add_sentence(data, "Relue pendant la prévisualisation."))
        start = time.perf_counter()
        loaded = pipeline.load(Path(content_dir))
        out["serve"] = {"wall": time.perf_counter() - start, **loaded.timings}
    Path(result_file).write_text(json.dumps(out), encoding="utf-8")
    return 0


def bench_check(content_dir: Path, work: Path, log) -> dict:
    """`atlas check` and `pipeline.load` without the checker's cache (cold), then after one ordinary
    file changed, the cache kept (warm: a pull request's CI), in fresh processes; and the load of
    `atlas serve` after a save (same process)."""
    from atlas import config

    cache = config.settings_beside(content_dir).check_cache
    ranked = _ranked_files(content_dir)
    ordinary = ranked[len(ranked) // 2]
    res: dict = {"file": ordinary.name}

    def atlas_check() -> float:
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "atlas.cli", "check", str(content_dir)], cwd=ROOT,
                                capture_output=True, text=True)
        if result.returncode:
            res["error"] = (result.stdout + result.stderr)[-500:]
        return time.perf_counter() - start

    def load(edit: Path | None = None) -> dict:
        result = work / "load.json"
        subprocess.run([sys.executable, __file__, "_load", str(content_dir), str(result)] + ([str(edit)] if edit else []),
                       cwd=ROOT, check=True)
        return json.loads(result.read_text(encoding="utf-8"))

    def add_sentence() -> None:
        _edit(ordinary, lambda data: _add_sentence(data, "Fiche relue."))

    if cache:
        shutil.rmtree(cache, ignore_errors=True)
    res["check_cold"] = atlas_check()
    add_sentence()
    res["check_warm"] = atlas_check()
    if cache:
        shutil.rmtree(cache, ignore_errors=True)
    res["load_cold"] = load()["load"]
    add_sentence()
    warm = load(edit=ordinary)
    res["load_warm"], res["load_serve"] = warm["load"], warm["serve"]
    if cache:
        shutil.rmtree(cache, ignore_errors=True)  # the phases that follow measure a cold check, as before the cache
    log(f"    atlas check : {res['check_cold']:.2f} s sans cache, {res['check_warm']:.2f} s après une fiche modifiée "
        f"({ordinary.name}) ; pipeline.load : " + " ; ".join(
            f"{label} {res[key]['wall']:.2f} s (" + ", ".join(f"{s} {res[key].get(s, 0):.2f}" for s in LOAD_STAGES) + ")"
            for key, label in (("load_cold", "sans cache"), ("load_warm", "une fiche modifiée"),
                               ("load_serve", "serve, une fiche enregistrée"))))
    return res


# ---------------------------------------------------------------- report

def _s(v, fmt="{:.2f}", na="n/a") -> str:
    return na if v is None else fmt.format(v)


def print_report(results: list[dict], scales: list[int], base: int) -> bool:
    cols = [r["name"] for r in results]
    rows: list[tuple[str, list[str]]] = []

    def row(label, fn):
        rows.append((label, [fn(r) for r in results]))

    def wall_cpu(wall, cpu) -> str:
        return "n/a" if wall is None else f"{wall:.2f}" + (f" ({cpu:.1f})" if cpu is not None else "")

    def timing(m: dict, key: str):
        v = (m or {}).get(key)
        return None if v is None else v / 1000

    row("collectivités / partenariats", lambda r: f"{r['phases'].get('collectivites', '?')} / {r['phases'].get('partnerships', '?')}")
    row("génération synth (s)", lambda r: _s(r.get("synth_s")) if "synth_s" in r else "-")
    for p in PHASES:
        row(f"{PHASE_LABELS[p]} (s)", lambda r, p=p: wall_cpu(r["phases"]["phases"].get(p), r["phases"].get("cpu", {}).get(p)))
        if p == "maps":
            for key, label in (("data_ms", "données"), ("html_ms", "pages HTML"), ("png_wait_ms", "attente PNG")):
                row(f"  dont {label} (s)", lambda r, key=key: _s(timing(r["phases"].get("maps_timings"), key)))
    row("atlas check sans cache (s)", lambda r: _s((r.get("check") or {}).get("check_cold")))
    row("atlas check, une fiche ordinaire modifiée (s)", lambda r: _s((r.get("check") or {}).get("check_warm")))
    for key, label in (("load_cold", "sans cache"), ("load_warm", "une fiche modifiée"), ("load_serve", "serve, même processus")):
        row(f"pipeline.load {label} (s)", lambda r, key=key: _s(((r.get("check") or {}).get(key) or {}).get("wall")))
        for stage in LOAD_STAGES:
            row(f"  dont {stage} (s)", lambda r, key=key, stage=stage: _s(((r.get("check") or {}).get(key) or {}).get(stage)))
    row("build MkDocs complet (s)", lambda r: wall_cpu(r["build"]["wall"], r["build"].get("cpu")) if r["build"]["rc"] == 0 else "échec")
    row("build de référence nu (s)", lambda r: wall_cpu(r["bare"]["wall"], r["bare"].get("cpu")) if r["bare"]["rc"] == 0 else "échec")
    row("  pages de la référence", lambda r: str(r["bare_pages"]))
    row("complet / référence", lambda r: _ratio(r))
    row("complet / référence (CPU)", lambda r: _ratio(r, "cpu"))
    row("reconstruction, la fiche aux plus de partenariats modifiée (s)", lambda r: wall_cpu(r["warm"]["wall"], r["warm"].get("cpu"))
        if r.get("warm") and r["warm"]["rc"] == 0 else "n/a")
    row("reconstruction / référence", lambda r: _s(r["warm"]["wall"] / r["bare"]["wall"])
        if r.get("warm") and r["warm"]["rc"] == 0 and r["bare"]["rc"] == 0 else "n/a")
    row("  fiche ordinaire (médiane) modifiée (s)", lambda r: wall_cpu(r["warm_typical"]["wall"], r["warm_typical"].get("cpu"))
        if r.get("warm_typical") and r["warm_typical"]["rc"] == 0 else "n/a")
    row("  fiche ordinaire / référence", lambda r: _s(r["warm_typical"]["wall"] / r["bare"]["wall"])
        if r.get("warm_typical") and r["warm_typical"]["rc"] == 0 and r["bare"]["rc"] == 0 else "n/a")
    row("serve : modification visible (s)", lambda r: _s((r.get("serve") or {}).get("visible_s")))
    row("mémoire max build (Mio)", lambda r: _s(r["build"]["maxrss_kb"] / 1024, "{:.0f}") if r["build"]["rc"] == 0 else "n/a")
    row("  arbre de processus, PSS (Mio)", lambda r: _s(r["build"].get("tree_rss_kb", 0) / 1024 or None, "{:.0f}")
        if r["build"]["rc"] == 0 else "n/a")
    row("mémoire max référence (Mio)", lambda r: _s(r["bare"]["maxrss_kb"] / 1024, "{:.0f}"))
    row("mémoire max phases (Mio)", lambda r: _s((r["phases"].get("maxrss_kb") or 0) / 1024 or None, "{:.0f}"))
    row("charge machine (loadavg 1 min)", lambda r: _s(r.get("load_before_build"), "{:.1f}"))
    row("site (Mio)", lambda r: _s(r["site"]["mb"], "{:.1f}") if r["site"] else "n/a")
    row("site (fichiers)", lambda r: str(r["site"]["files"]) if r["site"] else "n/a")
    def site(key, fmt="{:.2f}"):
        return lambda r: _s(r["site"].get(key), fmt) if r["site"] else "n/a"

    row("accueil : HTML (Ko)", site("home_kb", "{:.0f}"))
    row("accueil : avec CSS/JS/images (Ko)", site("home_total_kb", "{:.0f}"))
    row("plus lourde carte, avec JS (Mio)", lambda r: (_s(r["site"]["largest_map_mb"]) + f" {r['site']['largest_map'] or ''}").strip()
        if r["site"] else "n/a")
    row("carte monde : données JSON (Mio)", site("monde_html_mb"))
    row("carte monde : avec JS/CSS (Mio)", site("monde_mb"))
    row("carte liens : données JSON (Mio)", site("liens_html_mb"))
    row("carte liens : avec JS/CSS (Mio)", site("liens_mb"))
    rows.append(("étapes du build complet (s ; pic mémoire Mio) :", ["" for _ in results]))
    for label, a, b in TIMELINE:
        row("  " + label, lambda r, a=a, b=b: _step(r["build"].get("timeline"), a, b))
    rows.append(("étapes de la reconstruction, fiche ordinaire modifiée :", ["" for _ in results]))
    for label, a, b in TIMELINE:
        row("  " + label, lambda r, a=a, b=b: _step((r.get("warm_typical") or {}).get("timeline"), a, b))

    width0 = max(len(line) for line, _ in rows) + 2
    widths = [max(len(c), *(len(v[i]) for _, v in rows)) + 2 for i, c in enumerate(cols)]
    print()
    print("".ljust(width0) + "".join(c.rjust(w) for c, w in zip(cols, widths, strict=True)))
    print("-" * (width0 + sum(widths)))
    for label, values in rows:
        print(label.ljust(width0) + "".join(v.rjust(w) for v, w in zip(values, widths, strict=True)))
    errors = [(r["name"], k, v) for r in results for k, v in r["phases"].get("errors", {}).items()]
    if errors:
        print("\nPhases non mesurées :")
        for name, phase, err in errors:
            print(f"  {name} / {phase} : {err}")
    failed = [r for r in results if r["build"]["rc"] != 0]
    for r in failed:
        tail = [line for line in r["build"]["stderr"].splitlines() if line.strip()][-3:]
        print(f"\nBuild en échec pour {r['name']} :\n  " + "\n  ".join(tail))
    return _print_targets(results, scales, base)


def _step(events: dict | None, a: str, b: str) -> str:
    if not events or a not in events or b not in events:
        return "n/a"
    return f"{events[b]['t'] - events[a]['t']:.1f} ; {events[b]['hwm'] / 1024:.0f}"


def _ratio(r, key: str = "wall") -> str:
    if r["build"]["rc"] or r["bare"]["rc"] or not r["bare"].get(key):
        return "n/a"
    return f"{r['build'][key] / r['bare'][key]:.2f}"


def _print_targets(results: list[dict], scales: list[int], base: int) -> bool:
    synth = [r for r in results if r.get("scale")]
    built = [r for r in results if r["build"]["rc"] == 0]
    lines = []

    def target(label, value, limit, fmt="{:.2f}", unit=""):
        if value is None:
            lines.append((label, "n/a", f"≤ {limit:g}{unit}", "N/A"))
            return None
        ok = value <= limit
        lines.append((label, fmt.format(value) + unit, f"≤ {limit:g}{unit}", "OK" if ok else "MISSED"))
        return ok

    verdicts = []
    ratios = [r["build"]["wall"] / r["bare"]["wall"] for r in synth if r["build"]["rc"] == 0 and r["bare"]["rc"] == 0]
    verdicts.append(target("build à froid / build nu (pire échelle synthétique)", max(ratios, default=None),
                           TARGETS["ratio_cold"]))
    warm = [r["warm"]["wall"] / r["bare"]["wall"] for r in synth
            if r.get("warm") and r["warm"]["rc"] == 0 and r["bare"]["rc"] == 0]
    verdicts.append(target("reconstruction après une fiche modifiée, cache gardé / build nu", max(warm, default=None),
                           TARGETS["ratio_warm"]))
    real = next((r for r in results if not r.get("scale")), None)
    if real is not None and real.get("serve"):
        verdicts.append(target("atlas serve, contenu réel : fiche enregistrée → page à jour", real["serve"]["visible_s"],
                               TARGETS["serve_real_s"], "{:.1f}", " s"))
    served = [(r["serve"]["visible_s"], r["bare"]["wall"]) for r in synth if r.get("serve") and r["bare"]["rc"] == 0]
    if served:
        worst = max((v / b if v is not None else float("inf")) for v, b in served)
        verdicts.append(target("atlas serve, synthétique : modification visible / build nu", worst, TARGETS["ratio_warm"]))
    sizes = [r["site"]["mb"] for r in synth if r.get("site")]
    verdicts.append(target("taille du site (pire échelle synthétique ; 400 Mo = 381,5 Mio)", max(sizes, default=None),
                           TARGETS["site_mb"], "{:.1f}", " Mio"))
    lo = min(synth, key=lambda r: r["scale"], default=None)
    hi = max(synth, key=lambda r: r["scale"], default=None)
    if lo and hi and hi["scale"] > lo["scale"]:
        k = hi["scale"] / lo["scale"]
        grow = hi["build"]["wall"] / lo["build"]["wall"] if hi["build"]["rc"] == 0 and lo["build"]["rc"] == 0 else None
        verdicts.append(target(f"temps {hi['scale']}× / {lo['scale']}× (build complet)", grow, TARGETS["growth_per_x"] * k))
        if hi["build"].get("cpu") and lo["build"].get("cpu") and hi["build"]["rc"] == 0 and lo["build"]["rc"] == 0:
            target("  (même rapport en temps CPU, pour information)", hi["build"]["cpu"] / lo["build"]["cpu"],
                   TARGETS["growth_per_x"] * k)
        phase_grow = [(p, hi["phases"]["phases"].get(p), lo["phases"]["phases"].get(p)) for p in PHASES]
        detail = ", ".join(f"{p} {a / b:.1f}×" for p, a, b in phase_grow if a and b and b > 0.01)
        if detail:
            lines.append((f"  (croissance par phase {hi['scale']}×/{lo['scale']}× : {detail})", "", "", ""))
    mem = max((r["build"]["maxrss_kb"] / 1024 for r in built), default=None)
    target("  (mémoire max du seul processus principal, pour information)", mem, TARGETS["memory_mib"], "{:.0f}", " Mio")
    tree = max((r["build"].get("tree_rss_kb", 0) / 1024 for r in built), default=None)
    verdicts.append(target("mémoire max d'un build, processus et workers ensemble", tree or None, TARGETS["memory_mib"],
                           "{:.0f}", " Mio"))
    national = next((r for r in synth if r["phases"].get("collectivites") == NATIONAL_COLLECTIVITES), hi)
    check = national["phases"]["phases"].get("check") if national else None
    verdicts.append(target(f"check à l'échelle nationale ({national['name'] if national else '?'})", check,
                           TARGETS["check_s"], "{:.2f}", " s"))
    measured = (national or {}).get("check") or {}
    verdicts.append(target("atlas check national, sans cache", measured.get("check_cold"), TARGETS["check_s"], "{:.2f}", " s"))
    verdicts.append(target("atlas check national, une fiche modifiée (cache gardé)", measured.get("check_warm"),
                           TARGETS["check_s"], "{:.2f}", " s"))
    for key in ("monde", "liens"):
        sizes = [r["site"][f"{key}_mb"] for r in built if r["site"] and r["site"].get(f"{key}_mb") is not None]
        verdicts.append(target(f"page carte « {key} », avec ses JS/CSS (pire corpus)", max(sizes, default=None),
                               TARGETS["map_mb"], "{:.2f}", " Mio"))
    print(f"\nObjectifs (temps = horloge ; {os.cpu_count()} cœurs, charge actuelle {os.getloadavg()[0]:.1f})")
    w = max(len(line[0]) for line in lines) + 2
    for label, value, limit, verdict in lines:
        print(f"  {label.ljust(w)}{value.rjust(12)}  {limit.ljust(12)} {verdict}")
    return all(v is not False for v in verdicts)


# ---------------------------------------------------------------- check with many errors

def _riddle_with_errors(src: Path, dest: Path, per_file: int) -> int:
    """Copy a corpus, giving every collectivité file `per_file` errors (unknown keys, unknown
    theme and source keys, a future year): what a badly broken national pull request looks like."""
    shutil.copytree(src, dest)
    files = sorted((dest / "collectivites").glob("*.yml"))
    for path in files:
        extra = "".join(f"cle_inconnue_{i}: valeur\n" for i in range(per_file // 2))
        extra += "sources: [" + ", ".join(f"source-inconnue-{i}" for i in range(per_file - per_file // 2)) + "]\n"
        text = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("sources:"))
        path.write_text(text + "\n" + extra, encoding="utf-8")
    return len(files)


def bench_check_errors(out: Path, collectivites: int, per_file: int, seed: int, log) -> bool:
    """`atlas check` of a clean corpus and of the same corpus full of errors, in one run."""
    from atlas.commands import synth

    work = out / "check-erreurs"
    shutil.rmtree(work, ignore_errors=True)
    m = round(collectivites * NATIONAL_PARTNERSHIPS / NATIONAL_COLLECTIVITES)
    log(f"[check] corpus propre : {collectivites} collectivités…")
    synth.write(work / "propre", collectivites=collectivites, partnerships=m, countries=NATIONAL_COUNTRIES, seed=seed)
    n = _riddle_with_errors(work / "propre", work / "erreurs", per_file)
    times = {}
    for name in ("propre", "erreurs"):
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "atlas.cli", "check", str(work / name)],
                                capture_output=True, text=True, cwd=ROOT)
        times[name] = time.perf_counter() - start
        problems = result.stdout.count(": erreur :")
        log(f"[check] {name} : {times[name]:.2f} s, code {result.returncode}, {problems} erreurs signalées")
    ratio = times["erreurs"] / times["propre"]
    ok = ratio <= 2.0
    print(f"\natlas check, {n} fiches : propre {times['propre']:.2f} s ; {per_file} erreurs par fiche "
          f"{times['erreurs']:.2f} s ; rapport {ratio:.2f} (cible ≤ 2) {'OK' if ok else 'MANQUÉ'}")
    return ok


# ---------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_run"]:
        return child_run(argv[1], argv[3:])
    if argv[:1] == ["_load"]:
        return child_load(argv[1], argv[2], argv[3] if len(argv) > 3 else None)
    if argv[:1] == ["_phases"]:
        prof = argv[argv.index("--profile-file") + 1] if "--profile-file" in argv else None
        return child_phases(argv[1], argv[2], prof)
    ap = argparse.ArgumentParser(description="Banc de charge de l'atlas : contenu réel et corpus synthétiques.")
    ap.add_argument("--base", type=int, default=1200,
                    help="collectivités du corpus 1× (partenariats au prorata : 4 × 1200 = 4 800 / 12 000, l'échelle nationale)")
    ap.add_argument("--scales", default="1,2,4", help="multiples de la base (défaut : 1,2,4)")
    ap.add_argument("--out", default=str(ROOT / "bench-out"), help="dossier de travail (défaut : bench-out/, ignoré par git)")
    ap.add_argument("--skip-real", action="store_true", help="ne pas mesurer le contenu réel")
    ap.add_argument("--pays", type=int, default=NATIONAL_COUNTRIES, help="pays du corpus synthétique (défaut : 140)")
    ap.add_argument("--graine", type=int, default=1)
    ap.add_argument("--profile", action="store_true", help="profil pyinstrument des phases (dossier de chaque corpus, profil.txt)")
    ap.add_argument("--keep-sites", action="store_true", help="garder les sites construits")
    ap.add_argument("--sans-serve", action="store_true", help="ne pas mesurer atlas serve (une modification pendant la prévisualisation)")
    ap.add_argument("--check", action="store_true",
                    help="seulement : atlas check et pipeline.load d'un corpus national, sans cache puis une fiche modifiée")
    ap.add_argument("--erreurs", type=int, metavar="N", default=0,
                    help="seulement : atlas check de 5 000 fiches propres puis avec N erreurs chacune (rapport des temps)")
    args = ap.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # keep the builds' stderr to the point
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "scripts"))

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if args.erreurs:
        return 0 if bench_check_errors(out, 5000, args.erreurs, args.graine, log) else 1
    if args.check:
        from atlas.commands import synth

        work = out / "check-cache"
        shutil.rmtree(work, ignore_errors=True)
        log(f"[check] corpus national : {NATIONAL_COLLECTIVITES} collectivités…")
        synth.write(work / "contenu", collectivites=NATIONAL_COLLECTIVITES, partnerships=NATIONAL_PARTNERSHIPS,
                    countries=args.pays, seed=args.graine)
        res = bench_check(work / "contenu", work, log)
        print(json.dumps(res, indent=1, ensure_ascii=False))
        ok = max(res["check_cold"], res["check_warm"]) <= TARGETS["check_s"]
        print(f"\natlas check, national : {res['check_cold']:.2f} s sans cache, {res['check_warm']:.2f} s après une fiche "
              f"modifiée (cible ≤ {TARGETS['check_s']:.0f} s) {'OK' if ok else 'MANQUÉ'}")
        return 0 if ok else 1
    results = []
    if not args.skip_real:
        real = out / "reel" / "contenu"  # a copy: the benchmark changes a file to time the rebuild
        shutil.rmtree(real, ignore_errors=True)
        shutil.copytree(ROOT / "content", real)
        results.append(bench_corpus("réel", real, out / "reel", args.profile, args.keep_sites, log, not args.sans_serve))
    from atlas.commands import synth

    for scale in scales:
        n = args.base * scale
        m = round(n * NATIONAL_PARTNERSHIPS / NATIONAL_COLLECTIVITES)
        name = f"{scale}× ({n})"
        work = out / f"synth-{scale}x"
        log(f"[{name}] génération du corpus : {n} collectivités, {m} partenariats, {args.pays} pays…")
        start = time.perf_counter()
        # The previous run changed one file of this corpus (the rebuild's pull request): start afresh.
        shutil.rmtree(work / "contenu", ignore_errors=True)
        synth.write(work / "contenu", collectivites=n, partnerships=m, countries=args.pays, seed=args.graine)
        elapsed = time.perf_counter() - start
        r = bench_corpus(name, work / "contenu", work, args.profile, args.keep_sites, log, not args.sans_serve)
        r["scale"], r["synth_s"] = scale, elapsed
        results.append(r)
    (out / "resultats.json").write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    ok = print_report(results, scales, args.base)
    print(f"\nDétails : {out / 'resultats.json'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
