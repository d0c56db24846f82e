"""Rich text: short runs of plain text, code, emphasis and visible notes, escaped per output format.

A guide is built as Rich text first and turned into Markdown or HTML only at the end, by the
`inline` filter of each template environment. Nothing from a program is ever written into the
output without going through `render_md` or `render_html`, which escape every run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True, slots=True)
class Seg:
    """A run of text: `text` (prose), `code` (an expression or id), `strong`, or `note` (a visible remark)."""

    kind: str
    text: str


Rich = tuple[Seg, ...]
Part = str | Seg | Rich


def rich(*parts: Part) -> Rich:
    """Rich text from plain strings (prose), segments and other Rich texts.

    >>> rich("at least ", code("5"))
    (Seg(kind='text', text='at least '), Seg(kind='code', text='5'))
    """
    out: list[Seg] = []
    for part in parts:
        if isinstance(part, str):
            if part:
                out.append(Seg("text", part))
        elif isinstance(part, Seg):
            out.append(part)
        else:
            out.extend(part)
    return tuple(out)


def code(text: str) -> Seg:
    """An identifier or expression, shown in code style."""
    return Seg("code", text)


def strong(text: str) -> Seg:
    """Emphasised prose."""
    return Seg("strong", text)


def note(text: str) -> Seg:
    """A visible remark, such as a missing translation."""
    return Seg("note", text)


def join(items: Iterable[Rich], sep: Part, last: Part | None = None) -> Rich:
    """Rich texts joined by a separator (and a different one before the last item, when given)."""
    listed = list(items)
    out: Rich = ()
    for index, item in enumerate(listed):
        if index:
            out += rich(last if last is not None and index == len(listed) - 1 else sep)
        out += item
    return out


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def compose(template: str, **values: Part) -> Rich:
    """A message with `{name}` placeholders filled with Rich values; the message's own text is prose.

    >>> compose("{n} engineers", n=code("5"))
    (Seg(kind='code', text='5'), Seg(kind='text', text=' engineers'))
    """
    out: list[Seg] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(template):
        out.extend(rich(template[pos:match.start()]))
        out.extend(rich(values[match.group(1)]))
        pos = match.end()
    out.extend(rich(template[pos:]))
    return tuple(out)


def capital(text: Rich) -> Rich:
    """Rich text with its first letter in upper case (for a table header that starts with a value)."""
    if not text or text[0].kind != "text" or not text[0].text:
        return text
    first = text[0].text
    return (Seg("text", first[:1].upper() + first[1:]), *text[1:])


def plain(text: Rich) -> str:
    """The characters of a Rich text, unformatted (for alt text, chart labels and searching)."""
    return "".join(s.text for s in text)


# --- Markdown -------------------------------------------------------------------------------------

# Punctuation that Markdown (with tables and attr_list) could read as syntax inside a line.
_MD_PUNCT = re.compile(r"([\\`*_{}\[\]#|!])")
# At the start of a block, these make a list, a quote, a heading or a rule.
_MD_LINE_START = re.compile(r"^(\s*)(?:([-+])(?=\s)|(\d+)([.)])(?=\s|$))")
_SPACES = re.compile(r"\s+")
# Control characters other than white space are never written (an artifact may carry them): U+FFFD instead.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")


def escape_md(text: str) -> str:
    """Prose for Markdown: syntax characters backslash-escaped, HTML special characters as entities.

    >>> escape_md('<script>alert("x")</script> *now*')
    '&lt;script&gt;alert("x")&lt;/script&gt; \\\\*now\\\\*'
    """
    text = _CONTROL.sub("\ufffd", _SPACES.sub(" ", text))
    text = _MD_PUNCT.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _md_code(text: str) -> str:
    text = _CONTROL.sub("\ufffd", _SPACES.sub(" ", text))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def render_md(text: Rich | str) -> Markup:
    """Rich text as one line of Markdown."""
    if isinstance(text, str):
        text = rich(text)
    out = []
    for seg in text:
        if seg.kind == "code":
            out.append(_md_code(seg.text))
        elif seg.kind == "strong":
            out.append(f"**{escape_md(seg.text)}**")
        elif seg.kind == "note":
            out.append(f"*{escape_md(seg.text)}*")
        else:
            out.append(escape_md(seg.text))
    line = "".join(out)
    match = _MD_LINE_START.match(line)
    if match and match.group(2):
        line = f"{match.group(1)}\\{line[len(match.group(1)):]}"
    elif match:
        line = f"{match.group(1)}{match.group(3)}\\{line[match.end(3):]}"
    return Markup(line)


# --- HTML -----------------------------------------------------------------------------------------

_HTML_TAGS = {"code": ("<code>", "</code>"), "strong": ("<strong>", "</strong>"),
              "note": ('<em class="ppl-note">', "</em>")}


def render_html(text: Rich | str) -> Markup:
    """Rich text as HTML, every run escaped."""
    if isinstance(text, str):
        text = rich(text)
    out = []
    for seg in text:
        opening, closing = _HTML_TAGS.get(seg.kind, ("", ""))
        out.append(f"{opening}{escape(seg.text)}{closing}")
    return Markup("".join(out))
