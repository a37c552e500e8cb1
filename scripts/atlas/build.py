"""`atlas build` and `atlas serve`: MkDocs with the atlas plugin, never a half-written site."""
from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from mkdocs import config as mkconfig
from mkdocs.commands import build as mkbuild
from mkdocs.exceptions import Abort, ConfigurationError, PluginError

from . import checker


class _Quiet(logging.Filter):
    def filter(self, record):
        return record.levelno >= logging.WARNING


def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s - %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    handler.addFilter(_Quiet())


def run(config: Path, site_dir: Path | None = None, strict: bool = False, content_dir: Path | None = None) -> int:
    """Check, build into a temporary folder beside the target, then swap it in."""
    if content_dir is not None:
        # mkdocs.yml reads it: contenu: !ENV [ATLAS_CONTENU, content]
        os.environ["ATLAS_CONTENU"] = str(Path(content_dir).resolve())
    if not config.exists():
        print(f"erreur : {config} introuvable — lancez la commande à la racine du dépôt.", file=sys.stderr)
        return 2
    _setup_logging()
    # Check first, with the checker's own messages (MkDocs would wrap them in its error format).
    try:
        cfg_probe = mkconfig.load_config(str(config))
    except (ConfigurationError, Abort) as exc:
        print(f"erreur dans {config} : {exc}", file=sys.stderr)
        return 2
    report = checker.check(Path(config).parent / cfg_probe.plugins["atlas"].config.contenu)
    if not report.ok:
        for p in report.errors:
            print(p.format())
        print(f"{len(report.errors)} erreur(s) : le site n'est pas construit, l'ancien site reste intact.", file=sys.stderr)
        return 1
    target = Path(site_dir or cfg_probe.site_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.neuf-", dir=target.parent))
    try:
        cfg = mkconfig.load_config(str(config), site_dir=str(staging), strict=strict)
        mkbuild.build(cfg)
    except (PluginError, ConfigurationError, Abort) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"erreur : {exc}", file=sys.stderr)
        return 1
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = target.with_name(f".{target.name}.ancien")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    print(f"Site construit dans {target}", file=sys.stderr)
    return 0


def serve(config: Path, address: str) -> int:
    from mkdocs.commands import serve as mkserve

    _setup_logging()
    try:
        mkserve.serve(str(config), dev_addr=address, livereload=True)
    except (PluginError, ConfigurationError, Abort) as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 1
    return 0
