"""The atlas's languages: what a reader sees in the edition being built (French first, English…).

Every word of the atlas's own (labels, sentences, field names, plurals) is written in French in the
code and the templates, marked for translation (`_`, `ngettext`, `plural`, `{% trans %}`), and found
in one gettext catalogue per other language: `locales/<lang>/LC_MESSAGES/atlas.po`, read with
Babel as it is (no compiled .mo is kept). Numbers, dates, sizes and country names come from Babel's
data for the language. What people wrote in the files (descriptions, engagement) is never
translated here: the pages show it in French, marked `lang="fr"`, unless the file gives its own
text in the edition's language (`description_en`…, content/schema.py).

An edition is built in one language: `using(lang)` sets it for the build's duration (a context
variable), and every function below reads it. Adding a language is a catalogue and a line of
mkdocs.yml (`langues: [fr, en, de]`), no code change (README, « Ajouter une langue »).
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import io
from pathlib import Path

import pycountry
from babel import Locale
from babel.dates import format_date
from babel.messages import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from babel.units import format_unit

SOURCE = "fr"  # the language the atlas is written in: its words are the catalogues' keys
LOCALES = Path(__file__).with_name("locales")
DOMAIN = "atlas"
# Kosovo has no ISO 3166-1 code yet; XK is the code the EU and most data sets use.
EXTRA_COUNTRY_CODES = {"XK"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("atlas_language", default=SOURCE)


def language() -> str:
    """The language of the edition being built."""
    return _current.get()


@contextlib.contextmanager
def using(lang: str):
    """Build in `lang` inside this block (an edition's whole MkDocs build runs inside one)."""
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)


def language_name(lang: str) -> str:
    """A language's name in itself, as a reader looks for it: « Français », “English”."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def catalogue_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def available() -> list[str]:
    """The languages the atlas can be published in: French, and each one with a catalogue."""
    return [SOURCE] + sorted(p.parent.parent.name for p in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
                             if p.parent.parent.name != SOURCE)


@functools.cache
def catalogue(lang: str) -> Catalog:
    """The language's catalogue as Babel reads it; French has none (an empty one, for its plural rule)."""
    if lang == SOURCE:
        return Catalog(locale=SOURCE, domain=DOMAIN)
    with catalogue_path(lang).open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


