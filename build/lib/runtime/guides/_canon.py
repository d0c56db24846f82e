"""IR expressions as canonical text: see `runtime.canon`, which the core shares."""

from __future__ import annotations

from runtime.canon import format_expr as format_expr
