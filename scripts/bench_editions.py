#!/usr/bin/env python
"""The English edition's cost (issue 29), in one run on the national synthetic corpus:

    python scripts/bench_editions.py            # --out bench-out/editions

  - cold `atlas build` with `langues: [fr]`, then with `langues: [fr, en]` (no cache, new site):
    wall time, CPU, peak memory of the process tree, and the ratio of the two (target ≤ 1.6×);
  - the site's size with both editions, French and English parts apart (target ≤ 600 MB);
  - a rebuild of both editions after one ordinary file changed (cache and site kept), against a bare
    Material build of as many pages as the French edition has (the incremental issue's 1.5×).
Every build is measured by scripts/bench.py's own wrappers, in its own process.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (the same measures as the national benchmark)

MB = 1024 * 1024


def _with_languages(cfg: Path, languages: list[str]) -> None:
    """The benchmark's mkdocs.yml (bench._atlas_config writes plain YAML) with these editions."""
    import yaml

    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    for plugin in data["plugins"]:
        if isinstance(plugin, dict) and "atlas" in plugin:
            plugin["atlas"]["langues"] = languages
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Coût de l'édition anglaise, corpus national synthétique.")
    ap.add_argument("--out", default=str(bench.ROOT / "bench-out" / "editions"))
    ap.add_argument("--graine", type=int, default=1)
    args = ap.parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    work = Path(args.out).resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    from atlas.commands import synth

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    content = work / "contenu"
    log(f"corpus national : {bench.NATIONAL_COLLECTIVITES} collectivités…")
    synth.write(content, collectivites=bench.NATIONAL_COLLECTIVITES, partnerships=bench.NATIONAL_PARTNERSHIPS,
                countries=bench.NATIONAL_COUNTRIES, seed=args.graine)
    results = {}
    for languages in (["fr"], ["fr", "en"]):
        site, cfg = work / "site", work / "mkdocs.yml"
        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(work / ".cache", ignore_errors=True)
        bench._atlas_config(content, site, cfg)
        _with_languages(cfg, languages)
        log(f"atlas build à froid, langues: {languages}…")
        cold = bench._measure(bench._atlas_build(cfg, site), work, "build")
        if cold["rc"]:
            print(cold["stderr"][-2000:], file=sys.stderr)
            return 1
        res = {"cold": cold, "site": _size(site), "en": _size(site / "en") if (site / "en").exists() else 0,
               "pages_fr": sum(1 for p in site.rglob("index.html") if not p.relative_to(site).as_posix().startswith("en/"))}
        if languages != ["fr"]:
            changed = bench._change_one_file(content, typical=True)
            log(f"reconstruction des deux éditions après modification de {changed.name}…")
            res["warm"] = bench._measure(bench._atlas_build(cfg, site), work, "build")
        results[" ".join(languages)] = res
    fr, both = results["fr"], results["fr en"]
    log(f"build de référence Material nu ({fr['pages_fr']} pages)…")
    bare_cfg = bench._bare_config(fr["pages_fr"], work / "reference")
    bare = bench._measure([sys.executable, "-m", "mkdocs", "build", "-f", str(bare_cfg), "-q"], work / "reference", "build")

    def line(label, value, target="", ok=None):
        verdict = "" if ok is None else (" OK" if ok else " MANQUÉ")
        print(f"  {label:<58} {value:>22}  {target}{verdict}")

    print("\nÉdition anglaise, corpus national synthétique (une exécution)")
    for name, r in (("français seul", fr), ("français + anglais", both)):
        c = r["cold"]
        line(f"atlas build à froid, {name}", f"{c['wall']:.1f} s (CPU {c['cpu']:.1f} s)")
        line(f"mémoire (arbre de processus), {name}", f"{c['tree_rss_kb'] / 1024:.0f} Mio", "≤ 1 024 Mio",
             c["tree_rss_kb"] / 1024 <= 1024)
    ratio = both["cold"]["wall"] / fr["cold"]["wall"]
    line("à froid : deux éditions / français seul", f"{ratio:.2f}×", "≤ 1,6×", ratio <= 1.6)
    total_mb = both["site"] / 1e6
    line("site, deux éditions", f"{total_mb:.1f} Mo ({both['site'] / MB:.1f} Mio)", "≤ 600 Mo", total_mb <= 600)
    line("  dont en/", f"{both['en'] / 1e6:.1f} Mo", "")
    line("site, français seul", f"{fr['site'] / 1e6:.1f} Mo", "")
    warm = both["warm"]["wall"]
    line("reconstruction des deux éditions, une fiche modifiée", f"{warm:.1f} s", "")
    line(f"build Material nu ({fr['pages_fr']} pages)", f"{bare['wall']:.1f} s", "")
    line("reconstruction / build nu", f"{warm / bare['wall']:.2f}×", "≤ 1,5×", warm / bare["wall"] <= 1.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
