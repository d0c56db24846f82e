"""The settlement benchmark's child process: settle one transactions file the way `ppl settle` does.

    python -m bench.settle_child RULESET.json PARTNERS.csv TRANSACTIONS.csv PERIOD OUT_DIR

Reads the compiled rule set, the partners and the transactions (streamed), settles the period with
a `Settler` whose lines and rejects go to a `SettlementWriter` in OUT_DIR, writes the statements,
and prints one JSON object: rows read, accepted, rejected, the seconds each phase took, and the
process's peak resident set size.

The peak is `VmHWM` from /proc/self/status: the high-water mark of this process's own address space.
Not `ru_maxrss` (of RUSAGE_SELF, RUSAGE_CHILDREN or wait4): Linux carries the parent's high-water mark
into a child across vfork/exec, so a child started by a 300 MB parent reports at least 300 MB.
"""

from __future__ import annotations

import json
import re
import resource
import sys
import time
from pathlib import Path

import runtime
from runtime import io as rio
from runtime.decisions import Settler


def peak_rss_kib() -> int:
    """This process's peak resident set size in KiB (VmHWM; ru_maxrss where there is no /proc)."""
    status = Path("/proc/self/status")
    if status.exists():
        found = re.search(r"^VmHWM:\s+(\d+) kB", status.read_text(encoding="ascii"), re.MULTILINE)
        if found is not None:
            return int(found[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1)


def main(argv: list[str]) -> int:
    """Settle and report; returns the exit status."""
    ruleset_path, partners_path, transactions_path, period_text, out_dir = argv
    started = time.perf_counter()
    rt = runtime.load(ruleset_path)
    partners = rio.read_partners(partners_path, rt.ruleset)
    period = rio.parse_period(period_text, rt.ruleset.fiscal_year_start)
    writer = rio.SettlementWriter(out_dir, rt.ruleset, partners)
    loaded = time.perf_counter()
    with rio.read_transactions(transactions_path, rt.ruleset) as reader:
        # As `ppl settle`: sales are remembered for their refunds only when the file can name them (`refund_of`).
        settler = Settler(rt, partners, period, on_line=writer.on_line, on_reject=writer.on_reject,
                          keep_sales=reader.may_refund, on_hold=writer.on_hold, on_violation=writer.on_violation)
        rio.feed(settler, reader)
    streamed = time.perf_counter()
    settlement = settler.finish()
    writer.finish(settlement)
    done = time.perf_counter()
    print(json.dumps({"read": settlement.read, "accepted": settlement.accepted, "rejected": settlement.rejected,
                      "statements": len(settlement.statements), "load_s": loaded - started,
                      "stream_s": streamed - loaded, "finish_s": done - streamed, "peak_kib": peak_rss_kib()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
