"""Guide → Markdown or HTML text, through the Jinja2 templates in `templates/`.

Both environments use `StrictUndefined` and autoescape: Markdown is a superset of HTML, so an
HTML-escaped value is safe in both. A program's texts reach the templates only as Rich text, which
the `inline` filter of each environment escapes for its format (Markdown punctuation too) and marks
safe; anything printed without it is still HTML-escaped.
"""

from __future__ import annotations

import functools

import jinja2
from markupsafe import Markup

from runtime.guides._model import Guide
from runtime.guides._rich import Rich, plain, render_html, render_md

FORMATS = ("md", "html")


def hashes(level: int) -> Markup:
    """A Markdown heading marker of a level."""
    return Markup("#" * level)


def plaintext(text: Rich) -> str:
    """Rich text without formatting (the template escapes it)."""
    return plain(text)


@functools.cache
def environment(fmt: str) -> jinja2.Environment:
    """The template environment of an output format."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown guide format {fmt!r}")
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("runtime.guides", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["inline"] = render_md if fmt == "md" else render_html
    env.filters["plaintext"] = plaintext
    env.filters["hashes"] = hashes
    return env


def render(guide: Guide, fmt: str) -> str:
    """A guide as Markdown (`md`) or a standalone HTML page (`html`)."""
    template = environment(fmt).get_template(f"guide.{fmt}.j2")
    return template.render(guide=guide)
