"""The registry of diagnostic codes: each code has a title and an explanation, and is never reused.

Ranges: E1xx YAML and expression syntax, E2xx schema, E3xx names, types and program semantics,
E4xx dates and effective periods, E5xx runtime, Wxxx warnings. `docs/diagnostics.md` is generated
from this table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Code:
    """One diagnostic code and its documentation."""

    code: str
    title: str
    explanation: str


_TABLE: tuple[tuple[str, str, str], ...] = (
    # --- E1xx: files, YAML and expression syntax ---
    ("E100", "file is not UTF-8", "Program files are read as UTF-8 text. Save the file as UTF-8 (without a byte order "
     "mark is best); legacy encodings such as Shift_JIS are rejected rather than guessed."),
    ("E101", "invalid YAML", "The file is not well-formed YAML: an indentation mistake, an unclosed bracket or quote, "
     "or a tab used for indentation."),
    ("E102", "duplicate key", "A mapping names the same key twice. YAML parsers silently keep the last one, which hides "
     "mistakes, so ppl rejects it."),
    ("E103", "key is not text", "Every key in a program file must be text. A key such as `1`, `true` or `2026-04-01` is "
     "read as a number, a boolean or a date; quote it if you mean text."),
    ("E104", "custom tag", "YAML tags (`!!python/object`, `!include`, `!!binary` …) are not allowed: a program is plain "
     "data and is always loaded safely."),
    ("E105", "too many aliases", "Anchors and aliases are allowed only up to a small bound, so that a file cannot expand "
     "into a huge document (an alias bomb)."),
    ("E106", "more than one document", "A program file holds exactly one YAML document; `---` separators that start a "
     "second document are rejected."),
    ("E107", "cannot read file", "The file does not exist or cannot be read."),
    ("E108", "file too large", "A program file (or a catalog file, or a program on standard input) is over one of "
     "the limits that keep reading it quick and small: its size (1 MiB), the length of a line (10,000 "
     "characters), the number of keys, values and list items (10,000) or the length of one value (100,000 "
     "characters). Each limit can be raised with an environment variable (`PPL_MAX_PROGRAM_BYTES`, "
     "`PPL_MAX_LINE_CHARS`, `PPL_MAX_YAML_NODES`, `PPL_MAX_SCALAR_CHARS`); the size is checked before the file "
     "is read."),
    ("E110", "yes/no word read as a boolean", "YAML 1.1 reads plain `yes`, `no`, `on`, `off`, `y`, `n` as booleans. "
     "Where text is expected, quote the word."),
    ("E111", "clock-like value read as a number", "YAML 1.1 reads `1:30` as the base-60 number 90. Where text is "
     "expected, quote the value."),
    ("E112", "date where text is expected", "An unquoted `2026-04-01` is read as a date. Where text is expected "
     "(an id or a title), quote it."),
    ("E120", "expression syntax error", "An expression could not be parsed at the marked place; the message says what "
     "was expected there."),
    ("E121", "incomplete expression", "An expression ended early: an operator, `then`/`else` or a closing bracket is "
     "missing."),
    ("E122", "malformed literal", "A number, money amount, percentage, date or duration is written in a form ppl does "
     "not accept, such as `¥1,00` (digit groups must have three digits) or `2026-02-30`."),
    ("E123", "unterminated text", "A quoted text in an expression has no closing quote."),
    ("E124", "expression too large", "An expression is over one of the limits that keep checking and compiling "
     "it quick: its length (10,000 characters), its words, numbers and signs (3,000; and 10,000 for all the "
     "expressions of one file), its nesting (200 levels of operators or brackets), the members of a list (1,000) "
     "or the length of a quoted text (1,000 characters). Split it into smaller expressions. Every limit but the "
     "nesting can be raised with an environment variable (`PPL_MAX_EXPRESSION_CHARS`, `PPL_MAX_EXPRESSION_TOKENS`, "
     "`PPL_MAX_PROGRAM_TOKENS`, `PPL_MAX_LIST_MEMBERS`, `PPL_MAX_TEXT_CHARS`)."),
    # --- E2xx: program structure (JSON Schema) ---
    ("E200", "program is not a mapping", "A program file must be a mapping with the keys `ppl`, `program` and the "
     "sections of the program; the file is empty or holds a list or a single value."),
    ("E201", "wrong kind of value", "A value has the wrong kind: for example a list where a mapping is expected, or a "
     "number where text is expected."),
    ("E202", "missing required key", "A construct lacks a key it must have, such as a tier without `id`."),
    ("E203", "unknown key", "A mapping has a key the language does not define here; usually a misspelling."),
    ("E204", "value not allowed", "A value must be one of a fixed set of words (for example a ladder `mode` is "
     "`retroactive` or `marginal`)."),
    ("E205", "badly formed value", "A value does not have the required form: ids are lowercase words with `_` or `-`, "
     "currencies are ISO 4217 codes such as `JPY`."),
    ("E206", "list is empty", "A list that must have entries (ladder steps, tier levels, conflict rules) is empty."),
    ("E207", "value out of range", "A number is outside the range the language allows here (for example the language "
     "version or a hierarchy depth)."),
    ("E208", "invalid structure", "The value does not match any of the forms allowed here."),
    # --- E3xx: names, types and program semantics ---
    ("E300", "duplicate id", "Two constructs of the same kind share an id; ids must be unique so that references and "
     "explanations are unambiguous."),
    ("E301", "unknown reference", "A construct refers by id to a tier, benefit, ladder, contract, enumeration or version "
     "that is not defined."),
    ("E302", "unknown field", "An expression reads a field that is neither built in nor declared under `inputs`."),
    ("E303", "unknown function or wrong arguments", "An expression calls a function that does not exist, or with the "
     "wrong number of arguments."),
    ("E304", "operands of the wrong type", "An operator is applied to values it does not combine, such as money plus a "
     "percentage, or a date times a number."),
    ("E305", "currencies do not match", "Two amounts in different currencies are added or compared; ppl never converts "
     "currencies implicitly."),
    ("E306", "condition is not a yes/no value", "A `when` or qualification must be a condition (true or false), not an "
     "amount or a number."),
    ("E307", "expression has the wrong type for its place", "The value computed by an expression is not what this key "
     "needs, for example a margin that is money instead of a percentage."),
    ("E308", "unknown name", "A bare name in an expression is not a member of any enumeration in scope."),
    ("E309", "amount finer than the currency allows", "An amount has more decimals than its currency's minor unit: the "
     "yen has none, the dollar two. This holds wherever a program writes an amount (ladder steps, caps, floors, fees, "
     "price rules, thresholds, catalog prices) and for a bare number that stands for an amount because it is added "
     "to, compared with or chosen alongside money: `list_price - 1199.995`, `¥100 + 0.5` and "
     "`max(sell_price, 1199.5)` are errors in yen. A bare number that multiplies money is a ratio and may have "
     "any number of decimals (`sell_price * 0.015`)."),
    ("E310", "unknown type", "A declared input names a type that is neither built in nor an enumeration of the program."),
    ("E311", "unknown currency", "A currency code or symbol is not one that ppl knows."),
    ("E312", "division by zero in the program", "An expression divides by a constant that is zero (`15% / 0`, `x / (1 - 1)`): every evaluation would fail. It is refused when the program is checked rather than rejecting every row at run time; divide by the value meant, or guard a field that may be zero with `if … then … else …`."),
    ("E313", "amount too large", "A constant in the program reaches the magnitude ceiling, 10^15 (1,000兆): an amount "
     "in whole currency units, a count, a number or a percentage as written, or a constant expression such as "
     "`¥999兆 + ¥999兆`. The ceiling is what every engine holds exactly, and transaction rows have the same one (a "
     "larger amount or line amount is a rejected row); check the number of digits."),
    ("E314", "id not in its canonical form", "A SKU or product name that the program matches against transaction rows (a catalog `sku`, a `price_rules.zero_price` product) is written in a form that rows never take: rows' ids are read in their canonical form (NFKC-normalised and stripped: full-width `ＳＫＵ-1` reads `SKU-1`), so the program would match nothing. Write the canonical form the message gives. An id with an invisible or control character, or with letters that imitate another script, is refused for the same reasons as in rows (see `E525`, `E526`)."),
    ("E320", "ladder steps out of order", "The steps of a margin ladder or bonus must be listed in strictly increasing "
     "order of their threshold."),
    ("E321", "duplicate ladder step", "Two steps start at the same threshold, so the rate there is ambiguous."),
    ("E322", "ladder steps overlap", "A step's upper bound (`to`) reaches past the next step's threshold."),
    ("E323", "gap between ladder steps", "A step's upper bound (`to`) stops before the next step starts, leaving volumes "
     "that no step covers."),
    ("E330", "rate out of range", "A margin, uplift, discount or fee must lie in [0 %, 100 %); a margin of 100 % or more "
     "would make the wholesale price zero or negative."),
    ("E331", "payout cap below a step", "A bonus cap is smaller than a single step's payout, so that step could never be "
     "paid in full."),
    ("E340", "deeper level earns more than its parent", "In a nested hierarchy each level buys from the one above, so a "
     "deeper level's margin must not exceed its parent's; otherwise the parent sells at a loss."),
    ("E341", "hierarchy margins exceed what the price rules leave", "The margins of the channel (stacked across the "
     "levels, or the 1st level's margin with uplifts in a nested hierarchy) are more than `max_channel_margin` allows."),
    ("E342", "hierarchy levels badly numbered", "Hierarchy levels are numbered 1, 2, 3 … without gaps, and never deeper "
     "than `max_depth`."),
    ("E350", "contradictory conflict rules", "Two conflict rules demand opposite outcomes (for example partner over "
     "direct and direct over partner), the same rule appears twice, or two rules have equal precedence: they keep the "
     "same claims in every contest, so their order means nothing."),
    ("E351", "conflicts can stay unresolved", "The precedence chain can leave competing claims without an owner: some "
     "contest of two claims passes every rule and there is no `otherwise: vendor_decides`. One error is given for "
     "each kind of claimants (two partners, a partner and direct sales, a partner that has not registered …), with "
     "such a contest."),
    ("E352", "tie-break order lists a partner twice", "A `tie_break` by `order` lists the same partner id twice; "
     "the order names each partner once, the favoured first."),
    ("E360", "condition can never hold", "A tier qualification, bonus or benefit condition contradicts itself "
     "(for example `x >= 10 and x < 5`), so it can never be reached."),
    ("E361", "tier shadowed by a higher tier", "Every partner who meets this tier's qualification also meets a higher "
     "tier's, so this tier can never be assigned."),
    ("E362", "routing or hierarchy refers to something missing", "Lead routing or reseller routing names a level, tier "
     "or field the program does not have."),
    ("E363", "assigned tier with a qualification", "A tier states both `assigned: true` and `qualify:`. An assigned "
     "tier is decided by the vendor and stated in the partners file's `tier` column; a qualified tier is decided by "
     "its condition. Keep one of the two."),
    ("E364", "tier review out of range", "A `tiers.review` key is outside what a review can mean: a `{months: N}` "
     "window reads 1 to 36 whole months before the review, `keep` (how many review periods a tier reached at a "
     "review stays in force) is 1 to 120, and `grace` (how many reviews a partner may miss its tier before it is "
     "demoted) is 0 to 120."),
    ("E365", "reseller routing counts what is not an integer", "A `fewest:` key of `hierarchy.new_resellers` "
     "counts, for each 1st-tier distributor, `children` (the resellers under it in the partners file plus the "
     "applications routed to it so far) or a declared integer partner input such as `open_leads`. The marked name is "
     "neither: an input the program does not declare under `inputs: partner:`, or one of another type. Write "
     "`fewest: children`, or declare the input as `integer`."),
    ("E366", "reseller routing key that can never decide", "A key of `hierarchy.new_resellers.order` can never "
     "choose a distributor: the routing sends would-be resellers to the vendor (`to: vendor`), so no distributor is "
     "chosen at all, or the key repeats an earlier key of the same order, which has already ranked the distributors "
     "the same way. Remove the key, or write `to: level_1`."),
    ("E370", "threshold beyond the volume cap", "A ladder step or bonus target is above the `volume_cap` of its "
     "ladder or bonus. Volume above the cap is not counted, so no partner can ever reach the step; with `above`, a "
     "threshold equal to the cap cannot be reached either."),
    ("E371", "cap of zero or less", "A `volume_cap`, pass-through `fee_cap` or the program's `payout_cap` is zero or "
     "negative, so the ladder, bonus, fee or statement it limits could never count or pay anything."),
    ("E372", "threshold stated twice", "A ladder step states both `from` and `above`, or a bonus step both `target` "
     "and `above`. A threshold is either reached at its volume (`from`/`target`, 以上) or only by more than it "
     "(`above`, 超): keep one."),
    ("E315", "not a dated record", "`valid_on`, `.from` and `.until` read a dated record (an input of type `dated`, such as an NDA with its start and end), and `count(…, valid_on: d)` a list of them (`{list: dated}`, such as certifications). The marked value is of another type. Declare the input as `dated` or `{list: dated}`, or compare the value itself."),
    ("E316", "count of a value that is not a list", "`count(x)` counts the members of a list input (`{list: region}`, `{list: dated}`) and `x in …` tests one; the marked value is not a list, or `count` is given other arguments than a list and `valid_on:`. For a number, compare it; for a list written in the expression, count it yourself."),
    ("E317", "not a date", "`valid_on` is asked about a date: `partner.nda.valid_on(transaction.date)`, `count(partner.certifications, valid_on: as_of)`. The marked argument is not a date (or is missing). Give a date field, `as_of`, a date literal such as `2026-04-01`, or a date plus a duration."),
    ("E390", "rate can fall outside 0 % to 100 %", "A rate that depends on something (an `if`, `min` or `max`) has a "
     "constant branch below 0 % or above 100 %. Every rate a program produces (margins, uplifts, level margins, caps, "
     "fees) must lie in [0 %, 100 %]: above, the wholesale price would be negative; below, the partner would pay. "
     "The diagnostic points at the branch; a rate computed from inputs is checked line by line at runtime (E560)."),
    ("E391", "input range of the wrong kind", "`min` and `max` of a declared input must be constants of the input's "
     "type and apply only to ordered types (money, integer, number, percent, date); `values` must be constants of the "
     "input's type (members of its enumeration, words for text)."),
    ("E392", "input range is empty", "An input's `min` is above its `max`, so no value would be accepted."),
    ("E393", "allowed value repeated or out of range", "A value under an input's `values` is listed twice, or lies "
     "outside the input's own `min`..`max`."),
    ("E394", "pilot size range is empty", "The program's `pilot` states a `min` above its `max`, so no number of "
     "partners would be inside it."),
    ("E380", "markup setting without a billed amount", "A pass-through states `markup`, `max_markup` or `action`, but "
     "not `billed`: a markup is what the partner billed the customer above the cost, so without the billed amount "
     "there is nothing to judge. Add `billed:` (an amount the transaction carries), or remove the setting."),
    ("E381", "markup stated twice", "A pass-through states both `markup` and `max_markup`. `max_markup` alone allows "
     "a markup up to its rate of the cost; `markup: allowed` allows any markup and `markup: none` (the default) none."),
    ("E382", "action on a ceiling of none", "The ceiling is `none`, so no sale can break it, yet it states an "
     "`action`. Remove the action, or set the ceiling to `list_price`."),
    ("E383", "action on a markup that is allowed", "A pass-through allows any markup (`markup: allowed`) and states "
     "an `action`, which can never apply. Remove the action, or limit the markup with `max_markup`."),
    ("E384", "SKU listed twice", "A catalog lists the same SKU twice, so a transaction naming it would have two list "
     "prices. List it once; a price that changes on a date goes under the SKU's `prices`."),
    ("E385", "unknown catalog category", "A catalog item names a category the catalog's `categories` do not list. "
     "Categories are an enumeration, so that a rule comparing `item.category` with a misspelt category is an error "
     "too."),
    ("E386", "catalog prices out of date order", "A SKU's `prices` must be listed in date order, one per date: each "
     "price applies from its date until the next one."),
    ("E387", "cannot read the catalog file", "`catalog: {file: …}` names a file that cannot be read. The file is "
     "read relative to the folder of the program file, and holds the catalog's `categories`, `items` and "
     "`action`."),
    # --- E4xx: dates and effective periods ---
    ("E400", "invalid date", "A date is not a real calendar date in ISO form (YYYY-MM-DD)."),
    ("E401", "period ends before it starts", "`effective_until` is earlier than `effective_from`."),
    ("E402", "versions overlap", "Two versions of a program are in force on the same day; a transaction must be judged "
     "by exactly one version."),
    ("E403", "duplicate version", "Two versions carry the same version name."),
    ("E404", "revision out of order", "Revisions must start after the version before them, in date order."),
    ("E405", "unknown time zone", "The program's `time_zone` is not an IANA time zone name such as `Asia/Tokyo` "
     "(the default) or `America/New_York`. The time zone decides the calendar date of a timestamp."),
    ("E406", "timestamp without a UTC offset", "An `effective_from` or `effective_until` written as a timestamp must "
     "carry its offset (`2026-10-01T00:00:00+09:00`, `2026-09-30T15:00:00Z`); a time without one names no instant. "
     "Write the date alone to mean the start of that day in the program's time zone."),
    ("E407", "two versions start at the same instant", "Two versions come into force at the same instant, whatever "
     "notation they use: `2026-10-01` in Asia/Tokyo and `2026-09-30T15:00:00Z` are the same instant, so the version "
     "in force then would be ambiguous."),
    ("E408", "invalid timestamp", "A timestamp is not a real instant: an hour past 23, a minute past 59, an offset of a "
     "day or more, or a date that does not exist."),
    # --- E5xx: evaluating transactions (the runtime) ---
    ("E500", "missing field", "A transaction, partner or lead lacks a field that the program reads (a built-in field or one declared under `inputs`). The row is rejected; the rest of the run goes on."),
    ("E501", "division by zero", "An expression divided by zero for this transaction, for example `period.sales / partner.target` with a target of 0. Guard it with `if partner.target > 0 then … else …`."),
    ("E502", "field has the wrong kind of value", "A field holds a value of another type than declared, for example text where an amount is declared. Readers convert input files by the declared types, so this points at data built by hand."),
    ("E510", "no version in force", "The transaction's date is before the program's first version or after the last day of a version that has an `effective_until` and no successor."),
    ("E511", "unknown partner", "A transaction names a partner that is not in the partners file."),
    ("E512", "unknown contract", "A transaction or partner names a contract that the version in force does not define."),
    ("E513", "broken distributor chain", "A partner's `parent` is unknown, the chain loops, or it is deeper than the hierarchy's `max_depth`."),
    ("E514", "outside the settlement period", "A transaction is dated outside the period being settled; it belongs to another statement."),
    ("E515", "partner not a member on the transaction's date", "A transaction is dated before its partner's `joined` date or after its `left` date in the partners file, or a distributor in its chain (a partner it buys through) is not a member on that date. The row is rejected; a reseller whose distributor left is moved to another distributor in the partners file (its `parent`), and its later sales are then settled. Refunds are not checked: a refund follows its sale."),
    ("E516", "ledger tier not in the program", "`ppl quote --ledger` or `ppl explain --ledger` read the tier in "
     "force from the program's last recorded settlement run, and a tier review there put a partner in a tier the "
     "program no longer has (its tiers were renamed or removed since). Settle the year again with the program as it "
     "is, so that the ledger records reviews of its tiers, or quote without `--ledger`."),
    ("E520", "missing column", "A transaction or partner row lacks a required column, such as `date` or `list_price`, or a declared input."),
    ("E521", "bad value", "A value in a row cannot be read as its type: a date that is not YYYY-MM-DD, a price that is not a number, a quantity with decimals."),
    ("E522", "not a member of the enumeration", "A value of an enumeration field (a region, a category, a tier) is not one of the members the program declares."),
    ("E523", "amount finer than the currency allows", "An amount in the input has more decimals than the currency's minor unit (the yen has none); ppl never rounds input silently."),
    ("E524", "duplicate transaction id", "A row whose transaction id appeared earlier in the file is rejected, so that a row pasted twice is not paid twice. Ids are compared in their canonical form, so `Ｔ-1` repeats `T-1`. `ppl settle --allow-duplicate-ids` settles such rows instead (a refund cannot then name an id that several sales share, E543)."),
    ("E525", "invisible or control character in an id", "An id (a transaction, partner, parent, contract, tier, product, SKU, `refund_of`, registration or lead id) holds a character that cannot be seen or that changes how text is shown: a zero-width space or joiner (U+200B–U+200D, U+2060, U+FEFF), a bidirectional control such as U+202E RIGHT-TO-LEFT OVERRIDE, another format, control, private-use or unassigned character, a tab or a line break inside it. Two such ids look the same and are not, so the row is rejected (a partners file or registration is refused) rather than settled. The reason names the character; remove it from the data. Registration customer names and text deal fields are refused for the same characters."),
    ("E526", "id mixes scripts", "An id's letters imitate another script: Latin letters together with Cyrillic or Greek ones (Cyrillic `Р` in `P-001`), Cyrillic with Greek, or Cyrillic or Greek letters that all look like Latin letters (`Р-001`). Such an id reads as another one and could take its payouts, so it is rejected; the reason names the character. Ids wholly in Cyrillic or Greek, Japanese ids (kanji and kana, with Latin letters and digits or without) and ids in other scripts are accepted."),
    ("E527", "row or field too large", "An input row (a CSV record or a JSON Lines line) is longer than 1 MiB, or one of its values (a CSV or Parquet cell, a JSON value) is longer than 131,072 characters. The row is rejected with its row number, without reading the rest of it into memory, and the rest of the file goes on. Raise the limits with the environment variables `PPL_MAX_ROW_BYTES` and `PPL_MAX_FIELD_CHARS`."),
    ("E528", "id too long", "An id is longer than 256 characters after normalisation (a registration's customer name or text deal field: longer than 256 characters). No real id is that long; such a value is a mistake or hostile input, and the row is rejected."),
    ("E529", "bad dated fact", "A dated fact of a partner (a record of a `dated` input such as an NDA, a member of a `{list: dated}` input such as a certification, or a value of a `{list: …}` input), read from a JSON cell of the partners file or a row of `--partner-facts`, is not usable: its partner or input is unknown, a date is not YYYY-MM-DD, `until` is before `from`, the JSON is not valid (a duplicate key, a value of the wrong shape, nested too deep), a value is not a member of its enumeration, or an id is refused as in E525–E528. The record is rejected with its file, row and reason; the partner's other facts still count, and the summary says how many fact records were read, accepted and rejected."),
    ("E530", "timestamp without a timezone", "A transaction's `date`, a registration or a deal time is a timestamp without a UTC offset. Instants from different offices must compare correctly, so every timestamp carries its offset, e.g. `2026-06-01T10:00:00+09:00`; its calendar date is then the one the program's time zone shows. A date alone (`2026-06-01`) needs no offset."),
    ("E540", "quantity of 0", "A transaction row with quantity 0 is neither a sale nor a refund, so the program cannot settle it. Remove the row, or state the units sold (or, for a refund, returned)."),
    ("E541", "unit price of 0", "A sale with a `list_price` or `sell_price` of 0 is rejected: a price left blank by mistake must not settle as a free item. A program that gives some products away names them under `price_rules.zero_price` (matched against the transaction's `product`)."),
    ("E542", "negative quantity without the sale it reverses", "A negative quantity is not a sale. A refund is its own kind of row: it names the sale it reverses in `refund_of` and states the units returned as a negative quantity, and it is settled with that sale's rates and rounding."),
    ("E543", "refund of an unknown sale", "A refund's `refund_of` does not name an accepted sale earlier in the same input: there is no such row before it, the row it names was rejected or is itself a refund, or the id names more than one row (possible only with `ppl settle --allow-duplicate-ids`). A sale from an earlier input cannot be refunded in this one yet."),
    ("E544", "refund of more than remains", "A refund returns more units than remain of its sale (its quantity less what earlier refunds returned). The refund is rejected and changes nothing; the units already refunded stay as they were."),
    ("E545", "refund that disagrees with its sale", "A refund states a partner, contract, product or price other than its sale's, or is dated before its sale. A refund is settled as its sale was, so what it states must be the sale's; prices and contract may be left blank."),
    ("E546", "refund with a positive quantity", "A row with `refund_of` states the units returned as a negative quantity (as the lines it makes are negative); a positive quantity with `refund_of` is ambiguous and rejected."),
    ("E533", "two claims with one id", "Two registrations in one conflict decision share an id, so the reasons could not say which claim won or lost."),
    ("E531", "no conflict rules", "A deal conflict was asked of a program version that has no `conflicts` section."),
    ("E532", "no lead routing", "A lead was routed with a program version that has no `lead_routing` section."),
    ("E560", "rate outside 0 % to 100 %", "A rate computed for this line from the program's expressions (a margin, an uplift, a level's margin, a cap, a fee, or the margin they add up to) lies below 0 % or above 100 %. The line is rejected rather than paid with a negative wholesale price or a negative margin; the reason names the rule."),
    ("E561", "input outside its range", "A value of a declared input lies outside the `min`/`max` the program states for it, or is not one of its `values`. The transaction row is rejected (a partner row makes the partners file fail), naming the input."),
    ("E550", "sale above the list price", "The sell price is above the list price and the price rules set "
     "`ceiling: list_price`. With the action `reject` (the default) the row goes to the rejects and counts in no "
     "total or volume; `hold` keeps it out the same way and lists it in the held rows for review; `flag` settles it "
     "and lists the violation."),
    ("E551", "sale below the discount floor", "The sell price is below the list price less `max_discount`. The "
     "default action is `flag`: the line is settled and the violation listed; `reject` and `hold` keep the line "
     "out of every total and volume (in the rejects, or in the held rows for review)."),
    ("E552", "fee below the minimum", "A sale's fee line (a pass-through fee or a referral fee) is below the price "
     "rules' `min_fee`. The default action is `flag`; `reject` and `hold` keep the line out of every total."),
    ("E553", "pass-through billed above cost", "A pass-through's billed amount is above its cost by more than the "
     "program allows (no markup unless `markup: allowed` or `max_markup`). The default action is `hold`: the line "
     "is kept out of every total and volume and listed in the held rows for review."),
    ("E554", "list price disagrees with the catalog", "A transaction names a SKU and states a list price other "
     "than the catalog's on its date. The default action is `reject`; the catalog's `action` may say `flag` or "
     "`hold`. Leave `list_price` empty to take the catalog's."),
    ("E555", "unknown SKU", "A transaction names a SKU that the catalog of the version in force on its date does "
     "not list. The row is rejected."),
    ("E570", "rule set not signed", "Only rule sets signed by a trusted key are accepted (`--trusted-key`, "
     "`PPL_TRUSTED_KEYS`), and this one has no signature file (`<artifact>.sig`), or a program was given instead of "
     "a compiled rule set. Sign it with `ppl compile --sign KEY`; a rule set's SHA-256 is no signature, since "
     "anyone who can edit the file can compute it again."),
    ("E571", "signature does not match", "The rule set's signature file is not an Ed25519 signature of its bytes: "
     "the rule set (or the signature) was altered after signing. Compile and sign it again."),
    ("E572", "signed by a key that is not trusted", "The rule set is signed, but by a key that is not among the "
     "trusted ones. Trust that key's public key with `--trusted-key`, or sign with a trusted key."),
    ("E580", "settlement older than the ledger's last", "A settlement as of a date earlier than the last run the "
     "ledger holds for the same program year is refused: a year's runs go forward in time, and each pays the "
     "difference from what the earlier ones paid. Settle as of the last run's date or later; the same as-of with the "
     "same figures records nothing new, and with other figures it is a correction, a new run."),
    ("E581", "ledger currency mismatch", "The ledger holds the program's earlier runs in another currency (or with "
     "another number of decimals), so what they paid cannot be set against this run. Keep one currency per program "
     "in a ledger file, or start another ledger file."),
    # --- Warnings ---
    ("W301", "declared but never used", "An input field, enumeration, benefit, ladder or bonus is declared but nothing "
     "in the program uses it."),
    ("W302", "payout cliff", "One more yen of volume raises the payout by more than the program's `cliff_tolerance`: the "
     "classic surprise of a retroactive ladder, where crossing a threshold re-rates the whole period, or a large bonus step."),
    ("W303", "conflict rule can never decide", "In no contest of two claims is this rule the one that decides: wherever it "
     "would tell the claims apart, an earlier rule of the precedence chain decides first (or stops the chain, as a "
     "`tie_break` by `vendor_decides` does), or no two claims can differ by it. The note names the rules that decide "
     "first, each with such a contest."),
    ("W304", "bonus step beyond the cap", "Earlier steps already reach the bonus cap, so this step adds nothing."),
    ("W305", "discount can exceed the deepest margin", "The allowed discount is larger than the deepest level's margin, so "
     "a partner may sell below its own purchase price."),
    ("W306", "active partners outside the pilot size", "The program states its pilot size (`program.pilot`, e.g. "
     "`{min: 3, max: 5}`) and the partners file has fewer or more partners active than that: members (see `joined` "
     "and `left`) on the settlement period's last day for `ppl settle`, on today's date for `ppl check --partners`. "
     "An advisory: it is printed on stderr and changes neither the output nor the exit status. The practice is to "
     "start a partner program with three to five partners, support each well, and grow once the model works."),
    ("W307", "qualification requires the tier itself", "A tier's `qualify` holds only for a partner the partners "
     "file already places in that tier (`qualify: partner.tier == gold`, or such a test joined with `and`), so the "
     "tier decides itself. A tier the vendor decides is written `assigned: true`, without `qualify:`: the partners "
     "file's tier then holds as it stands. A qualification that keeps the tier or earns it "
     "(`partner.tier == gold or period.deals >= 20`) is not reported."),
    ("W308", "tier review with nothing to review", "The tiers have a `review:` but every tier is `assigned: true`: "
     "a review never reaches an assigned tier on figures, and partners holding one are not reviewed, so the reviews "
     "decide nothing. Remove `review:`, or give a tier a `qualify:`."),
    ("W309", "tier review that never demotes", "The review's `keep` or `grace` is larger than twice the reviews in a "
     "year (8 for a quarterly cadence), so a tier reached at a review stays in force for more than two years "
     "whatever the figures: the review reads as never demoting. Lower it, or say so plainly with an assigned tier."),
    ("W310", "bonus step swallowed by the cap", "In a cumulative bonus with a percentage payout, the earlier steps "
     "already pay the bonus cap at this step's target; payouts never fall as volume grows, so the step adds nothing."),
    ("W311", "bonus cap never reached", "The most the bonus's steps can pay (on at most its `volume_cap` of volume) is "
     "below its money `cap`, so the cap never limits anything."),
    ("W312", "bonus step above the payout cap", "A bonus step pays more than the program's `payout_cap`, so a partner "
     "can never be paid it in full in one settlement period."),
    ("W314", "exclusive right without registration never wins", "An `exclusivity` rule says `needs_registration: "
     "false`, but in every contest between a partner holding that right without a registration and a claimant that "
     "registered, an earlier rule (usually `first_registration`, which counts a claim without a registration as "
     "registered after every registration) decides against the partner holding the right. The right then owns only "
     "deals nobody else registered. Move the rule before `first_registration`."),
)

CODES: dict[str, Code] = {code: Code(code, title, text) for code, title, text in _TABLE}


def lookup(code: str) -> Code:
    """The registry entry of a code (KeyError for an unregistered code is a bug)."""
    return CODES[code]
