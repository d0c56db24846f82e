"""`ppl serve`: the decision service over a bundle of rule sets; `ppl serve keys`: its API keys.

`ppl serve BUNDLE --keys FILE` runs the service with uvicorn. `ppl serve keys add|list|revoke --keys FILE`
manages the keys file: `add` prints the new key once and stores only its hash.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path
from typing import Any

from ppl.common import EXIT_OK, CommandError, trusted_key_paths

NAME = "serve"
KEY_ACTIONS = ("add", "list", "revoke")


def add_parser(sub: Any) -> None:
    """Register `serve` on the subcommand parser of `ppl`."""
    p = sub.add_parser(NAME, help="serve quotes and decisions over HTTP, or manage the service's API keys",
                       description="`ppl serve BUNDLE --keys FILE`: run the decision service over a directory of "
                       "compiled rule sets (*.ruleset.json) or one artifact. `ppl serve keys add|list|revoke --keys "
                       "FILE`: manage its API keys (add prints the key once; only its hash is stored). Exit status: 0 "
                       "stopped or done, 2 usage or I/O error (a missing or bad bundle or keys file).",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("bundle", metavar="BUNDLE", help="a directory of *.ruleset.json, or one artifact; `keys` for "
                   "the keys commands")
    p.add_argument("words", nargs="*", default=[], metavar="ACTION", help="with `keys`: add, list, or revoke ID")
    p.add_argument("--keys", required=True, metavar="FILE", help="the API keys file (JSON, or YAML by its name)")
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="the port (default: 8080)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default: 1)")
    p.add_argument("--watch", action="store_true", help="reload when the bundle's files change")
    p.add_argument("--partners", action="append", default=[], metavar="PROGRAM=FILE",
                   help="the partners of a program (default: <stem>.partners.csv beside its artifact); repeat")
    p.add_argument("--decision-log", dest="decision_log", metavar="PATH|URL",
                   help="where decisions are logged: a JSON Lines file, or a postgresql:// URL (default: kept in "
                   "memory only)")
    p.add_argument("--registry", metavar="PATH|URL", help="the deal registry: an SQLite file or a postgresql:// URL")
    p.add_argument("--ledger", metavar="PATH|URL", help="the ledger: an SQLite file or a postgresql:// URL")
    p.add_argument("--trusted-key", dest="trusted_key", action="append", default=[], metavar="PUBLIC_KEY",
                   help="serve only artifacts signed by this Ed25519 public key (PEM); repeat")
    p.add_argument("--log-level", dest="log_level", default="info", choices=("debug", "info", "warning", "error"),
                   help="the level of the service's logs (default: info)")
    p.add_argument("--role", choices=("admin", "vendor", "partner"), help="keys add: the key's role")
    p.add_argument("--partner", help="keys add: the partner of a partner key")
    p.add_argument("--id", dest="key_id", metavar="ID", help="keys add: the key's id (default: random)")


def run(args: argparse.Namespace) -> int:
    """Run the service, or a keys command."""
    if args.bundle == "keys" and not Path("keys").exists():
        from ppl.commands import _serve_keys

        return _serve_keys.run(args)
    if args.words:
        raise CommandError(f"unexpected argument `{args.words[0]}`; `ppl serve BUNDLE --keys FILE`")
    return _serve(args)


def _open_log(target: str | None) -> Any:
    if target is None:
        return None
    try:
        module = importlib.import_module("runtime.service.decision_log")
    except ModuleNotFoundError:
        raise CommandError("--decision-log: this installation has no decision log module") from None
    try:
        return module.open_log(target)
    except (OSError, ValueError) as exc:
        raise CommandError(f"--decision-log {target}: {exc}") from None


def build_app(args: argparse.Namespace) -> Any:
    """The service's app from the command's arguments.

    Raises:
        CommandError: a missing or bad bundle or keys file, a bad option.
    """
    from runtime.service.app import create_app
    from runtime.service.auth import KeysError
    from runtime.service.bundles import BundleError, parse_partner_options

    try:
        partners = parse_partner_options(args.partners)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if not Path(args.keys).is_file():
        raise CommandError(f"--keys {args.keys}: no such file; create it with `ppl serve keys add --keys "
                           f"{args.keys} --role admin`")
    log = _open_log(args.decision_log)
    try:
        app = create_app(Path(args.bundle), Path(args.keys), partners=partners, log=log, registry=args.registry,
                          ledger=args.ledger, watch=args.watch, trusted_keys=trusted_key_paths(args.trusted_key))
    except (BundleError, KeysError) as exc:
        if log is not None:
            log.close()
        raise CommandError(str(exc)) from None
    if log is None:
        print("warning: no --decision-log: decisions are kept in memory only", file=sys.stderr)
    return app


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    if args.workers != 1:
        raise CommandError("--workers: one worker per process; run several instances (on a shared PostgreSQL "
                           "registry, ledger and decision log) to serve more")
    level = getattr(logging, args.log_level.upper())
    logging.basicConfig(level=level, stream=sys.stderr, format="%(message)s")
    app = build_app(args)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False,
                log_config=None)
    return EXIT_OK
