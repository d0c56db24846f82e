"""The semantic diff of a program change: which rates, steps, targets, tiers, benefits, rules and versions
changed from one rule set of a program to another, each with its place on both sides.

Works on rule sets, so two program files, two revisions of one and a program against its compiled
artifact compare alike; layout, comments, key order and how a value is spelt are no change.

    >>> diff = diff_rulesets(old, new)            # doctest: +SKIP
    >>> print(render_text(diff))                  # doctest: +SKIP
"""

from __future__ import annotations

from runtime.diff.changes import ACTIONS as ACTIONS
from runtime.diff.changes import CONSTRUCT_KINDS as CONSTRUCT_KINDS
from runtime.diff.changes import KIND_LABELS as KIND_LABELS
from runtime.diff.changes import Action as Action
from runtime.diff.changes import Change as Change
from runtime.diff.changes import ConstructKind as ConstructKind
from runtime.diff.changes import ProgramDiff as ProgramDiff
from runtime.diff.changes import Side as Side
from runtime.diff.compare import Places as Places
from runtime.diff.compare import diff_rulesets as diff_rulesets
from runtime.diff.render import FORMAT as FORMAT
from runtime.diff.render import render_markdown as render_markdown
from runtime.diff.render import render_text as render_text
from runtime.diff.render import to_json as to_json
