"""The guide as data: sections of paragraphs, lists, tables, figures and examples, all in Rich text.

Section builders produce this; the templates lay it out as Markdown or HTML. No block holds
formatted output, except a figure's SVG, which the chart generator escapes itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from markupsafe import Markup

from runtime.guides._cases import Case
from runtime.guides._rich import Rich, plain


@dataclass(frozen=True, slots=True)
class Para:
    """A paragraph."""

    kind: ClassVar[str] = "para"
    text: Rich


@dataclass(frozen=True, slots=True)
class Bullets:
    """A list of short items."""

    kind: ClassVar[str] = "bullets"
    items: tuple[Rich, ...]
    ordered: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """A table; `numeric` columns are aligned right."""

    kind: ClassVar[str] = "table"
    headers: tuple[Rich, ...]
    rows: tuple[tuple[Rich, ...], ...]
    numeric: tuple[int, ...] = ()
    css: str = ""

    @property
    def align(self) -> tuple[str, ...]:
        """Markdown alignment markers per column."""
        return tuple("---:" if i in self.numeric else "---" for i in range(len(self.headers)))


@dataclass(frozen=True, slots=True)
class Figure:
    """A chart or diagram: SVG text made by the chart generator, and a caption."""

    kind: ClassVar[str] = "figure"
    svg: Markup
    caption: Rich
    css: str = ""


@dataclass(frozen=True, slots=True)
class Examples:
    """Worked examples computed by the engine: an introduction, then a table or a list."""

    kind: ClassVar[str] = "examples"
    intro: Rich
    table: Table | None = None
    items: tuple[Rich, ...] = ()


Block = Para | Bullets | Table | Figure | Examples


@dataclass(frozen=True, slots=True)
class Section:
    """A titled part of the guide, with its blocks and subsections."""

    id: str
    title: Rich
    blocks: tuple[Block, ...] = ()
    children: tuple[Section, ...] = ()


@dataclass(frozen=True, slots=True)
class Guide:
    """A whole guide in one language, with the cases its examples were computed from."""

    lang: str
    title: Rich
    lead: tuple[Rich, ...]
    sections: tuple[Section, ...]
    contents_title: Rich
    examples_label: Rich
    cases: tuple[Case, ...] = field(default=(), compare=False)


def _block_text(block: Block) -> list[Rich]:
    match block:
        case Para(text=text):
            return [text]
        case Bullets(items=items):
            return list(items)
        case Table(headers=headers, rows=rows):
            return [*headers, *(c for row in rows for c in row)]
        case Figure(caption=caption):
            return [caption]
        case Examples(intro=intro, table=table, items=items):
            return [intro, *(_block_text(table) if table else []), *items]
    raise AssertionError(block)


def text_of(section: Section) -> str:
    """The plain text of a section and its subsections (for finding the glossary terms a guide uses)."""
    parts = [plain(section.title), *(plain(t) for b in section.blocks for t in _block_text(b))]
    parts.extend(text_of(child) for child in section.children)
    return "\n".join(parts)
