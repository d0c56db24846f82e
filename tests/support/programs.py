"""Program texts that tests build on: the header of a small CloudNote program, to which a test adds its constructs."""

from __future__ import annotations

HEADER = """\
ppl: 1
program:
  id: cloudnote-partners
  title: CloudNote Partner Program
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: down}
"""
"""`ppl:` and `program:` of a small program in yen, rounding down; the rest is the test's."""
