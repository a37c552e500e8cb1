"""Pages written without their indentation: at national scale, the theme's indented markup was
a seventh of the HTML (about 30 MB of 200). Whitespace between tags is collapsed by browsers
anyway; a line break is kept where there was one, so nothing renders differently. Preformatted
blocks (code examples of the contribution guide), text areas, scripts and styles are left as written.
"""
from __future__ import annotations

import re

_KEPT = re.compile(r"<(pre|textarea|script|style)\b.*?</\1\s*>", re.S | re.I)
_INDENT = re.compile(r"\n\s+")


def html(text: str) -> str:
    out, pos = [], 0
    for block in _KEPT.finditer(text):
        out += [_INDENT.sub("\n", text[pos:block.start()]), block.group()]
        pos = block.end()
    out.append(_INDENT.sub("\n", text[pos:]))
    return "".join(out)
