"""The guide's words about time, in English and Japanese: statements over the program year and tier reviews.

Entries as in `_messages.MESSAGES` (`key: (English, Japanese)`), which includes them.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # --- statements over the year -----------------------------------------------------------------
    "year": ("Statements over the year", "年度内の精算と差額のお支払い"),
    "year.intro": (
        "Each statement settles the fiscal year from its first day to the statement's date, and pays the "
        "difference from what the year's earlier statements paid. For each kind of line it shows what you earned "
        "in the year to date, what was paid before, and what is payable now. Settling the same date again pays "
        "nothing twice.",
        "精算は毎回、年度の初日から精算日までの実績をまとめて計算し、その年度のこれまでの精算でお支払いした額との"
        "差額をお支払いします。明細の種類ごとに、年度初めからの累計額、支払済額、今回のお支払い額を示します。"
        "同じ精算日で精算し直しても、二重にお支払いすることはありません。"),
    "year.owed": (
        "A negative amount payable is owed back to the vendor; how it is settled (offset against the next payment "
        "or invoiced) is as your partner agreement states.",
        "今回のお支払い額がマイナスの場合は、その額を返還していただきます（次回のお支払いとの相殺か請求かは、"
        "パートナー契約の定めによります）。"),
    "year.ladder.retroactive": (
        "{title} is retroactive: when your {basis} in the {period} reach a new step, the new rate applies to the "
        "whole {period}'s sales, including those already settled, and the next statement pays the difference from "
        "what was paid (a true-up).",
        "{title}は遡及型です。{period}の{basis}が次の段階に達すると、精算済みの分を含む{period}の販売全体に新しい"
        "料率が適用され、お支払い済みの額との差額を次の精算でお支払いします。"),
    "year.ladder.marginal": (
        "{title} is marginal: reaching a new step changes nothing already settled, and each statement pays the "
        "uplift on the {basis} added since the statement before, at the rate of the step each part falls in.",
        "{title}は累進型です。次の段階に達しても、精算済みの分の料率は変わりません。各回の精算では、前回の精算以降に"
        "増えた{basis}に、それぞれが属する段階の料率で上乗せ額をお支払いします。"),
    "year.ladder.example": (
        "A partner under {who} sells on {first} and on {second}; each statement settles the {period} to its date "
        "against what the statement before paid (ladder lines):",
        "{who}が{first}と{second}に販売した場合の、各精算日の上乗せ額の明細（前回までのお支払いとの差額）："),
    "year.bonus": (
        "{title}: a step is paid once, with the first statement after your {basis} in the {period} reach its "
        "target. If refunds later take them back below the target, the next statement claws the step back, once; "
        "later statements take nothing more.",
        "{title}：各段階の金額は、{period}の{basis}が目標に達した後の最初の精算で一度だけお支払いします。その後の"
        "返品・取消で目標を下回った場合は、次の精算で一度だけ返還していただきます。それ以降の精算で重ねて差し引く"
        "ことはありません。"),
    "year.bonus.example": (
        "A partner under {who} reaches the first target with a sale on {sale}, which is refunded on {refund}; the "
        "bonus lines of each statement:",
        "{who}が{sale}の販売で最初の目標に達し、{refund}にその販売が返品された場合の、各精算日のインセンティブの"
        "明細："),
    "col.as_of": ("Statement as of", "精算日"),
    "col.to_date": ("{basis} to date", "{basis}（累計）"),
    "col.line": ("Line", "明細"),
    "col.earned_to_date": ("Earned to date", "累計額"),
    "col.paid_before": ("Paid before", "支払済額"),
    "col.payable_now": ("Payable now", "今回のお支払い額"),
    "line.ladder": ("Ladder payment", "上乗せ額"),
    "line.ladder_clawback": ("Ladder clawback", "上乗せ額の返還"),
    "line.bonus": ("Bonus", "インセンティブ"),
    "line.bonus_clawback": ("Bonus clawback", "インセンティブの返還"),
    # --- tier reviews -------------------------------------------------------------------------------
    "reviews": ("Tier reviews", "ティアの見直し"),
    "reviews.dates": ("Tiers are reviewed {cadence}, on the first day of each review period counted from the start "
                      "of the fiscal year: {dates}.",
                      "ティアは年度の始まりから数えて{cadence}、各期の初日（{dates}）に見直します。"),
    "reviews.window.year_to_date": (
        "A review reads your figures for the fiscal year up to the day before the review; the review on the "
        "year's first day reads the whole year before.",
        "見直しでは、年度初めから見直し日の前日までの実績を判定に使います。年度の初日の見直しでは、前年度1年間の"
        "実績を使います。"),
    "reviews.window.since_last_review": (
        "A review reads your figures since the last review, up to the day before the review.",
        "見直しでは、前回の見直し日から今回の見直し日の前日までの実績を判定に使います。"),
    "reviews.window.months": (
        "A review reads your figures over the {n} months before the review.",
        "見直しでは、見直し日の前日までの直近{n}か月の実績を判定に使います。"),
    "reviews.in_force": (
        "The tier decided at a review is in force from the review date until the day before the next review; a "
        "quote or statement uses the tier in force on the transaction's date. Until your first review, the tier "
        "registered for you holds.",
        "見直しで決まったティアは、見直し日から次の見直し日の前日まで適用され、見積と精算には取引日に適用されて"
        "いるティアを使います。最初の見直しまでは、登録時のティアが適用されます。"),
    "reviews.promote": ("When your figures meet a better tier's conditions, you move up at that review.",
                        "上位のティアの条件を満たした場合は、その見直しで昇格します。"),
    "reviews.keep": (
        "A tier reached at a review is kept for at least {keep} review periods, even if your figures fall below "
        "its conditions in the meantime.",
        "見直しで到達したティアは、その後実績が条件を下回っても、少なくとも{keep}回の見直し期間は維持されます。"),
    "reviews.grace": (
        "After that, when a review finds your figures below your tier, you keep it for up to {grace} more "
        "{reviews} in grace, and move down at the next review that still finds them below.",
        "その後の見直しで実績がティアの条件を下回っても、{grace}回までは猶予としてティアを維持し、その次の"
        "見直しでも下回った場合は、条件を満たすティアに降格します。"),
    "reviews.no_grace": (
        "After that, a review that finds your figures below your tier moves you to the tier they meet.",
        "その後の見直しで実績がティアの条件を下回った場合は、その見直しで条件を満たすティアに降格します。"),
    "reviews.assigned": ("A tier the vendor decides individually is not reviewed.",
                         "ベンダーが個別に決定するティアは、見直しの対象外です。"),
    "reviews.example": (
        "A partner under {who} meets the conditions of {top} at the first review, then falls short of them; the "
        "decisions of the engine at each review:",
        "{who}が最初の見直しで{top}の条件を満たし、その後は条件を下回った場合の、各見直しでのエンジンの判定："),
    "col.review": ("Review", "見直し日"),
    "col.window": ("Figures of", "判定に使う期間"),
    "col.qualifies": ("Qualifies for", "条件を満たすティア"),
    "col.in_force": ("Tier from the review", "見直し後のティア"),
    "col.decision": ("Decision", "判定"),
    "window.span": ("{start} to {end}", "{start}〜{end}"),
    "outcome.promoted": ("promoted", "昇格"),
    "outcome.met": ("conditions met", "条件を満たし維持"),
    "outcome.kept": ("kept: reached on {since}, kept for {keep} review periods",
                     "維持（{since}に到達したティアを{keep}期間維持）"),
    "outcome.grace": ("in grace ({n} of {grace})", "猶予（{grace}回のうち{n}回目）"),
    "outcome.demoted": ("moved down", "降格"),
    "word.review": ("review", "回"),
    "word.reviews": ("reviews", "回"),
}
