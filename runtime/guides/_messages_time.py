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
}
