"""« Nouveautés »: the collectivités added and changed, newest first, said in words a reader
understands (« 2 partenariats ajoutés : Sénégal, Maroc »), computed from the git history.

Each change compares the file as it was before and after the commit: both versions are
read with the same safe loader as `atlas check` (an old version that no longer parses is
just « fiche modifiée »). Nothing from the commit itself (author, message) is published.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from atlas import fr, urls
from atlas.content import countries, yamlio
from atlas.content.history import History
from atlas.site.templating import environment

MAX_ENTRIES = 50  # the page and the feed show the latest changes; the forge keeps the rest
MAX_NAMES = 5  # countries named in one sentence before « et N autres »

# Top-level fields a reader cares about, in the words of the page.
FIELD_LABELS = {
    "nom": "nom", "alias": "autres noms", "type": "type", "departement": "département", "code": "code officiel",
    "population": "population", "siege": "siège", "site_web": "site internet", "engagement": "présentation",
    "reseaux": "réseaux", "organisation": "organisation", "sources": "sources",
}


@dataclass
class NewsEntry:
    slug: str
    name: str
    date: datetime.datetime
    commit: str
    kind: str  # "ajout", "modification", "retrait"
    sentences: list[str] = field(default_factory=list)
    url: str = ""  # page of the collectivité, relative to the site root ("" once removed)

    @property
    def summary(self) -> str:
        return " ; ".join(self.sentences) + "."

    @property
    def id(self) -> str:
        """Stable per (commit, file): the feed's entry id and the page's anchor."""
        return f"{self.commit[:12]}-{self.slug}"


plural = fr.plural


def _names(items: list[str]) -> str:
    shown = items[:MAX_NAMES]
    rest = len(items) - len(shown)
    return ", ".join(shown) + (f" et {plural(rest, 'autre', 'autres')}" if rest else "")


def _partnerships(data) -> list[dict]:
    ps = data.get("partenariats") if isinstance(data, dict) else None
    return [p for p in ps if isinstance(p, dict)] if isinstance(ps, list) else []


def _partner_name(p: dict) -> str:
    partner = p.get("partenaire")
    return str(partner.get("nom", "")) if isinstance(partner, dict) else ""


def _key(p: dict) -> tuple[str, str]:
    return str(p.get("pays", "")), _partner_name(p)


def _label(p: dict) -> str:
    code, partner = _key(p)
    country = countries.name_fr(code) if countries.is_valid(code) else code
    return f"{partner} ({country})" if partner else country


def _project_titles(p: dict) -> list[str]:
    projects = p.get("projets")
    if not isinstance(projects, list):
        return []
    return [str(x.get("titre", "")) for x in projects if isinstance(x, dict) and x.get("titre")]


def describe(old, new) -> list[str]:
    """French sentences saying what changed between two versions of a collectivité file."""
    if new is None:
        return ["fiche retirée de l'atlas"]
    new_ps = _partnerships(new)
    if old is None:
        if new.get("partenariats") == "inconnus":
            return ["nouvelle fiche, partenaires non connus à ce jour"]
        labels = [_label(p) for p in new_ps]
        return [f"nouvelle fiche : {plural(len(labels), 'partenariat', 'partenariats')}"
                + (f" ({_names(labels)})" if labels else "")]
    old_ps = _partnerships(old)
    old_by_key = {_key(p): p for p in old_ps}
    new_by_key = {_key(p): p for p in new_ps}
    added = [p for k, p in new_by_key.items() if k not in old_by_key]
    removed = [p for k, p in old_by_key.items() if k not in new_by_key]
    changed, new_projects, ended = [], [], []
    for k, p in new_by_key.items():
        before = old_by_key.get(k)
        if before is None or before == p:
            continue
        if p.get("statut") == "termine" and before.get("statut") != "termine":
            ended.append(p)
            continue
        titles = [t for t in _project_titles(p) if t not in _project_titles(before)]
        new_projects += titles
        rest_before = {x: v for x, v in before.items() if x != "projets"}
        rest_after = {x: v for x, v in p.items() if x != "projets"}
        if rest_before != rest_after or not titles:
            changed.append(p)
    sentences = []
    if added:
        sentences.append(f"{plural(len(added), 'partenariat ajouté', 'partenariats ajoutés')} : "
                         f"{_names([_label(p) for p in added])}")
    if removed:
        sentences.append(f"{plural(len(removed), 'partenariat retiré', 'partenariats retirés')} : "
                         f"{_names([_label(p) for p in removed])}")
    if new_projects:
        sentences.append(f"{plural(len(new_projects), 'projet ajouté', 'projets ajoutés')} : "
                         + _names([f"« {t} »" for t in new_projects]))
    if ended:
        sentences.append(f"{plural(len(ended), 'partenariat terminé', 'partenariats terminés')} : "
                         + _names([_label(p) + (f" en {p['fin']}" if isinstance(p.get("fin"), int) else "") for p in ended]))
    if changed:
        sentences.append(f"{plural(len(changed), 'partenariat complété', 'partenariats complétés')} : "
                         f"{_names([_label(p) for p in changed])}")
    if old.get("partenariats") == "inconnus" and new_ps and not added:
        sentences.append("partenaires désormais connus")
    fields = [label for key, label in FIELD_LABELS.items() if old.get(key) != new.get(key)]
    if fields:
        sentences.append("mise à jour : " + ", ".join(fields))
    return sentences or ["fiche relue (mise en forme)"]


def _parse(blob: bytes | None, path: str):
    if blob is None:
        return None
    try:
        return yamlio.parse(blob.decode("utf-8-sig"), PurePosixPath(path)).data
    except (yamlio.YamlError, UnicodeDecodeError, RecursionError, ValueError):
        return {}


def entries(history: History, content_dir, names: dict[str, str], limit: int = MAX_ENTRIES) -> list[NewsEntry]:
    """The latest changes to collectivité files, newest first. `names`: slug → current name."""
    if not history:
        return []
    folder = history.relative(content_dir)
    if folder is None:
        return []
    prefix = (PurePosixPath(folder) / "collectivites").as_posix().lstrip("./") + "/"
    prefix = "" if prefix == "/" else prefix
    picked = [ch for ch in history.changes
              if ch.path.startswith(prefix) and ch.path.endswith(".yml") and "/" not in ch.path[len(prefix):]]
    # a reformatting (same data) is no news: read a few more changes than shown to skip those
    picked = picked[:limit * 4]
    blobs = history.blobs([b for ch in picked for b in (ch.old_blob, ch.new_blob) if b])
    out = []
    for ch in picked:
        if len(out) == limit:
            break
        slug = PurePosixPath(ch.path).stem
        old = _parse(blobs.get(ch.old_blob), ch.path) if ch.old_blob else None
        new = _parse(blobs.get(ch.new_blob), ch.path) if ch.new_blob else None
        if old is not None and old == new and old != {}:
            continue
        name = names.get(slug) or (new or {}).get("nom") or (old or {}).get("nom") or slug
        kind = {"A": "ajout", "D": "retrait"}.get(ch.status, "modification")
        out.append(NewsEntry(slug=slug, name=str(name), date=ch.date, commit=ch.commit, kind=kind,
                             sentences=describe(old, new),
                             url=urls.collectivite(slug) if slug in names else ""))
    return out


# At the root: Material fetches « sitemap.xml » next to every <link rel="alternate"> of a page,
# and only the root has one (a feed in nouveautes/ would cost a 404 on every page view).
FEED_PATH = "nouveautes.xml"
PAGE_URL = "nouveautes/"


@dataclass
class Feed:
    site_url: str  # absolute, ending with "/"
    title: str
    author: str
    rights: str
    entries: list[NewsEntry]
    updated: datetime.datetime

    @property
    def page_url(self) -> str:
        return self.site_url + PAGE_URL

    @property
    def self_url(self) -> str:
        return self.site_url + FEED_PATH


def feed(site_url: str, site_name: str, rights: str, news: list[NewsEntry],
         fallback_date: datetime.datetime | None = None) -> Feed | None:
    """The Atom feed, or None without an absolute site address (a feed needs absolute URLs)."""
    if not site_url.startswith(("https://", "http://")):
        return None
    site_url = site_url if site_url.endswith("/") else site_url + "/"
    updated = news[0].date if news else (fallback_date or datetime.datetime.now(datetime.timezone.utc))
    return Feed(site_url=site_url, title=f"{site_name} — nouveautés", author=site_name, rights=rights,
                entries=news, updated=updated)


def render_feed(f: Feed) -> str:
    return environment().get_template("feeds/atom.xml.j2").render(feed=f)
