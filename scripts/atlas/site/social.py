"""Link previews: what a chat or a social network shows when a page's address is pasted.

Each collectivité, country and theme page (and the home) gets a title, one sentence in the
edition's language and its map's PNG as the image, with absolute URLs (Open Graph and Twitter
card, written by theme/main.html). Everything here is plain text: the theme template escapes it.
"""
from __future__ import annotations

from dataclasses import dataclass

from atlas import urls
from atlas.content import countries
from atlas.content.model import Atlas, Collectivite, Partnership
from atlas.i18n import _, country_name, gettext, plural

MAX_COUNTRIES = 4


@dataclass(frozen=True)
class Preview:
    title: str
    description: str
    url: str = ""  # absolute address of the page ("" without a site address)
    image: str = ""  # absolute address of the PNG
    width: int = 0
    height: int = 0
    alt: str = ""

    def as_meta(self) -> dict:
        return {"title": self.title, "description": self.description, "url": self.url, "image": self.image,
                "width": self.width, "height": self.height, "alt": self.alt}


def _countries(partnerships: list[Partnership]) -> list[str]:
    """The partners' countries, most partnerships first, named in the edition's language."""
    seen: dict[str, int] = {}
    for p in partnerships:
        seen[p.country] = seen.get(p.country, 0) + 1
    ranked = sorted(seen, key=lambda c: (-seen[c], countries.fold(country_name(c))))
    return [country_name(c) for c in ranked]


def _list(names: list[str]) -> str:
    shown = names[:MAX_COUNTRIES]
    rest = len(names) - len(shown)
    return ", ".join(shown) + (f"… (+{rest})" if rest else "")


def collectivite_sentence(c: Collectivite) -> str:
    what = gettext(c.type_label).lower() + (f", {c.departement}" if c.departement else "")
    if c.partners_unknown or not c.partnerships:
        return _("{name} ({what}) : engagement international attesté, partenaires non connus à ce jour.").format(
            name=c.name, what=what)
    names = _countries(c.partnerships)
    return _("{name} ({what}) : {partnerships} dans {countries} — {list}.").format(
        name=c.name, what=what, partnerships=plural(len(c.partnerships), "partenariat", "partenariats"),
        countries=plural(len(names), "pays", "pays"), list=_list(names))


def country_sentence(name: str, partnerships: list[Partnership]) -> str:
    if not partnerships:
        return _("{country} : aucun partenariat recensé dans l'atlas pour l'instant ; chiffres publiés par les sources."
                 ).format(country=name)
    who = len({p.collectivite for p in partnerships})
    return _("{country} : {partnerships} avec {collectivites} de l'atlas.").format(
        country=name, partnerships=plural(len(partnerships), "partenariat", "partenariats"),
        collectivites=plural(who, "collectivité", "collectivités"))


def theme_sentence(label: str, partnerships: list[Partnership]) -> str:
    who = len({p.collectivite for p in partnerships})
    names = _countries(partnerships)
    if not partnerships:
        return _("{theme} : aucun partenariat de l'atlas sur cette thématique pour l'instant.").format(theme=label)
    return _("{theme} : {partnerships} de {collectivites} dans {countries} — {list}.").format(
        theme=label, partnerships=plural(len(partnerships), "partenariat", "partenariats"),
        collectivites=plural(who, "collectivité", "collectivités"), countries=plural(len(names), "pays", "pays"),
        list=_list(names))


def preview(title: str, description: str, site_url: str, page_url: str, map_info=None,
            size: tuple[int, int] | None = None) -> Preview:
    """`map_info`: the page's maps.MapInfo (its PNG is the image), `size`: that PNG's pixels."""
    absolute = site_url.startswith(("https://", "http://"))
    if not absolute:
        return Preview(title, description)
    base = site_url if site_url.endswith("/") else site_url + "/"
    image = width = height = None
    if map_info is not None and getattr(map_info, "png", "") and size:
        # from the site's root: an English page shows the image the French build drew (cartes/…)
        image, (width, height) = base + (getattr(map_info, "png_site", "") or map_info.png), size
    return Preview(title, description, url=base + urls.edition_prefix() + page_url, image=image or "", width=width or 0,
                   height=height or 0, alt=(map_info.alt if image else ""))


def home_sentence(atlas: Atlas) -> str:
    n = len(atlas.partnerships)
    return _("Qui coopère avec qui ? {collectivites}, {partnerships} dans {countries}, sources citées.").format(
        collectivites=plural(len(atlas.collectivites), "collectivité", "collectivités"),
        partnerships=plural(n, "partenariat international", "partenariats internationaux"),
        countries=plural(len({p.country for p in atlas.partnerships}), "pays", "pays"))
