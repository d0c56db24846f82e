"""IR expressions as sentences in English and Japanese.

`partner.certified_engineers >= 5` reads "at least 5 certified engineers" / "`certified_engineers`が5以上";
`partner.trailing_sales >= 3億` with a description reads "sales over the last 12 months of at least ¥300M" /
"直近12か月の販売額が3億円以上". A field is named by the description of its declared input when the rule
set carries one, by the language's own words for built-in fields, and otherwise by a readable form of
its name (English) or the name itself in code style (Japanese, where an English phrase would be no
translation). An expression with no sentence form falls back to its canonical text in code style.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

from runtime import ir
from runtime.guides._canon import format_expr
from runtime.guides._format import Formatter
from runtime.guides._messages import Say
from runtime.guides._rich import Rich, code, compose, join, rich

_BUILTIN: dict[tuple[str, str], tuple[str, str]] = {
    ("partner", "tier"): ("tier", "ティア"),
    ("partner", "level"): ("hierarchy level", "代理店階層"),
    ("partner", "contract"): ("contract type", "契約形態"),
    ("partner", "id"): ("partner id", "パートナーID"),
    ("transaction", "list_price"): ("list price", "定価"),
    ("transaction", "sell_price"): ("selling price", "販売価格"),
    ("transaction", "quantity"): ("quantity", "数量"),
    ("transaction", "date"): ("transaction date", "取引日"),
    ("transaction", "product"): ("product", "製品"),
    ("transaction", "contract"): ("contract type", "契約形態"),
    ("transaction", "partner"): ("selling partner", "販売パートナー"),
    ("period", "sales"): ("sales this period", "期間中の販売額"),
    ("period", "purchases"): ("purchases this period", "期間中の仕入額"),
    ("period", "list_sales"): ("sales at list price this period", "期間中の定価ベースの販売額"),
    ("period", "quantity"): ("units sold this period", "期間中の販売数量"),
    ("period", "deals"): ("deals this period", "期間中の成約件数"),
    ("deal", "customer"): ("customer", "顧客"),
    ("deal", "date"): ("deal date", "商談日"),
    ("lead", "id"): ("lead id", "リードID"),
    ("lead", "date"): ("lead date", "リードの日付"),
    ("applicant", "id"): ("applicant", "申込企業"),
    ("applicant", "date"): ("application date", "申込日"),
}
# A tier reviewed on a cadence reads the period figures over the review's window (see "reviews.window.*").
_REVIEWED: dict[tuple[str, str], tuple[str, str]] = {
    ("period", "sales"): ("sales in the review's window", "判定期間の販売額"),
    ("period", "purchases"): ("purchases in the review's window", "判定期間の仕入額"),
    ("period", "list_sales"): ("sales at list price in the review's window", "判定期間の定価ベースの販売額"),
    ("period", "quantity"): ("units sold in the review's window", "判定期間の販売数量"),
    ("period", "deals"): ("deals in the review's window", "判定期間の成約件数"),
}
_OWNER = {"partner": ("the partner's ", "パートナーの"), "deal": ("the deal's ", "商談の"),
          "lead": ("the lead's ", "リードの"), "applicant": ("the applicant's ", "申込企業の"),
          "transaction": ("the transaction's ", "取引の"), "period": ("", "")}
_ACRONYMS = {"nda": "NDA", "mdf": "MDF", "crm": "CRM", "api": "API", "sla": "SLA", "it": "IT", "sku": "SKU"}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
# (English for counts, English for amounts, Japanese) per comparison operator.
_CMP_CONST = {
    ">=": ("at least {v} {f}", "{f} of at least {v}", "{f}が{v}以上"),
    ">": ("more than {v} {f}", "{f} above {v}", "{f}が{v}を超える"),
    "<=": ("at most {v} {f}", "{f} of at most {v}", "{f}が{v}以下"),
    "<": ("fewer than {v} {f}", "{f} below {v}", "{f}が{v}未満"),
    "==": ("exactly {v} {f}", "{f} of exactly {v}", "{f}が{v}"),
    "!=": ("a number of {f} other than {v}", "{f} other than {v}", "{f}が{v}以外"),
}
_CMP_DATE = {">=": ("{f} on or after {v}", "{f}が{v}以降"), ">": ("{f} after {v}", "{f}が{v}より後"),
             "<=": ("{f} on or before {v}", "{f}が{v}以前"), "<": ("{f} before {v}", "{f}が{v}より前"),
             "==": ("{f} on {v}", "{f}が{v}"), "!=": ("{f} not on {v}", "{f}が{v}以外")}
_CMP_FIELDS = {"==": ("{a} is the same as {b}", "{a}が{b}と同じ"), "!=": ("{a} differs from {b}", "{a}が{b}と異なる"),
               ">=": ("{a} is at least {b}", "{a}が{b}以上"), ">": ("{a} is more than {b}", "{a}が{b}を超える"),
               "<=": ("{a} is at most {b}", "{a}が{b}以下"), "<": ("{a} is less than {b}", "{a}が{b}未満")}
_NUMERIC = ("money", "integer", "number", "percent")


def input_description(decl: ir.InputDecl) -> ir.Text:
    """The description a program gave a declared input (empty when it gave none)."""
    return decl.description


def _readable(name: str) -> str:
    return " ".join(_ACRONYMS.get(word, word) for word in name.split("_"))


def _lower_first(text: str) -> str:
    """`Sales over …` → `sales over …`, but `NDA signed` stays."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


