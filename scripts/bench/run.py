#!/usr/bin/env python3
"""ListLedger's comparison benchmarks: each row is a ratio to a baseline measured in the same run.

Called by scripts/bench/run (which makes the virtual environment). See docs/performance.md.

  run [--quick] [--bin PATH] [--max-events N] [--workdir DIR] [--json OUT] [--plot PNG] [--markdown MD]
  run --engine postgresql [--bin PATH] [--pg-events N] [--submitted M] [--workdir DIR] [--json OUT]
      (issue 13, "Measured": batched append, verify and the breached-obligation scan on PostgreSQL
      beside SQLite and a psycopg COPY baseline, N events (default 20,000; the issue's sizes are
      --pg-events 1000000 and 10000000); then 1 / 8 / 32 single-event submitters, M events each
      run (default 2,000), beside SQLite's group commit and psycopg writers through a queue table
      and one batching sequencer. See postgres_main below.)
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
VENV_PY = sys.executable


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Result:
    __slots__ = ("seconds", "maxrss_kb", "rc", "out", "err")

    def __init__(self, seconds, maxrss_kb, rc, out, err):
        self.seconds, self.maxrss_kb, self.rc, self.out, self.err = seconds, maxrss_kb, rc, out, err


def measure(argv, stdin=None, check=True, env=None, rss_limit_mb=None) -> Result:
    """Runs argv; wall time and the child's own peak RSS (getrusage via wait4, the number
    `/usr/bin/time -v` prints as "Maximum resident set size"). With rss_limit_mb, a watchdog
    kills the child when its resident set passes the limit (so a non-streaming command cannot
    take the shared machine's memory)."""
    out_path = os.path.join(WORK, ".out")
    err_path = os.path.join(WORK, ".err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdin=stdin, stdout=out, stderr=err, env=env)
        if rss_limit_mb:
            while True:
                pid, status, usage = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    break
                try:
                    with open(f"/proc/{p.pid}/status") as f:
                        rss = next((int(l.split()[1]) for l in f if l.startswith("VmRSS:")), 0)
                except OSError:
                    rss = 0
                if rss > rss_limit_mb * 1024:
                    p.kill()
                time.sleep(0.2)
        else:
            _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    with open(out_path, "rb") as f:
        stdout = f.read().decode(errors="replace")
    with open(err_path, "rb") as f:
        stderr = f.read(1 << 16).decode(errors="replace")
    if check and p.returncode != 0:
        raise SystemExit(f"bench: {' '.join(map(str, argv))} exited {p.returncode}: {stderr.strip()[:2000]}")
    return Result(seconds, usage.ru_maxrss, p.returncode, stdout, stderr)


def ledger(*args, db, check=True, stdin=None, rss_limit_mb=None) -> Result:
    return measure([BIN, "--db", db, *map(str, args)], stdin=stdin, check=check, rss_limit_mb=rss_limit_mb)


_SUBCOMMANDS: set[str] | None = None


def has_command(name: str) -> bool:
    """Whether the binary has subcommand `name` (read from `listledger --help`'s SUBCOMMANDS list:
    `listledger NAME --help` would print the root help for an unknown NAME and exit 0)."""
    global _SUBCOMMANDS
    if _SUBCOMMANDS is None:
        text = subprocess.run([BIN, "--help"], capture_output=True, text=True).stdout
        section = text.split("SUBCOMMANDS:", 1)[-1] if "SUBCOMMANDS:" in text else ""
        _SUBCOMMANDS = {m.group(1) for m in re.finditer(r"^\s{2}([a-z][a-z-]*)", section, re.M)}
    return name in _SUBCOMMANDS


def remove_db(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass


def slice_lines(src: str, dst: str, start: int, count: int, canonical: bool = False) -> None:
    """Copies lines [start, start+count) of src into dst (optionally re-encoded canonically)."""
    with open(src, "rb") as f, open(dst, "wb") as out:
        for i, line in enumerate(f):
            if i < start:
                continue
            if i >= start + count:
                break
            if canonical:
                obj = json.loads(line)
                line = (json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
            out.write(line)


class Chunks:
    """Reads the generated stream once, front to back, writing the next n lines to a file."""

    def __init__(self, src: str):
        self.f = open(src, "rb")

    def next(self, n: int, dst: str, canonical_dst: str | None = None) -> None:
        with open(dst, "wb") as out:
            c = open(canonical_dst, "wb") if canonical_dst else None
            for _ in range(n):
                line = self.f.readline()
                if not line:
                    break
                out.write(line)
                if c:
                    obj = json.loads(line)
                    c.write((json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode())
            if c:
                c.close()


def rate(n, seconds):
    return n / seconds if seconds > 0 else float("inf")


def openssl_sha256_rate(size: int) -> float:
    """SHA-256 hashes per second of `size`-byte inputs, from `openssl speed` (one core)."""
    p = subprocess.run(["openssl", "speed", "-seconds", "2", "-bytes", str(size), "sha256"],
                       capture_output=True, text=True)
    text = p.stdout + p.stderr
    m = re.search(r"(\d+) sha256 ops in ([\d.]+)s", text)
    if not m:
        m = re.search(r"(\d+) sha256's in ([\d.]+)s", text)
    if not m:
        return float("nan")
    return int(m.group(1)) / float(m.group(2))


def machine_info() -> dict:
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    return {"nproc": os.cpu_count(), "cpu": cpu, "free": free, "kernel": platform.release(),
            "commit": commit or "unknown", "loadavg_start": load, "sqlite": sqlite3.sqlite_version,
            "openssl": subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()}


def main() -> int:
    global WORK, BIN
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small sizes (100k events): a few minutes")
    ap.add_argument("--bin", help="an already built listledger (skips `swift build -c release`)")
    ap.add_argument("--scratch-path", default=os.environ.get("BENCH_SCRATCH_PATH"), help="swift build --scratch-path")
    ap.add_argument("--max-events", type=int, help="largest ledger (default 100k quick, 10M full)")
    ap.add_argument("--durable-events", type=int, help="events for the one-commit-per-event rows")
    ap.add_argument("--workdir", default=os.environ.get("BENCH_WORKDIR", "/tmp/listledger-bench"))
    ap.add_argument("--json", help="write the results as JSON here")
    ap.add_argument("--plot", help="write the scaling plot (PNG) here")
    ap.add_argument("--commit", help="the commit the binary was built from (default: the repository's HEAD)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (big files)")
    ap.add_argument("--reuse", action="store_true",
                    help="measure the ledger already in --workdir (kept by --keep or a failed run): verify, rebuild, "
                         "obligations, prove and memory rows only")
    ap.add_argument("--no-export", action="store_true", help="skip export --bundle --all (at 10M it writes ~17 GB)")
    ap.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite",
                    help="postgresql: the PostgreSQL rows of issue 13 instead of the SQLite benchmarks")
    ap.add_argument("--pg-events", type=int, default=20_000, help="--engine postgresql: events of the batched rows")
    ap.add_argument("--submitted", type=int, default=2_000, help="--engine postgresql: events of each submitter row")
    ap.add_argument("--no-submitters", action="store_true", help="--engine postgresql: the batched rows only (1 M / 10 M)")
    args = ap.parse_args()
    if args.engine == "postgresql":
        return postgres_main(args)

    max_events = args.max_events or (100_000 if args.quick else 10_000_000)
    durable_n = args.durable_events or (1_000 if args.quick else 5_000)
    # Ledger sizes at which the ledger is verified (and append rates recorded) while it grows.
    checkpoints = [s for s in (10_000, 100_000, 1_000_000, 10_000_000) if s < max_events] + [max_events]
    compare_n = min(max_events, 100_000 if args.quick else 1_000_000)  # batched comparison size
    if compare_n not in checkpoints:
        checkpoints = sorted(set(checkpoints + [compare_n]))
    chunk_limit = 500_000  # events per `append` process: it reads its whole input into memory

    WORK = args.workdir
    if not args.reuse:
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
    info = machine_info()
    if args.commit:
        info["commit"] = args.commit
    info["command"] = " ".join(["scripts/bench/run"] + sys.argv[1:])
    info["date"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    results: dict = {"machine": info, "rows": [], "scaling": []}

    # 1. The binary.
    if args.bin:
        BIN = os.path.abspath(args.bin)
    else:
        cmd = ["swift", "build", "-c", "release", "--product", "listledger"]
        if args.scratch_path:
            cmd += ["--scratch-path", args.scratch_path]
        log("building: " + " ".join(cmd))
        subprocess.run(cmd, cwd=REPO, check=True, stdout=sys.stderr)
        BIN = os.path.join(subprocess.run(cmd + ["--show-bin-path"], cwd=REPO, check=True, capture_output=True, text=True).stdout.strip(), "listledger")
    log(f"binary {BIN}")
    baseline = os.path.join(WORK, "baseline")
    subprocess.run(["cc", "-O2", "-o", baseline, os.path.join(HERE, "baseline.c"), "-lsqlite3", "-lcrypto"], check=True)

    def row(name, ours, base, unit, target, higher_is_better=True, note=""):
        ratio = (ours / base) if (ours is not None and base) else None
        if ratio is None:
            met = None
        elif target is None:
            met = None
        else:
            met = ratio >= target if higher_is_better else ratio <= target
        results["rows"].append({"name": name, "ours": ours, "baseline": base, "unit": unit, "ratio": ratio,
                                "target": target, "met": met, "note": note})

    db = os.path.join(WORK, "ledger.sqlite")
    if args.reuse:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            size = con.execute("SELECT size FROM head").fetchone()[0]
        checkpoints = [size]
        v = ledger("verify", "--json", db=db)
        assert json.loads(v.out)["ok"]
        results["scaling"].append({"size": size, "append_rate": None, "append_from": None, "verify_seconds": v.seconds,
                                   "verify_rate": rate(size, v.seconds), "verify_maxrss_kb": v.maxrss_kb})
        log(f"verify {size:,}: {v.seconds:.2f} s ({rate(size, v.seconds):,.0f} events/s)")
        export_rows = []
    else:
        # 2. Input: one deterministic stream; the C baseline reads the same lines canonically encoded.
        gen = os.path.join(WORK, "gen.jsonl")
        log(f"generating {max_events:,} events")
        with open(gen, "wb") as out:
            subprocess.run([sys.executable, os.path.join(REPO, "scripts", "gen_ledger.py"), "--events", str(max_events), "--seed", "1"],
                           stdout=out, check=True)

        # 3. Batched append while the ledger grows; the C baseline over the same chunks up to compare_n.
        db = os.path.join(WORK, "ledger.sqlite")
        ledger("init", db=db)
        cdb = os.path.join(WORK, "baseline.sqlite")
        done = 0
        ours_compare_seconds = 0.0
        c_compare_seconds = 0.0
        chunk = os.path.join(WORK, "chunk.jsonl")
        chunks = Chunks(gen)
        export_rows = []
        for target in checkpoints:
            seconds = 0.0
            start_size = done
            while done < target:
                n = min(chunk_limit, target - done)
                chunks.next(n, chunk, chunk + ".c" if done < compare_n else None)
                r = ledger("append", "--batch-size", "1000", chunk, db=db)
                seconds += r.seconds
                if done < compare_n:
                    c = measure([baseline, cdb, chunk + ".c", "1000"])
                    c_compare_seconds += float(re.search(r"seconds=([\d.]+)", c.out).group(1))
                    ours_compare_seconds += r.seconds
                done += n
                log(f"appended {done:,} events ({rate(n, r.seconds):,.0f}/s, max RSS {r.maxrss_kb / 1024:.0f} MB)")
            v = ledger("verify", "--json", db=db)
            report = json.loads(v.out)
            assert report["ok"], report
            results["scaling"].append({"size": target, "append_rate": rate(target - start_size, seconds),
                                       "append_from": start_size, "verify_seconds": v.seconds,
                                       "verify_rate": rate(target, v.seconds), "verify_maxrss_kb": v.maxrss_kb})
            log(f"verify {target:,}: {v.seconds:.2f} s ({rate(target, v.seconds):,.0f} events/s)")
            if has_command("export") and not args.no_export and (target >= 1_000_000 or target == checkpoints[-1]):
                if not export_rows or (export_rows[-1][1] is not None and export_rows[-1][1] < 400 * 1024):
                    bundle = os.path.join(WORK, "bundle.json")
                    if has_command("keys"):
                        ledger("keys", "init", db=db, check=False)
                    ex = ledger("export", "--bundle", bundle, "--all", db=db, check=False, rss_limit_mb=3000)
                    size = os.path.getsize(bundle) if os.path.exists(bundle) else 0
                    export_rows.append((target, ex.maxrss_kb if ex.rc == 0 else None, ex.seconds, size, ex.rc, ex.err.strip()[:150]))
                    log(f"export --bundle --all at {target:,}: exit {ex.rc}, {ex.seconds:.1f} s, {size / 1e6:.0f} MB, max RSS {ex.maxrss_kb / 1024:.0f} MB")
                    try:
                        os.remove(bundle)
                    except FileNotFoundError:
                        pass
        for suffix in ("", ".c"):
            try:
                os.remove(chunk + suffix)
            except FileNotFoundError:
                pass

        row(f"batched append, {compare_n:,} events, 1,000 per transaction (events/s) vs C sqlite3+libcrypto",
            rate(compare_n, ours_compare_seconds), rate(compare_n, c_compare_seconds), "events/s", 0.6)

        # 4. Durable: one commit per event, fresh databases, the first durable_n events.
        first = os.path.join(WORK, "first.jsonl")
        slice_lines(gen, first, 0, durable_n)
        slice_lines(gen, first + ".c", 0, durable_n, canonical=True)
        ddb = os.path.join(WORK, "durable.sqlite")
        ledger("init", db=ddb)
        r = ledger("append", "--batch-size", "1", first, db=ddb)
        ours_durable = rate(durable_n, r.seconds)
        cd = os.path.join(WORK, "durable-c.sqlite")
        c = measure([baseline, cd, first + ".c", "1"])
        c_durable = float(re.search(r"rate=([\d.]+)", c.out).group(1))
        row(f"durable append, {durable_n:,} events, one commit each, synchronous=FULL (events/s) vs C",
            ours_durable, c_durable, "events/s", 0.9)
        remove_db(ddb)
        remove_db(cd)

        # 5. The Python eventsourcing library, same inputs.
        es_n = compare_n
        es_in = os.path.join(WORK, "es.jsonl")
        slice_lines(gen, es_in, 0, es_n)
        esdb = os.path.join(WORK, "es.sqlite")
        e = measure([VENV_PY, os.path.join(HERE, "eventsourcing_baseline.py"), esdb, es_in, "1000"])
        es_batched = float(re.search(r"rate=([\d.]+)", e.out).group(1))
        row(f"batched append, {es_n:,} events (events/s) vs Python eventsourcing 9.5 on SQLite",
            rate(compare_n, ours_compare_seconds), es_batched, "events/s", 25.0)
        remove_db(esdb)
        e = measure([VENV_PY, os.path.join(HERE, "eventsourcing_baseline.py"), esdb, first, "1"])
        es_durable = float(re.search(r"rate=([\d.]+)", e.out).group(1))
        row(f"durable append, {durable_n:,} events (events/s) vs Python eventsourcing 9.5", ours_durable, es_durable, "events/s", None)
        remove_db(esdb)
        os.remove(es_in)

    # 6. Verify vs openssl's SHA-256 rate at the average canonical size.
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        avg = con.execute("SELECT avg(length(canonical)) FROM events").fetchone()[0]
        entries = con.execute("SELECT count(*) FROM entries").fetchone()[0]
        obligations = con.execute("SELECT count(*) FROM obligations").fetchone()[0]
    avg_size = int(round(avg + 32))  # the chain hash covers prev_hash || canonical
    sha_rate = openssl_sha256_rate(avg_size)
    results["machine"]["avg_canonical_bytes"] = avg
    results["machine"]["sha256_per_s_at_avg"] = sha_rate
    for s in results["scaling"]:
        if s["size"] in (1_000_000, 10_000_000) or s["size"] == max_events:
            row(f"verify {s['size']:,} events (events/s) vs openssl speed sha256 at {avg_size} B (hashes/s)",
                s["verify_rate"], sha_rate, "events/s", None,
                note=f"target ≥ 2,000,000 events/s: {'met' if s['verify_rate'] >= 2e6 else 'not met'}")

    # 7. Rebuild, obligation scan, proofs, export at the largest size.
    biggest = checkpoints[-1]
    rb = ledger("rebuild", db=db)
    row(f"rebuild projections, {biggest:,} events (s)", rb.seconds, 30.0 if biggest >= 10_000_000 else None, "s",
        1.0 if biggest >= 10_000_000 else None, higher_is_better=False,
        note=f"target < 30 s at 10M; max RSS {rb.maxrss_kb / 1024:.0f} MB")
    results["rebuild_maxrss_kb"] = rb.maxrss_kb
    start = ledger("--version", db=db)
    ob = ledger("obligations", "--status", "breached", "--json", db=db)
    breached = len(json.loads(ob.out)["obligations"]) if ob.out.strip().startswith("{") else None
    row(f"obligations --status breached over {entries:,} entries / {obligations:,} obligations (s)", ob.seconds, 1.0, "s", 1.0,
        higher_is_better=False, note=f"{breached} breached; includes process start {start.seconds * 1000:.0f} ms; target < 1 s")
    results["process_start_seconds"] = start.seconds

    proved = False
    if has_command("prove"):
        try:
            if has_command("keys"):
                ledger("keys", "init", db=db, check=False)
            ledger("checkpoint", db=db, check=False)
            ledger("prove", "--seq", 1, "--json", db=db)  # warm: may sign a checkpoint on first use
            def median(xs):
                xs = sorted(xs)
                return xs[len(xs) // 2]
            starts = median([ledger("--version", db=db).seconds for _ in range(7)])
            p1 = median([ledger("prove", "--seq", 1 + (biggest * k) // 7, "--json", db=db).seconds for k in range(7)])
            p2 = median([ledger("prove", "--from", 1 + (biggest * k) // 9, "--to", biggest, "--json", db=db).seconds for k in range(7)])
            row(f"prove --seq at {biggest:,}: median wall time minus process start (s)", p1 - starts, 0.001, "s", 1.0,
                higher_is_better=False, note=f"wall {p1 * 1000:.1f} ms, process start {starts * 1000:.1f} ms")
            row(f"prove --from --to at {biggest:,}: median wall time minus process start (s)", p2 - starts, 0.001, "s", 1.0,
                higher_is_better=False, note=f"wall {p2 * 1000:.1f} ms, process start {starts * 1000:.1f} ms")
            proved = True
        except SystemExit as error:
            results["prove_error"] = str(error)
    if not proved:
        row("prove --seq / --from --to", None, None, "s", None, note="n/a (not built yet)" if not has_command("prove") else "n/a: " + results.get("prove_error", "")[:200])

    verify_peak = [s for s in results["scaling"] if s["size"] == biggest][0]["verify_maxrss_kb"]
    mem = [("verify", verify_peak), ("rebuild", rb.maxrss_kb)]
    if export_rows:
        results["exports"] = [{"size": t, "maxrss_kb": m, "seconds": sec, "bytes": b, "rc": rc, "err": e} for t, m, sec, b, rc, e in export_rows]
        for t, m, sec, b, rc, e in export_rows:
            if t != biggest:
                row(f"peak memory of export --bundle --all at {t:,} events (MB)", m / 1024 if m else None, 200.0 if m else None, "MB",
                    1.0, higher_is_better=False, note=f"{sec:.0f} s, bundle {b / 1e6:,.0f} MB" if rc == 0 else f"exit {rc}: {e}")
        last = export_rows[-1]
        if last[0] == biggest:
            mem.append(("export --bundle --all", last[1] if last[4] == 0 else f"exit {last[4]} (killed above 3 GB RSS?): {last[5]}"))
        else:
            mem.append(("export --bundle --all", f"not run at {biggest:,}: {last[1] / 1024 if last[1] else 0:.0f} MB already at {last[0]:,}"))
    elif has_command("export"):
        mem.append(("export --bundle --all", "not measured"))
    else:
        mem.append(("export --bundle --all", "n/a (not built yet)"))
    for name, kb in mem:
        if isinstance(kb, (int, float)):
            row(f"peak memory of {name} at {biggest:,} events (MB)", kb / 1024, 200.0, "MB", 1.0, higher_is_better=False)
        else:
            row(f"peak memory of {name} at {biggest:,} events (MB)", None, None, "MB", None, note=str(kb))

    with open("/proc/loadavg") as f:
        results["machine"]["loadavg_end"] = f.read().split()[:3]
    results["machine"]["db_bytes"] = os.path.getsize(db)
    results["machine"]["input_bytes"] = os.path.getsize(gen) if not args.reuse else None

    print_table(results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, ensure_ascii=False)
    if args.plot:
        plot(results, args.plot)
    if not args.keep:
        shutil.rmtree(WORK, ignore_errors=True)
    return 0


def postgres_main(args) -> int:
    """The PostgreSQL rows (issue 13, "Measured"), each beside SQLite and the psycopg baseline
    (scripts/bench/pg_baseline.py) in the same run, on a throw-away server of scripts/pg."""
    global WORK, BIN
    WORK = args.workdir
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    os.chmod(WORK, 0o755)  # scripts/pg may run initdb as the postgres user, which must reach WORK/pg
    info = machine_info()
    info["command"] = " ".join(["scripts/bench/run"] + sys.argv[1:])
    info["date"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    results: dict = {"machine": info, "rows": [], "scaling": []}
    products = ["listledger", "listledger-submit", "listledger-pg-submit"]
    if args.bin:
        BIN = os.path.abspath(args.bin)
    else:
        for product in products:
            cmd = ["swift", "build", "-c", "release", "--product", product]
            log("building: " + " ".join(cmd))
            subprocess.run(cmd, cwd=REPO, check=True, stdout=sys.stderr)
        BIN = os.path.join(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=REPO, check=True,
                                          capture_output=True, text=True).stdout.strip(), "listledger")
    bindir = os.path.dirname(BIN)
    env = dict(os.environ, LISTLEDGER_PG_DIR=os.path.join(WORK, "pg"))
    pg = os.path.join(REPO, "scripts", "pg")
    server = subprocess.run([pg, "start"], env=env, check=True, capture_output=True, text=True).stdout.strip()
    base = server.rsplit("/", 1)[0]
    made = [0]

    def newdb() -> str:
        made[0] += 1
        subprocess.run(["psql", "-q", server, "-c", f"CREATE DATABASE b{made[0]}"], check=True, stdout=subprocess.DEVNULL)
        return f"{base}/b{made[0]}"

    def row(name, ours, base_rate, note="", unit="events/s"):
        results["rows"].append({"name": name, "ours": ours, "baseline": base_rate, "unit": unit,
                                "ratio": ours / base_rate if ours and base_rate else None, "target": None, "met": None,
                                "note": note})

    def baseline(*argv) -> float:
        r = measure([VENV_PY, os.path.join(HERE, "pg_baseline.py"), *map(str, argv)])
        return float(re.search(r"rate=([\d.]+)", r.out).group(1))

    try:
        n = args.pg_events
        gen = os.path.join(WORK, "gen.jsonl")
        log(f"generating {n:,} events")
        with open(gen, "wb") as out:
            subprocess.run([sys.executable, os.path.join(REPO, "scripts", "gen_ledger.py"), "--events", str(n), "--seed", "1"],
                           stdout=out, check=True)
        # The input in chunks of at most 500,000 lines: `append` reads its whole input into memory.
        chunk_limit = 500_000
        chunks = []
        if n > chunk_limit:
            c = Chunks(gen)
            for k in range(0, n, chunk_limit):
                path = os.path.join(WORK, f"chunk{k // chunk_limit}.jsonl")
                c.next(min(chunk_limit, n - k), path)
                chunks.append(path)
        else:
            chunks = [gen]
        rates = {}
        for engine in ("sqlite", "postgresql"):
            db = os.path.join(WORK, "bench.sqlite") if engine == "sqlite" else newdb()
            ledger("init", "--court", "court:baisha", db=db)
            seconds = 0.0
            for path in chunks:
                seconds += ledger("append", "--batch-size", "1000", path, db=db).seconds
            rates[engine, "append"] = rate(n, seconds)
            v = ledger("verify", "--json", db=db)
            assert json.loads(v.out)["ok"], v.out[:500]
            rates[engine, "verify"] = rate(n, v.seconds)
            rates[engine, "import"] = seconds
            # The first read catches the obligations projection up with the import (both
            # engines project after the append, in their own transactions); the second finds
            # it current: the scan of issue 8's target.
            ob = ledger("obligations", "--status", "breached", "--json", db=db)
            rates[engine, "obligations-first"] = ob.seconds
            ob = ledger("obligations", "--status", "breached", "--json", db=db)
            rates[engine, "obligations"] = ob.seconds
            breached = len(json.loads(ob.out)["obligations"])
            log(f"{engine}: append {rates[engine, 'append']:,.0f}/s ({seconds:.0f} s), verify {rates[engine, 'verify']:,.0f}/s, "
                f"obligations --status breached first {rates[engine, 'obligations-first']:.2f} s (catch-up), "
                f"again {ob.seconds:.2f} s, {breached:,} breached")
        psy = baseline("batched", newdb(), gen, 1000)
        row(f"PostgreSQL batched append, {n:,} events, 1,000 a transaction (events/s) vs SQLite",
            rates["postgresql", "append"], rates["sqlite", "append"])
        row(f"PostgreSQL batched append, {n:,} events (events/s) vs psycopg COPY of the events rows and chain only",
            rates["postgresql", "append"], psy)
        row(f"PostgreSQL verify, {n:,} events (events/s) vs SQLite", rates["postgresql", "verify"], rates["sqlite", "verify"])
        # Seconds, lower is better (a ratio above 1: PostgreSQL is slower).
        row(f"obligations --status breached over {n:,} events, projection current (s, with process start) vs SQLite",
            rates["postgresql", "obligations"], rates["sqlite", "obligations"], unit="s")
        row(f"first obligations after the import: projector catch-up of {n:,} events and the scan (s) vs SQLite",
            rates["postgresql", "obligations-first"], rates["sqlite", "obligations-first"], unit="s")
        row(f"import of {n:,} events, append --batch-size 1000 (s) vs SQLite", rates["postgresql", "import"], rates["sqlite", "import"], unit="s")
        for writers in (() if args.no_submitters else (1, 8, 32)):
            per = args.submitted // writers
            total = per * writers
            sdb = os.path.join(WORK, f"sub-{writers}.sqlite")
            ledger("init", "--court", "court:baisha", db=sdb)
            s_run = measure([os.path.join(bindir, "listledger-submit"), "--db", sdb, "--submitters", str(writers), "--events", str(per), "--quiet"])
            pdb = newdb()
            ledger("init", "--court", "court:baisha", db=pdb)
            p_run = measure([os.path.join(bindir, "listledger-pg-submit"), "--db", pdb, "--events", str(total), "--writers", str(writers)])
            psy_q = baseline("queue", newdb(), total, writers)
            ours = rate(total, p_run.seconds)
            row(f"PostgreSQL {writers} single-event submitters, {total:,} events (events/s) vs SQLite group commit",
                ours, rate(total, s_run.seconds))
            row(f"PostgreSQL {writers} single-event submitters (events/s) vs psycopg queue + batching sequencer",
                ours, psy_q)
            log(f"{writers} submitters: PostgreSQL {ours:,.0f}/s, SQLite {rate(total, s_run.seconds):,.0f}/s, psycopg {psy_q:,.0f}/s")
    finally:
        subprocess.run([pg, "stop"], env=env, check=False)
    with open("/proc/loadavg") as f:
        results["machine"]["loadavg_end"] = f.read().split()[:3]
    print_table(results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, ensure_ascii=False)
    if not args.keep:
        shutil.rmtree(WORK, ignore_errors=True)
    return 0


def fmt(x, unit):
    if x is None:
        return "n/a"
    if unit == "events/s":
        return f"{x:,.0f}"
    if unit == "MB":
        return f"{x:,.0f}"
    return f"{x:.3f}"


def print_table(results):
    m = results["machine"]
    print(f"ListLedger benchmarks — commit {m['commit']}, {m['date']}, {m['nproc']} cores, {m['cpu']}")
    print(f"load average at start {' '.join(m['loadavg_start'])}, at end {' '.join(m.get('loadavg_end', []))}")
    print()
    print(f"| {'measurement':<96} | {'ListLedger':>12} | {'baseline':>12} | {'ratio':>7} | {'target':>7} | met |")
    print(f"|{'-' * 98}|{'-' * 14}|{'-' * 14}|{'-' * 9}|{'-' * 9}|-----|")
    for r in results["rows"]:
        ratio = "n/a" if r["ratio"] is None else f"{r['ratio']:.2f}"
        if r["target"] is None:
            target = "—"
        else:
            target = ("≥ " if r["unit"] == "events/s" else "≤ ") + f"{r['target']:g}"
        met = "—" if r["met"] is None else ("yes" if r["met"] else "NO")
        print(f"| {r['name']:<96} | {fmt(r['ours'], r['unit']):>12} | {fmt(r['baseline'], r['unit']):>12} | {ratio:>7} | {target:>7} | {met:<3} |"
              + (f" {r['note']}" if r["note"] else ""))
    if not results["scaling"]:
        return
    print()
    print("scaling (batched append while growing; verify of the whole ledger):")
    for s in results["scaling"]:
        if s["append_rate"] is None:
            print(f"  {s['size']:>12,} events: verify {s['verify_seconds']:8.2f} s = {s['verify_rate']:>12,.0f} events/s, "
                  f"max RSS {s['verify_maxrss_kb'] / 1024:.0f} MB")
            continue
        print(f"  {s['size']:>12,} events: append {s['append_rate']:>10,.0f}/s (from {s['append_from']:,}), "
              f"verify {s['verify_seconds']:8.2f} s = {s['verify_rate']:>12,.0f} events/s, max RSS {s['verify_maxrss_kb'] / 1024:.0f} MB")


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    results = dict(results, scaling=[s for s in results["scaling"] if s["append_rate"] is not None])
    sizes = [s["size"] for s in results["scaling"]]
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    ax.plot(sizes, [s["append_rate"] for s in results["scaling"]], "o-", label="append, 1,000 per transaction")
    ax.plot(sizes, [s["verify_rate"] for s in results["scaling"]], "s-", label="verify (whole ledger)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("ledger size (events)")
    ax.set_ylabel("events per second")
    m = results["machine"]
    ax.set_title(f"ListLedger {m['commit']}: rate against ledger size ({m['nproc']} cores)", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)


if __name__ == "__main__":
    WORK = "/tmp"
    BIN = "listledger"
    sys.exit(main())
