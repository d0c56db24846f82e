"""The runtime: the deployable core. Loads a rule set artifact and evaluates transactions with it.

It imports nothing from `policy_lang` or `compiler`: a service needs only this package and a rule
set file written by `ppl compile`. Importing the package loads the rule set model (`runtime.ir`)
alone; the engine loads with the first rule set (`load`, `loads`, `Runtime`), and the wings
(guides with Jinja2, SQL with sqlglot and DuckDB, the registry store, file readers and writers) on
first use, so a service that only quotes pays for none of them.

The public Python API is the names of this module (docs/api.md):

- load a rule set: `load`, `loads`, `Runtime`, `RuleSet`, `ArtifactError`;
- its inputs: `Partner`, `Transaction`, `Volumes`, `Period`, and `Lead`, `Deal`, `Claim`;
- decide: `quote` and `Quoter`, `settle` and `Settler`, `decide` (deal conflicts), `route` (leads);
- the errors: `InputError` (an input built in Python that a file reader would refuse), `QuoteError`
  (the rules refuse it), `EvaluationError` (an expression failed);
- read files: `read_partners`, `read_transactions`, `feed`, `parse_period` (the `runtime.io` wing).

Anything else is internal and may change.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime.ir import RuleSet as RuleSet

if TYPE_CHECKING:
    import datetime
    from collections.abc import Sequence

    from runtime.decisions.conflicts import Claim as Claim
    from runtime.decisions.conflicts import Deal as Deal
    from runtime.decisions.conflicts import decide as decide
    from runtime.decisions.quote import InputError as InputError
    from runtime.decisions.quote import QuoteError as QuoteError
    from runtime.decisions.quote import Quoter as Quoter
    from runtime.decisions.quote import quote as quote
    from runtime.decisions.routing import Lead as Lead
    from runtime.decisions.routing import route as route
    from runtime.decisions.settle import Settler as Settler
    from runtime.decisions.settle import settle as settle
    from runtime.engine import EvaluationError as EvaluationError
    from runtime.io import feed as feed
    from runtime.io import parse_period as parse_period
    from runtime.io import read_partners as read_partners
    from runtime.io import read_transactions as read_transactions
    from runtime.ir_json import ArtifactError as ArtifactError
    from runtime.ir_json import loads as loads
    from runtime.loaded import Runtime as Runtime
    from runtime.model import Partner as Partner
    from runtime.model import Period as Period
    from runtime.model import Transaction as Transaction
    from runtime.model import Volumes as Volumes

_LAZY: dict[str, str] = {
    "ArtifactError": "runtime.ir_json", "loads": "runtime.ir_json", "Runtime": "runtime.loaded",
    "Partner": "runtime.model", "Transaction": "runtime.model", "Volumes": "runtime.model", "Period": "runtime.model",
    "quote": "runtime.decisions.quote", "Quoter": "runtime.decisions.quote", "InputError": "runtime.decisions.quote",
    "QuoteError": "runtime.decisions.quote", "EvaluationError": "runtime.engine",
    "settle": "runtime.decisions.settle", "Settler": "runtime.decisions.settle",
    "decide": "runtime.decisions.conflicts", "Deal": "runtime.decisions.conflicts",
    "Claim": "runtime.decisions.conflicts", "route": "runtime.decisions.routing", "Lead": "runtime.decisions.routing",
    "read_partners": "runtime.io", "read_transactions": "runtime.io", "feed": "runtime.io",
    "parse_period": "runtime.io",
}
"""Public names loaded on first use, by the module that defines them (the decisions and the `runtime.io` wing
load only when one of their names is first asked for)."""


def __getattr__(name: str) -> Any:
    """Load a public name of `_LAZY` from its module on first use (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'runtime' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the lazy ones included."""
    return sorted(set(globals()) | set(_LAZY))


def load(path: str | Path, engine: str = "compiled", trusted_keys: Sequence[str | Path] = ()) -> Runtime:
    """Read a rule set artifact and build its entry functions, once.

    Args:
        path: a rule set artifact written by `ppl compile` (`*.ruleset.json`).
        engine: `compiled` (generated Python, the default) or `interpreted` (the reference interpreter).
        trusted_keys: public keys, one of which must have signed the artifact (none: no signature is asked for).

    With `trusted_keys` (paths of Ed25519 public keys, PEM) the artifact's detached signature
    (`<path>.sig`) is checked before its JSON is read, and only one made by a trusted key is accepted
    (`runtime.signing`, which loads `cryptography` then).

    Raises:
        ArtifactError: the file is not a rule set, is over the limits of `runtime.limits`, or its hash does
            not match its content.
        runtime.signing.SignatureError: with trusted keys, unsigned, a signature that does not match, or
            one by another key.
        runtime.signing.KeyFileError: a trusted key file is not an Ed25519 public key.
        OSError: a file cannot be read.
    """
    from runtime.ir_json import load_file, loads
    from runtime.loaded import Runtime

    if trusted_keys:
        from runtime import signing

        data = signing.read_verified(path, signing.read_public_keys(trusted_keys))
        return Runtime(loads(data.decode("utf-8")), engine)
    return Runtime(load_file(path), engine)


def render_guide(ruleset: RuleSet, lang: str = "en", fmt: str = "md", on: datetime.date | None = None,
                 runtime: Runtime | None = None) -> str:
    """A rule set's partner guide as text (`runtime.guides.render_guide`; Jinja2 loads with the first guide).

    Raises:
        runtime.guides.GuideError: an unknown language, or no version in force on the date.
        ValueError: an unknown format.
    """
    from runtime import guides

    return guides.render_guide(ruleset, lang, fmt, on, runtime)
