"""Document endpoints: the program guide, in Japanese or English, as Markdown or an HTML page.

The guide is rendered from the served rule set by `runtime.render_guide`, the code of `ppl guide`, so it
describes exactly the rules the service decides with. It holds no partner's data: any authenticated key may
read it. Guides are kept once rendered (`CACHE_SIZE` of them, by rule set hash, language, format and date).
The answer is the document itself; the rule set it was made from is in the `X-PPL-Program`,
`X-PPL-Ruleset` and `X-PPL-Version` headers.
"""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from runtime import render_guide
from runtime.decisions.quote import QuoteError
from runtime.engine import EvaluationError
from runtime.service.context import Problem, ServedProgram
from runtime.service.deps import CallerDep, ServedDep
from runtime.service.exact import ExactRoute
from runtime.service.routes._shared import errors

router = APIRouter(prefix="/v1/programs/{program}", tags=["documents"], route_class=ExactRoute)

CACHE_SIZE = 32
"""Rendered guides kept (the least recently used is dropped first)."""

_MEDIA = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"}
_Key = tuple[str, str, str, datetime.date | None]


class _Guides:
    """Rendered guides by (rule set hash, language, format, date), least recently used dropped first."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._kept: OrderedDict[_Key, tuple[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, program: ServedProgram, lang: str, fmt: str, on: datetime.date | None) -> tuple[str, str]:
        """The guide's text and the version it describes.

        Raises:
            runtime.guides.GuideError: no version is in force on the date (a `ValueError`).
        """
        key = (program.hash, lang, fmt, on)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        from runtime import guides  # Jinja2 loads with the first guide, not with the service

        version = guides.pick_version(program.runtime.ruleset, on).version
        made = (render_guide(program.runtime.ruleset, lang, fmt, on, program.runtime), version)
        with self._lock:
            self._kept[key] = made
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return made


_guides = _Guides()


@router.get("/guide", response_class=PlainTextResponse, responses={
    200: {"content": {"text/markdown": {"schema": {"type": "string"}}, "text/html": {"schema": {"type": "string"}}}},
    **errors(401, 404, 422)}, summary="The program guide")
def guide(who: CallerDep, program: ServedDep, lang: Literal["en", "ja"] = "en",
          format: Literal["md", "html"] = "md",
          on: Annotated[datetime.date | None, Query(description="describe the version in force on this date "
                                                    "(default: the latest)")] = None) -> PlainTextResponse:
    """The partner guide of the program (`ppl guide`): contracts, margins, ladders, tiers, price rules, deal
    conflicts and routing, with worked examples; any authenticated key."""
    del who
    try:
        text, version = _guides.get(program, lang, format, on)
    except ValueError as exc:  # runtime.guides.GuideError: no version in force on the date
        raise Problem(422, "No guide", str(exc), "no_version", "query.on") from None
    except (QuoteError, EvaluationError) as exc:
        raise Problem(422, "No guide", f"a worked example cannot be computed: {exc.message}", exc.code) from None
    headers = {"X-PPL-Program": program.program, "X-PPL-Ruleset": program.hash, "X-PPL-Version": version or ""}
    return PlainTextResponse(text, media_type=_MEDIA[format], headers=headers)
