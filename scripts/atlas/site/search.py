"""The site search (Material's, lunr): what it finds, and without accents.

Generated pages are not parsed by Material's search plugin (its HTML parser spent more time on
the long tables of a national atlas than the rest of the build put together): each gets one
compact entry — its title, its description and the names it can be found by (collectivités,
partners, countries, themes, projects) — added to the index the plugin wrote.

lunr has no transliteration, so a reader typing "senegal" would not find "Sénégal": each entry
then gets the accent-free forms of its accented words appended."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

from atlas.content.countries import fold

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_TAG = re.compile(r"<[^>]+>")


def _folded_words(text: str, cache: dict) -> str:
    seen: dict[str, None] = {}
    for word in set(_WORD.findall(_TAG.sub(" ", text))):
        if word.isascii():
            continue  # nothing to fold: the common case, kept cheap
        plain = cache.get(word)
        if plain is None:
            plain = cache[word] = fold(word)
        if plain != word.lower():
            seen[plain] = None
    return " ".join(sorted(seen))


def entry(location: str, title: str, text: str, hidden: str = "") -> dict:
    """One search entry for a generated page: its sentence, shown in the results, and the names it is
    also found by, hidden from them (a keyword dump is no preview). The index holds HTML: escaped."""
    shown = html.escape(text, quote=False)
    if hidden:
        shown += f" <span hidden>{html.escape(hidden, quote=False)}</span>"
    return {"location": location, "title": html.escape(title, quote=False), "text": shown}


def complete_index(site_dir: Path, entries: list[dict]) -> int:
    """Rewrite search/search_index.json in place: the generated pages' entries added, then the
    accent-free forms of every entry; returns the number of entries given folded forms."""
    path = Path(site_dir) / "search" / "search_index.json"
    if not path.exists():
        return 0
    index = json.loads(path.read_text(encoding="utf-8"))
    docs = index.setdefault("docs", [])
    cache: dict[str, str] = {}
    for e in entries:
        # A page's title is what a search should match first: "senegal" finds « Sénégal » by its title.
        extra = _folded_words(e["title"], cache)
        docs.append({**e, "title": e["title"] + (f" <span hidden>{extra}</span>" if extra else "")})
    touched = 0
    for doc in docs:
        extra = _folded_words(doc.get("title", "") + " " + doc.get("text", ""), cache)
        if extra:
            # Hidden from result previews (they show the beginning), found by the index.
            doc["text"] = doc.get("text", "") + f" <span hidden>{extra}</span>"
            touched += 1
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":"), allow_nan=False), encoding="utf-8")
    return touched
