"""Cross-checks of the Swift `listledger` binary against the independent Python side.

Skipped unless LISTLEDGER_EXE names a built binary, e.g.
    LISTLEDGER_EXE=.build/debug/listledger python3 -m pytest scripts/tests -q

1. A lifecycle full of tricky strings and instants is appended; every stored event's canonical
   bytes must equal what scripts/make_canonical_vectors.py computes from the input line, the
   seq and the ledger's recorded_at, and the chain and Merkle root must match.
2. When the binary can sign checkpoints and export bundles (`keys init`, `keys show`,
   `checkpoint`, `export --bundle`), the exported bundle must pass scripts/verify_bundle.py.
"""
import hashlib
import json
import os
import sqlite3
import subprocess
import sys

import pytest

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SCRIPTS)
import make_canonical_vectors as gen  # noqa: E402
import verify_bundle as vb  # noqa: E402

EXE = os.environ.get("LISTLEDGER_EXE")
pytestmark = pytest.mark.skipif(not EXE, reason="set LISTLEDGER_EXE to a built listledger binary")

C = "court:baisha"
ORG = {"kind": "organization", "name": "白沙测试建材有限公司", "id_number": "91469030MA5T00001D",
       "legal_representative": "测试乙"}
LIFECYCLE = [
    {"type": "risk_notice_issued", "entry": "P1", "at": "2021-09-01T02:00:00Z", "actor": C, "id": "rn/1",
     "court": C, "case": "(2021)琼9030执1号", "debtor": ORG},
    {"type": "inclusion_decided", "entry": "P1", "at": "2021-09-10T09:30:15.120+08:00", "actor": C, "court": C,
     "case": "(2021)琼9030执1号", "debtor": ORG, "grounds": ["able_but_refuses", "evasion"], "public": True,
     "term_months": 24},
    {"type": "decision_served", "entry": "P1", "at": "2021-09-12T21:00:00-05:00", "actor": C},
    {"type": "entry_published", "entry": "P1", "at": "2021-09-14T10:00:00.000+08:00", "actor": C,
     "channels": ["最高人民法院失信被执行人名单网站", "https://zxgk.court.gov.cn/shixin/"]},
    {"type": "pushed_to_unit", "entry": "P1", "at": "2021-09-14T07:30:00+05:30", "actor": C, "unit": "unit:caac"},
    {"type": "measure_applied", "entry": "P1", "at": "2021-09-15T08:00:00+08:00", "actor": "unit:caac",
     "unit": "unit:caac", "measure": "限制乘坐民航飞机"},
    {"type": "repost_registered", "entry": "P1", "at": "2021-09-15T09:00:00+08:00", "actor": "unit:hainan_daily",
     "unit": "unit:hainan_daily"},
    {"type": "correction_requested", "entry": "P1", "at": "2021-09-20T10:00:00+08:00", "actor": C,
     "reason": "称\"已履行\" C:\\证据\\收据 附\u001f件\u007f二\u2028三 \U0001F44D a/b"},
    {"type": "correction_decided", "entry": "P1", "at": "2021-09-22T16:00:00.5+08:00", "actor": C,
     "outcome": "rejected"},
    {"type": "obligation_discharged", "entry": "P1", "at": "2022-01-04T10:00:00+08:00", "actor": C,
     "basis": "full_performance"},
    {"type": "entry_shielded", "entry": "P1", "at": "2022-01-06T10:00:00+08:00", "actor": C,
     "reason": "已履行完毕\n(见笔录)\t附"},
    {"type": "exit_published", "entry": "P1", "at": "2022-01-07T10:00:00+08:00", "actor": C},
    {"type": "unit_notified_of_exit", "entry": "P1", "at": "2022-01-07T10:30:00+08:00", "actor": C,
     "unit": "unit:caac"},
    {"type": "measure_retained", "entry": "P1", "at": "2022-01-09T09:00:00+08:00", "actor": "unit:caac",
     "unit": "unit:caac", "measure": "限制乘坐民航飞机", "legal_basis": "《某法》第五十四条\u2028见 法释/2017/7号",
     "until": "2022-12-31"},
    {"type": "repost_deleted", "entry": "P1", "at": "2022-01-11T09:00:00+08:00", "actor": "unit:hainan_daily",
     "unit": "unit:hainan_daily"},
    {"type": "complaint_received", "at": "2022-02-01T10:00:00+08:00", "actor": "unit:caac",
     "complaint": "TS-2022-001"},
    {"type": "complaint_resolved", "at": "2022-02-10T10:00:00+08:00", "actor": C, "complaint": "TS-2022-001",
     "finding": "投诉不成立 \U0001F600"},
]


