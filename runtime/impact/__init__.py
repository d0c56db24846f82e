"""The money impact of a program change: one period settled on the old and the new rule set, compared per
partner and per kind of line (docs/reviewing.md, "What it does to the money")."""

from __future__ import annotations

from runtime.impact.model import EngineRefused as EngineRefused
from runtime.impact.model import Impact as Impact
from runtime.impact.model import ImpactError as ImpactError
from runtime.impact.model import KindChange as KindChange
from runtime.impact.model import PartnerImpact as PartnerImpact
from runtime.impact.model import Reconciliation as Reconciliation
from runtime.impact.model import StandingChange as StandingChange
from runtime.impact.render import impact_json as impact_json
from runtime.impact.render import render_json as render_json
from runtime.impact.render import render_markdown as render_markdown
from runtime.impact.render import render_text as render_text
from runtime.impact.settling import ENGINES as ENGINES
from runtime.impact.settling import money_impact as money_impact
