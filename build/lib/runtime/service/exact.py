"""Request bodies read with exact numbers: a JSON number with a fraction becomes a `Decimal`, never a float.

FastAPI reads a JSON body with `json.loads`, which turns `1000000.000000000001` into the float 1000000.0:
an amount finer than the currency would then be accepted as a whole yen. Every router of the service uses
`ExactRoute`, whose requests parse their body with `parse_float=Decimal`, so the readers see the number as
written and refuse it as a file row would be refused (E523).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response


class ExactRequest(Request):
    """A request whose JSON body keeps fractional numbers as `Decimal`."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(await self.body(), parse_float=Decimal)
        return self._json


class ExactRoute(APIRoute):
    """A route that hands its endpoint an `ExactRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact(request: Request) -> Response:
            return await handler(ExactRequest(request.scope, request.receive))

        return exact
