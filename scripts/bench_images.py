#!/usr/bin/env python
"""The static map images' cost, on a corpus (`atlas synth` for the national one):

    python scripts/bench_images.py CONTENT_DIR [--mode cpu,pool,build] [--limit N]

  cpu    every map drawn in this process, in the order the workers get them (by frame):
         CPU ms per map, frames (distinct backgrounds), peak memory of a drawing process;
  pool   the same through the worker pool the build uses: wall time, the workers' CPU per map,
         the largest worker's peak memory;
  build  a cold `atlas build` in this process (empty cache): when the pages were done, when the
         last image was, and who waited for whom on the shared cores.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


def _status_mib(field: str = "VmHWM") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _hwm_mib() -> float:
    return _status_mib("VmHWM")


def _specs(content_dir: Path, limit: int | None):
    from atlas import config, pipeline
    from atlas.maps import interactive

    loaded = pipeline.load(content_dir)
    settings = config.Settings()
    specs = [j.spec for j in interactive.jobs(loaded.atlas, loaded.idx, settings) if j.spec is not None]
    return specs[:limit] if limit else specs


def mode_cpu(specs) -> dict:
    from atlas.maps import images

    ordered = sorted(specs, key=images.frame_key)
    before = _hwm_mib()
    t0, c0 = time.perf_counter(), time.process_time()
    total = 0
    for spec in ordered:
        total += len(images.render(spec)["png"])
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    return {"maps": len(specs), "frames": len({images.frame_key(s) for s in specs}),
            "cpu_ms_per_map": cpu * 1000 / len(specs), "wall_s": wall, "png_mb": total / 1e6,
            "hwm_before_mib": before, "hwm_mib": _hwm_mib()}


def mode_pool(specs, n_workers: int) -> dict:
    from atlas.maps import images

    at_fork = _status_mib("VmRSS")  # what the forked workers start with, shared with this process
    t0 = time.perf_counter()
    n = sum(1 for _ in images.render_many(specs, n_workers))
    wall = time.perf_counter() - t0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's workers, ended and reaped
    return {"maps": n, "workers": n_workers, "wall_s": wall,
            "workers_cpu_ms_per_map": (children.ru_utime + children.ru_stime) * 1000 / max(n, 1),
            "largest_worker_peak_mib": children.ru_maxrss / 1024, "parent_rss_at_fork_mib": at_fork,
            "largest_worker_own_mib": children.ru_maxrss / 1024 - at_fork}


_STAMPED: dict = {}


def _stamped_render(spec):
    """images.render, and the time of this worker's last map so far (module level: the pool pickles it by name)."""
    out = _STAMPED["render"](spec)
    (_STAMPED["folder"] / str(os.getpid())).write_text(str(time.time()))
    return out


def mode_build(content_dir: Path) -> dict:
    """A cold build with timestamps: the images' end is stamped by each worker (forked: it inherits
    the wrapped `render`), the pages' end is when the plugin starts reading the images."""
    import bench
    from atlas.commands import build
    from atlas.maps import images, interactive

    work = Path(tempfile.mkdtemp(prefix="bench-images-"))
    stamps = work / "stamps"
    stamps.mkdir()
    original_finish = interactive.PendingImages.finish
    marks: dict[str, float] = {}
    _STAMPED.update(render=images.render, folder=stamps)

    def finish(self, emit):
        marks["pages_done"] = time.time()
        ms = original_finish(self, emit)
        marks["images_read"] = time.time()
        return ms

    images.render, interactive.PendingImages.finish = _stamped_render, finish
    cfg = bench._atlas_config(content_dir, work / "site", work / "mkdocs.yml")
    import yaml

    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    for plugin in data["plugins"]:
        if isinstance(plugin, dict) and "atlas" in plugin:
            plugin["atlas"]["dossier_cache"] = str(work / "cache")  # empty: every page and image made
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    os.environ["ATLAS_BENCH_HOOKS"] = str(work / "hooks.json")
    t0, cpu0 = time.time(), time.process_time()
    rc = build.run(config=cfg, site_dir=work / "site")
    end = time.time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    ends = sorted(float(p.read_text()) - t0 for p in stamps.iterdir())  # each worker's last map
    last_image = t0 + ends[-1] if ends else end
    import _atlas_bench_state  # the hooks' timeline (bench_hooks.py)

    files_start = _atlas_bench_state.events.get("files_debut", {}).get("t", t0)
    out = {"rc": rc, "wall_s": end - t0, "main_cpu_s": time.process_time() - cpu0,
           "workers_cpu_s": children.ru_utime + children.ru_stime,
           "images_start_s": files_start - t0, "last_image_s": last_image - t0,
           "workers_last_map_s": " ".join(f"{e:.1f}" for e in ends),
           "pages_done_s": marks.get("pages_done", end) - t0, "images_read_s": marks.get("images_read", end) - t0,
           "largest_worker_peak_mib": children.ru_maxrss / 1024, "main_peak_mib": _hwm_mib()}
    out["pages_waited_for_images_s"] = max(0.0, out["last_image_s"] - out["pages_done_s"])
    out["images_done_before_pages_s"] = max(0.0, out["pages_done_s"] - out["last_image_s"])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("content", type=Path)
    parser.add_argument("--mode", default="cpu,pool")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    modes = args.mode.split(",")
    if len(modes) > 1:  # one process per mode: each one's memory and children's CPU its own
        for mode in modes:
            rest = [str(args.content), "--mode", mode, "--workers", str(args.workers)]
            subprocess.run([sys.executable, __file__, *rest, *(["--limit", str(args.limit)] if args.limit else [])],
                           check=True)
        return 0
    results = {}
    if modes == ["build"]:
        results["build"] = mode_build(args.content)
    else:
        specs = _specs(args.content, args.limit)
        results[modes[0]] = mode_pool(specs, args.workers) if modes == ["pool"] else mode_cpu(specs)
    for mode, figures in results.items():
        print(f"[{mode}]")
        for key, value in figures.items():
            print(f"  {key:32} {value:.2f}" if isinstance(value, float) else f"  {key:32} {value}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
