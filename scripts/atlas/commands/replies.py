"""The answers the atlas posts on GitHub (issues and pull requests): Markdown from templates/,
where every text a person typed goes through `md` — shown as typed, never a mention, an issue
reference, a link or HTML."""
from __future__ import annotations

import functools
import re

import jinja2

_MARKDOWN_ACTIVE = re.compile(r"[&<>@`\[\]*_#|\\~]|:(?=//)|(?<=www)\.", re.IGNORECASE)


def markdown_text(text: str) -> str:
    """Contributor text quoted in a comment or a pull request: shown as typed, never a mention
    (@), an issue reference or closing keyword (#1), a link (https://, www.) or HTML. GitHub reads
    those in the raw text, not in character references, which display the same; one pass, so an
    entity written here is never escaped again."""
    return _MARKDOWN_ACTIVE.sub(lambda m: f"&#{ord(m.group())};", text)


@functools.cache
def environment() -> jinja2.Environment:
    """Markdown, not HTML: no autoescape; `md` is the escaping, applied to each typed text."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("atlas.commands", "templates"), autoescape=False,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["md"] = lambda value: markdown_text(str(value))
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
