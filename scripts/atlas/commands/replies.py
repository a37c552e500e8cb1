"""The answers the atlas posts on GitHub (issues and pull requests): Markdown from templates/,
where every value printed is shown as typed — never a mention, an issue reference, a link or HTML."""
from __future__ import annotations

import functools
import re

import jinja2
from markupsafe import Markup

_MARKDOWN_ACTIVE = re.compile(r"[&<>@`\[\]*_#|\\~]|:(?=//)|(?<=www)\.", re.IGNORECASE)


def markdown_text(text: str) -> str:
    """Contributor text quoted in a comment or a pull request: shown as typed, never a mention
    (@), an issue reference or closing keyword (#1), a link (https://, www.) or HTML. GitHub reads
    those in the raw text, not in character references, which display the same; one pass, so an
    entity written here is never escaped again."""
    return _MARKDOWN_ACTIVE.sub(lambda m: f"&#{ord(m.group())};", text)


def _shown_as_typed(value) -> str:
    """Every value a reply prints is escaped (markdown_text), unless the code declared it verbatim
    with Markup (the checker's own lines, inside a code fence longer than any they contain)."""
    return value if isinstance(value, Markup) else markdown_text(str(value))


@functools.cache
def environment() -> jinja2.Environment:
    """Markdown, not HTML: no HTML autoescape, but each printed value goes through markdown_text
    (finalize): a template cannot forget it, and nothing typed is ever escaped twice."""
    return jinja2.Environment(loader=jinja2.PackageLoader("atlas.commands", "templates"), autoescape=False,
                              finalize=_shown_as_typed, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True, undefined=jinja2.StrictUndefined)


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
