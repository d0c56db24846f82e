"""The decision service: `ppl serve`, an HTTP API (FastAPI on uvicorn) over compiled rule sets.

A wing of the runtime, like the guides and the stores: the core never imports it, and importing it
loads FastAPI. See docs/service.md.
"""
