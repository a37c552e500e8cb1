"""The one home of the Jinja environments: the generated pages' and the feed's (HTML/XML, every
value escaped), and the sandbox of hand-written pages; with the filters and names templates share."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import jinja2
import jinja2.sandbox
from markupsafe import Markup, escape

from atlas import i18n, urls
from atlas.content.model import (
    COLLECTIVITE_TYPES,
    LOCATION_APPROX,
    LOCATION_COUNTRY,
    NATURES,
    ORGANISATION_FORMS,
    STATUSES,
)
from atlas.content.yamlio import FORBIDDEN_CHARACTERS

fr_number = i18n.number  # the templates' names for them (formatted in the edition's language)
fr_date = i18n.date


# A bare web address in a free text: the only thing in contributor text that becomes markup.
_URL = re.compile(r"https?://[^\s<>\"'«»]+")
_URL_TRAILING = ".,;:!?)]»'"


def _linked(text: str) -> Markup:
    """Escaped text where each bare http(s) address is a link; no other scheme ever is."""
    out, pos = [], 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(_URL_TRAILING)
        out += [escape(text[pos:match.start()]), Markup('<a href="{0}">{0}</a>').format(url)]
        pos = match.start() + len(url)
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def text_blocks(value) -> Markup:
    """Free text as paragraphs: a blank line starts a new one; nothing else is markup."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", str(value or "")) if p.strip()]
    return Markup("\n").join(Markup("<p>{}</p>").format(_linked(" ".join(p.split()))) for p in paragraphs)


def text_inline(value) -> Markup:
    """Free text inside a sentence or a table cell: one line, bare addresses linked."""
    return _linked(" ".join(str(value or "").split()))


def link(value) -> Markup:
    """A web site field: a link when it is an http(s) address, plain text otherwise."""
    text = str(value or "").strip()
    if _URL.fullmatch(text):
        return Markup('<a href="{0}">{0}</a>').format(text)
    return escape(text)


def _own_text(record, name: str) -> tuple[str, str]:
    """(text, language) of a free-text field of a record in the edition's language: the file's own
    text in that language when it gives one (`description_en`: record.traductions), else the French."""
    lang = i18n.language()
    if lang != i18n.SOURCE:
        translated = (getattr(record, "traductions", None) or {}).get(lang, {}).get(name)
        if translated:
            return translated, lang
    return getattr(record, name, "") or "", i18n.SOURCE


def free_blocks(record, name: str) -> Markup:
    """A free text people wrote (a description, an engagement), as paragraphs: never translated by the
    atlas; on another edition's page, the French text is marked `lang="fr"` (screen readers switch voice)."""
    text, lang = _own_text(record, name)
    body = text_blocks(text)
    if not body or lang == i18n.language():
        return body
    return Markup('<div lang="{}">{}</div>').format(lang, body)


def free_inline(record, name: str) -> Markup:
    """The same, inside a sentence or a table cell."""
    text, lang = _own_text(record, name)
    body = text_inline(text)
    if not body or lang == i18n.language():
        return body
    return Markup('<span lang="{}">{}</span>').format(lang, body)


def codes(text: str, values) -> Markup:
    """A sentence naming some of the atlas's keys (« jumelage, cooperation-decentralisee… »): each key
    as code where the sentence first names it, whatever its language (« pays » again later is the
    word, not the key); the rest escaped text."""
    if not values:
        return escape(text)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)) + r")(?![\w-])")
    out, pos, seen = [], 0, set()
    for match in pattern.finditer(text):
        if match.group() in seen:
            continue
        seen.add(match.group())
        out += [escape(text[pos:match.start()]), Markup("<code>{}</code>").format(match.group())]
        pos = match.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def _told(p) -> bool:
    """A partnership with something to show besides its country: a named partner, projects, a text."""
    return bool(p.partner or p.projects or p.description)


def same_rows(partnerships) -> list[tuple]:
    """Table rows without repeats: partnerships the sources do not name, alike in every column
    (three « inconnu / Accord de coopération » of one collectivité in one country), become one row
    with their count; each keeps its anchor. (partnership, [numbers]) in the first one's place."""
    rows: list[tuple] = []
    alike: dict[tuple, list] = {}
    for p in partnerships:
        if _told(p):
            rows.append((p, [p.number]))
            continue
        key = (p.collectivite, p.country, p.nature, p.status, p.since, p.until, tuple(p.themes), p.location)
        if key in alike:
            alike[key].append(p.number)
        else:
            alike[key] = [p.number]
            rows.append((p, alike[key]))
    return rows


@dataclass
class UnnamedEntry:
    slug: str  # the collectivité
    number: int  # its first such partnership: the link's anchor
    count: int
    details: list[str]  # what its file says of them besides: country, status, years, themes


@dataclass
class Unnamed:
    count: int
    groups: list[tuple[str, list[UnnamedEntry]]]  # (nature, entries), in the order given


