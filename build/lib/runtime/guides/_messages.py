"""The guide's own words in English and Japanese: headings, column titles and sentence patterns.

Each entry is `key: (English, Japanese)`. `{name}` marks a place for a value; values are formatted
and escaped elsewhere. Terms follow the project glossary (定価 list price, 卸値 wholesale price,
仕入額 purchases, 商談登録 deal registration, バッティング channel conflict, …).
"""

from __future__ import annotations

from runtime.guides import _messages_time
from runtime.guides._rich import Part, Rich, compose

MESSAGES: dict[str, tuple[str, str]] = {
    # --- front matter ---------------------------------------------------------------------------
    "guide.title": ("{title}: partner guide", "{title} パートナーガイド"),
    "guide.version": ("Version {version}, in force from {start}.", "バージョン{version}（{start}から適用）"),
    "guide.version_until": ("Version {version}, in force from {start} to {end}.",
                            "バージョン{version}（{start}から{end}まで適用）"),
    "guide.time_zone": ("Dates are calendar days in the {zone} time zone: a transaction or registration stamped "
                        "with a time counts on the day it is in {zone}.",
                        "日付は{zone}のタイムゾーンの暦日です。時刻付きの取引や案件登録は、{zone}での日付で扱います。"),
    "guide.at_time": ("{date}, {time} ({zone})", "{date} {zone} {time}"),
    "guide.generated": (
        "This guide is generated from the compiled rule set of {source}. Every example in it was computed by "
        "the engine that quotes and settles your transactions, so the examples cannot disagree with the rules.",
        "このガイドは {source} をコンパイルしたルールセットから生成しています。例の金額はすべて、実際の見積と精算を"
        "行うエンジンで計算したものなので、ルールと食い違うことはありません。"),
    "guide.contents": ("Contents", "目次"),
    "guide.lang_name": ("English", "日本語"),
    # --- overview ---------------------------------------------------------------------------------
    "overview": ("Overview", "概要"),
    "overview.contracts": ("Contract types: {list}.", "契約形態：{list}"),
    "overview.money": ("Amounts are in {currency}; each line of a quote or statement is {rounding} to {unit}.",
                       "金額は{currency}建てで、見積・精算の明細ごとに{unit}未満を{rounding}。"),
    "overview.point.margin": (
        "What is rounded is your margin: the wholesale price is the list price less the rounded margin.",
        "端数処理はマージンに対して行い、仕入価格は定価から端数処理後のマージンを差し引いた額です。"),
    "overview.point.wholesale": (
        "What is rounded is the wholesale price: your margin is the list price less the rounded wholesale price.",
        "端数処理は仕入価格に対して行い、マージンは定価から端数処理後の仕入価格を差し引いた額です。"),
    "overview.kind_rounding": ("{kind} are {rounding} to {unit}.", "{kind}は{unit}未満を{rounding}。"),
    "overview.fiscal": ("The fiscal year starts in {month}.", "年度は{month}始まりです。"),
    "overview.tiers": ("Tiers: {list}, re-evaluated {cadence}.", "ティア：{list}（{cadence}見直し）"),
    "overview.examples": (
        "The examples use a sale at a list price of {price}, one unit, sold at the list price unless they say "
        "otherwise, on {date}.",
        "例では、特に断りのない限り、定価{price}の製品1個を{date}に定価で販売した場合を示します。"),
    "overview.versions": ("This program has {n} versions; see {section}.", "このプログラムには{n}つのバージョンが"
                          "あります。{section}を参照してください。"),
    # --- contracts --------------------------------------------------------------------------------
    "contracts": ("Contract types and what you earn", "契約形態と報酬"),
    "kind.distributor": ("distributor model", "ディストリビューター型"),
    "kind.solution_partner": ("solution partner model", "ソリューションパートナー型"),
    "kind.referral": ("referral", "紹介型"),
    "explain.distributor": (
        "You buy at the wholesale price (the list price less your margin), then sell to and invoice the "
        "customer yourself. What you keep is your selling price less the wholesale price.",
        "定価からマージンを差し引いた卸値で仕入れ、お客様への販売と請求は貴社が行います。販売価格と卸値の差額が"
        "貴社の取り分です。"),
    "explain.solution_partner": (
        "You buy at the wholesale price like a reseller, and also bill the customer for your own services, "
        "such as implementation and consulting. The services revenue is yours, apart from the margin.",
        "再販と同じく卸値で仕入れ、導入支援やコンサルティングなど貴社自身のサービスもお客様に請求します。"
        "サービスの売上はマージンとは別に貴社のものです。"),
    "explain.referral": (
        "You introduce the customer; the vendor sells and invoices. You buy nothing and earn a referral fee.",
        "お客様をご紹介いただき、販売と請求はベンダーが行います。仕入れはなく、紹介料をお支払いします。"),
    "contract.margin": ("Margin: {value}.", "マージン：{value}"),
    "contract.margin_cap": ("The margin on one transaction is at most {cap}; above it, you buy at the list price "
                            "less {cap}.",
                            "1取引あたりのマージンは{cap}までです。それを超える場合、仕入価格は定価から{cap}を差し引いた額です。"),
    "contract.margin_level": ("Margin: the margin of your level in the distributor hierarchy ({section}).",
                              "マージン：代理店階層ごとのマージン（{section}を参照）"),
    "contract.ladder": ("Volume ladder: {title}.", "ボリュームに応じた上乗せ：{title}"),
    "contract.bonuses": ("Bonuses: {list}.", "インセンティブ：{list}"),
    "contract.services": ("Services: {value}, billed and kept by you.",
                          "サービス：{value}（貴社が請求し、貴社の売上）"),
    "contract.fee_rate": ("Referral fee: {rate} of the selling price.", "紹介料：販売価格の{rate}"),
    "contract.fee_rate_cap": ("Referral fee: {rate} of the selling price, at most {cap} per deal.",
                              "紹介料：販売価格の{rate}（1件あたり上限{cap}）"),
    "contract.fee_money": ("Referral fee: {amount} per introduced deal.", "紹介料：1件あたり{amount}"),
    "contract.fee_other": ("Referral fee: {value}.", "紹介料：{value}"),
    "examples": ("Examples", "計算例"),
    "ex.resale": ("{who}: on a sale at the list price of {list} you buy at {wholesale} (margin {margin}) and "
                  "keep {keeps}.",
                  "{who}：定価{list}で販売すると、卸値{wholesale}（マージン{margin}）で仕入れ、{keeps}が貴社の取り分です。"),
    "ex.discount": ("{who}: selling the same product at the largest allowed discount ({rate}), for {sell}, you "
                    "keep {keeps}.",
                    "{who}：同じ製品を認められた最大の値引き（{rate}）で{sell}で販売すると、取り分は{keeps}です。"),
    "ex.services": ("{who}: with {services} of your own services on the same sale, you bill {services} on top "
                    "and keep {keeps} on the product.",
                    "{who}：同じ案件で貴社のサービス{services}を提供すると、製品の取り分{keeps}に加えてサービス"
                    "{services}を請求します。"),
    "ex.referral": ("On a deal sold for {sell} you earn {fee}.", "{sell}の案件で、紹介料は{fee}です。"),
    "ex.referral_cap": ("On a deal sold for {sell} the fee reaches its cap: you earn {fee}.",
                        "{sell}の案件では上限に達し、紹介料は{fee}です。"),
    "who.tier_contract": ("{contract} ({tier})", "{tier}の{contract}"),
    # --- margin table -----------------------------------------------------------------------------
    "margins": ("Margin tables", "マージン表"),
    "margins.intro": ("What a sale at the list price of {list} earns, by contract and tier, before any volume "
                      "ladder:",
                      "定価{list}で販売した場合の契約形態・ティアごとの取り分（ボリュームによる上乗せを除く）："),
    "margins.level_note": ("With a distributor hierarchy, these are the margins of a {level} (see {section}).",
                           "代理店階層がある場合、この表は{level}のマージンです（{section}を参照）。"),
    "col.contract": ("Contract", "契約形態"),
    "col.tier": ("Tier", "ティア"),
    "col.base": ("Base margin", "基本マージン"),
    "col.uplift": ("Tier uplift", "ティア上乗せ"),
    "col.margin": ("Margin", "マージン"),
    "col.wholesale": ("Wholesale price", "卸値"),
    "col.keeps": ("You keep", "取り分"),
    "none": ("—", "—"),
    # --- ladders ----------------------------------------------------------------------------------
    "ladders": ("Volume ladders", "ボリュームに応じた上乗せ"),
    "ladder.basis": ("Measured on your {basis} in each {period}. Applies to: {contracts}.",
                     "{period}ごとの{basis}で判定します。対象：{contracts}"),
    "ladder.retroactive": (
        "Retroactive: once your volume reaches a step, that step's rate applies to all of the period's sales "
        "at list price, including what you sold before reaching it.",
        "遡及型：ある段階に達すると、その段階の料率が、到達前の分も含めた期間中の販売全体（定価ベース）に"
        "適用されます。"),
    "ladder.marginal": (
        "Marginal: each step's rate applies only to the volume inside that step, so reaching a step never "
        "changes the rate on what you sold below it.",
        "累進型：各段階の料率は、その段階に入った部分にだけ適用されます。段階に達しても、それより下の部分の"
        "料率は変わりません。"),
    "ladder.settled": (
        "A quote shows the rate you have reached so far; the statement at the end of the period settles the "
        "ladder for the whole period, as its own line.",
        "見積には期中に到達した料率を反映し、期末の精算で期間全体の上乗せ額を別の明細として確定します。"),
    "col.step": ("Step", "段階"),
    "col.from": ("From ({basis})", "{basis}（以上）"),
    "col.below": ("Below", "未満"),
    "col.rate": ("Margin uplift", "上乗せ料率"),
    "ladder.open": ("no limit", "上限なし"),
    "col.threshold": ("Threshold ({basis})", "{basis}"),
    "col.until": ("Until", "まで"),
    "threshold.from": ("from {volume}", "{volume}以上"),
    "threshold.above": ("above {volume}", "{volume}超"),
    "threshold.below": ("below {volume}", "{volume}未満"),
    "threshold.up_to": ("up to {volume}", "{volume}以下"),
    "target.at_least": ("{volume} or more", "{volume}以上"),
    "target.above": ("more than {volume}", "{volume}超"),
    "ladder.volume_cap": ("At most {cap} of {basis} counts in each {period}; volume above it earns no uplift.",
                          "{period}ごとに算入する{basis}は{cap}までです。超えた分に上乗せはありません。"),
    "bonus.volume_cap": ("At most {cap} of {basis} counts in each {period}.",
                         "{period}ごとに算入する{basis}は{cap}までです。"),
    "overview.payout_cap": ("Your earnings are at most {cap} per statement; above it, a payout cap line brings the "
                            "total to {cap}.",
                            "1回の精算でお支払いする総額は{cap}までです。超えた分は上限調整の明細で差し引きます。"),
    "price.fee_cap": (" The fee is at most {cap} per transaction.", "手数料は1取引あたり{cap}までです。"),
    "ladder.chart": ("{title}: margin uplift by {basis}", "{title}：{basis}ごとの上乗せ料率"),
    "ladder.examples": ("Settled for a partner under {who} whose {basis} in one {period} come from a single sale:",
                        "{who}が{period}中に1件の販売で次の{basis}となった場合の精算："),
    "col.volume": ("{basis} in the {period}", "{period}の{basis}"),
    "col.list_sales": ("Sales at list price", "定価ベースの販売額"),
    "col.reached": ("Rate reached", "到達した料率"),
    "col.ladder_paid": ("Ladder payment", "上乗せ額"),
    "ex.just_below": ("just below {step}", "{step}の直前"),
    "ex.at_step": ("at {step}", "{step}ちょうど"),
    "ex.just_above": ("just above {step}", "{step}を超えたところ"),
    "ex.inside": ("inside the step from {step}", "{step}からの段階の途中"),
    # --- bonuses ----------------------------------------------------------------------------------
    "bonuses": ("Bonus steps", "階段状のインセンティブ"),
    "bonus.basis": ("Measured on your {basis} in each {period}.", "{period}ごとの{basis}で判定します。"),
    "bonus.cumulative": ("Every target you pass pays its amount, and the payments add up.",
                         "達成した段階ごとの金額をすべて合算して支払います。"),
    "bonus.one_off": ("You are paid once, for the highest target you reach.",
                      "達成した最も高い段階の金額を一度だけ支払います。"),
    "bonus.cap": ("The total is at most {cap} per {period}.", "{period}あたりの上限は{cap}です。"),
    "bonus.when": ("Condition: {condition}.", "条件：{condition}。"),
    "bonus.contracts": ("Paid under: {contracts}.", "対象：{contracts}。"),
    "col.target": ("Target ({basis})", "目標（{basis}）"),
    "col.pays": ("Pays", "支払額"),
    "bonus.pay_rate": ("{rate} of {basis}", "{basis}の{rate}"),
    "bonus.examples": ("Settled for a partner under {who} whose {basis} in one {period} come from a single sale:",
                       "{who}が{period}中に1件の販売で次の{basis}となった場合の精算："),
    "col.bonus_paid": ("Bonus paid", "支払われるインセンティブ"),
    # --- tiers ------------------------------------------------------------------------------------
    "tiers": ("Tiers and benefits", "ティアと特典"),
    "tiers.intro": ("Tiers are re-evaluated {cadence}. A partner is placed in the first tier, best first, whose "
                    "conditions it meets.",
                    "ティアは{cadence}見直します。上位のティアから順に判定し、最初に条件を満たしたティアになります。"),
    "tiers.intro.assigned": ("The vendor decides each partner's tier individually.",
                             "ティアはベンダーが個別に決定します。"),
    "tiers.assigned": ("The vendor decides {tiers} individually: a partner the vendor places there holds the tier "
                       "whatever its figures.",
                       "{tiers}はベンダーが個別に決定します。決定されたパートナーは、実績にかかわらずそのティアになります。"),
    "tiers.assigned_cell": ("decided by the vendor", "ベンダーが個別に決定"),
    "col.qualify": ("Qualifies with", "条件"),
    "col.benefits": ("Benefits", "特典"),
    "tiers.everyone": ("every other partner", "上記以外のすべてのパートナー"),
    "tiers.examples": ("Tier placement computed by the engine for partners at and just below the thresholds:",
                       "基準ちょうど・基準のわずかに下のパートナーについて、エンジンが判定したティア："),
    "col.result_tier": ("Placed in", "判定されたティア"),
    "benefits.title": ("Benefits", "特典"),
    "col.benefit": ("Benefit", "特典"),
    "col.tiers": ("Tiers", "ティア"),
    "col.condition": ("Condition", "条件"),
    "col.value": ("Value", "金額"),
    "benefits.withheld": ("A benefit whose condition is not met is withheld: quotes and statements list it with the "
                          "reason, such as an agreement that expired and the day it did.",
                          "条件を満たさない特典は付与されません。見積と明細書には、その理由（契約の失効日など）が"
                          "記載されます。"),
    "benefits.examples": ("Benefits the engine lists on a quote for a partner under {who}: {list}.",
                          "{who}の見積にエンジンが表示する特典：{list}"),
    # --- price catalog ----------------------------------------------------------------------------
    "catalog": ("Price catalog", "価格表"),
    "catalog.intro": ("A sale may name only the SKU and the quantity: the list price is the catalog's on the sale's "
                      "date, and without a sell price you sold at the list price.",
                      "販売はSKUと数量だけで記録できます。定価は販売日時点の価格表の価格で、販売価格の記載がなければ定価で"
                      "販売したものとします。"),
    "catalog.price_from": ("{price} from {day}", "{day}から{price}"),
    "catalog.disagree": ("A sale that states a list price other than the catalog's is {action}; a SKU the catalog "
                         "does not list is rejected.",
                         "価格表と異なる定価を記載した販売は{action}。価格表にないSKUの販売は却下されます。"),
    "col.sku": ("SKU", "SKU"),
    "col.item": ("Item", "品目"),
    "col.category": ("Category", "区分"),
    "col.unit": ("Unit", "単位"),
    "col.list_price": ("List price", "定価"),
    # --- price rules ------------------------------------------------------------------------------
    "prices": ("Price rules", "価格ルール"),
    "price.ceiling": ("You may not sell above the list price: a sale above it is {action}.",
                      "定価を超える価格で販売することはできません。定価を超える販売は{action}。"),
    "price.no_ceiling": ("There is no price ceiling.", "販売価格の上限はありません。"),
    "price.discount": ("You may discount by up to {rate} off the list price at your own discretion: a sale below "
                       "that is {action}.",
                       "定価から最大{rate}まで、貴社の裁量で値引きできます。それを超えて値引きした販売は{action}。"),
    "price.min_fee": ("A fee paid to you on a sale is at least {amount}: a sale whose fee would be smaller is "
                      "{action}.",
                      "販売ごとの手数料は{amount}以上です。手数料がこれを下回る販売は{action}。"),
    "price.channel": ("The channel as a whole never keeps more than {rate} of the list price.",
                      "チャネル全体の取り分は、定価の{rate}を超えません。"),
    "price.cap": ("{title}: when {condition}, the margin is at most {cap}.",
                  "{title}：{condition}の場合、マージンの上限は{cap}です。"),
    "price.pass": ("{title}: {amount} is passed on to the customer at cost, on its own line, and you add a fee "
                   "of {fee}.",
                   "{title}：{amount}は実費のまま別明細でお客様に請求し、{fee}の手数料を加えます。"),
    "price.zero": ("Products that may be sold at a price of 0: {products}. Any other line at a price of 0 is not "
                   "settled.", "価格0で販売できる製品：{products}。それ以外の価格0の明細は精算されません。"),
    "price.refund": ("A refund names the sale it reverses and is settled with that sale's rates and rounding, in "
                     "proportion to the units returned; it may not exceed what remains of the sale.",
                     "返品・取消は元の取引を指定し、その取引の料率と端数処理で、返品数量に応じて精算されます。元の"
                     "取引の残りを超える返品はできません。"),
    "price.markup_none": ("{title}: you bill it at cost; a sale billed above cost is {action}.",
                          "{title}：実費で請求します。実費を超えて請求した販売は{action}。"),
    "price.markup_max": ("{title}: you may bill up to {rate} above cost; a sale billed above that is {action}.",
                         "{title}：実費の{rate}増しまで請求できます。それを超えて請求した販売は{action}。"),
    "price.markup_allowed": ("{title}: you may bill it above cost.", "{title}：実費を超えて請求できます。"),
    "action.reject": ("rejected (not settled, and counted toward no total, ladder or bonus)",
                      "却下され、精算されず、ラダーやボーナスの実績にも算入されません"),
    "action.flag": ("settled and listed as a violation", "精算されたうえで、違反として記録されます"),
    "action.hold": ("held for review (until reviewed, not settled and counted toward no ladder or bonus)",
                    "確認のため保留され、確認が済むまで精算されず、ラダーやボーナスの実績にも算入されません"),
    "price.reported": ("A price outside these rules is never corrected: it is rejected, held or reported as each "
                       "rule says.",
                       "ルールから外れた価格が自動で修正されることはなく、各ルールのとおり却下・保留・指摘されます。"),
    "ex.price_ok": ("Selling at {sell} ({rate} off the list price of {list}) is within the rules.",
                    "定価{list}から{rate}引きの{sell}での販売はルールの範囲内です。"),
    "ex.price_floor": ("Selling at {sell} ({rate} off) is reported: {found}.",
                       "{rate}引きの{sell}で販売すると、見積で次の指摘があります：{found}"),
    "ex.price_above": ("Selling at {sell}, above the list price of {list}, is reported: {found}.",
                       "定価{list}を超える{sell}で販売すると、見積で次の指摘があります：{found}"),
    "ex.price_none": ("nothing", "指摘なし"),
    "ex.price_floor_rejected": ("Selling at {sell} ({rate} off) is rejected ({code}).",
                                "{rate}引きの{sell}で販売すると、却下されます（{code}）。"),
    "ex.price_floor_held": ("Selling at {sell} ({rate} off) is held for review ({code}).",
                            "{rate}引きの{sell}で販売すると、確認のため保留されます（{code}）。"),
    "ex.price_above_rejected": ("Selling at {sell}, above the list price of {list}, is rejected ({code}).",
                                "定価{list}を超える{sell}で販売すると、却下されます（{code}）。"),
    "ex.price_above_held": ("Selling at {sell}, above the list price of {list}, is held for review ({code}).",
                            "定価{list}を超える{sell}で販売すると、確認のため保留されます（{code}）。"),
    "violation.above_list": ("above the list price", "定価超過"),
    "violation.below_floor": ("discount larger than allowed", "値引きの上限超過"),
    "violation.fee_below_minimum": ("fee below the minimum", "最低手数料未満"),
    "violation.above_cost": ("billed above cost", "実費超過の請求"),
    "ex.cap_binds": ("{who}, {condition}: the margin of {before} is capped at {margin}, so the wholesale price of "
                     "{list} is {wholesale}.",
                     "{who}で{condition}の場合：マージン{before}は上限の{margin}に抑えられ、定価{list}の卸値は"
                     "{wholesale}です。"),
    "ex.cap_free": ("{who}, {condition}: the margin of {margin} is within the cap, so the wholesale price of "
                    "{list} is {wholesale}.",
                    "{who}で{condition}の場合：マージン{margin}は上限内のため、定価{list}の卸値は{wholesale}です。"),
    "ex.pass": ("{title} of {amount}: passed on at cost ({cost}), plus your fee of {fee}.",
                "{title}が{amount}の場合：実費{cost}をそのまま請求し、手数料{fee}を加えます。"),
    # --- hierarchy --------------------------------------------------------------------------------
    "hierarchy": ("Distributor hierarchy", "代理店階層"),
    "hierarchy.nested": (
        "Each level buys from the level above it at the list price less its own level's margin; the level "
        "above keeps the difference. The vendor sells only to the first level.",
        "各階層は、定価から自階層のマージンを差し引いた価格で一つ上の階層から仕入れ、上の階層はその差額を"
        "得ます。ベンダーが直接販売するのは最上位の階層だけです。"),
    "hierarchy.stacked": (
        "Each level earns its own margin on the list price; the vendor receives the list price less the "
        "margins of all levels.",
        "各階層が定価に対する自階層のマージンを得ます。ベンダーは定価から全階層のマージンを差し引いた額を"
        "受け取ります。"),
    "hierarchy.depth": ("A chain has at most {n} levels.", "階層は最大{n}段です。"),
    "hierarchy.first": ("Tier uplifts, volume ladders and bonuses belong to the {level}, which the vendor "
                        "contracts directly.",
                        "ティアの上乗せ、ボリュームに応じた上乗せ、インセンティブは、ベンダーと直接契約する{level}に"
                        "適用されます。"),
    "hierarchy.new_level_1": ("Companies that want to become resellers are introduced to a {level}; the {level} "
                              "partners take them in turn, in the order the applications arrive.",
                              "新たに代理店を希望する企業には、{level}をご紹介します。紹介先は、申込みを受け付けた順に"
                              "{level}の間で順番に決まります。"),
    "hierarchy.new_order": ("Companies that want to become resellers are introduced to a {level}, chosen by these "
                            "keys, strongest first: {keys}. Those still equal take them in turn, in the order the "
                            "applications arrive.",
                            "新たに代理店を希望する企業には、{level}をご紹介します。紹介先は{keys}の順に決め、"
                            "同順位の場合は申込みを受け付けた順に順番に決まります。"),
    "hierarchy.new_prefer": ("first where {condition}", "{condition}を優先"),
    "hierarchy.new_children": ("the fewest resellers under it (counting those introduced so far)",
                               "傘下の代理店（これまでにご紹介した企業を含む）が最も少ない"),
    "hierarchy.new_fewest": ("the lowest {field}", "{field}が最も少ない"),
    "hierarchy.new_vendor": ("The vendor handles inquiries from companies that want to become resellers.",
                             "代理店を希望する企業からのお問い合わせには、ベンダーが直接対応します。"),
    "col.level": ("Level", "階層"),
    "col.title": ("Name", "名称"),
    "hierarchy.chart": ("Commercial flow: who buys from whom", "商流：誰が誰から仕入れるか"),
    "hierarchy.vendor": ("Vendor", "ベンダー"),
    "hierarchy.box": ("margin {margin}", "マージン{margin}"),
    "hierarchy.customer": ("Customer", "お客様"),
    "hierarchy.examples": ("A sale at the list price of {list}, made at each level ({tier}, no uplift):",
                           "定価{list}の販売を各階層が行った場合（{tier}、上乗せなし）："),
    "col.sold_by": ("Sold by", "販売した階層"),
    "col.vendor_gets": ("Vendor receives", "ベンダーの受取額"),
    "col.level_keeps": ("{level} keeps", "{level}の取り分"),
    # --- conflicts --------------------------------------------------------------------------------
    "conflicts": ("Deal registration and channel conflicts", "商談登録とバッティング"),
    "conflicts.expiry": ("A deal registration protects the deal for {duration} from the moment it is made.",
                         "商談登録の有効期間は、登録した時点から{duration}です。"),
    "conflicts.renewals": ("It can be renewed up to {n} times, for {duration} each time.",
                           "{n}回まで、1回につき{duration}延長できます。"),
    "conflicts.renewal": ("It can be renewed once, for {duration}.", "1回に限り、{duration}延長できます。"),
    "conflicts.no_expiry": ("Deal registrations do not expire.", "商談登録に有効期限はありません。"),
    "conflicts.summary": ("Unless a rule earlier in the list decides, the first partner to register a customer "
                          "owns the deal for {duration}.",
                          "リストの前のルールで決まらない限り、最初にお客様を商談登録したパートナーが{duration}の間"
                          "その商談を担当します。"),
    "conflicts.summary_open": ("Unless a rule earlier in the list decides, the first partner to register a "
                               "customer owns the deal.",
                               "リストの前のルールで決まらない限り、最初にお客様を商談登録したパートナーがその商談を"
                               "担当します。"),
    "conflicts.intro": (
        "When several partners, or a partner and the vendor's direct sales team, claim the same customer, these "
        "rules are applied in order; the first rule that leaves a single claim decides:",
        "複数のパートナー、またはパートナーとベンダーの直販が同じお客様を商談登録した場合（バッティング）、"
        "次のルールを順に適用し、1者に絞られた時点で決定します。"),
    "rule.exclusivity": ("Exclusivity ({by})", "独占契約（{by}）"),
    "rule.exclusivity.text": ("when {condition}, the partner holding the exclusive right owns the deal.",
                              "{condition}場合、独占権を持つパートナーが商談を担当します。"),
    "rule.exclusivity.unregistered": ("when {condition}, the partner holding the exclusive right owns the deal, "
                                      "even without registering it.",
                                      "{condition}場合、独占権を持つパートナーが、商談登録をしていなくても商談を"
                                      "担当します。"),
    "rule.exclusivity.always": ("the partner holding the exclusive right owns the deal.",
                                "独占権を持つパートナーが商談を担当します。"),
    "rule.customer_choice": ("The customer's choice", "お客様の選択"),
    "rule.customer_choice.text": ("a claimant the customer has documented as its choice wins. The choice is "
                                  "applied when the deal closes, and only over the rules listed after this one.",
                                  "お客様が選んだことを書面等で確認できる登録者を優先します。お客様の選択は受注"
                                  "（クローズ）の時点で適用され、この項目より後のルールにだけ優先します。"),
    "rule.customer_choice.when_documented": ("a claimant the customer has documented as its choice wins, from the "
                                             "moment the choice is documented, and only over the rules listed "
                                             "after this one.",
                                             "お客様が選んだことを書面等で確認できる登録者を、確認できた時点から優先"
                                             "します。この項目より後のルールにだけ優先します。"),
    "rule.partner_over_direct": ("Partners before direct sales", "直販よりパートナーを優先"),
    "rule.partner_over_direct.text": ("a partner's registration wins over the vendor's direct sales team.",
                                      "パートナーの登録はベンダーの直販より優先されます。"),
    "rule.direct_over_partner": ("Direct sales first", "パートナーより直販を優先"),
    "rule.direct_over_partner.text": ("the vendor's direct sales team wins over partners.",
                                      "ベンダーの直販がパートナーより優先されます。"),
    "rule.first_registration": ("First come, first served", "先着順"),
    "rule.first_registration.text": ("the earliest registration wins.", "最も早く商談登録した者を優先します。"),
    "rule.tie_break.higher_tier": ("Tie-break", "同時登録の場合"),
    "rule.tie_break.higher_tier.text": ("of registrations made at the same moment, the partner in the higher tier "
                                        "wins.", "上位ティアのパートナーを優先します。"),
    "rule.tie_break.order": ("Tie-break", "同時登録の場合"),
    "rule.tie_break.order.text": ("of registrations made in the same second, the partner listed first in this "
                                  "order wins: {order}; partners not listed come after them.",
                                  "次の順で先に挙げたパートナーを優先します：{order}。挙げられていないパートナーは"
                                  "その後になります。"),
    "rule.tie_break.partner_id": ("Tie-break", "同時登録の場合"),
    "rule.tie_break.partner_id.text": ("of registrations made in the same second, the partner whose partner ID "
                                       "comes first in alphabetical order wins.",
                                       "パートナーIDが英数字順で先のパートナーを優先します。"),
    "rule.tie_break.vendor_decides": ("Tie-break", "同時登録の場合"),
    "rule.tie_break.vendor_decides.text": ("the vendor decides.", "ベンダーが決定します。"),
    "rule.line": ("{title}: {text}", "{title}：{text}"),
    "rule.otherwise": ("If no rule decides, the vendor decides.", "いずれのルールでも決まらない場合は、ベンダーが"
                       "決定します。"),
    "by.territory": ("territory", "担当地域"),
    "by.segment": ("segment", "セグメント"),
    "by.named_account": ("named account", "指名アカウント"),
    "by.higher_tier": ("higher tier", "上位ティア"),
    "by.vendor_decides": ("vendor decides", "ベンダーが決定"),
    "by.order": ("order of partners", "パートナーの順位"),
    "by.partner_id": ("partner ID", "パートナーID"),
    "conflicts.arrival": (
        "Each registration is answered when it arrives, under the rules in force at that moment: accepted, or "
        "rejected because you already hold the customer, because another registration holds the deal (the rule "
        "that decided is named), or because it falls outside the program. A rejected registration does not come "
        "back when the other registration's protection ends: register the customer again then. Registrations "
        "made in the same second count as made at the same moment.",
        "商談登録は、受け付けた時点のルールで判定し、その場で結果をお知らせします。受理されるか、すでに自社で登録済み"
        "の場合・他の登録が優先する場合（決め手となったルールを示します）・プログラムの対象外の場合は受理されません。"
        "受理されなかった登録は、先の登録の有効期間が終わっても自動的には有効になりません。その時点で改めて登録して"
        "ください。同じ秒に行われた登録は同時の登録として扱います。"),
    "conflicts.examples": ("Decided by the engine, for a deal decided on {date}:",
                           "{date}時点の商談について、エンジンが判定した結果："),
    "claim.partner": ("{who} registered on {date}", "{who}が{date}に登録"),
    "claim.direct": ("the vendor's direct sales registered on {date}", "ベンダーの直販が{date}に登録"),
    "claim.choice": ("{who} registered on {date} and the customer documented choosing it",
                     "{who}が{date}に登録し、お客様がそのパートナーを選択"),
    "claim.held": ("{who} registered on {date}, while that registration held the deal",
                   "{who}が{date}に登録（その時点では先の登録が有効）"),
    "claim.territory": ("{who} holds the exclusive right and has not registered",
                        "{who}が独占権を持つ（商談登録なし）"),
    "claim.renewed": ("{who} registered on {date} and renewed once", "{who}が{date}に登録し、1回延長"),
    "claim.exclusive": ("{who} registered on {date} and holds the exclusive right",
                        "{who}が{date}に登録（独占権あり）"),
    "decision.owner": ("{claims} → {owner} owns the deal ({why}).", "{claims} → {owner}が担当（{why}）"),
    "decision.vendor": ("{claims} → the vendor decides.", "{claims} → ベンダーが決定"),
    "decision.nobody": ("{claims} → nobody holds the deal now; the next registration will.",
                        "{claims} → 現在はどの登録も有効ではなく、次に登録したパートナーが担当"),
    "why.registration": ("the only registration in force", "有効な登録はこれのみ"),
    "why.exclusivity": ("exclusivity", "独占契約"),
    "why.customer_choice": ("the customer's choice", "お客様の選択"),
    "why.partner_over_direct": ("partners before direct sales", "直販よりパートナーを優先"),
    "why.direct_over_partner": ("direct sales first", "直販を優先"),
    "why.first_registration": ("first come, first served", "先着順"),
    "why.tie_break": ("tie-break: higher tier", "同時登録：上位ティア"),
    "why.tie_break.order": ("tie-break: order of partners", "同時登録：パートナーの順位"),
    "why.tie_break.partner_id": ("tie-break: partner ID", "同時登録：パートナーID"),
    "direct": ("the vendor's direct sales", "ベンダーの直販"),
    # --- routing ----------------------------------------------------------------------------------
    "routing": ("Lead routing", "リードの振り分け"),
    "routing.eligible": ("A lead is offered only to partners where {condition}.",
                         "{condition}パートナーにのみリードを紹介します。"),
    "routing.order": ("Eligible partners are offered the lead in this order: {keys}.",
                      "対象のパートナーには次の順でリードを紹介します：{keys}"),
    "routing.by_tier": ("higher tiers first", "上位ティアから"),
    "routing.prefer": ("partners where {condition} first", "{condition}パートナーを優先"),
    "routing.rotate": ("Partners that rank equal take turns: the order rotates from one lead to the next.",
                       "同順位のパートナーには順番にご紹介します（リードごとに順番が入れ替わります）。"),
    "routing.least_loaded": ("Among partners that rank equal, the one with the fewest open leads goes first.",
                             "同順位の場合は、対応中のリードが最も少ないパートナーを優先します。"),
    "routing.skip": ("A partner is skipped while this holds: {condition}.",
                     "{condition}の間は、そのパートナーを飛ばします。"),
    "routing.new_vendor": ("Inquiries from companies that want to become resellers go to the vendor.",
                           "代理店を希望する企業からのお問い合わせはベンダーが対応します。"),
    "routing.new_hierarchy": ("Inquiries from companies that want to become resellers follow the distributor "
                              "hierarchy ({section}).",
                              "代理店を希望する企業からのお問い合わせは、代理店階層に従って対応します（{section}を参照）。"),
    "routing.examples": ("A lead routed by the engine among these partners:", "次のパートナーの間で、エンジンが"
                         "リードを振り分けた結果："),
    "col.partner": ("Partner", "パートナー"),
    "col.differs": ("Set apart by", "違い"),
    "col.result": ("Result", "結果"),
    "routing.position": ("offered {n}", "{n}番目に紹介"),
    "routing.not_eligible": ("left out: not eligible", "対象外"),
    "routing.at_capacity": ("left out: at capacity", "上限に達しているため対象外"),
    "routing.left_out": ("left out: {reason}", "対象外：{reason}"),
    "routing.same": ("(the reference partner)", "（基準のパートナー）"),
    "routing.not": ("not: {condition}", "「{condition}」に該当しない"),
    "routing.tier_only": ("its tier", "ティアのみ"),
    # --- versions ---------------------------------------------------------------------------------
    "versions": ("Versions and changes", "改定履歴"),
    "col.version": ("Version", "バージョン"),
    "col.start": ("In force from", "適用開始"),
    "col.end": ("Until", "適用終了"),
    "col.note": ("Note", "備考"),
    "versions.open": ("until the next version", "次のバージョンまで"),
    "versions.this": ("{version} (this guide)", "{version}（本ガイド）"),
    "versions.changes": ("Changes in version {version} from version {previous}", "バージョン{previous}から"
                         "{version}への変更点"),
    "versions.first": ("Version {version} is the first version of the program.",
                       "バージョン{version}はこのプログラムの最初のバージョンです。"),
    "versions.none": ("No rule changed; only the dates did.", "ルールの変更はありません（適用期間のみ）。"),
    "versions.later": ("A later version, {version}, takes effect on {date}.", "{date}から新しいバージョン"
                       "{version}が適用されます。"),
    "change.added": ("{what} “{title}” was added.", "{what}「{title}」を追加しました。"),
    "change.removed": ("{what} “{title}” was removed.", "{what}「{title}」を廃止しました。"),
    "change.changed": ("{what} “{title}”, {aspect}: {old} → {new}.", "{what}「{title}」の{aspect}：{old} → {new}"),
    "change.other": ("{what} “{title}” changed.", "{what}「{title}」を変更しました。"),
    "change.section": ("{what}: {old} → {new}.", "{what}：{old} → {new}"),
    "change.other_section": ("{what} changed; see the section above.",
                             "{what}を変更しました（上記の該当セクションを参照）。"),
    "col.rule": ("Rule", "項目"),
    "change.examples": ("The same volumes under both versions, settled by the engine:",
                        "同じ実績を両バージョンで精算した結果（エンジンで計算）："),
    "col.under": ("Under {version}", "バージョン{version}"),
    "what.contract": ("Contract", "契約形態"),
    "what.ladder": ("Ladder", "ボリューム上乗せ"),
    "what.bonus": ("Bonus", "インセンティブ"),
    "what.tier": ("Tier", "ティア"),
    "what.benefit": ("Benefit", "特典"),
    "what.tiers": ("Tier re-evaluation", "ティアの見直し"),
    "what.catalog": ("Price catalog", "価格表"),
    "what.price_rules": ("Price rules", "価格ルール"),
    "what.hierarchy": ("Distributor hierarchy", "代理店階層"),
    "what.conflicts": ("Conflict rules", "バッティングのルール"),
    "what.routing": ("Lead routing", "リードの振り分け"),
    "aspect.steps": ("steps", "段階"),
    "aspect.margin": ("margin", "マージン"),
    "aspect.qualify": ("condition", "条件"),
    "aspect.uplift": ("margin uplift", "上乗せ料率"),
    "aspect.benefits": ("benefits", "特典"),
    "aspect.value": ("value", "金額"),
    "aspect.cap": ("cap", "上限"),
    "aspect.fee": ("fee", "紹介料"),
    "step.summary": ("{rate} from {start}", "{start}から{rate}"),
    "target.summary": ("{pay} at {target}", "{target}で{pay}"),
    "step.summary_above": ("{rate} above {start}", "{start}超で{rate}"),
    "target.summary_above": ("{pay} above {target}", "{target}超で{pay}"),
    # --- glossary ---------------------------------------------------------------------------------
    "glossary": ("Glossary", "用語集"),
    "glossary.intro": ("Terms used in this guide, with their Japanese equivalents:",
                       "このガイドで使っている用語と英語の対応："),
    "col.term": ("Term", "用語"),
    "col.other_lang": ("Japanese", "英語"),
    "col.reading": ("Reading", "読み"),
    "col.meaning": ("Meaning", "意味"),
    **_messages_time.MESSAGES,
}

