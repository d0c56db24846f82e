"""The language server for program files (`ppl lsp`): diagnostics as `ppl check` gives them, hover, completion
and go to definition, over the Language Server Protocol (pygls).

The checking, hover, completion and definition modules are plain Python over the language and the compiler;
only `server` (the wiring) and `convert` (diagnostics in the protocol's types) import pygls and lsprotocol,
which the `lsp` extra installs.
"""

from __future__ import annotations

from ppl.lsp.analysis import Analysis as Analysis
from ppl.lsp.analysis import check_text as check_text