class Speaker:
    """Renders the expressions of one version of a rule set in one language."""

    def __init__(self, fmt: Formatter, say: Say, version: ir.Version, reviewed: bool = False) -> None:
        """`reviewed`: the sentences are of a tier qualification that a review reads over its window."""
        self.reviewed = reviewed
        self.fmt = fmt
        self.say = say
        self.lang = fmt.lang
        self.en = fmt.lang == "en"
        self.version = version
        self.inputs = {(i.scope, i.name): i for i in fmt.ruleset.inputs}

    # --- names --------------------------------------------------------------------------------------

    def label(self, field: ir.Field, qualified: bool = False) -> Rich:
        """What a field is called in a sentence."""
        decl = self.inputs.get((field.scope, field.name))
        if decl is not None:
            described = input_description(decl)
            if described.get(self.lang):
                text = described[self.lang]
                return rich(_lower_first(text) if self.en else text)
            if described:
                return self.fmt.text(described)
        owner = _OWNER.get(field.scope, ("", ""))[0 if self.en else 1] if qualified else ""
        key = (field.scope, field.name)
        builtin = (_REVIEWED.get(key) if self.reviewed else None) or _BUILTIN.get(key)
        if builtin is not None:
            return rich(owner + builtin[0 if self.en else 1])
        if self.en:
            return rich(owner + _readable(field.name))
        return rich(owner, code(field.name))

    def of_reviews(self) -> Speaker:
        """The same speaker for the qualifications of tiers reviewed on a cadence (period figures are the window's)."""
        return Speaker(self.fmt, self.say, self.version, reviewed=True)

    def tier_title(self, tier_id: str) -> Rich:
        """A tier by its title."""
        tiers = self.version.tiers.levels if self.version.tiers else ()
        found = next((t for t in tiers if t.id == tier_id), None)
        return self.fmt.text(found.title, tier_id) if found else rich(code(tier_id))

    def level_title(self, level: int) -> Rich | None:
        """A hierarchy level by its title, when the program has the level."""
        levels = self.version.hierarchy.levels if self.version.hierarchy else ()
        found = next((lv for lv in levels if lv.level == level), None)
        return self.fmt.text(found.title, str(level)) if found is not None and self.fmt.has_text(found.title) \
            else None

    def contract_title(self, contract_id: str) -> Rich:
        """A contract by its title."""
        found = next((c for c in self.version.contracts if c.id == contract_id), None)
        return self.fmt.text(found.title, contract_id) if found else rich(code(contract_id))

    # --- values -------------------------------------------------------------------------------------

    def const(self, node: ir.Const, field: ir.Field | None = None) -> Rich:
        """A constant as a reader would say it."""
        value = node.value
        if node.type == "money":
            return rich(self.fmt.money_short(int(value)) if Fraction(value).denominator == 1
                        else self.fmt.money(value))
        if node.type == "percent":
            return rich(self.fmt.rate(Fraction(value)))
        if node.type in ("integer", "number"):
            return rich(self.fmt.number(value))
        if node.type == "boolean":
            return rich(("yes" if value else "no") if self.en else ("はい" if value else "いいえ"))
        if node.type == "date" and isinstance(value, datetime.date):
            return rich(self.fmt.date(value))
        if node.type == "duration" and isinstance(value, ir.Duration):
            return rich(self.fmt.duration(value))
        if node.type == "text":
            return rich(f"“{value}”" if self.en else f"「{value}」")
        if field is not None and field.name == "tier" and field.scope == "partner":
            return self.tier_title(str(value))
        if field is not None and field.name == "contract":
            return self.contract_title(str(value))
        return rich(code(str(value)))

    def value(self, expr: ir.Expr) -> Rich:
        """A value expression (a margin, a fee, an amount) as a phrase."""
        match expr:
            case ir.Const():
                return self.const(expr)
            case ir.Field():
                return self.label(expr)
            case ir.If(condition=c, then=t, otherwise=o):
                then, other, when = self.value(t), self.value(o), self.condition(c)
                if self.en:
                    return rich(then, " if ", when, ", otherwise ", other)
                return rich(when, "の場合は", then, "、それ以外は", other)
        return self.canonical(expr)

    def canonical(self, expr: ir.Expr) -> Rich:
        """The canonical text of an expression, in code style."""
        return rich(code(format_expr(expr, self.fmt.ruleset.currency, self.fmt.ruleset.minor_unit)))

    # --- conditions ---------------------------------------------------------------------------------

    def condition(self, expr: ir.Expr) -> Rich:
        """A condition as a phrase: "at least 5 certified engineers" / "`certified_engineers`が5以上"."""
        match expr:
            case ir.Const(type="boolean", value=v):
                return rich(("always" if v else "never") if self.en else ("常に" if v else "該当なし"))
            case ir.Field(type="boolean"):
                return rich(self.label(expr), ": yes" if self.en else "：はい")
            case ir.Not(operand=ir.Field(type="boolean") as field):
                return rich(self.label(field), ": no" if self.en else "：いいえ")
            case ir.Not(operand=x):
                return rich("not (", self.condition(x), ")") if self.en else rich("「", self.condition(x), "」ではない")
            case ir.And():
                parts = [self._grouped(p, ir.Or) for p in _flatten(expr, ir.And)]
                return join(parts, ", ", " and ") if self.en else join(parts, "、かつ")
            case ir.Or():
                parts = [self._grouped(p, ir.And) for p in _flatten(expr, ir.Or)]
                return join(parts, ", ", " or ") if self.en else join(parts, "、または")
            case ir.Call(function="valid_on", args=(ir.Field() as record, day)):
                when = self._day(day)
                return rich(self.label(record), " in force on ", when) if self.en else \
                    rich(self.label(record), "が", when, "に有効")
            case ir.Compare(op=">=" | ">" as op, right=ir.Const(value=int() as n),
                            left=ir.Call(function="count_valid_on", args=(ir.Field() as items, day))) \
                    if not isinstance(n, bool):
                least = n if op == ">=" else n + 1
                when = self._day(day)
                return rich(f"at least {least} of ", self.label(items), " in force on ", when) if self.en else \
                    rich(self.label(items), "のうち", when, f"に有効なものが{least}件以上")
            case ir.Compare(op=op, left=left, right=right):
                return self._compare(op, left, right) or self.canonical(expr)
            case ir.In(negated=negated, item=ir.Field() as field, items=items) if all(
                    isinstance(i, ir.Const) for i in items):
                values = [self.const(i, field) for i in items if isinstance(i, ir.Const)]
                if self.en:
                    listed = join(values, ", ", " or ") if not negated else join(values, ", ")
                    return rich(self.label(field), " is none of " if negated else " is ", listed)
                listed = join(values, "、", "または") if not negated else join(values, "、")
                return rich(self.label(field), "が", listed, "のいずれでもない" if negated else "")
        return self.canonical(expr)

    def _day(self, day: ir.Expr) -> Rich:
        """The date a record is judged on: `as_of` in words (the date the rule is applied on), else as written."""
        if isinstance(day, ir.Field) and (day.scope, day.name) == (ir.AS_OF_SCOPE, ir.AS_OF_NAME):
            return rich("the date it applies to" if self.en else "適用日")
        if isinstance(day, ir.Field) and (day.scope, day.name) == ("transaction", "date"):
            return rich("the transaction's date" if self.en else "取引日")
        return self.canonical(day)

    def _grouped(self, expr: ir.Expr, inner: type) -> Rich:
        text = self.condition(expr)
        if isinstance(expr, inner):
            return rich("(", text, ")") if self.en else rich("（", text, "）")
        return text

    def _compare(self, op: str, left: ir.Expr, right: ir.Expr) -> Rich | None:
        if isinstance(left, ir.Const) and isinstance(right, ir.Field):
            op, left, right = _FLIP[op], right, left
        if not isinstance(left, ir.Field):
            return None
        if isinstance(right, ir.If):
            then, other = self._compare(op, left, right.then), self._compare(op, left, right.otherwise)
            if then is None or other is None:
                return None
            when = self.condition(right.condition)
            if self.en:
                return rich(then, " if ", when, ", otherwise ", other)
            return rich(when, "の場合は", then, "、それ以外は", other)
        if isinstance(right, ir.Field):
            pattern = _CMP_FIELDS[op][0 if self.en else 1]
            return compose(pattern, a=self.label(left, True), b=self.label(right, True))
        if not isinstance(right, ir.Const):
            return None
        if (left.scope, left.name) == ("partner", "level") and op == "==":
            title = self.level_title(int(right.value))
            if title is not None:
                return rich("the partner is a ", title) if self.en else rich(title, "である")
        if left.type == "boolean" and right.type == "boolean" and op in ("==", "!="):
            yes = bool(right.value) == (op == "==")
            answer = (": yes" if yes else ": no") if self.en else ("：はい" if yes else "：いいえ")
            return rich(self.label(left), answer)
        value = self.const(right, left)
        if left.type in _NUMERIC and right.type in _NUMERIC:
            counts, amounts, ja = _CMP_CONST[op]
            pattern = (counts if left.type == "integer" else amounts) if self.en else ja
            return compose(pattern, f=self.label(left), v=value)
        if left.type == "date":
            return compose(_CMP_DATE[op][0 if self.en else 1], f=self.label(left), v=value)
        if op == "==":
            return rich(self.label(left), " is ", value) if self.en else rich(self.label(left), "が", value)
        if op == "!=":
            return rich(self.label(left), " is not ", value) if self.en else rich(self.label(left), "が", value, "以外")
        return None


def _flatten(expr: ir.Expr, kind: type) -> list[ir.Expr]:
    if isinstance(expr, ir.And) and kind is ir.And or isinstance(expr, ir.Or) and kind is ir.Or:
        assert isinstance(expr, ir.And | ir.Or)
        return _flatten(expr.left, kind) + _flatten(expr.right, kind)
    return [expr]
