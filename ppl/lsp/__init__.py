"""The language server for program files (`ppl lsp`): diagnostics as `ppl check` gives them, hover, completion
and go to definition, over the Language Server Protocol (pygls).

The checking, hover, completion and definition modules read the language and the compiler; only `server`
imports pygls, which the `lsp` extra installs.
"""

from __future__ import annotations
