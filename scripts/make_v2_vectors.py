#!/usr/bin/env python3
"""Golden vectors for encoding v2 (SPEC section 7, docs/design.md "Personal data").

Writes Fixtures/vectors/canonical-v2/events.json. Independent of the Swift code: only the
Python standard library (json, hashlib). Each personal value -- debtor.name, debtor.id_number,
debtor.legal_representative, and corrections.debtor.* of entry_corrected -- is replaced in the
canonical object by {"commitment": hex(SHA-256(salt || UTF-8 value))}; "v" is 2; everything
else is as in encoding v1 (sorted keys, no white space, raw UTF-8). Salts are fixed here so
the file is reproducible: salt = SHA-256("listledger-v2-vector-salt/" + seq + "/" + path).
(The ledger itself draws each salt from libcrypto's RAND_bytes.)

    python3 scripts/make_v2_vectors.py           # (re)writes the file
    python3 scripts/make_v2_vectors.py --check   # exit 1 if the file is not what it would write
"""
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "Fixtures", "vectors", "canonical-v2", "events.json"))
DEBTOR_FIELDS = {"name", "id_number", "legal_representative"}
CORRECTION_FIELDS = {"debtor.name", "debtor.id_number", "debtor.legal_representative"}

# Inputs already in their stored form (at with its offset, no milliseconds), so no
# normalisation is needed here; the v1 generator covers normalisation.
CASES = [
    ("risk notice, person debtor", "2025-03-01T01:02:03.000Z", {
        "type": "risk_notice_issued", "entry": "E-v2-1", "at": "2024-09-01T10:00:00+08:00", "actor": "court:baisha",
        "court": "court:baisha", "case": "(2024)琼9030执1号",
        "debtor": {"kind": "person", "name": "测试甲", "id_number": "460030198001010105"}}),
    ("inclusion, organization with legal representative, id given", "2025-03-01T01:02:04.000Z", {
        "type": "inclusion_decided", "entry": "E-v2-2", "at": "2024-09-10T10:00:00+08:00", "actor": "court:baisha",
        "id": "inc-v2-2", "court": "court:baisha", "case": "(2024)琼9030执2号",
        "debtor": {"kind": "organization", "name": "海南某某有限公司", "id_number": "91460000MA5T00000C",
                   "legal_representative": "李某"},
        "grounds": ["evasion"], "public": True, "term_months": 24}),
    ("a type without personal data is v2 too", "2025-03-01T01:02:05.000Z", {
        "type": "decision_served", "entry": "E-v2-1", "at": "2024-09-11T09:30:00+08:00", "actor": "court:baisha"}),
    ("entry_corrected: the debtor fields are committed, case stays in clear", "2025-03-01T01:02:06.000Z", {
        "type": "entry_corrected", "entry": "E-v2-2", "at": "2024-10-01T10:00:00+08:00", "actor": "court:baisha",
        "corrections": {"case": "(2024)琼9030执3号", "debtor.name": "海南某某科技有限公司", "debtor.legal_representative": "王某"},
        "reason": "name misspelt"}),
    ("personal_data_erased", "2025-03-01T01:02:07.000Z", {
        "type": "personal_data_erased", "entry": "E-v2-2", "at": "2026-10-01T10:00:00+08:00", "actor": "court:baisha",
        "reason": "PIPL art. 47"}),
]


def salt_for(seq, path):
    return hashlib.sha256(f"listledger-v2-vector-salt/{seq}/{path}".encode()).digest()


def commit(seq, path, value, salts, commitments):
    salt = salt_for(seq, path)
    c = hashlib.sha256(salt + value.encode("utf-8")).hexdigest()
    salts[path] = salt.hex()
    commitments[path] = c
    return {"commitment": c}


def canonical_object(seq, recorded_at, event):
    salts, commitments = {}, {}
    obj = dict(event)
    if "debtor" in obj:
        obj["debtor"] = {k: commit(seq, "debtor." + k, v, salts, commitments) if k in DEBTOR_FIELDS else v
                         for k, v in obj["debtor"].items()}
    if "corrections" in obj:
        obj["corrections"] = {k: commit(seq, "corrections." + k, v, salts, commitments) if k in CORRECTION_FIELDS else v
                              for k, v in obj["corrections"].items()}
    obj["seq"] = seq
    obj["recorded_at"] = recorded_at
    obj["v"] = 2
    return obj, salts, commitments


def mth(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def build():
    prev = bytes(32)
    cases, leaves = [], []
    for seq, (what, recorded_at, event) in enumerate(CASES, start=1):
        obj, salts, commitments = canonical_object(seq, recorded_at, event)
        text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        data = text.encode("utf-8")
        for path, value in [("debtor." + k, v) for k, v in event.get("debtor", {}).items() if k in DEBTOR_FIELDS] + \
                           [("corrections." + k, v) for k, v in event.get("corrections", {}).items() if k in CORRECTION_FIELDS]:
            assert value.encode("utf-8") not in data, f"{what}: {path} leaked into the canonical bytes"
        leaf = hashlib.sha256(b"\x00" + data).digest()
        h = hashlib.sha256(prev + data).digest()
        cases.append({"what": what, "input": event, "seq": seq, "recorded_at": recorded_at, "salts": salts,
                      "commitments": commitments, "canonical": text, "leaf_hash": leaf.hex(),
                      "prev_hash": prev.hex(), "hash": h.hex()})
        leaves.append(leaf)
        prev = h
    return {"cases": cases, "head": prev.hex(), "merkle_root": mth(leaves).hex(), "tree_size": len(cases),
            "generated_by": "python3 scripts/make_v2_vectors.py", "python": sys.version.split()[0]}


def main():
    doc = build()
    text = json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=False) + "\n"
    if "--check" in sys.argv:
        with open(OUT, encoding="utf-8") as f:
            old = json.load(f)
        old.pop("python", None)
        doc.pop("python", None)
        if old != doc:
            print(f"{OUT} is stale: run python3 scripts/make_v2_vectors.py", file=sys.stderr)
            sys.exit(1)
        print("v2 vectors up to date")
        return
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {len(doc['cases'])} cases to {OUT}")


if __name__ == "__main__":
    main()
