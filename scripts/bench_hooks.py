"""MkDocs hooks of the benchmark (scripts/bench.py copies this file beside each benchmark config,
as bench_hooks_debut.py, run first, and bench_hooks_fin.py, run last): they log when each build step
starts and ends, with the process's memory (VmRSS, VmHWM = peak so far), to attribute time and memory."""
import atexit
import json
import os
import sys
import time
import types

from mkdocs.plugins import event_priority

# Copied as bench_hooks_debut.py (runs first) and bench_hooks_fin.py (runs last).
P = 1000 if os.path.basename(__file__).startswith("bench_hooks_debut") else -1000
state = sys.modules.get("_atlas_bench_state")
if state is None:
    state = types.ModuleType("_atlas_bench_state")
    state.events = {}
    sys.modules["_atlas_bench_state"] = state

    def _dump():
        if os.environ.get("ATLAS_BENCH_HOOKS"):
            with open(os.environ["ATLAS_BENCH_HOOKS"], "w") as f:
                json.dump(state.events, f)

    atexit.register(_dump)


def _mark(name, keep_first=False):
    if keep_first and name in state.events:
        return
    mem = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                mem[line.split(":")[0]] = int(line.split()[1])
    state.events[name] = {"t": time.time(), "rss": mem.get("VmRSS", 0), "hwm": mem.get("VmHWM", 0)}


def _tag():
    return "debut" if P > 0 else "fin"


@event_priority(P)
def on_config(config):
    _mark("config_" + _tag())


@event_priority(P)
def on_files(files, config):
    _mark("files_" + _tag())


@event_priority(P)
def on_nav(nav, config, files):
    _mark("nav_" + _tag())


@event_priority(P)
def on_page_markdown(markdown, page, config, files):
    _mark("markdown_" + _tag(), keep_first=P > 0)


@event_priority(P)
def on_page_content(html, page, config, files):
    _mark("contenu_" + _tag(), keep_first=P > 0)


@event_priority(P)
def on_env(env, config, files):
    _mark("env_" + _tag())


@event_priority(P)
def on_post_page(output, page, config):
    _mark("page_" + _tag(), keep_first=P > 0)


@event_priority(P)
def on_post_build(config):
    _mark("post_build_" + _tag())