@functools.cache
def translations(lang: str) -> Translations:
    """gettext's translations for `lang` (a missing entry gives the French words back, as gettext does)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalogue(lang), use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@functools.cache
def digest(lang: str) -> str:
    """What the pages of an edition depend on besides the code: its catalogue (page cache keys)."""
    path = catalogue_path(lang)
    return lang + (":" + hashlib.sha256(path.read_bytes()).hexdigest() if lang != SOURCE and path.exists() else "")


def N_(message: str) -> str:
    """Marks a label written in a table (model.py) for the catalogue; it is translated where shown."""
    return message


def _(message: str) -> str:
    return gettext(message)


def gettext(message: str) -> str:
    """`message` in the edition's language (an empty one stays empty: gettext would give the catalogue's header)."""
    return translations(language()).gettext(message) if message else message


def ngettext(singular: str, plural_form: str, n: int) -> str:
    return ngettext_in(language(), singular, plural_form, n)


def ngettext_in(lang: str, singular: str, plural_form: str, n: int) -> str:
    """The catalogue's plural form for `n`; where there is none (French, or a missing entry), the
    French rule: zero and one are singular (gettext's own fallback would say « 0 partenariats »)."""
    if lang != SOURCE:
        entry = catalogue(lang).get(singular)
        if entry is not None and isinstance(entry.string, tuple) and all(entry.string):
            return translations(lang).ngettext(singular, plural_form, n)
    return singular if n <= 1 else plural_form


def pgettext(context: str, message: str) -> str:
    return translations(language()).pgettext(context, message)


def jinja_callables(lang: str) -> dict:
    """gettext, ngettext and pgettext of `lang` for a Jinja environment (`install_gettext_callables`)."""
    t = translations(lang)
    return {"gettext": t.gettext, "pgettext": t.pgettext,
            "ngettext": lambda singular, plural_form, n: ngettext_in(lang, singular, plural_form, n),
            "npgettext": t.npgettext}


def plural(n: int, one: str, many: str) -> str:
    """« 1 partenariat », « 2 partenariats », “2 partnerships”: the number, then the word in the
    edition's language and plural rule (French: zero and one are singular)."""
    return f"{number(n)} {ngettext(one, many, n)}"


def counted(forms) -> dict[str, str]:
    """A counted message for a script: its text for each plural category of the edition's language
    (CLDR: "one", "other"…; the browser's Intl.PluralRules picks one). `forms(n)` gives the message
    for n, "{n}" standing for the number, held to the next word by a no-break space."""
    rule = Locale.parse(language()).plural_form
    out: dict[str, str] = {}
    for n in range(200):  # a number of each category the language gives small integers
        out.setdefault(rule(n), forms(n).replace("{n} ", "{n}\u00a0", 1))
    return out


def number(value) -> str:
    """12345.0 → « 12 345 » (fr: narrow no-break space, decimal comma), “12,345” (en); one decimal at most."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return format_decimal(value, format="#,##0.#", locale=language())


def date(value) -> str:
    """« 23 novembre 2026 », “November 23, 2026”."""
    return format_date(value, format="long", locale=language())


def size(n: int) -> str:
    """« 850 o », « 12,3 ko », « 2,4 Mo »; “12.3 kB”."""
    for unit, div in (("byte", 1), ("kilobyte", 1e3), ("megabyte", 1e6), ("gigabyte", 1e9)):
        if n < div * 1000 or unit == "gigabyte":
            v = n / div
            pattern = "0" if unit == "byte" or v >= 100 else "0.0"
            return format_unit(v, f"digital-{unit}", length="short", format=pattern, locale=language())
    return str(n)


def years(since, until) -> str:
    """A partnership's years: « depuis 1963 », « 1998–2012 », « jusqu'en 2012 », or ""."""
    if since and until:
        return f"{since}\u2013{until}"
    if until:
        return _("jusqu'en {year}").format(year=until)
    return _("depuis {year}").format(year=since) if since else ""


@functools.cache
def _country_names(lang: str) -> dict[str, str]:
    territories = Locale.parse(lang).territories
    return {c.alpha_2: territories.get(c.alpha_2, c.name) for c in pycountry.countries} | {
        code: territories[code] for code in EXTRA_COUNTRY_CODES if code in territories
    }


def country_names(lang: str | None = None) -> dict[str, str]:
    """ISO code → the country's name in the edition's language (Babel), for every country pycountry knows and Kosovo."""
    return _country_names(lang or language())


def country_name(code: str) -> str:
    """« SN » → « Sénégal », “Senegal”; an unknown code is shown as typed."""
    return country_names().get(code, code)


# Where the atlas's words are found (Babel's extraction): the code, the pages' templates and the theme's.
EXTRACTION = [("**.py", "python"), ("site/templates/**.j2", "jinja2.ext:babel_extract"),
              ("site/theme/**.html", "jinja2.ext:babel_extract")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "N_": None, "plural": (2, 3)}


def extract() -> Catalog:
    """Every message of the atlas's own words, as found in its code and templates (the source of a
    new language's catalogue, and of the test that each catalogue has every entry)."""
    from babel.messages.extract import extract_from_dir

    root = Path(__file__).parent
    found = Catalog(locale=SOURCE, domain=DOMAIN)
    options = {pattern: {"trim_blocks": "True", "lstrip_blocks": "True", "extensions": "jinja2.ext.i18n"}
               for pattern, method in EXTRACTION if method != "python"}
    for filename, lineno, message, comments, context in extract_from_dir(
            root, EXTRACTION, options, keywords=KEYWORDS, strip_comment_tags=True):
        found.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return found
