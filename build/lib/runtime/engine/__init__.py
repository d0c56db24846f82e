"""The expression engine: generated code for speed, a reference interpreter for truth, one operator table."""

from __future__ import annotations

from runtime.engine._fields import fields_in_order as fields_in_order
from runtime.engine.codegen import Entry as Entry
from runtime.engine.codegen import compile_entry as compile_entry
from runtime.engine.interpreter import evaluate as evaluate
from runtime.engine.operators import EvalContext as EvalContext
from runtime.engine.operators import EvaluationError as EvaluationError
from runtime.engine.operators import round_to as round_to

__all__ = ["Entry", "EvalContext", "EvaluationError", "compile_entry", "evaluate", "fields_in_order", "round_to"]
