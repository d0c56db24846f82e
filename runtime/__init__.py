"""The runtime: the deployable core. Loads a rule set artifact and evaluates transactions with it.

It imports nothing from `policy_lang` or `compiler`: a service needs only this package and a rule
set file written by `ppl compile`.
"""

from __future__ import annotations

from pathlib import Path

from runtime.guides import render_guide as render_guide
from runtime.ir import RuleSet as RuleSet
from runtime.ir_json import ArtifactError as ArtifactError
from runtime.ir_json import loads as loads
from runtime.loaded import Runtime as Runtime


def load(path: str | Path, engine: str = "compiled") -> Runtime:
    """Read a rule set artifact and build its entry functions, once.

    Raises:
        ArtifactError: the file is not a rule set, or its hash does not match its content.
        OSError: the file cannot be read.
    """
    text = Path(path).read_text(encoding="utf-8")
    return Runtime(loads(text), engine)
