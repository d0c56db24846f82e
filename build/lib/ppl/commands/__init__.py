"""The commands of `ppl`, one module each.

Each module has `NAME`, `add_parser(sub)`, which registers the command on the subcommand parser,
and `run(args) -> int`, which carries it out and returns the exit status, or raises
`ppl.common.CommandError`. `ALL` is the order in which `ppl --help` lists them.
"""

from __future__ import annotations

from types import ModuleType

from ppl.commands import (
    check,
    compile,
    conflicts,
    explain,
    guide,
    keygen,
    ledger,
    quote,
    registry,
    replay,
    route,
    serve,
    settle,
    sql,
    test,
)

ALL: tuple[ModuleType, ...] = (check, compile, settle, quote, explain, test, guide, conflicts, registry, ledger, route,
                               sql, keygen, serve, replay)
"""Every command module, in the order of `ppl --help`."""

BY_NAME: dict[str, ModuleType] = {command.NAME: command for command in ALL}
"""The command modules by the name typed on the command line."""
