#!/usr/bin/env python3
"""Durability drills for the ListLedger binary: crash, contention, disk full, read-only storage.

    scripts/drills/run [--long] [--bin PATH] [--seed N] [--keep] [--engine sqlite|postgresql]

One line per drill ("ok" or "FAIL: why"), then "N passed, N failed"; exits 1 on any failure.

`--engine postgresql` runs the same drill functions (kill -9, concurrent writers, the append
during a bulk import, verify under load, kill -9 over 32 submitters) against the server of
$LISTLEDGER_PG_URL, each drill in a new database holding one court's log, read back with psql;
only the engine's few operations differ (`SQLiteEngine`, `PostgresEngine`: make a ledger, read
its events, count them, the concurrent submitter program). Disk full and read-only storage are
SQLite-file drills and are not run there.

- kill -9: 10,000 generated events are appended with `append --json --batch-size B` (B drawn
  from 1, 10, 100) and the writer is killed with SIGKILL at a random moment, 3 times (20 with
  --long), resuming from the stored head after each kill. After every kill: `verify` is ok,
  every seq the writer printed as appended is stored, and stored seq k holds input line k
  (type, entry and `at` compared), so nothing was lost, duplicated or half-written. At the end
  all 10,000 events are stored in input order and verify is ok.
- concurrent writers: 2 and 4 processes append disjoint sets of entries to one ledger at once
  (--batch-size 10). Every event is stored once, seqs run 1..N without gaps (verify), the
  printed seqs of the writers are disjoint and together 1..N, and each writer's events keep
  their input order.
- disk full: a 3 MiB tmpfs (or, where mounting is not allowed, a file-size limit with SIGXFSZ
  ignored) fills up during an append: exit code 1, a message that names the cause, the event
  count is what it was before the call (all or nothing), and the ledger still verifies.
- read-only: the ledger file made unwritable, (a) chmod 444 with the writer running as
  `nobody` (root ignores file modes), (b) a read-only bind mount: append exits 1 with a clear
  message, nothing changes, and the ledger verifies afterwards.
- verify under load: one process appends generated events one commit at a time while 20
  `verify` and 3 `checkpoint` runs go one after another; every one must succeed (issue 8: verify
  used to read the head and the log in two snapshots and report "events after the recorded
  head" as tampering).
- group commit, kill -9: `listledger-submit` (32 concurrent submitters of single-event batches
  through `SharedLedger`, one group-committing writer) is killed with SIGKILL at a random moment,
  3 times: every event it printed as acknowledged is stored, seqs are gapless, verify is ok.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

results: list[tuple[str, bool, str]] = []


def report(name: str, ok: bool, detail: str = "") -> None:
    results.append((name, ok, detail))
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail else ""), flush=True)


class DrillFailure(Exception):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise DrillFailure(message)


def run(args, **kw):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, **kw)


class SQLiteEngine:
    """Each drill's ledger is a file in the work folder, read back with SQLite directly."""
    name = "sqlite"
    bulk_events = 100_000
    kill_after_first_commit = False

    def __init__(self, work: str) -> None:
        self.work = work

    def new_db(self, label: str, folder: str | None = None) -> str:
        return os.path.join(folder or self.work, f"{label}.sqlite")

    def init(self, db: str, court: str | None = None) -> None:
        expect(run(["--db", db, "init", *(["--court", court] if court else [])]).returncode == 0, "init failed")

    def prepare_checkpoints(self, db: str) -> None:
        # A SQLite ledger signs checkpoints with a key file made beside it.
        expect(run(["--db", db, "keys", "init"]).returncode == 0, "keys init failed")

    def canonical_rows(self, db: str):
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return [(seq, bytes(canonical)) for seq, canonical in con.execute("SELECT seq, canonical FROM events ORDER BY seq")]
        finally:
            con.close()

    def count(self, db: str) -> int:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return con.execute("SELECT count(*) FROM events").fetchone()[0]
        finally:
            con.close()

    def settle(self, db: str) -> None:
        pass  # a killed SQLite writer leaves nothing running; the next open recovers the WAL

    def group_submitter(self, db: str, prefix: str) -> list[str]:
        """32 concurrent single-event submitters through SharedLedger's group commit; prints `ack SEQ ENTRY`."""
        return [os.path.join(os.path.dirname(BIN), "listledger-submit"), "--db", db, "--submitters", "32", "--events", "100000",
                "--prefix", prefix]

    @staticmethod
    def acknowledged(line: str):
        parts = line.split()
        return (int(parts[1]), parts[2]) if len(parts) == 3 and parts[0] == "ack" else None


