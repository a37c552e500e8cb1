"""Accent-insensitive search: lunr (Material's search) has no transliteration, so a reader
typing "senegal" would not find "Sénégal". After the search plugin writes its index, each
entry gets the accent-free forms of its accented words appended."""
from __future__ import annotations

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


def add_folded_forms(site_dir: Path) -> int:
    """Rewrite search/search_index.json in place; returns the number of entries touched."""
    path = Path(site_dir) / "search" / "search_index.json"
    if not path.exists():
        return 0
    index = json.loads(path.read_text(encoding="utf-8"))
    touched = 0
    cache: dict[str, str] = {}
    for doc in index.get("docs", []):
        extra = _folded_words(doc.get("title", "") + " " + doc.get("text", ""), cache)
        if extra:
            # Hidden from result previews (they show the beginning), found by the index.
            doc["text"] = doc.get("text", "") + f" <span hidden>{extra}</span>"
            touched += 1
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":"), allow_nan=False), encoding="utf-8")
    return touched
