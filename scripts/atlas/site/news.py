"""« Nouveautés »: the collectivités added and changed, newest first, said in words a reader
understands (« 2 partenariats ajoutés : Sénégal, Maroc »), computed from the git history.

Each change compares the file as it was before and after the commit: both versions are
read with the same safe loader as `atlas check` (an old version that no longer parses is
just « fiche modifiée »). Nothing from the commit itself (author, message) is published.

An entry keeps what changed as facts (`Said`: partners, countries, project titles, fields) and
says them in the language of the edition that shows it: the same entries make the French page and
feed and the English ones (en/nouveautes/, en/nouveautes.xml), each sentence whole in the catalogue.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from atlas import i18n, urls
from atlas.content import countries, schema, yamlio
from atlas.content.history import History
from atlas.i18n import N_, _, ngettext
from atlas.site.templating import environment

MAX_ENTRIES = 50  # the page and the feed show the latest changes; the forge keeps the rest
MAX_NAMES = 5  # countries named in one sentence before « et N autres »

# Top-level fields a reader cares about, in the words of the page (translated where said).
FIELD_LABELS = {
    "nom": N_("nom"), "alias": N_("autres noms"), "type": N_("type"), "departement": N_("département"),
    "code": N_("code officiel"), "population": N_("population"), "siege": N_("siège"), "site_web": N_("site internet"),
    "engagement": N_("présentation"), "reseaux": N_("réseaux"), "organisation": N_("organisation"), "sources": N_("sources"),
}


@dataclass(frozen=True)
class Label:
    """A partnership as a sentence names it: its partner (as typed) and its country."""

    partner: str
    country: str  # ISO code, or what was typed
    end: int | None = None  # the year it ended, for « terminé … en 2012 »

    def text(self) -> str:
        country = i18n.country_name(self.country) if countries.is_valid(self.country) else self.country
        label = f"{self.partner} ({country})" if self.partner else country
        return _("{label} en {year}").format(label=label, year=self.end) if self.end is not None else label


@dataclass(frozen=True)
class Title:
    """A project's title: the file's own text in the edition's language when it gives one (« titre_en »)."""

    texts: tuple  # ((language, title), …), French first

    def text(self) -> str:
        own = dict(self.texts)
        return _("« {title} »").format(title=own.get(i18n.language()) or own[i18n.SOURCE])


@dataclass(frozen=True)
class Said:
    """One thing an entry says, kept as facts: written in the language of the edition that shows it
    (the same entries serve the French and the English page and feed)."""

    what: str  # a key of _SENTENCES
    items: tuple = ()  # Label, Title, or FIELD_LABELS keys

    def text(self) -> str:
        return _SENTENCES[self.what](self)


def _names(items) -> str:
    shown = ", ".join(item.text() for item in items[:MAX_NAMES])
    rest = len(items) - MAX_NAMES
    if rest <= 0:
        return shown
    return ngettext("{names} et {count} autre", "{names} et {count} autres", rest).format(names=shown, count=i18n.number(rest))


def _new_file(said: Said) -> str:
    n = len(said.items)
    if not n:
        return ngettext("nouvelle fiche : {count} partenariat", "nouvelle fiche : {count} partenariats", n).format(
            count=i18n.number(n))
    return ngettext("nouvelle fiche : {count} partenariat ({names})", "nouvelle fiche : {count} partenariats ({names})",
                    n).format(count=i18n.number(n), names=_names(said.items))


def _fill(said: Said) -> dict:
    return {"count": i18n.number(len(said.items)), "names": _names(said.items)}


# Each sentence whole in the catalogue, its number and names as placeholders (word order differs).
_SENTENCES = {
    "retrait": lambda said: _("fiche retirée de l'atlas"),
    "nouvelle-sans-partenaires": lambda said: _("nouvelle fiche, partenaires non connus à ce jour"),
    "nouvelle": _new_file,
    "ajoutes": lambda said: ngettext("{count} partenariat ajouté : {names}", "{count} partenariats ajoutés : {names}",
                                     len(said.items)).format(**_fill(said)),
    "retires": lambda said: ngettext("{count} partenariat retiré : {names}", "{count} partenariats retirés : {names}",
                                     len(said.items)).format(**_fill(said)),
    "projets": lambda said: ngettext("{count} projet ajouté : {names}", "{count} projets ajoutés : {names}",
                                     len(said.items)).format(**_fill(said)),
    "termines": lambda said: ngettext("{count} partenariat terminé : {names}", "{count} partenariats terminés : {names}",
                                      len(said.items)).format(**_fill(said)),
    "completes": lambda said: ngettext("{count} partenariat complété : {names}", "{count} partenariats complétés : {names}",
                                       len(said.items)).format(**_fill(said)),
    "connus": lambda said: _("partenaires désormais connus"),
    "champs": lambda said: _("mise à jour : {fields}").format(
        fields=", ".join(i18n.gettext(FIELD_LABELS[key]) for key in said.items)),
    "relue": lambda said: _("fiche relue (mise en forme)"),
}


@dataclass
class NewsEntry:
    slug: str
    name: str
    date: datetime.datetime
    commit: str
    kind: str  # "ajout", "modification", "retrait"
    said: list[Said] = field(default_factory=list)
    url: str = ""  # page of the collectivité, relative to the edition's root ("" once removed)

    @property
    def sentences(self) -> list[str]:
        """What changed, in the language of the edition being built."""
        return [s.text() for s in self.said]

    @property
    def summary(self) -> str:
        separator = " ; " if i18n.language() == i18n.SOURCE else "; "  # French sets a space before « ; »
        return separator.join(self.sentences) + "."

    @property
    def id(self) -> str:
        """Stable per (commit, file): the feed's entry id and the page's anchor."""
        return f"{self.commit[:12]}-{self.slug}"