def ll(db, *args, stdin=None):
    return subprocess.run([EXE, *args, "--db", db], input=stdin, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("ll") / "l.sqlite")
    r = ll(db, "init")
    assert r.returncode == 0, r.stderr
    data = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in LIFECYCLE)
    r = ll(db, "append", "-", stdin=data)
    assert r.returncode == 0, r.stderr
    return db


def stored_events(db):
    c = sqlite3.connect(db)
    for (t,) in c.execute("select name from sqlite_master where type='table'"):
        cols = [x[1] for x in c.execute(f"pragma table_info('{t}')")]
        if {"seq", "canonical", "prev_hash", "hash"} <= set(cols):
            return c.execute(f"select seq, canonical, prev_hash, hash from '{t}' order by seq").fetchall()
    pytest.skip("no table with seq, canonical, prev_hash, hash columns")


# SPEC §7, written from its text alone: under encoding v2 each personal value (debtor.name,
# debtor.id_number, debtor.legal_representative, and the same under corrections) stands in the
# canonical object as {"commitment": hex(SHA-256(salt || UTF-8 value))}, salt and value kept beside
# the log (table personal_data: {"<path>":{"salt":hex,"value":…}}).
PERSONAL = {"debtor": ("name", "id_number", "legal_representative"),
            "corrections": ("debtor.name", "debtor.id_number", "debtor.legal_representative")}


def secrets_of(db, seq):
    row = sqlite3.connect(db).execute("select data from personal_data where seq = ?", (seq,)).fetchone()
    return json.loads(bytes(row[0])) if row else {}


def seal_v2(obj, secrets):
    obj = json.loads(json.dumps(obj))
    obj["v"] = 2
    for outer, fields in PERSONAL.items():
        inner = obj.get(outer)
        if not isinstance(inner, dict):
            continue
        for field in fields:
            if field in inner:
                secret = secrets[f"{outer}.{field}"]
                assert secret["value"] == inner[field], f"{outer}.{field}: stored value is not the input's"
                salt = bytes.fromhex(secret["salt"])
                assert len(salt) == 32
                inner[field] = {"commitment": hashlib.sha256(salt + inner[field].encode()).hexdigest()}
    return obj


def test_swift_canonical_bytes_equal_the_independent_python(ledger):
    rows = stored_events(ledger)
    assert len(rows) == len(LIFECYCLE)
    prev, leaves = bytes(32), []
    for (seq, canon, p, h), inp in zip(rows, LIFECYCLE):
        canon = bytes(canon) if not isinstance(canon, str) else canon.encode()
        stored = json.loads(canon)
        recorded_at = stored["recorded_at"]
        mine_obj = gen.canonical_object(inp, seq, recorded_at)
        if stored.get("v") == 2:  # new events are sealed (SPEC §7)
            mine_obj = seal_v2(mine_obj, secrets_of(ledger, seq))
        mine = gen.canonical_bytes(mine_obj)
        assert canon == mine, f"seq {seq}:\n swift  {canon!r}\n python {mine!r}"
        assert bytes(p) == prev and bytes(h) == hashlib.sha256(prev + canon).digest(), seq
        prev = bytes(h)
        leaves.append(vb.leaf_hash(canon))
    r = ll(ledger, "verify", "--json")
    v = json.loads(r.stdout)
    assert v["head"] == prev.hex()
    if "root" in v:
        assert v["root"] in (vb.mth(leaves).hex(), __import__("base64").b64encode(vb.mth(leaves)).decode())


def test_swift_exported_bundle_passes_the_independent_verifier(ledger, tmp_path):
    r = ll(ledger, "keys", "init")
    if r.returncode != 0 and "keys" in r.stderr.lower() and "unknown" in r.stderr.lower():
        pytest.skip("this binary has no `keys` command yet")
    shown = ll(ledger, "keys", "show")
    cp = ll(ledger, "checkpoint")
    out = tmp_path / "bundle.json"
    ex = ll(ledger, "export", "--bundle", "--output", str(out))
    if ex.returncode != 0:
        ex = ll(ledger, "export", "--bundle")
        if ex.returncode != 0:
            pytest.skip(f"no usable `export --bundle` yet: {ex.stderr.strip()[:200]}")
        out.write_text(ex.stdout, encoding="utf-8")
    assert shown.returncode == 0 and cp.returncode == 0, shown.stderr + cp.stderr
    kf = tmp_path / "key"
    kf.write_text(shown.stdout)
    v = subprocess.run([sys.executable, os.path.join(SCRIPTS, "verify_bundle.py"), str(out), "--key", str(kf), "--json"],
                       capture_output=True, text=True)
    assert v.returncode == 0, v.stdout + v.stderr
    assert json.loads(v.stdout)["events"] == len(LIFECYCLE)
