"""Partner guides: a rule set rendered as a guide in Japanese or English, as Markdown or HTML.

Guides are made from the compiled rule set, never from a program's YAML, and every worked example
in them is computed by the runtime's own decisions (`quote`, `settle`, `decide`, `route`), so what
a partner reads is what executes.

    >>> guide = build_guide(ruleset, "ja")          # doctest: +SKIP
    >>> text = render(guide, "html")                 # doctest: +SKIP
"""

from __future__ import annotations

import datetime

from runtime import ir
from runtime.guides._build import GuideError as GuideError
from runtime.guides._build import build_guide as build_guide
from runtime.guides._build import pick_version as pick_version
from runtime.guides._cases import Case as Case
from runtime.guides._cases import DecideCase as DecideCase
from runtime.guides._cases import QuoteCase as QuoteCase
from runtime.guides._cases import RejectCase as RejectCase
from runtime.guides._cases import ReviewCase as ReviewCase
from runtime.guides._cases import RouteCase as RouteCase
from runtime.guides._cases import SettleCase as SettleCase
from runtime.guides._cases import YearCase as YearCase
from runtime.guides._format import LANGUAGES as LANGUAGES
from runtime.guides._format import Formatter as Formatter
from runtime.guides._model import Guide as Guide
from runtime.guides._render import FORMATS as FORMATS
from runtime.guides._render import render as render
from runtime.loaded import Runtime


def render_guide(ruleset: ir.RuleSet, lang: str = "en", fmt: str = "md", on: datetime.date | None = None,
                 runtime: Runtime | None = None) -> str:
    """A rule set's partner guide as text.

    Args:
        ruleset: the compiled program.
        lang: `en` or `ja`.
        fmt: `md` (Markdown) or `html` (a standalone page).
        on: describe the version in force on this date (default: the latest version).
        runtime: a loaded runtime of the same rule set, to reuse (default: one is built).

    Raises:
        GuideError: an unknown language, or no version in force on the date.
        ValueError: an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown guide format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return render(build_guide(ruleset, lang, on, runtime), fmt)