def _partnerships(data) -> list[dict]:
    ps = data.get("partenariats") if isinstance(data, dict) else None
    return [p for p in ps if isinstance(p, dict)] if isinstance(ps, list) else []


def _partner_name(p: dict) -> str:
    partner = p.get("partenaire")
    return str(partner.get("nom", "")) if isinstance(partner, dict) else ""


def _key(p: dict) -> tuple[str, str]:
    return str(p.get("pays", "")), _partner_name(p)


def _label(p: dict, ended: bool = False) -> Label:
    code, partner = _key(p)
    return Label(partner, code, p["fin"] if ended and isinstance(p.get("fin"), int) and not isinstance(p.get("fin"), bool)
                 else None)


def _project_titles(p: dict) -> list[Title]:
    projects = p.get("projets")
    if not isinstance(projects, list):
        return []
    return [Title(((i18n.SOURCE, str(x["titre"])),) + tuple(
                (key.rpartition("_")[2], v) for key, v in x.items()
                if isinstance(key, str) and key.startswith("titre_") and isinstance(v, str) and v.strip()))
            for x in projects if isinstance(x, dict) and x.get("titre")]


def _field(data: dict, key: str) -> list:
    """A field and its other-language texts (« engagement_en »): a new English text is news too."""
    return [(k, v) for k, v in data.items()
            if k == key or isinstance(k, str) and schema.TRANSLATION_KEY.fullmatch(k) and k.rpartition("_")[0] == key]


def changes(old, new) -> list[Said]:
    """What changed between two versions of a collectivité file, as facts (Said)."""
    old = old if isinstance(old, dict) or old is None else {}  # an old version that was no fiche at all
    new = new if isinstance(new, dict) or new is None else {}
    if new is None:
        return [Said("retrait")]
    new_ps = _partnerships(new)
    if old is None:
        if new.get("partenariats") == "inconnus":
            return [Said("nouvelle-sans-partenaires")]
        return [Said("nouvelle", tuple(_label(p) for p in new_ps))]
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
        known = {t.texts[0] for t in _project_titles(before)}
        titles = [t for t in _project_titles(p) if t.texts[0] not in known]
        new_projects += titles
        rest_before = {x: v for x, v in before.items() if x != "projets"}
        rest_after = {x: v for x, v in p.items() if x != "projets"}
        if rest_before != rest_after or not titles:
            changed.append(p)
    said = []
    if added:
        said.append(Said("ajoutes", tuple(_label(p) for p in added)))
    if removed:
        said.append(Said("retires", tuple(_label(p) for p in removed)))
    if new_projects:
        said.append(Said("projets", tuple(new_projects)))
    if ended:
        said.append(Said("termines", tuple(_label(p, ended=True) for p in ended)))
    if changed:
        said.append(Said("completes", tuple(_label(p) for p in changed)))
    if old.get("partenariats") == "inconnus" and new_ps and not added:
        said.append(Said("connus"))
    fields = tuple(key for key in FIELD_LABELS if _field(old, key) != _field(new, key))
    if fields:
        said.append(Said("champs", fields))
    return said or [Said("relue")]


def describe(old, new) -> list[str]:
    """Sentences saying what changed between two versions of a collectivité file, in the edition's language."""
    return [s.text() for s in changes(old, new)]


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
                             said=changes(old, new),
                             url=urls.collectivite(slug) if slug in names else ""))
    return out


# At the root of each edition (en/nouveautes.xml for English): Material fetches « sitemap.xml »
# next to every <link rel="alternate"> of a page, and only an edition's root has one (a feed in
# nouveautes/ would cost a 404 on every page view).
FEED_PATH = "nouveautes.xml"
PAGE_URL = "nouveautes/"


@dataclass
class Feed:
    """The Atom feed of the edition being built: the same entries for every edition, said in its
    language, at its addresses (urls.edition_prefix: « en/nouveautes.xml »)."""

    site_url: str  # absolute, ending with "/": the site's root, not the edition's
    site_name: str
    author: str
    rights: str
    entries: list[NewsEntry]
    updated: datetime.datetime

    @property
    def title(self) -> str:
        return _("{site} — nouveautés").format(site=self.site_name)

    @property
    def root(self) -> str:
        """The absolute address of the edition's root."""
        return self.site_url + urls.edition_prefix()

    @property
    def page_url(self) -> str:
        return self.root + PAGE_URL

    @property
    def self_url(self) -> str:
        return self.root + FEED_PATH

    def entry_url(self, entry: NewsEntry) -> str:
        """The collectivité's page in this edition; its anchor on the news page once it is removed."""
        return self.root + entry.url if entry.url else f"{self.page_url}#{entry.id}"


def feed(site_url: str, site_name: str, rights: str, news: list[NewsEntry],
         fallback_date: datetime.datetime | None = None) -> Feed | None:
    """The Atom feed, or None without an absolute site address (a feed needs absolute URLs)."""
    if not site_url.startswith(("https://", "http://")):
        return None
    site_url = site_url if site_url.endswith("/") else site_url + "/"
    updated = news[0].date if news else (fallback_date or datetime.datetime.now(datetime.timezone.utc))
    return Feed(site_url=site_url, site_name=site_name, author=site_name, rights=rights, entries=news, updated=updated)


def render_feed(f: Feed) -> str:
    """The feed in the language of the edition being built (its environment, its addresses)."""
    return environment().get_template("feeds/atom.xml.j2").render(feed=f)
