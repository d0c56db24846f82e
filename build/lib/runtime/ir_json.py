"""The rule set artifact on disk: IR ↔ JSON, canonical and hashed.

The artifact is `{"format", "sha256", "ruleset"}`; `sha256` is the SHA-256 of the canonical JSON
text of `ruleset` (sorted keys, no whitespace). Amounts are integers (minor units); rates and
numbers are exact strings ("0.15", or "1/3" when a fraction has no finite decimal form).
"""

from __future__ import annotations

import datetime
import json
import os
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any, TypeVar

from runtime import instants, ir, ir_check, limits, strict_json
from runtime.engine.operators import ROUNDING_MODES

N = TypeVar("N")


class ArtifactError(Exception):
    """The file is not a rule set this runtime can read."""


def encode_fraction(value: Fraction) -> str:
    """An exact string: a terminating decimal when there is one, else `n/d`."""
    # Integer arithmetic only (no Fraction operations): answers write several rates each, and this is most of
    # what writing a quote as JSON costs.
    num, den = value.numerator, value.denominator
    twos = (den & -den).bit_length() - 1
    rest = den >> twos
    fives = 0
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest != 1:
        return f"{num}/{den}"
    digits = max(twos, fives)
    scaled = num * (10**digits // den)  # exact: den is 2**twos * 5**fives, which divides 10**digits
    sign = "-" if scaled < 0 else ""
    text = str(abs(scaled)).rjust(digits + 1, "0")
    return f"{sign}{text[:-digits]}.{text[-digits:]}" if digits else f"{sign}{text}"


_EXACT = re.compile(r"-?[0-9]{1,300}(?:\.[0-9]{1,300})?(?:/[0-9]{1,300})?")
"""An exact number as `encode_fraction` writes it: no exponent, no spaces, a few hundred digits at most."""


def decode_fraction(text: Any) -> Fraction:
    """The exact number of `encode_fraction`'s text (or of a whole number).

    Raises:
        ValueError: anything else, an exponent (`1e999999`) or a zero denominator included.
    """
    if type(text) is int:
        return Fraction(text)
    if type(text) is not str or not _EXACT.fullmatch(text):
        raise ValueError(f"{_shown(text)} is not an exact number")
    if text.endswith("/0") or "/" in text and int(text.rsplit("/", 1)[1]) == 0:
        raise ValueError(f"{_shown(text)} divides by zero")
    return Fraction(text)


def _shown(value: Any) -> str:
    """A value of the file, short enough for a message."""
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "…"


def _loc(node: ir.Node) -> list[Any]:
    return _loc_of(node.at)


def _loc_of(at: ir.Loc | None) -> list[Any]:
    return [at.file, at.line, at.col] if at is not None else []


def _value(type_: str, value: Any) -> Any:
    if type_ in ("percent", "number", "integer", "money") and isinstance(value, Fraction):
        return encode_fraction(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, ir.Duration):
        return f"{value.amount}{value.unit}"
    return value


def _kind(value: Any) -> str:
    """The constant type of a requirement's value, so that it reads back as the same Python value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, Fraction):
        return "number"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, ir.Duration):
        return "duration"
    return "text"


def encode_expr(expr: ir.Expr) -> list[Any]:
    """An expression as nested lists, with its location as a trailing {"at": …}."""
    match expr:
        case ir.Const(type=t, value=v):
            out: list[Any] = ["const", t, _value(t, v)]
        case ir.ListOf(items=items):
            out = ["list", [encode_expr(i) for i in items]]
        case ir.Field(scope=s, name=n, type=t):
            out = ["field", s, n, t]
        case ir.Neg(operand=x):
            out = ["neg", encode_expr(x)]
        case ir.Not(operand=x):
            out = ["not", encode_expr(x)]
        case ir.Arith(op=op, left=a, right=b):
            out = ["arith", op, encode_expr(a), encode_expr(b)]
        case ir.Compare(op=op, left=a, right=b):
            out = ["cmp", op, encode_expr(a), encode_expr(b)]
        case ir.And(left=a, right=b):
            out = ["and", encode_expr(a), encode_expr(b)]
        case ir.Or(left=a, right=b):
            out = ["or", encode_expr(a), encode_expr(b)]
        case ir.In(negated=neg, item=item, items=items):
            out = ["in", neg, encode_expr(item), [encode_expr(i) for i in items]]
        case ir.If(condition=c, then=t, otherwise=o):
            out = ["if", encode_expr(c), encode_expr(t), encode_expr(o)]
        case ir.Call(function=f, args=args):
            out = ["call", f, [encode_expr(a) for a in args]]
        case _:
            raise AssertionError(f"unknown IR node {expr!r}")
    if expr.at is not None:
        out.append({"at": _loc(expr)})
    return out


_DURATION = re.compile(r"(-?[0-9]{1,9})(mo|d|w|y)")


def _duration(text: Any) -> ir.Duration:
    found = _DURATION.fullmatch(text) if type(text) is str else None
    if found is None:
        raise ValueError(f"{_shown(text)} is not a duration")
    return ir.Duration(int(found[1]), found[2])


def _date(text: Any) -> datetime.date:
    if type(text) is not str:
        raise ValueError(f"{_shown(text)} is not a date")
    return datetime.date.fromisoformat(text)


def _const(t: Any, v: Any) -> Any:
    if t in ("percent", "number"):
        return decode_fraction(v)
    if t in ("integer", "money"):
        value = decode_fraction(v)
        return int(value) if value.denominator == 1 else value
    if t == "date":
        return _date(v)
    if t == "duration":
        return _duration(v)
    return v


def decode_expr(data: list[Any]) -> ir.Expr:
    """Nested lists → an expression."""
    at = None
    if data and isinstance(data[-1], dict):
        f, line, col = data[-1]["at"]
        at = ir.Loc(f, line, col)
        data = data[:-1]
    kind = data[0]
    if kind == "const":
        return ir.Const(data[1], _const(data[1], data[2]), at=at)
    if kind == "list":
        return ir.ListOf(tuple(decode_expr(i) for i in data[1]), at=at)
    if kind == "field":
        return ir.Field(data[1], data[2], data[3], at=at)
    if kind == "neg":
        return ir.Neg(decode_expr(data[1]), at=at)
    if kind == "not":
        return ir.Not(decode_expr(data[1]), at=at)
    if kind == "arith":
        return ir.Arith(data[1], decode_expr(data[2]), decode_expr(data[3]), at=at)
    if kind == "cmp":
        return ir.Compare(data[1], decode_expr(data[2]), decode_expr(data[3]), at=at)
    if kind == "and":
        return ir.And(decode_expr(data[1]), decode_expr(data[2]), at=at)
    if kind == "or":
        return ir.Or(decode_expr(data[1]), decode_expr(data[2]), at=at)
    if kind == "in":
        return ir.In(bool(data[1]), decode_expr(data[2]), tuple(decode_expr(i) for i in data[3]), at=at)
    if kind == "if":
        return ir.If(decode_expr(data[1]), decode_expr(data[2]), decode_expr(data[3]), at=at)
    if kind == "call":
        return ir.Call(data[1], tuple(decode_expr(a) for a in data[2]), at=at)
    raise ArtifactError(f"unknown expression kind {kind!r}")


def _opt(expr: ir.Expr | None) -> list[Any] | None:
    return encode_expr(expr) if expr is not None else None


def _dopt(data: list[Any] | None) -> ir.Expr | None:
    return decode_expr(data) if data is not None else None


def _conflict_rule(r: ir.ConflictRule) -> dict[str, Any]:
    """A conflict rule; options left at their defaults are not written (older artifacts keep their hash)."""
    encoded: dict[str, Any] = {"rule": r.rule, "by": r.by, "when": _opt(r.when), "title": r.title, "at": _loc(r)}
    if not r.needs_registration:
        encoded["needs_registration"] = False
    if r.applies != "at_close":
        encoded["applies"] = r.applies
    if r.order:
        encoded["order"] = list(r.order)
    return encoded


def _frac(value: Fraction | None) -> str | None:
    return encode_fraction(value) if value is not None else None


def _strict(strict: bool) -> dict[str, Any]:
    """A threshold written `above` (the key is left out for `from`/`target`, so older artifacts keep their hash)."""
    return {"strict": True} if strict else {}


def _assigned(assigned: bool) -> dict[str, Any]:
    """An assigned tier (the key is left out for a qualified one, so older artifacts keep their hash)."""
    return {"assigned": True} if assigned else {}


def _review(review: ir.Review | None) -> dict[str, Any]:
    """Tier reviews (the key is left out without them, so older artifacts keep their hash)."""
    if review is None:
        return {}
    return {"review": {"window": review.window, "months": review.months, "keep": review.keep,
                       "grace": review.grace, "at": _loc(review)}}


def _decode_review(d: Any) -> ir.Review | None:
    if d is None:
        return None
    return ir.Review(d["window"], d["months"], d["keep"], d["grace"], at=_at(d))


def _volume_cap(cap: int | None) -> dict[str, Any]:
    return {"volume_cap": cap} if cap is not None else {}


def _version(v: ir.Version) -> dict[str, Any]:
    return {
        "version": v.version, "effective_from": v.effective_from.isoformat(),
        "effective_until": v.effective_until.isoformat() if v.effective_until else None, "note": v.note,
        **({"starts_at": _instant(v.starts_at)} if v.starts_at is not None else {}),
        **({"ends_at": _instant(v.ends_at)} if v.ends_at is not None else {}),
        "at": _loc(v),
        "contracts": [{"id": c.id, "kind": c.kind, "title": c.title, "margin": _opt(c.margin), "ladder": c.ladder,
                       "bonuses": list(c.bonuses), "services": _opt(c.services), "fee": _opt(c.fee),
                       "fee_cap": c.fee_cap, "at": _loc(c),
                       **({"margin_cap": c.margin_cap} if c.margin_cap is not None else {})} for c in v.contracts],
        "ladders": [{"id": lad.id, "title": lad.title, "basis": lad.basis, "period": lad.period, "mode": lad.mode,
                     "steps": [{"start": s.start, "end": s.end, "rate": encode_fraction(s.rate), "at": _loc(s),
                                **_strict(s.strict)} for s in lad.steps], "at": _loc(lad),
                     **_volume_cap(lad.volume_cap)} for lad in v.ladders],
        "bonuses": [{"id": b.id, "title": b.title, "basis": b.basis, "period": b.period, "kind": b.kind,
                     "when": _opt(b.when), "cap": b.cap,
                     "steps": [{"target": s.target, "pay_money": s.pay_money, "pay_rate": _frac(s.pay_rate),
                                "at": _loc(s), **_strict(s.strict)} for s in b.steps], "at": _loc(b),
                     **_volume_cap(b.volume_cap)} for b in v.bonuses],
        "tiers": None if v.tiers is None else {
            "cadence": v.tiers.cadence, "at": _loc(v.tiers),
            "levels": [{"id": t.id, "title": t.title, "qualify": encode_expr(t.qualify), "uplift": _opt(t.uplift),
                        "benefits": list(t.benefits), "at": _loc(t),
                        "requirements": None if t.requirements is None else [
                            {"field": list(r.field), "op": r.op, "type": _kind(r.value),
                             "value": _value(_kind(r.value), r.value)} for r in t.requirements],
                        **_assigned(t.assigned)}
                       for t in v.tiers.levels], **_review(v.tiers.review)},
        "benefits": [{"id": b.id, "kind": b.kind, "title": b.title, "when": _opt(b.when), "value": _opt(b.value),
                      "at": _loc(b)} for b in v.benefits],
        "price_rules": None if v.price_rules is None else {
            "ceiling": v.price_rules.ceiling, "max_discount": _opt(v.price_rules.max_discount),
            "max_channel_margin": _opt(v.price_rules.max_channel_margin), "at": _loc(v.price_rules),
            "margin_caps": [{"id": m.id, "title": m.title, "when": encode_expr(m.when), "cap": encode_expr(m.cap),
                             "at": _loc(m)} for m in v.price_rules.margin_caps],
            "pass_through": [{"id": p.id, "title": p.title, "amount": encode_expr(p.amount),
                              "fee": encode_expr(p.fee), "billed": _opt(p.billed), "markup": p.markup,
                              "max_markup": _opt(p.max_markup), "action": p.action, "at": _loc(p),
                              **({"fee_cap": p.fee_cap} if p.fee_cap is not None else {})}
                             for p in v.price_rules.pass_through],
            "zero_price": list(v.price_rules.zero_price),
            "ceiling_action": v.price_rules.ceiling_action, "max_discount_action": v.price_rules.max_discount_action,
            "min_fee": v.price_rules.min_fee, "min_fee_action": v.price_rules.min_fee_action},
        "hierarchy": None if v.hierarchy is None else {
            "model": v.hierarchy.model, "max_depth": v.hierarchy.max_depth,
            "new_resellers": v.hierarchy.new_resellers, "at": _loc(v.hierarchy),
            "levels": [{"level": lv.level, "title": lv.title, "margin": encode_expr(lv.margin), "at": _loc(lv)}
                       for lv in v.hierarchy.levels],
            **_encode_reseller_routing(v.hierarchy.routing)},
        "conflicts": None if v.conflicts is None else {
            "expires_after": _value("duration", v.conflicts.expires_after) if v.conflicts.expires_after else None,
            "renewals": v.conflicts.renewals,
            "renewal_period": _value("duration", v.conflicts.renewal_period)
            if v.conflicts.renewal_period else None,
            "otherwise": v.conflicts.otherwise, "at": _loc(v.conflicts),
            "precedence": [_conflict_rule(r) for r in v.conflicts.precedence]},
        "lead_routing": None if v.lead_routing is None else {
            "eligible": _opt(v.lead_routing.eligible), "among_equals": v.lead_routing.among_equals,
            "skip_when": _opt(v.lead_routing.skip_when), "new_resellers": v.lead_routing.new_resellers,
            "at": _loc(v.lead_routing),
            "order": [{"by": k.by, "prefer": _opt(k.prefer), "title": k.title, "at": _loc(k)}
                      for k in v.lead_routing.order]},
        "catalog": None if v.catalog is None else {
            "categories": list(v.catalog.categories), "action": v.catalog.action, "at": _loc(v.catalog),
            "items": [{"sku": i.sku, "title": i.title, "category": i.category, "unit": i.unit,
                       "prices": [[start.isoformat(), price] for start, price in i.prices], "at": _loc(i)}
                      for i in v.catalog.items]},
    }


def encode(ruleset: ir.RuleSet) -> dict[str, Any]:
    """A rule set as JSON data (without the envelope)."""
    return {
        "program_id": ruleset.program_id, "title": ruleset.title, "description": ruleset.description,
        "currency": ruleset.currency, "minor_unit": ruleset.minor_unit,
        "rounding": {"mode": ruleset.rounding.mode, "unit": ruleset.rounding.unit,
                     "modes": dict(ruleset.rounding.modes), "point": ruleset.rounding.point,
                     "marginal": ruleset.rounding.marginal},
        "fiscal_year_start": ruleset.fiscal_year_start, "source": ruleset.source,
        "enums": {k: list(v) for k, v in sorted(ruleset.enums.items())},
        "inputs": [_input(i) for i in ruleset.inputs],
        "versions": [_version(v) for v in ruleset.versions],
        **({"payout_cap": ruleset.payout_cap, "payout_cap_at": _loc_of(ruleset.payout_cap_at)}
           if ruleset.payout_cap is not None else {}),
        "time_zone": ruleset.time_zone,
        # Only when stated, so that a program without a pilot size keeps its artifact bytes and hash.
        **({"pilot": {"min": ruleset.pilot.min, "max": ruleset.pilot.max, "at": _loc_of(ruleset.pilot.at)}}
           if ruleset.pilot is not None else {}),
    }


def _input(i: ir.InputDecl) -> dict[str, Any]:
    out: dict[str, Any] = {"scope": i.scope, "name": i.name, "type": i.type, "description": i.description}
    if i.min is not None:
        out["min"] = _value(i.type, i.min)
    if i.max is not None:
        out["max"] = _value(i.type, i.max)
    if i.values is not None:
        out["values"] = [_value(i.type, v) for v in i.values]
    if i.item is not None:
        out["item"] = i.item
    return out


def _decode_input(i: dict[str, Any]) -> ir.InputDecl:
    def bound(key: str) -> Any:
        return _const(i["type"], i[key]) if i.get(key) is not None else None
    values = i.get("values")
    return ir.InputDecl(i["scope"], i["name"], i["type"], i.get("description") or {}, bound("min"), bound("max"),
                        None if values is None else tuple(_const(i["type"], v) for v in values), i.get("item"))


def _instant(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _decode_instant(text: str | None) -> datetime.datetime | None:
    return instants.as_utc(datetime.datetime.fromisoformat(text)) if text is not None else None


def dumps(ruleset: ir.RuleSet) -> str:
    """The artifact text: format, hash and rule set; byte-identical for the same program."""
    data = encode(ruleset)
    envelope = {"format": ir.FORMAT, "sha256": ir.digest(data), "ruleset": data}
    return json.dumps(envelope, sort_keys=True, ensure_ascii=False, indent=1) + "\n"


def _at(data: dict[str, Any]) -> ir.Loc | None:
    loc = data.get("at") or []
    return ir.Loc(loc[0], loc[1], loc[2]) if loc else None


def _list(items: list[dict[str, Any]], build: Callable[[dict[str, Any]], N]) -> tuple[N, ...]:
    return tuple(build(i) for i in items)


def _decode_version(d: dict[str, Any]) -> ir.Version:
    tiers = d["tiers"]
    rules = d["price_rules"]
    hier = d["hierarchy"]
    conf = d["conflicts"]
    route = d["lead_routing"]
    return ir.Version(
        d["version"], _date(d["effective_from"]),
        _date(d["effective_until"]) if d["effective_until"] else None, d["note"],
        _list(d["contracts"], lambda c: ir.Contract(
            c["id"], c["kind"], c["title"], _dopt(c["margin"]), c["ladder"], tuple(c["bonuses"]),
            _dopt(c["services"]), _dopt(c["fee"]), c["fee_cap"], c.get("margin_cap"), at=_at(c))),
        _list(d["ladders"], lambda lad: ir.Ladder(
            lad["id"], lad["title"], lad["basis"], lad["period"], lad["mode"],
            _list(lad["steps"], lambda s: ir.Step(s["start"], s["end"], decode_fraction(s["rate"]),
                                                  bool(s.get("strict")), at=_at(s))),
            lad.get("volume_cap"), at=_at(lad))),
        _list(d["bonuses"], lambda b: ir.Bonus(
            b["id"], b["title"], b["basis"], b["period"], b["kind"], _dopt(b["when"]),
            _list(b["steps"], lambda s: ir.BonusStep(
                s["target"], s["pay_money"], decode_fraction(s["pay_rate"]) if s["pay_rate"] is not None else None,
                bool(s.get("strict")), at=_at(s))), b["cap"], b.get("volume_cap"), at=_at(b))),
        None if tiers is None else ir.Tiers(tiers["cadence"], _list(tiers["levels"], lambda t: ir.Tier(
            t["id"], t["title"], decode_expr(t["qualify"]), _dopt(t["uplift"]), tuple(t["benefits"]),
            None if t["requirements"] is None else tuple(
                ir.Requirement((r["field"][0], r["field"][1]), r["op"], _const(r["type"], r["value"]))
                for r in t["requirements"]), t.get("assigned", False), at=_at(t))),
            _decode_review(tiers.get("review")), at=_at(tiers)),
        _list(d["benefits"], lambda b: ir.Benefit(b["id"], b["kind"], b["title"], _dopt(b["when"]),
                                                 _dopt(b["value"]), at=_at(b))),
        None if rules is None else ir.PriceRules(
            rules["ceiling"], _dopt(rules["max_discount"]), _dopt(rules["max_channel_margin"]),
            _list(rules["margin_caps"], lambda m: ir.MarginCap(m["id"], m["title"], decode_expr(m["when"]),
                                                               decode_expr(m["cap"]), at=_at(m))),
            _list(rules["pass_through"], lambda p: ir.PassThrough(p["id"], p["title"], decode_expr(p["amount"]),
                                                                  decode_expr(p["fee"]), p.get("fee_cap"),
                                                                  _dopt(p["billed"]), p["markup"],
                                                                  _dopt(p["max_markup"]), p["action"], at=_at(p))),
            tuple(rules.get("zero_price", ())),
            rules["ceiling_action"], rules["max_discount_action"], rules["min_fee"], rules["min_fee_action"],
            at=_at(rules)),
        None if hier is None else ir.Hierarchy(
            hier["model"], hier["max_depth"],
            _list(hier["levels"], lambda lv: ir.Level(lv["level"], lv["title"], decode_expr(lv["margin"]),
                                                      at=_at(lv))), hier["new_resellers"],
            _decode_reseller_routing(hier.get("routing")), at=_at(hier)),
        None if conf is None else ir.Conflicts(
            _duration(conf["expires_after"]) if conf["expires_after"] else None, conf["renewals"],
            _duration(conf["renewal_period"]) if conf["renewal_period"] else None,
            _list(conf["precedence"], lambda r: ir.ConflictRule(
                r["rule"], r["by"], _dopt(r["when"]), r["title"], r.get("needs_registration", True),
                r.get("applies", "at_close"), tuple(r.get("order", ())), at=_at(r))), conf["otherwise"], at=_at(conf)),
        None if route is None else ir.LeadRouting(
            _dopt(route["eligible"]),
            _list(route["order"], lambda k: ir.RoutingKey(k["by"], _dopt(k["prefer"]), k["title"], at=_at(k))),
            route["among_equals"], _dopt(route["skip_when"]), route["new_resellers"], at=_at(route)),
        _decode_instant(d.get("starts_at")), _decode_instant(d.get("ends_at")), _decode_catalog(d.get("catalog")),
        at=_at(d))


def _encode_reseller_routing(routing: ir.ResellerRouting | None) -> dict[str, Any]:
    """The mapping form of `new_resellers` as `{"routing": …}`; nothing when the program used the scalar form, so
    that its artifact (and hash) is what it was before the mapping form existed."""
    if routing is None:
        return {}
    return {"routing": {"among_equals": routing.among_equals, "at": _loc(routing),
                        "order": [{"prefer": _opt(k.prefer), "fewest": k.fewest, "title": k.title, "at": _loc(k)}
                                  for k in routing.order]}}


def _decode_reseller_routing(data: dict[str, Any] | None) -> ir.ResellerRouting | None:
    if data is None:
        return None
    return ir.ResellerRouting(_list(data["order"], lambda k: ir.ResellerKey(_dopt(k["prefer"]), k["fewest"], k["title"],
                                                                          at=_at(k))),
                              data["among_equals"], at=_at(data))


def _decode_catalog(data: dict[str, Any] | None) -> ir.Catalog | None:
    if data is None:
        return None
    return ir.Catalog(tuple(data["categories"]), data["action"], _list(data["items"], lambda i: ir.CatalogItem(
        i["sku"], i["title"], i["category"], i["unit"],
        tuple((_date(start), price) for start, price in i["prices"]), at=_at(i))),
        at=_at(data))


def _decode_rounding(data: dict[str, Any]) -> ir.Rounding:
    modes = data.get("modes") or {}
    if not isinstance(modes, dict):
        raise ValueError("at rounding.modes: expected an object")
    for kind, mode in [("", data["mode"]), *modes.items()]:
        if kind and kind not in ir.AMOUNT_KINDS:
            raise ValueError(f"unknown rounding kind {kind!r}")
        if mode not in ROUNDING_MODES:
            raise ValueError(f"unknown rounding mode {mode!r}")
    point, marginal = data.get("point", "margin"), data.get("marginal", "total")
    if point not in ir.ROUNDING_POINTS or marginal not in ir.MARGINAL_ROUNDINGS:
        raise ValueError(f"unknown rounding point {point!r} or marginal rounding {marginal!r}")
    unit = data["unit"]
    if type(unit) is not int or unit <= 0:
        raise ValueError(f"rounding unit {_shown(unit) if type(unit) is not int else unit} is not a positive amount")
    return ir.Rounding(unit, data["mode"], tuple(sorted(modes.items())), point, marginal)


def _decode_pilot(data: dict[str, Any] | None) -> ir.Pilot | None:
    return None if data is None else ir.Pilot(data.get("min"), data.get("max"), _at(data))


def decode(data: dict[str, Any]) -> ir.RuleSet:
    """JSON data (without the envelope) → a rule set.

    Raises:
        ArtifactError: the data is not a rule set: a key is missing, a value is of the wrong kind, a word is
            unknown, a name resolves to nothing (see `runtime.ir_check`); the message names the place.
    """
    versions = data.get("versions") if isinstance(data, dict) else None
    if not isinstance(versions, list):
        raise ArtifactError("malformed rule set: at versions: expected a list")
    decoded = tuple(_decoding(f"versions[{i}]", _decode_version, v) for i, v in enumerate(versions))
    ruleset = _decoding("", lambda d: ir.RuleSet(
        d["program_id"], d["title"], d["description"], d["currency"], d["minor_unit"],
        _decode_rounding(d["rounding"]), d["fiscal_year_start"], d["source"],
        {k: tuple(v) for k, v in d["enums"].items()},
        tuple(_decode_input(i) for i in d["inputs"]),
        decoded, d.get("payout_cap"),
        _at({"at": d.get("payout_cap_at")}), d.get("time_zone", instants.DEFAULT_TIME_ZONE),
        _decode_pilot(d.get("pilot"))), data)
    try:
        ir_check.check_ruleset(ruleset)
    except ir_check.ShapeError as exc:
        raise ArtifactError(f"malformed rule set: at {exc.path}: {exc.message}" if exc.path
                            else f"malformed rule set: {exc.message}") from None
    except RecursionError:
        raise ArtifactError("malformed rule set: nested too deeply") from None
    return ruleset


def _decoding(path: str, build: Callable[[Any], N], data: Any) -> N:
    """`build(data)`, any mistake of the data an `ArtifactError` that names the part of the rule set."""
    where = f"at {path}: " if path else ""
    try:
        return build(data)
    except ArtifactError:
        raise
    except KeyError as exc:
        raise ArtifactError(f"malformed rule set: {where}missing `{exc.args[0]}`") from None
    except (TypeError, AttributeError, IndexError):
        raise ArtifactError(f"malformed rule set: {where}a value of the wrong kind (a list, an object, text or "
                            "a number where another is meant)") from None
    except (ValueError, ArithmeticError) as exc:
        raise ArtifactError(f"malformed rule set: {where}{exc}") from None
    except RecursionError:
        raise ArtifactError(f"malformed rule set: {where}nested too deeply") from None


def _no_float(text: str) -> Any:
    raise ValueError(f"the number {text[:20]} has a fraction or an exponent; amounts are whole minor units and "
                     "rates are written as text")


def read_limited(path: str | os.PathLike[str]) -> bytes:
    """An artifact file's bytes, refusing one over `MAX_ARTIFACT_BYTES` by its size before reading it (and
    while reading, since a pipe or a growing file can state less than it holds).

    Raises:
        OSError: the file cannot be read.
        ArtifactError: it is too large.
    """
    limit = limits.MAX_ARTIFACT_BYTES.value()
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        data = fh.read(limit + 1) if size <= limit else b""
    if size > limit or len(data) > limit:
        shown = f"{size:,} bytes, more than {limit:,}" if size > limit else f"more than {limit:,} bytes"
        raise ArtifactError(f"not read: the file has {shown} (raise the limit with the environment variable "
                            f"`{limits.MAX_ARTIFACT_BYTES.variable}`)")
    return data


def load_file(path: str | os.PathLike[str]) -> ir.RuleSet:
    """Read an artifact file within the limits (`read_limited`) and decode it (`loads`).

    Raises:
        OSError: the file cannot be read.
        UnicodeDecodeError: it is not UTF-8.
        ArtifactError: it is too large, or not a rule set this runtime can read.
    """
    return loads(read_limited(path).decode("utf-8"))


def _check_limits(text: str) -> None:
    limit = limits.MAX_ARTIFACT_BYTES.value()
    if len(text) > limit:
        raise ArtifactError(f"not read: more than {limit:,} characters (raise the limit with the environment "
                            f"variable `{limits.MAX_ARTIFACT_BYTES.variable}`)")
    most = limits.MAX_ARTIFACT_NESTING.value()
    if (offset := strict_json.nesting_over(text, most)) is not None:
        line = text.count("\n", 0, offset) + 1
        raise ArtifactError(f"not a rule set: its JSON is nested too deeply (more than {most} levels, at line {line})")


def loads(text: str) -> ir.RuleSet:
    """Read an artifact, checking its size and nesting (before parsing), its format, its hash and the shape of
    what it holds.

    Raises:
        ArtifactError: over the limits, not JSON, not a rule set, a hash that does not match, or content the
            runtime cannot run; never another exception, whatever the text.
    """
    _check_limits(text)
    try:
        envelope = strict_json.loads(text, parse_float=_no_float, parse_constant=_no_float)
    except strict_json.DuplicateKey as exc:
        raise ArtifactError(f"not a rule set: an object names `{exc.key}` twice") from exc
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"not a rule set: invalid JSON at line {exc.lineno}") from exc
    except ValueError as exc:  # a float, or an integer longer than Python reads (4300 digits)
        raise ArtifactError(f"not a rule set: {exc}") from None
    except RecursionError:
        raise ArtifactError("not a rule set: its JSON is nested too deeply") from None
    if not isinstance(envelope, dict) or envelope.get("format") != ir.FORMAT:
        raise ArtifactError(f"not a rule set of format {ir.FORMAT}")
    data = envelope.get("ruleset")
    if not isinstance(data, dict) or ir.digest(data) != envelope.get("sha256"):
        raise ArtifactError("the rule set's SHA-256 does not match its content; the file was altered")
    return decode(data)
