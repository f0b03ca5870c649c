#!/usr/bin/env python3
"""Short write-path measurements for issue 8 (each well under a minute; see docs/performance.md).

  scripts/bench/write_path.py [--bin-dir DIR] [--only group,fsync,start] [--rounds N]

- group: durable single-event appends through `SharedLedger` (listledger-submit): 1 submitter
  against 32 concurrent submitters on the same machine in the same run; the ratio of their
  events/s is what group commit buys (target ≥ 5×). Also the events per transaction, and the
  obligations projector's lag (head − stored position) when the 32 submitters' process exits
  and the largest lag read from the file every 0.2 s while they ran.
  --group-events N: events per submitter of the 32 (default 60; 300 makes a run of ~4 s).
- fsync: `strace -f -e fsync,fdatasync` of one `listledger append` of one event into a ledger
  that already holds one (the second process of its life, as in daily use).
- start: instructions of that one-shot append under `valgrind --tool=callgrind` (total Ir), and
  its median wall time over 20 runs.
- verify: with --ledger PATH (an existing ledger, e.g. 1 M generated events) and --verify-bins
  A,B: wall time of `verify` with each binary (best of --rounds), against this machine's
  SHA-256 limit measured in the same run with `openssl speed -evp sha256 -multi 2`: verify
  hashes ~300 bytes twice (chain, leaf) and 65 bytes about once (tree node) per event, so the
  limit is 1 / (2 / rate(300 B) + 1 / rate(64 B)) events/s on both cores.
- verify-pg: with --pg-ledger URL (a PostgreSQL database holding one log, e.g. imported with
  `append --batch-size 1000`) and --verify-bins A,B: wall time of `verify --db URL` with each
  binary, the binaries taken in turn in each round (A, B, A, B …: the same load for both), best
  and all rounds, with the load average before each run.
DIR defaults to .build/release (run `swift build -c release` first).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
NOTICE = ('{"type":"risk_notice_issued","entry":"%s","at":"2024-03-01T09:00:00+08:00","actor":"court:baisha",'
          '"court":"court:baisha","case":"(2024)琼9030执1号","debtor":{"kind":"person","name":"测试甲","id_number":"460030198001010105"}}\n')


def fresh(work: str, name: str, bin_dir: str) -> str:
    db = os.path.join(work, name)
    subprocess.run([os.path.join(bin_dir, "listledger"), "--db", db, "init"], check=True, capture_output=True)
    return db


def submit(bin_dir: str, db: str, submitters: int, events: int, prefix: str, sample_lag: bool = False) -> dict:
    """One listledger-submit run; with sample_lag, the projector's lag is read from the file every
    0.2 s meanwhile and its largest value returned as "max_lag"."""
    p = subprocess.Popen([os.path.join(bin_dir, "listledger-submit"), "--db", db, "--submitters", str(submitters),
                          "--events", str(events), "--prefix", prefix, "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    max_lag = 0
    while sample_lag and p.poll() is None:
        time.sleep(0.2)
        try:
            size, position = projector_lag(db)
            max_lag = max(max_lag, size - position)
        except sqlite3.Error:
            pass  # busy for a moment: the next sample
    out, err = p.communicate()
    if p.returncode != 0:
        raise SystemExit(f"listledger-submit failed: {err}")
    result = json.loads(out.strip().splitlines()[-1])
    result["max_lag"] = max_lag
    return result


def projector_lag(db: str) -> tuple[int, int]:
    """(head size, obligations projector position) as stored when the submitting process exited."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        size = con.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
        position = con.execute("SELECT position FROM projector_positions WHERE name = 'obligations'").fetchone()[0]
        return size, position
    finally:
        con.close()


def group(bin_dir: str, work: str, rounds: int, per_submitter: int) -> None:
    one, many, lags = [], [], []
    for r in range(rounds):
        db = fresh(work, f"group{r}.sqlite", bin_dir)
        one.append(submit(bin_dir, db, 1, 300, f"one{r}"))
        many.append(submit(bin_dir, db, 32, per_submitter, f"many{r}", sample_lag=True))
        lags.append(projector_lag(db))
    a = statistics.median(x["events_per_second"] for x in one)
    b = statistics.median(x["events_per_second"] for x in many)
    per_tx = statistics.median(x["events"] / x["transactions"] for x in many)
    print(f"| durable single-event appends, 1 submitter (events/s, median of {rounds}) | {a:,.0f} |")
    print(f"| the same, 32 concurrent submitters (events/s) | {b:,.0f} |")
    print(f"| ratio 32 : 1 (target ≥ 5) | **{b / a:.1f}×** |")
    print(f"| events per transaction with 32 submitters (median) | {per_tx:.1f} |")
    # The projector's stored position when the 32-submitter process exited (it is woken after
    # every group commit; readers derive what it lacks): head − position is the lag.
    print("| obligations projector lag at the end of each 32-submitter run (events behind the head) | "
          + ", ".join(f"{size - position:,} of {size:,}" for size, position in lags) + " |")
    print("| its largest lag sampled every 0.2 s during each 32-submitter run | "
          + ", ".join(f"{x['max_lag']:,}" for x in many) + " |")


def one_shot(bin_dir: str, work: str, name: str):
    db = fresh(work, f"{name}.sqlite", bin_dir)
    files = []
    for i in range(64):
        path = os.path.join(work, f"{name}{i}.jsonl")
        with open(path, "w") as f:
            f.write(NOTICE % f"ONE-{i}")
        files.append(path)
    subprocess.run([os.path.join(bin_dir, "listledger"), "--db", db, "append", files[0]], check=True, capture_output=True)
    return db, files


