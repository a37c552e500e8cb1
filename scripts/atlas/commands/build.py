"""`atlas build` and `atlas serve`: MkDocs with the atlas plugin, never a half-written site."""
from __future__ import annotations

import ctypes
import errno
import functools
import gc
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Callable

from mkdocs import config as mkconfig
from mkdocs.commands import build as mkbuild
from mkdocs.exceptions import Abort, ConfigurationError, PluginError

from atlas import AtlasError, editions, pipeline, urls
from atlas.config import from_mkdocs


class _Quiet(logging.Filter):
    def filter(self, record):
        return record.levelno >= logging.WARNING


class _DirtyIsExact(logging.Filter):
    """MkDocs warns that a `dirty` build may leave pages stale: not this one, where the atlas
    decides for each generated file from the keys of its inputs (site/reuse.py) and every other
    file is written, since the staging folder starts empty. (A logger filter: the warning never
    reaches a handler, so `--strict` does not count it.)"""

    def filter(self, record):
        return not str(record.msg).startswith("A 'dirty' build is being performed")


def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s - %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    handler.addFilter(_Quiet())
    build_logger = logging.getLogger("mkdocs.commands.build")
    if not any(isinstance(f, _DirtyIsExact) for f in build_logger.filters):
        build_logger.addFilter(_DirtyIsExact())


