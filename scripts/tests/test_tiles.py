"""The SQLite ledger's Merkle tiles (schema 6) checked from outside: Python hashlib and RFC 6962
hashing only, reading the file with sqlite3.

Skipped unless LISTLEDGER_EXE names a built binary, e.g.
    LISTLEDGER_EXE=.build/debug/listledger python3 -m pytest scripts/tests/test_tiles.py -q

A ledger of 256*3 + 5 events is appended in two batches; the expected tiles (C2SP tlog-tiles:
height 8, level L tile N = the tree's level-8L hashes N*256 ... N*256+255) are computed here from
the stored events' canonical bytes (the leaves) and compared with the tables `tiles` (full tiles)
and `tile_edge` (the partial right edge of each tile level).
"""
import hashlib
import json
import os
import sqlite3
import subprocess

import pytest

EXE = os.environ.get("LISTLEDGER_EXE")
pytestmark = pytest.mark.skipif(not EXE, reason="set LISTLEDGER_EXE to a built listledger binary")

C = "court:baisha"
COUNT = 256 * 3 + 5


def ll(db, *args, stdin=None):
    return subprocess.run([EXE, *args, "--db", db], input=stdin, capture_output=True, text=True, timeout=600)


def notice(i):
    return {"type": "risk_notice_issued", "entry": f"TILE-{i}", "at": "2021-09-01T02:00:00Z", "actor": C, "court": C,
            "case": f"(2021)琼9030执{i}号",
            "debtor": {"kind": "organization", "name": f"白沙测试{i}有限公司", "id_number": "91469030MA5T00001D",
                       "legal_representative": "测试乙"}}


def leaf_hash(canonical):
    return hashlib.sha256(b"\x00" + canonical).digest()


def mth(leaves):
    """RFC 6962 §2.1 MTH over leaf hashes."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("tiles") / "l.sqlite")
    r = ll(db, "init")
    assert r.returncode == 0, r.stderr
    lines = [json.dumps(notice(i), ensure_ascii=False) + "\n" for i in range(1, COUNT + 1)]
    for part in (lines[:300], lines[300:]):
        r = ll(db, "append", "-", stdin="".join(part))
        assert r.returncode == 0, r.stderr
    return db


def test_tiles_are_the_rfc6962_hashes_of_the_events(ledger):
    c = sqlite3.connect(ledger)
    canonicals = [bytes(row[0]) for row in c.execute("select canonical from events order by seq")]
    assert len(canonicals) == COUNT
    leaves = [leaf_hash(x) for x in canonicals]
    expected_full = {(0, n): b"".join(leaves[256 * n:256 * n + 256]) for n in range(3)}
    expected_edge = {0: (3, b"".join(leaves[768:])),
                     1: (0, b"".join(mth(leaves[256 * n:256 * n + 256]) for n in range(3)))}
    full = {(level, idx): bytes(h) for level, idx, h in c.execute("select level, idx, hashes from tiles")}
    edge = {level: (idx, bytes(h)) for level, idx, h in c.execute("select level, idx, hashes from tile_edge")}
    assert full == expected_full
    assert edge == expected_edge
    assert len(edge[0][1]) == 5 * 32 and len(edge[1][1]) == 3 * 32
    # The flat table of one row per node is gone.
    assert c.execute("select count(*) from sqlite_master where name = 'tree'").fetchone()[0] == 0


def test_verify_root_is_the_rfc6962_root(ledger):
    c = sqlite3.connect(ledger)
    leaves = [leaf_hash(bytes(row[0])) for row in c.execute("select canonical from events order by seq")]
    r = ll(ledger, "verify", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] is True and report["events"] == COUNT
    assert report["root"] == mth(leaves).hex()
