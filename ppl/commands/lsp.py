"""`ppl lsp`: the language server for program files, on standard input and output or a TCP port."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from ppl.common import EXIT_OK, CommandError

NAME = "lsp"


def add_parser(sub: Any) -> None:
    """Register `lsp` on the subcommand parser of `ppl`."""
    p = sub.add_parser(NAME, help="run the language server for program files (editors start it)",
                       description="Run the language server: diagnostics as `ppl check` gives them while you type, "
                       "hover, completion and go to definition, over the Language Server Protocol on standard input "
                       "and output (or --tcp HOST:PORT). Needs the `lsp` extra (pip install 'ppl[lsp]'). Exit "
                       "status: 0 when the editor ends the session, 2 usage error.")
    p.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP address instead of stdio")
    p.add_argument("--stdio", action="store_true", help="use standard input and output (the default; accepted "
                   "because editors pass it)")
    p.add_argument("--debounce", type=float, default=None, metavar="SECONDS",
                   help="how long a changed document stays unchanged before it is checked again (default: 0.3)")
    p.add_argument("--log-level", dest="log_level", default="warning", choices=("debug", "info", "warning", "error"),
                   help="the level of the server's log on standard error (default: warning)")


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"--tcp {text}: give an address as HOST:PORT, e.g. 127.0.0.1:2087")
    return host.strip("[]"), int(port)


def run(args: argparse.Namespace) -> int:
    """Serve one editor session until it says exit."""
    address = _address(args.tcp) if args.tcp else None
    if args.debounce is not None and args.debounce < 0:
        raise CommandError("--debounce: a number of seconds, 0 or more")
    try:
        from ppl.lsp.server import DEBOUNCE_SECONDS, create_server
    except ModuleNotFoundError as exc:
        raise CommandError(f"ppl lsp needs the `lsp` extra ({exc.name} is missing): pip install 'ppl[lsp]'") \
            from None
    logging.basicConfig(level=getattr(logging, args.log_level.upper()), stream=sys.stderr, format="%(message)s")
    server = create_server(DEBOUNCE_SECONDS if args.debounce is None else args.debounce)
    if address is None:
        server.start_io()
    else:
        server.start_tcp(*address)
    return EXIT_OK