def run(config: Path, site_dir: Path | None = None, strict: bool = False, content_dir: Path | None = None,
        serve_url: str | None = None, built: Callable[[object], None] | None = None) -> int:
    """Check, build into a temporary folder beside the target, then swap it in. What did not change
    since the site in the target was built is linked from it, not made again (site/reuse.py).
    `serve_url`: a rebuild of `atlas serve`, whose preview lives at that address; `built`: given the
    build's MkDocs configuration once its site is in place (atlas serve keeps it: commands/preview.py)."""
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
    try:  # the plugin finds this result again (pipeline.load keeps it while the content is unchanged)
        atlas_options = cfg_probe.plugins["atlas"].config
        pipeline.load(Path(config).parent / atlas_options.contenu, from_mkdocs(atlas_options, cfg_probe).check_cache)
    except pipeline.ContentError as exc:
        for p in exc.report.errors:
            print(p.format())
        print(f"{len(exc.report.errors)} erreur(s) : le site n'est pas construit, l'ancien site reste intact.", file=sys.stderr)
        return 1
    target = Path(os.path.abspath(site_dir or cfg_probe.site_dir))  # not resolved: a link stays a link
    refusal = _unusable_site(target)
    if refusal:
        print(f"erreur : {refusal}", file=sys.stderr)
        return 2
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _recover(target)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.neuf-{os.getpid()}-", dir=target.parent))
    except OSError as exc:
        print(f"erreur : {_write_error(exc)}", file=sys.stderr)
        return 1
    global _terminated
    _terminated = False
    previous, previous_hook = signal.signal(signal.SIGTERM, _terminate), sys.unraisablehook
    sys.unraisablehook = functools.partial(_quiet_when_terminated, previous_hook)
    try:
        cfg = mkconfig.load_config(str(config), site_dir=str(staging), strict=strict)
        if serve_url:
            cfg.site_url = serve_url  # as `mkdocs serve` does: the preview's own address
        # What did not change is linked from the current site, not written again (site/reuse.py).
        cfg.plugins["atlas"].reuse(target)
        cfg.plugins["atlas"].editions_after = True
        mkbuild.build(cfg, serve_url=serve_url, dirty=True)
        # The other languages' editions, once the French build's pages have left memory (kept by
        # `atlas serve` only, whose first pass renders a saved file's page with them).
        main = cfg.plugins["atlas"]
        if not serve_url:
            main.env = main.files = main.nav = None
        gc.collect()
        _give_back_memory()
        editions.build_others(main, cfg)
        if _terminated:  # the signal landed in a finalizer, which swallowed its SystemExit: stop here
            raise SystemExit(128 + signal.SIGTERM)
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a published site is world-readable
        _swap(staging, target)
        _remove_later(staging, target)  # the old site: thousands of folders, removed in the background
        if built is not None:
            built(cfg)
    except (PluginError, ConfigurationError, Abort, AtlasError) as exc:
        print(f"erreur : {_in_french(exc)}", file=sys.stderr)
        return 1
    except SystemExit as exc:
        print("construction interrompue : l'ancien site reste intact.", file=sys.stderr)
        return exc.code if isinstance(exc.code, int) else 1
    except OSError as exc:  # a full disk, a read-only folder: the half-written site is removed below
        print(f"erreur : {_write_error(exc)}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
        sys.unraisablehook = previous_hook
        shutil.rmtree(staging, ignore_errors=True)  # the new site's leftovers, or the old site after the swap
    if serve_url:
        print(f"Aperçu à jour : {serve_url}", file=sys.stderr)
        return 0
    print(f"Site construit dans {target}", file=sys.stderr)
    if not urls.public(cfg_probe.site_url):
        print("Remarque : " + urls.NO_PUBLIC_ADDRESS, file=sys.stderr)
    return 0


_terminated = False


def _in_french(exc: Exception) -> str:
    """MkDocs ends a failed build with an English line of its own ("Aborted with a BuildError!",
    "Aborted with 2 warnings in strict mode!") once it has logged the cause: said in French."""
    text = str(exc)
    if isinstance(exc, Abort) and text.startswith("Aborted with"):
        strict = "strict mode" in text
        return ("construction arrêtée : " + ("avertissement(s) en mode strict (--strict), " if strict else "")
                + "la cause est écrite au-dessus ; l'ancien site reste intact.")
    return text


def _unusable_site(target: Path) -> str:
    """Why `target` cannot receive the site, or "" (the build replaces the folder's contents:
    through a link it would empty whatever the link points to)."""
    if target.is_symlink():
        return (f"{target} est un lien symbolique : l'atlas construit le site dans un vrai dossier, qu'il remplace "
                f"en entier (la cible du lien serait vidée). Supprimez le lien (rm {target}) ou choisissez un autre "
                "dossier : atlas build --site DOSSIER")
    if target.exists() and not target.is_dir():
        return (f"{target} est un fichier, pas un dossier : l'atlas n'écrit pas le site à sa place. "
                f"Déplacez ou supprimez ce fichier, ou choisissez un autre dossier : atlas build --site DOSSIER")
    return ""


def _write_error(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f"disque plein{where} : le nouveau site n'a pas pu être écrit ; l'ancien site reste intact. "
                "Libérez de la place, puis relancez atlas build.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"écriture refusée{where} : le site n'est pas construit, l'ancien site reste intact. Vérifiez les droits du dossier."
    return f"écriture impossible{where} : {exc.strerror or exc} ; le site n'est pas construit, l'ancien site reste intact."


def _terminate(signum, frame):
    global _terminated
    _terminated = True
    raise SystemExit(128 + signum)  # unwinds through `finally`: the staging folder is removed


def _quiet_when_terminated(hook, unraisable) -> None:
    """A SIGTERM that arrives while Python runs a finalizer (a `__del__`, a weakref callback) has
    its SystemExit printed and dropped there: no traceback for it, the build stops before the swap."""
    if _terminated and isinstance(unraisable.exc_value, SystemExit):
        return
    hook(unraisable)


def _swap(staging: Path, target: Path) -> None:
    """Put the new site in place in one step: at every instant `target` is the old site or the new one."""
    if not target.exists():
        staging.rename(target)
        staging.mkdir()  # the caller removes it
        return
    if _exchange(staging, target):
        return  # staging now holds the old site; the caller removes it
    # No atomic exchange (not Linux, or the filesystem refuses it): two renames, and _recover()
    # puts the old copy back at the next start if the process dies between them.
    old = _old_copy(target)
    shutil.rmtree(old, ignore_errors=True)
    target.rename(old)
    staging.rename(target)
    old.rename(staging)


def _remove_later(old_site: Path, target: Path) -> None:
    """Remove the replaced site without making the command wait (on some filesystems removing
    a national site's 5,000 folders takes longer than rebuilding what changed). It is renamed
    first, so the next build's _recover finds and removes what a killed removal leaves."""
    if not any(old_site.iterdir()):
        return  # the first build: there was no old site
    doomed = old_site.with_name(f".{target.name}.vieux-{os.getpid()}-{old_site.name.rsplit('-', 1)[-1]}")
    try:
        old_site.rename(doomed)
        subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)",
                          str(doomed)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        shutil.rmtree(doomed if doomed.exists() else old_site, ignore_errors=True)
    old_site.mkdir(exist_ok=True)  # the caller removes its staging folder, now empty


def _give_back_memory() -> None:
    """What the French build freed goes back to the system before the next edition allocates its own
    (glibc keeps freed heap otherwise: the two builds' peaks would add up). Elsewhere, nothing."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two folders atomically (Linux 3.15+, glibc 2.28+)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _old_copy(target: Path) -> Path:
    return target.with_name(f".{target.name}.ancien")


def _recover(target: Path) -> None:
    """After a build killed outright (SIGKILL, power cut): restore the old copy if the site is
    missing, and remove staging folders whose build process is gone."""
    old = _old_copy(target)
    if old.exists():
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.rename(target)
    for prefix in (f".{target.name}.neuf-", f".{target.name}.vieux-"):
        for stale in target.parent.glob(prefix + "*"):
            pid = stale.name[len(prefix):].split("-")[0]
            if not (pid.isdigit() and _alive(int(pid))):
                shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serve(config: Path, address: str) -> int:
    """`atlas serve`: every rebuild is an `atlas build` (content checked, only what changed written,
    the new site swapped in whole) into the folder the preview server shows; the browser reloads
    once it is in place. Invalid content leaves the previous preview as it was. When only
    collectivité files were saved, their pages are shown first, then the rebuild follows
    (commands/preview.py)."""
    from mkdocs.livereload import LiveReloadServer, _timestamp

    from atlas.commands import preview as first

    class Preview(LiveReloadServer):
        # MkDocs's server holds every request while a rebuild runs (_wanted_epoch ahead of
        # _visible_epoch), then reloads the browsers. The first pass shows its pages before the
        # rebuild: the site is served again meanwhile, and the browsers reload once more at its end.
        def show_now(self) -> None:
            with self._epoch_cond:
                self._visible_epoch = self._wanted_epoch
                self._epoch_cond.notify_all()

        def reload_at_end(self) -> None:
            with self._epoch_cond:
                self._wanted_epoch = _timestamp()

    kept: list = [None]  # the last finished build, for the next save's first pass

    def rebuild() -> int:
        try:
            shown = first.first_pass(kept[0], preview)
        except Exception as exc:  # a shortcut only: the full rebuild below shows the change anyway
            print(f"avertissement : première passe de l'aperçu impossible ({type(exc).__name__} : {exc}) ; "
                  "reconstruction complète", file=sys.stderr)
            shown = []
        if shown:
            server.show_now()
            print(f"Aperçu : {len(shown)} fichier(s) montré(s) d'abord, la reconstruction complète suit…", file=sys.stderr)
        code = run(config, site_dir=preview, serve_url=url, built=remember)
        if shown:
            server.reload_at_end()
        return code

    def remember(cfg) -> None:
        kept[0] = first.Snapshot.of(cfg)

    host, _, port = address.rpartition(":")
    if not (host and port.isdigit()):
        print(f"erreur : adresse « {address} » incomprise ; écrivez-la hôte:port, ex. 127.0.0.1:8000", file=sys.stderr)
        return 2
    try:
        cfg = mkconfig.load_config(str(config))
    except (ConfigurationError, Abort) as exc:
        print(f"erreur dans {config} : {exc}", file=sys.stderr)
        return 2
    _setup_logging()
    preview = Path(tempfile.mkdtemp(prefix="atlas-apercu-")) / "site"
    preview.mkdir()
    url = f"http://{host}:{port}/"
    server = Preview(builder=rebuild, host=host, port=int(port), root=str(preview))
    try:
        run(config, site_dir=preview, serve_url=url, built=remember)
        threading.Thread(target=first.prepare, daemon=True).start()
        content = (Path(config).parent / cfg.plugins["atlas"].config.contenu).resolve()
        for watched in (cfg.docs_dir, str(config), str(content), *cfg.theme.dirs[:1 if cfg.theme.custom_dir else 0]):
            server.watch(watched)
        server.serve()
    except KeyboardInterrupt:
        print("Aperçu arrêté.", file=sys.stderr)
    except OSError as exc:
        print(f"erreur : le serveur d'aperçu ne démarre pas sur {address} : {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        server.shutdown()
        shutil.rmtree(preview.parent, ignore_errors=True)
    return 0
