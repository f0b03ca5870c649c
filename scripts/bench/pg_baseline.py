#!/usr/bin/env python3
"""A Python psycopg baseline for the PostgreSQL engine (issue 13, "Measured"): the same rows
into a table shaped like the ledger's `events`, written the plainest fast ways, with none of the
ledger's rules (no validation, no projection, no Merkle tree, no duplicate check): a floor that
says what PostgreSQL and one client give on this machine, not a competitor.

    pg_baseline.py batched URL FILE BATCH
        FILE's lines (the generated stream) as events rows, canonical bytes (sorted keys, compact
        JSON), a SHA-256 hash chain, BATCH rows per transaction by COPY (binary).
    pg_baseline.py queue URL EVENTS WRITERS
        The issue's bar: WRITERS threads, each its own connection, each submitting single
        events in a closed loop: one INSERT into a queue table, committed (synchronous_commit
        on: a flush each), then waiting until its event is sequenced; one sequencer thread
        takes the queue in batches (head row FOR UPDATE, up to 256 queued rows, chain hashes,
        events rows by unnest, queue rows deleted, head updated, one commit) and wakes the
        writers it answered (in memory: the writers are threads of this process). The events
        are the ones listledger-pg-submit sends.

Prints one line: "events=N seconds=S rate=R".
"""
import datetime as dt
import hashlib
import json
import sys
import threading
import time

import psycopg

SCHEMA = """
DROP TABLE IF EXISTS bl_events, bl_queue, bl_head;
CREATE TABLE bl_head (log_id integer PRIMARY KEY, size bigint NOT NULL, hash bytea NOT NULL);
INSERT INTO bl_head VALUES (1, 0, decode(repeat('00', 32), 'hex'));
CREATE TABLE bl_events (
    log_id integer NOT NULL, seq bigint NOT NULL, id text, entry text, type text NOT NULL,
    at_ms bigint NOT NULL, recorded_ms bigint NOT NULL, canonical bytea NOT NULL,
    prev_hash bytea NOT NULL, hash bytea NOT NULL, PRIMARY KEY (log_id, seq));
CREATE UNIQUE INDEX bl_events_by_id ON bl_events(log_id, id) WHERE id IS NOT NULL;
CREATE INDEX bl_events_by_entry ON bl_events(log_id, entry, type, at_ms);
CREATE TABLE bl_queue (ticket bigserial PRIMARY KEY, payload bytea NOT NULL);
"""


def canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def at_ms(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).timestamp() * 1000)


def row(seq: int, prev: bytes, obj) -> tuple:
    body = canonical(obj)
    digest = hashlib.sha256(prev + body).digest()
    return (1, seq, obj.get("id"), obj.get("entry"), obj["type"], at_ms(obj["at"]), int(time.time() * 1000),
            body, prev, digest)


