"""The service's JSON answers: `JSONAnswer`, rendered by `encoding.json_bytes`."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from runtime.service.encoding import json_bytes


class JSONAnswer(JSONResponse):
    """A JSON answer rendered by `json_bytes`: the bytes `JSONResponse` renders, made faster."""

    def render(self, content: Any) -> bytes:
        return json_bytes(content)
