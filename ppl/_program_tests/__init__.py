"""The parts of `ppl test`: values, cases, comparison and coverage (see `ppl.program_tests`)."""

from __future__ import annotations