def setup(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(SCHEMA)


def batched(url: str, path: str, batch: int) -> tuple[int, float]:
    with open(path, "rb") as f:
        objs = [json.loads(line) for line in f if line.strip()]
    setup(url)
    t0 = time.perf_counter()
    prev = bytes(32)
    with psycopg.connect(url) as con:
        for start in range(0, len(objs), batch):
            rows = []
            for i, obj in enumerate(objs[start:start + batch], start=start + 1):
                r = row(i, prev, obj)
                prev = r[-1]
                rows.append(r)
            with con.cursor() as cur:
                with cur.copy("COPY bl_events (log_id, seq, id, entry, type, at_ms, recorded_ms, canonical, prev_hash, hash) "
                              "FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(["int4", "int8", "text", "text", "text", "int8", "int8", "bytea", "bytea", "bytea"])
                    for r in rows:
                        copy.write_row(r)
                cur.execute("UPDATE bl_head SET size = %s, hash = %s WHERE log_id = 1", (len(rows) + start, prev))
            con.commit()
    return len(objs), time.perf_counter() - t0


def submitted_event(index: int) -> dict:
    # The event listledger-pg-submit sends (its `event(_:)`), prefix "S".
    court = "court:baisha"
    return {"type": "risk_notice_issued", "entry": f"S-{index}", "at": "2024-03-01T09:00:00+08:00", "actor": court,
            "court": court, "case": f"(2024)琼9030执{index}号",
            "debtor": {"kind": "person", "name": "测试甲", "id_number": "460030198001010105"}}


def queue(url: str, total: int, writers: int) -> tuple[int, float]:
    setup(url)
    answered: dict[int, int] = {}
    submitted = [0]
    cond = threading.Condition()
    done = threading.Event()
    errors: list[BaseException] = []

    def sequencer() -> None:
        try:
            with psycopg.connect(url) as con:
                while not done.is_set():
                    with cond:
                        seen = submitted[0]
                    with con.cursor() as cur:
                        size, prev = cur.execute("SELECT size, hash FROM bl_head WHERE log_id = 1 FOR UPDATE").fetchone()
                        queued = cur.execute("SELECT ticket, payload FROM bl_queue ORDER BY ticket LIMIT 256").fetchall()
                        if not queued:
                            con.rollback()
                            with cond:
                                # Without news of a submission since the read, sleep (bounded).
                                if submitted[0] == seen:
                                    cond.wait(0.05)
                            continue
                        cols = [[] for _ in range(10)]
                        seqs = {}
                        for ticket, payload in queued:
                            size += 1
                            r = row(size, prev, json.loads(payload))
                            prev = r[-1]
                            seqs[ticket] = size
                            for c, v in zip(cols, r):
                                c.append(v)
                        cur.execute("""
                            INSERT INTO bl_events (log_id, seq, id, entry, type, at_ms, recorded_ms, canonical, prev_hash, hash)
                            SELECT * FROM unnest(%s::int4[], %s::int8[], %s::text[], %s::text[], %s::text[], %s::int8[],
                                                 %s::int8[], %s::bytea[], %s::bytea[], %s::bytea[])""", cols)
                        cur.execute("DELETE FROM bl_queue WHERE ticket = ANY(%s)", (list(seqs),))
                        cur.execute("UPDATE bl_head SET size = %s, hash = %s WHERE log_id = 1", (size, prev))
                    con.commit()
                    with cond:
                        answered.update(seqs)
                        cond.notify_all()
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
            with cond:
                cond.notify_all()

    def writer(first: int) -> None:
        try:
            with psycopg.connect(url, autocommit=True) as con:
                for index in range(first, total, writers):
                    ticket = con.execute("INSERT INTO bl_queue (payload) VALUES (%s) RETURNING ticket",
                                         (canonical(submitted_event(index)),)).fetchone()[0]
                    with cond:
                        submitted[0] += 1
                        cond.notify_all()  # wakes the sequencer if it sleeps on an empty queue
                        while ticket not in answered and not errors:
                            cond.wait(0.1)
                        if errors:
                            return
                        answered.pop(ticket)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    seq_thread = threading.Thread(target=sequencer)
    seq_thread.start()
    t0 = time.perf_counter()
    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    done.set()
    seq_thread.join()
    if errors:
        raise errors[0]
    with psycopg.connect(url) as con:
        stored, distinct_seqs, top = con.execute("SELECT count(*), count(DISTINCT seq), max(seq) FROM bl_events").fetchone()
    if not (stored == distinct_seqs == top == total):
        raise SystemExit(f"pg_baseline: {stored} rows, {distinct_seqs} seqs, top {top}, expected {total}")
    return total, seconds


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "batched" and len(sys.argv) == 5:
        n, seconds = batched(sys.argv[2], sys.argv[3], max(1, int(sys.argv[4])))
    elif mode == "queue" and len(sys.argv) == 5:
        n, seconds = queue(sys.argv[2], int(sys.argv[3]), max(1, int(sys.argv[4])))
    else:
        print(__doc__, file=sys.stderr)
        return 64
    print(f"events={n} seconds={seconds:.3f} rate={n / seconds:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
