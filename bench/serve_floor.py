"""The HTTP floor of the service benchmark: FastAPI on uvicorn, as `ppl serve` runs it, doing nothing else.

    python -m bench.serve_floor PORT ANSWER.json

One endpoint, `POST /v1/programs/{program}/quote`, reads the body into the quote endpoint's own request
model (`QuoteIn`) in a worker thread, as the quote endpoint does, and answers a fixed body of a quote's
size. No key, no quote, no log, no middleware: what a request costs this stack on this machine before ppl
does anything, so the service's rate can be read against it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from runtime.service.schemas import QuoteIn


def make_app(answer: dict[str, Any]) -> FastAPI:
    """The floor app, answering `answer` to every quote."""
    app = FastAPI()

    @app.post("/v1/programs/{program}/quote")
    def quote(program: str, body: QuoteIn) -> JSONResponse:
        del program, body
        return JSONResponse(answer)

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    return app


def main(argv: list[str]) -> int:
    """Serve the floor app on loopback at the port given until interrupted."""
    port, answer = int(argv[0]), json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    uvicorn.run(make_app(answer), host="127.0.0.1", port=port, log_level="warning", access_log=False,
                log_config=None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