def unnamed_apart(partnerships, themes: dict, with_country: bool) -> tuple[list, Unnamed]:
    """For a page listing several collectivités' partnerships (a country, a theme, a nature): the
    partnerships the sources do not name, with nothing else to show, leave the table, where each
    was one more « inconnu » row, for one line per nature listing their collectivités; what the file
    says of them besides follows each name, so nothing typed is dropped. (named, Unnamed)."""
    named: list = []
    by_nature: dict[str, dict[str, list]] = {}
    for p in partnerships:
        if _told(p):
            named.append(p)
        else:
            by_nature.setdefault(p.nature, {}).setdefault(p.collectivite, []).append(p)
    groups = []
    for nature, by_slug in by_nature.items():
        entries = []
        for slug, ps in by_slug.items():
            details: dict[str, None] = {}
            for p in ps:
                if with_country:
                    details[i18n.country_name(p.country)] = None
                if p.status != "inconnu":
                    details[i18n.gettext(STATUSES[p.status]).lower()] = None
                if p.since or p.until:
                    details[i18n.years(p.since, p.until)] = None
                details.update(dict.fromkeys(i18n.gettext(themes[t].label) for t in p.themes))
            entries.append(UnnamedEntry(slug, ps[0].number, len(ps), list(details)))
        groups.append((nature, entries))
    return named, Unnamed(len(partnerships) - len(named), groups)


def _translated(labels: dict) -> dict:
    """A table of the atlas's labels (model.py, written in French) in the edition's language."""
    return {key: i18n.gettext(label) for key, label in labels.items()}


def _plural_in(lang: str):
    """`plural(n, "partenariat", "partenariats")` in a template: « 3 partenariats », “3 partnerships”."""
    def plural(n: int, one: str, many: str) -> str:
        with i18n.using(lang):
            return i18n.plural(n, one, many)
    return plural


def _typed_lang(lang: str) -> Markup:
    """` lang="fr"` for the element holding a text typed in French that no file translates (a figure's
    label, a published table's title), on another edition's pages; nothing on the French pages."""
    return Markup(' lang="{}"').format(i18n.SOURCE) if lang != i18n.SOURCE else Markup("")


def _typed_in(lang: str):
    """`x|typed`: a name or title typed in French that no file translates (a source's title, its
    publisher), wrapped in lang="fr" on another edition's pages (screen readers read it in French);
    as it is on the French pages."""
    attribute = _typed_lang(lang)

    def typed(value) -> Markup:
        return Markup("<span{}>{}</span>").format(attribute, value) if attribute else escape(value)
    return typed


def _filters_and_globals(env: jinja2.Environment, lang: str) -> jinja2.Environment:
    """`lang`: the edition the environment renders; its gettext (`_`, `{% trans %}`) reads that
    language's catalogue (i18n.py), and the label tables are translated once here."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(**i18n.jinja_callables(lang), newstyle=True)
    with i18n.using(lang):
        labels = {"TYPES": _translated(COLLECTIVITE_TYPES), "NATURES": _translated(NATURES),
                  "STATUSES": _translated(STATUSES), "FORMS": _translated(ORGANISATION_FORMS)}
    env.filters.update(fr_number=fr_number, fr_date=fr_date, pays=i18n.country_name, texte=text_blocks,
                       texte_ligne=text_inline, lien=link, same_rows=same_rows,
                       unnamed_apart=unnamed_apart, tr=i18n.gettext, codes=codes, libre=free_blocks,
                       libre_ligne=free_inline)
    env.filters["taille"] = i18n.size  # a file's size, « 12,3 ko », “12.3 kB” (the data page)
    env.globals.update(
        urls=urls, years=i18n.years, LOCATION_COUNTRY=LOCATION_COUNTRY, LOCATION_APPROX=LOCATION_APPROX,
        lang=lang, plural=_plural_in(lang), typed_lang=_typed_lang(lang), **labels,
    )
    env.filters["typed"] = _typed_in(lang)
    return env


def _printable(value):
    """Every value a template writes: what `atlas check` refuses (controls, bidi, noncharacters…)
    cannot reach a page or the feed from elsewhere either (an old file version in the git history
    read by « Nouveautés »): shown as U+FFFD, which XML accepts. Markup stays Markup."""
    if isinstance(value, str) and FORBIDDEN_CHARACTERS.search(value):
        cleaned = FORBIDDEN_CHARACTERS.sub("\ufffd", value)
        return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


def environment(lang: str | None = None) -> jinja2.Environment:
    """The Jinja environment of the generated pages and the feed, in the edition's language (or
    `lang`): HTML/XML, every value escaped."""
    return _environment(lang or i18n.language())


@functools.cache  # one per language
def _environment(lang: str) -> jinja2.Environment:
    return _filters_and_globals(jinja2.Environment(
        loader=jinja2.PackageLoader("atlas.site", "templates"), finalize=_printable,
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    ), lang)


def sandbox(lang: str | None = None) -> jinja2.sandbox.SandboxedEnvironment:
    """For the hand-written pages of docs/ that show the atlas's figures: no walk to Python internals,
    every value escaped (the page is Markdown; the partials it includes are HTML)."""
    return _sandbox(lang or i18n.language())


@functools.cache  # one for all hand-written pages of a language, not one per page
def _sandbox(lang: str) -> jinja2.sandbox.SandboxedEnvironment:
    return _filters_and_globals(jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.PackageLoader("atlas.site", "templates"), autoescape=True, finalize=_printable,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined), lang)