class PostgresEngine:
    """Each drill's ledger is a new database (one court's log) on the server of $LISTLEDGER_PG_URL
    (scripts/pg start), read back with psql: the drills' own reading, not the binary's."""
    name = "postgresql"
    court = "court:baisha"
    # Fewer than on SQLite: the server's import is slower on these 2 cores, and the drill only
    # needs the import to outlast the one append (the whole run should stay under 2 minutes).
    bulk_events = 20_000
    kill_after_first_commit = True

    def __init__(self, url: str) -> None:
        self.url = url
        self.psql = shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"
        self.made = 0

    def query(self, db: str, sql: str) -> list[str]:
        r = subprocess.run([self.psql, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", db, "-c", sql], capture_output=True, text=True)
        expect(r.returncode == 0, f"psql {sql[:60]}: {r.stderr.strip()[:300]}")
        return [line for line in r.stdout.split("\n") if line]

    def new_db(self, label: str, folder: str | None = None) -> str:
        self.made += 1
        name = f"drill_{label}_{os.getpid()}_{self.made}".lower()
        self.query(self.url, f"CREATE DATABASE {name}")
        return self.url.rsplit("/", 1)[0] + "/" + name

    def init(self, db: str, court: str | None = None) -> None:
        r = run(["--db", db, "init", "--court", court or self.court])
        expect(r.returncode == 0, f"init failed: {r.stderr.strip()[:300]}")

    def prepare_checkpoints(self, db: str) -> None:
        pass  # each log's key is in the database (made by init)

    def canonical_rows(self, db: str):
        rows = []
        for line in self.query(db, "SELECT seq, encode(canonical, 'hex') FROM events ORDER BY seq"):
            seq, canonical = line.split("|")
            rows.append((int(seq), bytes.fromhex(canonical)))
        return rows

    def count(self, db: str) -> int:
        return int(self.query(db, "SELECT count(*) FROM events")[0])

    def settle(self, db: str) -> None:
        """After a kill -9 of a client: wait (at most 10 s) until the server has no session of
        that database left. A backend may still be finishing the dead client's last commit;
        reading before it is done would count a head that then moves."""
        name = db.rsplit("/", 1)[1]
        deadline = time.time() + 10
        while time.time() < deadline:
            others = self.query(self.url, f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()")
            if others == ["0"]:
                return
            time.sleep(0.05)
        raise DrillFailure(f"sessions of {name} still open 10 s after the kill")

    def group_submitter(self, db: str, prefix: str) -> list[str]:
        """32 concurrent single-event submitters through the log's sequencer; prints `ENTRY SEQ`."""
        return [os.path.join(os.path.dirname(BIN), "listledger-pg-submit"), "--db", db, "--court", self.court,
                "--writers", "32", "--events", "100000", "--prefix", prefix]

    @staticmethod
    def acknowledged(line: str):
        parts = line.split()
        return (int(parts[1]), parts[0]) if len(parts) == 2 and parts[1].isdigit() else None


ENGINE: SQLiteEngine | PostgresEngine


def stored(db: str):
    """(seq, type, entry, at) of every stored event, read from the engine directly."""
    rows = []
    for seq, canonical in ENGINE.canonical_rows(db):
        obj = json.loads(canonical)
        rows.append((seq, obj.get("type"), obj.get("entry"), obj.get("at")))
    return rows


def count(db: str) -> int:
    return ENGINE.count(db)


def verify_ok(db: str, who: str = "") -> dict:
    r = run(["--db", db, "verify", "--json"])
    expect(r.returncode == 0, f"verify{who} exited {r.returncode}: {r.stderr.strip()[:300]}")
    report_ = json.loads(r.stdout)
    expect(report_["ok"] is True, f"verify{who} not ok: {report_}")
    return report_


def generate(n: int, seed: int, path: str) -> list[dict]:
    with open(path, "w") as out:
        subprocess.run([sys.executable, os.path.join(REPO, "scripts", "gen_ledger.py"), "--events", str(n), "--seed", str(seed)],
                       stdout=out, check=True)
    with open(path) as f:
        return [json.loads(line) for line in f]


def same_event(row, event) -> bool:
    _, typ, entry, at = row
    return typ == event["type"] and entry == event.get("entry") and at == event["at"]


def printed_seqs(text: str) -> set[int]:
    """The seqs a writer printed, from complete `--json` lines only."""
    seqs: set[int] = set()
    for line in text.split("\n")[:-1] if not text.endswith("\n") else text.split("\n"):
        line = line.strip()
        if not line:
            continue
        try:
            seqs.update(json.loads(line)["appended"])
        except (ValueError, KeyError):
            pass
    return seqs


# -- drills ----------------------------------------------------------------------------------

def drill_kill(work: str, kills: int, rng: random.Random) -> None:
    name = f"kill -9 during 10,000 appends, {kills} kills"
    try:
        lines_path = os.path.join(work, "kill.jsonl")
        events = generate(10_000, 101, lines_path)
        with open(lines_path) as f:
            raw = f.readlines()
        db = ENGINE.new_db("kill")
        ENGINE.init(db)
        killed = 0
        attempts = 0
        at_kill: list[str] = []
        while killed < kills:
            attempts += 1
            expect(attempts < kills * 5, f"only {killed} kills landed in {attempts} attempts (the writer finished first)")
            head = count(db)
            expect(head < len(raw), "all events stored before the kills were done")
            rest = os.path.join(work, "rest.jsonl")
            with open(rest, "w") as f:
                f.writelines(raw[head:])
            # Short delays and mostly one-event commits when many kills must fit in 10,000 events.
            batch = rng.choice([1, 10, 100] if kills <= 5 else [1, 1, 1, 10, 100])
            out_path = os.path.join(work, "kill.out")
            with open(out_path, "w") as out:
                p = subprocess.Popen([BIN, "--db", db, "append", "--json", "--batch-size", str(batch), rest],
                                     stdout=out, stderr=subprocess.DEVNULL)
                if ENGINE.kill_after_first_commit:
                    # The writer connects and checks the schema first (hundreds of ms for the
                    # debug binary on a loaded machine): kill it while it commits, not before.
                    deadline = time.time() + 10
                    while count(db) == head and p.poll() is None and time.time() < deadline:
                        time.sleep(0.02)
                time.sleep(rng.uniform(0.05, 0.9) if kills <= 5 else rng.uniform(0.03, 0.3))
                if p.poll() is not None:
                    continue  # finished (or failed) before the kill: try again with the rest
                p.send_signal(signal.SIGKILL)
                p.wait()
            ENGINE.settle(db)
            killed += 1
            with open(out_path) as f:
                printed = printed_seqs(f.read())
            verify_ok(db, f" after kill {killed}")
            rows = stored(db)
            seqs = [r[0] for r in rows]
            expect(seqs == list(range(1, len(rows) + 1)), f"kill {killed}: stored seqs are not 1..{len(rows)}")
            missing = sorted(s for s in printed if s > len(rows))
            expect(not missing, f"kill {killed}: seqs printed as appended but not stored: {missing[:5]}")
            for row in rows[head:]:
                expect(same_event(row, events[row[0] - 1]), f"kill {killed}: seq {row[0]} does not hold input line {row[0]}")
            expect(len(rows) >= head, f"kill {killed}: the ledger shrank")
            at_kill.append(f"{len(rows)}@b{batch}")
        # Finish the import and check the whole ledger.
        head = count(db)
        rest = os.path.join(work, "rest.jsonl")
        with open(rest, "w") as f:
            f.writelines(raw[head:])
        if head < len(raw):
            r = run(["--db", db, "append", "--batch-size", "1000", rest])
            expect(r.returncode == 0, f"final append exited {r.returncode}: {r.stderr.strip()[:300]}")
        verify_ok(db, " at the end")
        rows = stored(db)
        expect(len(rows) == len(events), f"{len(rows)} events stored, expected {len(events)}")
        expect(all(same_event(r, e) for r, e in zip(rows, events)), "the stored events differ from the input")
        report(name, True, f"{killed} kills (stored@batch size: {' '.join(at_kill)}), 10,000 events stored in order, verify ok")
    except DrillFailure as error:
        report(name, False, str(error))


def drill_concurrent(work: str, writers: int) -> None:
    name = f"{writers} concurrent writers"
    try:
        path = os.path.join(work, f"conc{writers}.jsonl")
        events = generate(4_000, 200 + writers, path)
        # Each entry (and each entry-less complaint) goes to one writer, so any interleaving is valid.
        files = [[] for _ in range(writers)]
        owner: dict[str, int] = {}
        for e in events:
            key = e.get("entry") or e.get("complaint")
            if key not in owner:
                owner[key] = len(owner) % writers
            files[owner[key]].append(e)
        db = ENGINE.new_db(f"conc{writers}")
        ENGINE.init(db)
        procs = []
        for i, part in enumerate(files):
            p_in = os.path.join(work, f"conc{writers}-{i}.jsonl")
            with open(p_in, "w") as f:
                for e in part:
                    f.write(json.dumps(e, ensure_ascii=False) + "\n")
            procs.append(subprocess.Popen([BIN, "--db", db, "append", "--json", "--batch-size", "10", p_in],
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        outputs = [p.communicate(timeout=300) for p in procs]
        for i, (p, (out, err)) in enumerate(zip(procs, outputs)):
            expect(p.returncode == 0, f"writer {i} exited {p.returncode}: {err.strip()[:300]}")
        report_ = verify_ok(db)
        expect(report_["events"] == len(events), f"{report_['events']} events stored, expected {len(events)}")
        printed = [printed_seqs(out) for out, _ in outputs]
        union: set[int] = set()
        for i, s in enumerate(printed):
            expect(not (union & s), f"writer {i} printed seqs another writer printed too")
            union |= s
            expect(len(s) == len(files[i]), f"writer {i} printed {len(s)} seqs for {len(files[i])} events")
        expect(union == set(range(1, len(events) + 1)), "the printed seqs are not exactly 1..N")
        rows = stored(db)
        by_seq = {r[0]: r for r in rows}
        for i, s in enumerate(printed):
            ordered = sorted(s)
            expect(all(same_event(by_seq[q], e) for q, e in zip(ordered, files[i])),
                   f"writer {i}'s events are not stored in its input order")
        writer_of = {q: i for i, s in enumerate(printed) for q in s}
        switches = sum(1 for q in range(1, len(events)) if writer_of[q] != writer_of[q + 1])
        expect(switches >= writers - 1, "the writers never interleaved")
        report(name, True, f"{len(events)} events, seqs 1..{len(events)} gapless, {switches} switches between writers, "
                           f"each writer's order kept, verify ok")
    except DrillFailure as error:
        report(name, False, str(error))
    except subprocess.TimeoutExpired:
        for p in procs:
            p.kill()
        report(name, False, "a writer hung for 300 s")


def drill_fairness(work: str) -> None:
    """A one-event append while a bulk import (--batch-size 1000) runs gets in between batches."""
    name = "one append during a bulk import"
    try:
        big = os.path.join(work, "bulk.jsonl")
        total = ENGINE.bulk_events
        generate(total, 501, big)
        one = os.path.join(work, "one.jsonl")
        with open(one, "w") as f:
            f.write(json.dumps({"type": "complaint_received", "at": "2026-01-05T10:00:00+08:00", "actor": "unit:baisha-drc",
                                "complaint": "DRILL-FAIRNESS-1"}, ensure_ascii=False) + "\n")
        db = ENGINE.new_db("bulk")
        ENGINE.init(db)
        t0 = time.time()
        bulk = subprocess.Popen([BIN, "--db", db, "append", "--batch-size", "1000", big], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        while count(db) < 2_000 and bulk.poll() is None:
            time.sleep(0.05)
        t1 = time.time()
        r = run(["--db", db, "append", "--json", one])
        latency = time.time() - t1
        _, err = bulk.communicate(timeout=600)
        took = time.time() - t0
        expect(bulk.returncode == 0, f"the bulk import exited {bulk.returncode}: {err.strip()[:200]}")
        expect(r.returncode == 0, f"the single append exited {r.returncode}: {r.stderr.strip()[:200]}")
        seq = json.loads(r.stdout)["appended"][0]
        verify_ok(db)
        expect(seq < total + 1, f"the single append waited for the whole import (seq {seq})")
        report(name, True, f"stored as seq {seq:,} of {total + 1:,} after {latency:.2f} s (the import took {took:.1f} s), verify ok")
    except DrillFailure as error:
        report(name, False, str(error))


def drill_verify_under_load(work: str) -> None:
    name = "verify and checkpoint under load"
    writer = None
    try:
        path = os.path.join(work, "load.jsonl")
        generate(20_000, 4242, path)
        db = ENGINE.new_db("load")
        ENGINE.init(db, "court:baisha")
        ENGINE.prepare_checkpoints(db)
        writer = subprocess.Popen([BIN, "--db", db, "append", "--json", "--batch-size", "1", path],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 20
        while count(db) == 0 and time.time() < deadline:
            time.sleep(0.02)
        sizes = []
        for i in range(20):
            sizes.append(verify_ok(db, f" {i + 1} of 20 under load")["events"])
            if i % 7 == 6:
                r = run(["--db", db, "checkpoint", "--json"])
                expect(r.returncode == 0, f"checkpoint under load exited {r.returncode}: {r.stderr.strip()[:300]}")
        expect(writer.poll() is None, "the writer finished before the verifies; give it more events")
        expect(sizes[0] < sizes[-1], f"the log did not grow during the verifies: {sizes}")
        writer.kill()
        writer.wait()
        final = verify_ok(db, " after the writer")
        report(name, True, f"20 verifies ({sizes[0]}…{sizes[-1]} events) and 3 checkpoints while appending, all ok; "
                           f"{final['events']} events verify after the writer was killed")
    except DrillFailure as error:
        report(name, False, str(error))
    finally:
        if writer and writer.poll() is None:
            writer.kill()
            writer.wait()


def drill_group_kill(work: str, kills: int, rng: random.Random) -> None:
    name = "kill -9 over 32 concurrent submitters (group commit)"
    try:
        db = ENGINE.new_db("group")
        submit = ENGINE.group_submitter(db, "K0")
        expect(os.path.exists(submit[0]), f"{submit[0]} is missing (swift build --product {os.path.basename(submit[0])})")
        ENGINE.init(db)
        acknowledged: dict[int, str] = {}
        for k in range(kills):
            out_path = os.path.join(work, f"group-{k}.out")
            with open(out_path, "w") as out:
                p = subprocess.Popen(ENGINE.group_submitter(db, f"K{k}"), stdout=out, stderr=subprocess.DEVNULL)
                time.sleep(rng.uniform(0.5, 2.0))
                p.send_signal(signal.SIGKILL)
                p.wait()
            ENGINE.settle(db)
            with open(out_path) as f:
                for line in f:
                    ack = ENGINE.acknowledged(line)
                    if ack:
                        acknowledged[ack[0]] = ack[1]
            rows = {r[0]: r[2] for r in stored(db)}
            missing = [q for q, e in acknowledged.items() if rows.get(q) != e]
            expect(not missing, f"after kill {k + 1}: {len(missing)} acknowledged events missing or moved, e.g. seq {missing[:3]}")
            expect(sorted(rows) == list(range(1, len(rows) + 1)), f"after kill {k + 1}: seqs are not gapless")
            verify_ok(db, f" after kill {k + 1}")
        expect(len(acknowledged) > 0, "nothing was acknowledged before the kills")
        report(name, True, f"{kills} kills, {len(acknowledged)} acknowledged events all stored at their seqs, "
                           f"{count(db)} stored, verify ok")
    except DrillFailure as error:
        report(name, False, str(error))


def try_mount_tmpfs(path: str, size: str) -> bool:
    os.makedirs(path, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path], capture_output=True)
    return r.returncode == 0


def umount(path: str) -> None:
    subprocess.run(["umount", "-l", path], capture_output=True)


def drill_disk_full(work: str) -> None:
    name = "disk full"
    mnt = os.path.join(work, "full")
    mounted = os.environ.get("DRILL_NO_MOUNT") != "1" and try_mount_tmpfs(mnt, "3m")
    os.makedirs(mnt, exist_ok=True)
    how = "3 MiB tmpfs" if mounted else "ulimit -f (SIGXFSZ ignored)"
    try:
        path = os.path.join(work, "full.jsonl")
        events = generate(40_000, 301, path)
        with open(path) as f:
            raw = f.readlines()
        db = ENGINE.new_db("full", mnt)
        ENGINE.init(db)
        limit = None
        if not mounted:
            limit = 3 * 1024 * 1024

        def limited():
            if limit:
                import resource
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        head = 0
        failure = None
        step = 2_000
        while head < len(raw):
            chunk = os.path.join(work, "full-chunk.jsonl")
            with open(chunk, "w") as f:
                f.writelines(raw[head:head + step])
            before = count(db)
            r = subprocess.run([BIN, "--db", db, "append", chunk], capture_output=True, text=True, preexec_fn=limited)
            after = count(db)
            if r.returncode != 0:
                failure = (r, before, after)
                break
            head += step
        expect(failure is not None, f"40,000 events fitted in the {how}; no failure provoked")
        r, before, after = failure
        expect(r.returncode == 1, f"append exited {r.returncode} (a signal or crash?), expected 1; stderr: {r.stderr.strip()[:300]}")
        message = r.stderr.lower()
        expect(any(w in message for w in ("full", "space", "too large", "disk")),
               f"the message does not name the cause: {r.stderr.strip()[:300]}")
        expect(after == before, f"the failed call changed the event count from {before} to {after} (not all or nothing)")
        verify_ok(db, " after the disk filled up")
        rows = stored(db)
        expect(all(same_event(rw, e) for rw, e in zip(rows, events)), "stored events differ from the input")
        report(name, True, f"{how}: exit 1 after {before:,} events, \"{r.stderr.strip().splitlines()[0][:120]}\", count unchanged, verify ok")
    except DrillFailure as error:
        report(name, False, f"{how}: {error}")
    finally:
        if mounted:
            umount(mnt)


def small_ledger(work: str, name: str, dirmode: int = 0o755) -> tuple[str, list[str]]:
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    os.chmod(d, dirmode)
    path = os.path.join(work, name + ".jsonl")
    generate(300, 401, path)
    with open(path) as f:
        raw = f.readlines()
    db = ENGINE.new_db("ro", d)
    first = os.path.join(work, name + "-a.jsonl")
    with open(first, "w") as f:
        f.writelines(raw[:200])
    second = os.path.join(work, name + "-b.jsonl")
    with open(second, "w") as f:
        f.writelines(raw[200:])
    ENGINE.init(db)
    r = run(["--db", db, "append", first])
    expect(r.returncode == 0, f"first append failed: {r.stderr[:200]}")
    return db, [first, second]


def drill_readonly_nobody(work: str) -> None:
    name = "read-only file (chmod 444, writer runs as nobody)"
    try:
        if shutil.which("setpriv") is None:
            report(name, False, "setpriv is not installed (util-linux)")
            return
        db, (_, second) = small_ledger(work, "ro-nobody", 0o777)
        # A checkpointed, closed ledger: only the main file remains; then make it read-only.
        con = sqlite3.connect(db)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        for suffix in ("-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        os.chmod(db, 0o444)
        os.chmod(second, 0o644)
        for p in (work, os.path.dirname(BIN)):
            pass
        before = count(db)
        r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", BIN, "--db", db, "append", second],
                           capture_output=True, text=True)
        expect(r.returncode == 1, f"append as nobody exited {r.returncode}, expected 1; stderr: {r.stderr.strip()[:300]}")
        msg = r.stderr.lower()
        expect(any(w in msg for w in ("read-only", "readonly", "permission", "not writable", "cannot write", "unable to open")),
               f"the message does not say the ledger cannot be written: {r.stderr.strip()[:300]}")
        expect(count(db) == before, "the event count changed")
        os.chmod(db, 0o644)
        verify_ok(db, " afterwards")
        report(name, True, f"exit 1, \"{r.stderr.strip().splitlines()[0][:140]}\", count unchanged, verify ok")
    except DrillFailure as error:
        report(name, False, str(error))


def drill_readonly_mount(work: str) -> None:
    name = "read-only bind mount"
    src = None
    ro = os.path.join(work, "ro-view")
    mounted = False
    try:
        db, (_, second) = small_ledger(work, "ro-mount")
        src = os.path.dirname(db)
        con = sqlite3.connect(db)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        os.makedirs(ro, exist_ok=True)
        r = subprocess.run(["mount", "--bind", src, ro], capture_output=True, text=True)
        if r.returncode != 0:
            report(name, False, f"cannot bind-mount here ({r.stderr.strip()[:100]}); the chmod/nobody drill covers read-only")
            return
        mounted = True
        r = subprocess.run(["mount", "-o", "remount,bind,ro", ro], capture_output=True, text=True)
        expect(r.returncode == 0, f"cannot remount read-only: {r.stderr.strip()[:200]}")
        rodb = os.path.join(ro, os.path.basename(db))
        before = count(db)
        r = run(["--db", rodb, "append", second])
        expect(r.returncode == 1, f"append exited {r.returncode}, expected 1; stderr: {r.stderr.strip()[:300]}")
        msg = r.stderr.lower()
        expect(any(w in msg for w in ("read-only", "readonly", "permission", "not writable", "cannot write", "unable to open")),
               f"the message does not say the ledger cannot be written: {r.stderr.strip()[:300]}")
        expect(count(db) == before, "the event count changed")
        verify_ok(db, " afterwards")
        report(name, True, f"exit 1, \"{r.stderr.strip().splitlines()[0][:140]}\", count unchanged, verify ok")
    except DrillFailure as error:
        report(name, False, str(error))
    finally:
        if mounted:
            umount(ro)


def main() -> int:
    global BIN
    ap = argparse.ArgumentParser(description="ListLedger durability drills")
    ap.add_argument("--long", action="store_true", help="20 kills instead of 3")
    ap.add_argument("--bin", default=os.environ.get("LISTLEDGER_BIN"), help="the listledger binary (default: swift build's)")
    ap.add_argument("--seed", type=int, default=int(os.environ.get("DRILL_SEED", "20261127")))
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--only", help="comma-separated: kill,concurrent,load,group,diskfull,readonly")
    ap.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite",
                    help="postgresql: the drills that apply to a server (not diskfull, readonly), each in a new database "
                         "on the server of $LISTLEDGER_PG_URL (scripts/pg start)")
    args = ap.parse_args()
    if not args.bin:
        subprocess.run(["swift", "build", "--product", "listledger"], cwd=REPO, check=True, stdout=sys.stderr)
        subprocess.run(["swift", "build", "--product", "listledger-submit"], cwd=REPO, check=True, stdout=sys.stderr)
        args.bin = os.path.join(subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, capture_output=True, text=True,
                                               check=True).stdout.strip(), "listledger")
    BIN = os.path.abspath(args.bin)
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="listledger-drills-")
    os.chmod(work, 0o755)
    global ENGINE
    if args.engine == "postgresql":
        url = os.environ.get("LISTLEDGER_PG_URL", "")
        if not url:
            print("drills: --engine postgresql needs $LISTLEDGER_PG_URL (export LISTLEDGER_PG_URL=$(scripts/pg start))", file=sys.stderr)
            return 64
        ENGINE = PostgresEngine(url)
        # Disk full and read-only storage are about the SQLite file; on a server they are the
        # server's own (it refuses the commit), not ours to provoke from here.
        applicable = {"kill", "concurrent", "load", "group"}
    else:
        ENGINE = SQLiteEngine(work)
        applicable = {"kill", "concurrent", "load", "group", "diskfull", "readonly"}
    only = set(args.only.split(",")) if args.only else applicable
    if only - applicable:
        print(f"drills: {', '.join(sorted(only - applicable))} do not apply to {ENGINE.name}", file=sys.stderr)
        return 64
    started = time.time()
    print(f"drills: {BIN}, engine {ENGINE.name}, seed {args.seed}, work folder {work}", flush=True)
    try:
        if "kill" in only:
            drill_kill(work, 20 if args.long else 3, rng)
        if "concurrent" in only:
            drill_concurrent(work, 2)
            drill_concurrent(work, 4)
            drill_fairness(work)
        if "load" in only:
            drill_verify_under_load(work)
        if "group" in only:
            drill_group_kill(work, 3, rng)
        if "diskfull" in only:
            drill_disk_full(work)
        if "readonly" in only:
            drill_readonly_nobody(work)
            drill_readonly_mount(work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    passed = sum(1 for _, ok, _ in results if ok)
    failed = len(results) - passed
    print(f"drills took {time.time() - started:.0f} s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    BIN = "listledger"
    sys.exit(main())
