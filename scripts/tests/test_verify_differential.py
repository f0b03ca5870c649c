"""verify before and after the tiles (issue 8): the same answers, old binary against new.

Skipped unless both binaries are named:
    LISTLEDGER_OLD_EXE=/tmp/tiles-old-listledger LISTLEDGER_EXE=.build/debug/listledger \
        python3 -m pytest scripts/tests/test_verify_differential.py -q

LISTLEDGER_OLD_EXE is a build of main before the tiles (schema 4, one `tree` row per node). The
old binary makes a ledger of 600 events; a copy is upgraded by the new binary (`rebuild`, a
writing command: migration step 6 turns the rows into tiles). Each case then damages both copies
the same way, in the layout each has (a tree row in the old, the same hash inside its tile in
the new), and `verify --json` and its exit code must be identical.
"""
import json
import os
import shutil
import sqlite3
import subprocess

import pytest

NEW = os.environ.get("LISTLEDGER_EXE")
OLD = os.environ.get("LISTLEDGER_OLD_EXE")
pytestmark = pytest.mark.skipif(not (NEW and OLD), reason="set LISTLEDGER_EXE and LISTLEDGER_OLD_EXE")

C = "court:baisha"
COUNT = 600


def run(exe, db, *args, stdin=None):
    return subprocess.run([exe, *args, "--db", db], input=stdin, capture_output=True, text=True, timeout=600)


def stored_index(level, n):
    """Go's sumdb/tlog StoredHashIndex, from its documentation."""
    for _ in range(level):
        n = 2 * n + 1
    i = 0
    while n > 0:
        i += n
        n >>= 1
    return i + level


def notice(i):
    return {"type": "risk_notice_issued", "entry": f"DIFF-{i}", "at": "2021-09-01T02:00:00Z", "actor": C, "court": C,
            "case": f"(2021)琼9030执{i}号",
            "debtor": {"kind": "organization", "name": f"白沙测试{i}有限公司", "id_number": "91469030MA5T00001D",
                       "legal_representative": "测试乙"}}


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("diff")
    old = str(folder / "old.sqlite")
    assert run(OLD, old, "init").returncode == 0
    data = "".join(json.dumps(notice(i), ensure_ascii=False) + "\n" for i in range(1, COUNT + 1))
    r = run(OLD, old, "append", "-", stdin=data)
    assert r.returncode == 0, r.stderr
    sqlite3.connect(old).execute("pragma wal_checkpoint(truncate)").close()
    new = str(folder / "new.sqlite")
    shutil.copy(old, new)
    r = run(NEW, new, "rebuild")
    assert r.returncode == 0, r.stderr
    c = sqlite3.connect(new)
    assert c.execute("select value from meta where key = 'schema_version'").fetchone()[0] == "6"
    assert c.execute("select count(*) from sqlite_master where name = 'tree'").fetchone()[0] == 0
    c.close()
    return folder, old, new


DROP_OLD = ("drop trigger events_no_update; drop trigger events_no_delete; "
            "drop trigger tree_no_update; drop trigger tree_no_delete;")
DROP_NEW = ("drop trigger events_no_update; drop trigger events_no_delete; drop trigger tiles_no_update; "
            "drop trigger tiles_no_delete; drop trigger tile_edge_grows; drop trigger tile_edge_no_delete;")


def zero_slot(table, where, slot):
    return (f"update {table} set hashes = cast(substr(hashes, 1, {32 * slot}) || zeroblob(32) || "
            f"substr(hashes, {32 * slot + 33}) as blob) where {where};")


def set_head(seq):
    return f"update head set size = {seq}, hash = (select hash from events where seq = {seq});"


# (name, SQL on the old layout, SQL on the new layout); None: the same SQL on both.
CASES = [
    ("good", "", None),
    ("canonical byte", "update events set canonical = cast(replace(cast(canonical as text), 'DIFF-123\"', 'DIFF-124\"') as blob) where seq = 123;", None),
    ("prev_hash", "update events set prev_hash = zeroblob(32) where seq = 77;", None),
    ("hash", "update events set hash = zeroblob(32) where seq = 400;", None),
    ("leaf hash in a full tile", f"update tree set node = zeroblob(32) where idx = {stored_index(0, 149)};",
     zero_slot("tiles", "level = 0 and idx = 0", 149)),
    ("leaf hash in the edge", f"update tree set node = zeroblob(32) where idx = {stored_index(0, 589)};",
     zero_slot("tile_edge", "level = 0", 589 - 512)),
    ("level-8 hash", f"update tree set node = zeroblob(32) where idx = {stored_index(8, 1)};",
     zero_slot("tile_edge", "level = 1", 1)),
    ("level-8 hash and a later event", f"update tree set node = zeroblob(32) where idx = {stored_index(8, 0)}; "
     "update events set hash = zeroblob(32) where seq = 300;",
     zero_slot("tile_edge", "level = 1", 0) + " update events set hash = zeroblob(32) where seq = 300;"),
    ("last leaf hash missing", f"delete from tree where idx >= {stored_index(0, 599)};",
     "update tile_edge set hashes = substr(hashes, 1, length(hashes) - 32) where level = 0;"),
    ("head's last event deleted", "delete from events where seq = 600;", None),
    ("last event deleted and the head set back", "delete from events where seq = 600; " + set_head(599), None),
    ("head size lowered", "update head set size = 599;", None),
    ("event in the middle deleted", "delete from events where seq = 333;", None),
]


@pytest.mark.parametrize("name,old_sql,new_sql", CASES, ids=[c[0] for c in CASES])
def test_same_verify_answer(ledgers, name, old_sql, new_sql):
    folder, old, new = ledgers
    slug = name.replace(" ", "-").replace("'", "")
    a, b = str(folder / f"old-{slug}.sqlite"), str(folder / f"new-{slug}.sqlite")
    shutil.copy(old, a)
    shutil.copy(new, b)
    if old_sql:
        sqlite3.connect(a).executescript(DROP_OLD + old_sql).close()
        sqlite3.connect(b).executescript(DROP_NEW + (new_sql if new_sql is not None else old_sql)).close()
    before, after = run(OLD, a, "verify", "--json"), run(NEW, b, "verify", "--json")
    assert (before.returncode, json.loads(before.stdout)) == (after.returncode, json.loads(after.stdout)), \
        f"{name}: old {before.returncode} {before.stdout} {before.stderr}\nnew {after.returncode} {after.stdout} {after.stderr}"
    if name == "good":
        assert before.returncode == 0
    else:
        assert before.returncode == 4, before.stdout
