#!/usr/bin/env python3
"""The same append workload through the Python `eventsourcing` library (9.5.x) on SQLite.

    eventsourcing_baseline.py DB FILE BATCH

Each list entry is an event-sourced aggregate; each input line becomes one domain event on
its entry's aggregate (lines without an entry, such as a unit's complaint, get an aggregate of
their own). Every BATCH lines the touched aggregates are saved with one `Application.save`
call, which eventsourcing writes in one SQLite transaction; BATCH=1 saves (commits) each event.
Aggregates stay in a dict for the run, so no aggregate is ever re-read from the store: this
favours eventsourcing. Its SQLite store uses WAL; with the system SQLite that is synchronous=FULL
(checked below), the ledger's setting. No validation, no hash chain, no Merkle tree.

Prints one line: "events=N seconds=S rate=R".
"""
import json
import os
import sqlite3
import sys
import time
import uuid


def main() -> int:
    db, path, batch = sys.argv[1], sys.argv[2], max(1, int(sys.argv[3]))
    os.environ["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
    os.environ["SQLITE_DBNAME"] = db
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event

    class ListEntry(Aggregate):
        def __init__(self, name: str):
            self.name = name
            self.count = 0

        @staticmethod
        def create_id(name: str):
            return uuid.uuid5(uuid.NAMESPACE_URL, name)

        @event("Recorded")
        def record(self, payload: dict):
            self.count += 1

    class Ledger(Application):
        pass

    check = sqlite3.connect(":memory:")
    mode = sqlite3.connect(db)
    mode.execute("PRAGMA journal_mode=WAL")
    synchronous = mode.execute("PRAGMA synchronous").fetchone()[0]
    mode.close()
    check.close()
    if synchronous != 2:
        print(f"eventsourcing_baseline: SQLite WAL synchronous is {synchronous}, not FULL (2)", file=sys.stderr)
        return 2

    app = Ledger()
    aggregates: dict[str, ListEntry] = {}
    touched: dict[str, ListEntry] = {}
    n = 0
    pending = 0
    with open(path, encoding="utf-8") as f:
        lines = [json.loads(line) for line in f if line.strip()]
    t0 = time.perf_counter()
    for payload in lines:
        key = payload.get("entry") or "complaint:" + payload.get("complaint", str(n))
        agg = aggregates.get(key)
        if agg is None:
            agg = ListEntry(key)
            aggregates[key] = agg
        agg.record(payload)
        touched[key] = agg
        n += 1
        pending += 1
        if pending >= batch:
            app.save(*touched.values())
            touched.clear()
            pending = 0
    if touched:
        app.save(*touched.values())
    seconds = time.perf_counter() - t0
    print(f"events={n} seconds={seconds:.3f} rate={n / seconds if seconds else 0:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