def fsync(bin_dir: str, work: str) -> None:
    db, files = one_shot(bin_dir, work, "fsync")
    trace = os.path.join(work, "strace.txt")
    subprocess.run(["strace", "-f", "-e", "trace=fsync,fdatasync", "-o", trace, os.path.join(bin_dir, "listledger"),
                    "--db", db, "append", files[1]], check=True, capture_output=True)
    calls = [l for l in open(trace) if re.search(r"\b(fsync|fdatasync)\(", l)]
    print(f"| fsync + fdatasync calls of one one-shot `append` of one event | {len(calls)} |")


def start(bin_dir: str, work: str) -> None:
    db, files = one_shot(bin_dir, work, "start")
    out = os.path.join(work, "callgrind.out")
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", os.path.join(bin_dir, "listledger"),
                    "--db", db, "append", files[2]], check=True, capture_output=True)
    total = next(int(l.split()[1]) for l in open(out) if l.startswith("summary:") or l.startswith("totals:"))
    walls = []
    for f in files[3:23]:
        t0 = time.perf_counter()
        subprocess.run([os.path.join(bin_dir, "listledger"), "--db", db, "append", f], check=True, capture_output=True)
        walls.append((time.perf_counter() - t0) * 1000)
    print(f"| one-shot `append` of one event: instructions (callgrind Ir) | {total:,} |")
    print(f"| one-shot `append` of one event: wall time, median of 20 (ms) | {statistics.median(walls):.1f} |")


def openssl_rate(size: int) -> float:
    out = subprocess.run(["openssl", "speed", "-evp", "sha256", "-multi", "2", "-seconds", "2", "-bytes", str(size)],
                         capture_output=True, text=True, check=True).stdout
    # The summary line: "sha256  <kB/s>k" (the -multi table): 1000-byte kilobytes per second.
    line = [l for l in out.splitlines() if l.lower().startswith("sha256")][-1]
    kbps = float(line.split()[-1].rstrip("k"))
    return kbps * 1000 / size


def verify(ledger: str, bins: list[str], rounds: int) -> None:
    r300, r64 = openssl_rate(300), openssl_rate(64)
    limit = 1 / (2 / r300 + 1 / r64)
    events = int(subprocess.run(["sqlite3", f"file:{ledger}?mode=ro", "SELECT size FROM head"], capture_output=True, text=True,
                                check=True).stdout.strip())
    print(f"| openssl speed -evp sha256 -multi 2: 300-byte / 64-byte hashes per second | {r300:,.0f} / {r64:,.0f} |")
    print(f"| SHA-256 limit for verify's 3 hashes per event, both cores (events/s) | {limit:,.0f} |")
    for b in bins:
        best = None
        for _ in range(rounds):
            t0 = time.perf_counter()
            r = subprocess.run([b, "--db", ledger, "verify", "--json"], capture_output=True, text=True)
            dt_ = time.perf_counter() - t0
            if r.returncode != 0:
                raise SystemExit(f"{b} verify failed: {r.stdout} {r.stderr}")
            best = dt_ if best is None else min(best, dt_)
        rate = events / best
        print(f"| verify {events:,} events with {b} (s, events/s, share of the limit) | {best:.2f} s, {rate:,.0f}/s, **{rate / limit:.2f}** |")


def load() -> str:
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def verify_pg(url: str, bins: list[str], rounds: int) -> None:
    times: dict[str, list[tuple[float, str]]] = {b: [] for b in bins}
    events = 0
    for _ in range(rounds):
        for b in bins:
            before = load()
            t0 = time.perf_counter()
            r = subprocess.run([b, "verify", "--json", "--db", url], capture_output=True, text=True)
            dt_ = time.perf_counter() - t0
            if r.returncode != 0:
                raise SystemExit(f"{b} verify failed: {r.stdout} {r.stderr}")
            events = json.loads(r.stdout)["events"]
            times[b].append((dt_, before))
    for b in bins:
        best = min(t for t, _ in times[b])
        runs = ", ".join(f"{t:.2f} s (load {l})" for t, l in times[b])
        print(f"| PostgreSQL verify {events:,} events with {b}: best (events/s); every run | {best:.2f} s ({events / best:,.0f}/s); {runs} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", default=os.path.join(REPO, ".build", "release"))
    ap.add_argument("--only", default="group,fsync,start")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--group-events", type=int, default=60, help="for group: events per submitter of the 32")
    ap.add_argument("--ledger", help="for verify: an existing ledger file")
    ap.add_argument("--verify-bins", default="", help="for verify: comma-separated listledger binaries")
    ap.add_argument("--pg-ledger", help="for verify-pg: a postgresql:// URL holding one log")
    args = ap.parse_args()
    bin_dir = os.path.abspath(args.bin_dir)
    work = tempfile.mkdtemp(prefix="listledger-write-path-")
    print(f"| write path ({bin_dir}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}) | value |\n|---|---:|")
    only = args.only.split(",")
    if "fsync" in only:
        fsync(bin_dir, work)
    if "start" in only:
        start(bin_dir, work)
    if "group" in only:
        group(bin_dir, work, args.rounds, args.group_events)
    if "verify" in only:
        verify(args.ledger, [os.path.abspath(b) for b in args.verify_bins.split(",")], args.rounds)
    if "verify-pg" in only:
        verify_pg(args.pg_ledger, [os.path.abspath(b) for b in args.verify_bins.split(",")], args.rounds)
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