WORDS: dict[str, tuple[str, str]] = {
    "basis.purchases": ("purchases", "仕入額"),
    "basis.sales": ("sales", "販売額"),
    "basis.list_sales": ("sales at list price", "定価ベースの販売額"),
    "basis.quantity": ("units sold", "販売数量"),
    "period.month": ("month", "月"),
    "period.quarter": ("quarter", "四半期"),
    "period.half_year": ("half year", "半期"),
    "period.fiscal_year": ("fiscal year", "年度"),
    "cadence.monthly": ("every month", "毎月"),
    "cadence.quarterly": ("every quarter", "四半期ごとに"),
    "cadence.half_yearly": ("every half year", "半期ごとに"),
    "cadence.yearly": ("every year", "毎年"),
    "rounding.down": ("rounded down", "切り捨てます"),
    "rounding.up": ("rounded up", "切り上げます"),
    "rounding.half_up": ("rounded half up", "四捨五入します"),
    "rounding.half_even": ("rounded half to even", "偶数丸め（銀行丸め）します"),
    "amount.margin": ("Margins", "マージン"),
    "amount.level_margin": ("Margins of 2nd- and 3rd-tier partners", "二次・三次代理店のマージン"),
    "amount.pass_through_fee": ("Fees on costs passed through", "実費に対する手数料"),
    "amount.referral_fee": ("Referral fees", "紹介手数料"),
    "amount.ladder": ("Ladder payments", "段階料率による上乗せ額"),
    "amount.bonus": ("Bonuses", "インセンティブ"),
    "amount.refund": ("Reversals of refunded sales", "返金による取消額"),
    "currency.JPY": ("yen (JPY)", "円"),
    "list.and": (" and ", "、"),
    "list.or": (" or ", "または"),
    "list.sep": (", ", "、"),
}


class Say:
    """The guide's words in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.index = 0 if lang == "en" else 1

    def __call__(self, key: str, **values: Part) -> Rich:
        """A message with its values filled in."""
        return compose(MESSAGES[key][self.index], **values)

    def has(self, key: str) -> bool:
        """Whether a word or message exists."""
        return key in WORDS or key in MESSAGES

    def word(self, key: str) -> str:
        """A single word or phrase."""
        entry = WORDS.get(key) or MESSAGES[key]
        return entry[self.index]
