#!/usr/bin/env python3
"""Fuzzing of `listledger audit` with mutated audit bundles (docs/design.md, listledger-audit-bundle/1).

    scripts/fuzz/audit_fuzz.py --seconds N [--bin PATH] [--seed S] [--events N] [--out DIR]

Builds a ledger from generated events, signs it (`keys init`), exports bundles
(`export --bundle FILE --all` and `--entry E`), checks that the untouched bundles audit clean
(exit 0) with the verifier key from `keys show`, then audits mutated copies. Properties:

  1. no crash: exit 0 (clean), 1 (unreadable) or 4 (a check failed), nothing else;
  2. no hang (--timeout, default 60 s);
  3. no forgery: a mutation of anything the checkpoint and the chain protect — an event's
     `seq`, `canonical`, `hash`, `prev_hash` or `proof`, dropping, duplicating or reordering
     events of an `all` bundle, `tree_size`, `root`, `origin`, `checkpoint`, `format`, and an
     `all` bundle's `head` (an `entry` or `range` bundle lacks the head event: its `head` is an
     unchecked claim, which the first 4-minute run found accepted when altered) —
     must not audit clean (exit 0), unless the mutated bundle is equal to the original as data.

Byte-level mutations (bit flips, truncation) are checked for properties 1 and 2 only (a flip in
an informational field such as `verifier_key` may rightly pass). Findings are saved under --out.
"""
from __future__ import annotations

import argparse
import base64
import copy
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def flip_base64(rng, text: str) -> str:
    try:
        raw = bytearray(base64.b64decode(text, validate=True))
    except Exception:
        return text + "A"
    if not raw:
        return "AA=="
    i = rng.randrange(len(raw))
    raw[i] ^= 1 << rng.randrange(8)
    return base64.b64encode(bytes(raw)).decode()


def flip_hex(rng, text: str) -> str:
    if not text:
        return "00"
    i = rng.randrange(len(text))
    c = "0123456789abcdef"[(int(text[i], 16) + 1 + rng.randrange(15)) % 16] if text[i] in "0123456789abcdef" else "0"
    return text[:i] + c + text[i + 1:]


def protected_mutation(rng: random.Random, bundle: dict) -> tuple[dict, str]:
    b = copy.deepcopy(bundle)
    events = b.get("events", [])
    choices = ["tree_size", "root", "origin", "checkpoint", "format"]
    # `head` is the chain hash of seq tree_size: only an `all` bundle holds that event, so only
    # there can it be checked (docs/design.md's audit steps); elsewhere it is an unchecked claim.
    if events:
        choices += ["seq", "canonical", "canonical_json", "hash", "prev_hash", "proof", "proof_drop", "proof_extra"]
        if b.get("selection", {}).get("kind") == "all":
            choices += ["drop_event", "dup_event", "swap_events", "head"]
    what = rng.choice(choices)
    e = rng.choice(events) if events else None
    if what == "tree_size":
        b["tree_size"] = b["tree_size"] + rng.choice([-1, 1, 1000]) if isinstance(b["tree_size"], int) else 1
    elif what == "root":
        b["root"] = flip_base64(rng, b["root"])
    elif what == "head":
        b["head"] = flip_hex(rng, b["head"])
    elif what == "origin":
        b["origin"] = b["origin"] + "x"
    elif what == "checkpoint":
        text = b["checkpoint"]
        i = rng.randrange(len(text))
        b["checkpoint"] = text[:i] + chr((ord(text[i]) + 1) % 128 or 65) + text[i + 1:]
    elif what == "format":
        b["format"] = "listledger-audit-bundle/2"
    elif what == "seq":
        e["seq"] = e["seq"] + rng.choice([-1, 1, 10**6])
    elif what == "canonical":
        e["canonical"] = flip_base64(rng, e["canonical"])
    elif what == "canonical_json":
        # A meaningful edit: change a field inside the canonical JSON, re-encode.
        obj = json.loads(base64.b64decode(e["canonical"]))
        key = rng.choice([k for k in obj if k not in ("v",)])
        obj[key] = (obj[key] + "x") if isinstance(obj[key], str) else (obj[key] + 1 if isinstance(obj[key], int) else "x")
        e["canonical"] = base64.b64encode(json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).decode()
    elif what == "hash":
        e["hash"] = flip_hex(rng, e["hash"])
    elif what == "prev_hash":
        e["prev_hash"] = flip_hex(rng, e["prev_hash"])
    elif what == "proof":
        if e["proof"]:
            i = rng.randrange(len(e["proof"]))
            e["proof"][i] = flip_base64(rng, e["proof"][i])
        else:
            e["proof"] = [base64.b64encode(bytes(32)).decode()]
    elif what == "proof_drop":
        if e["proof"]:
            e["proof"].pop(rng.randrange(len(e["proof"])))
        else:
            e["proof"] = [base64.b64encode(bytes(32)).decode()]
    elif what == "proof_extra":
        e["proof"].append(base64.b64encode(rng.randbytes(32)).decode())
    elif what == "drop_event":
        events.pop(rng.randrange(len(events)))
    elif what == "dup_event":
        i = rng.randrange(len(events))
        events.insert(i, copy.deepcopy(events[i]))
    elif what == "swap_events" and len(events) >= 2:
        i = rng.randrange(len(events) - 1)
        events[i], events[i + 1] = events[i + 1], events[i]
    return b, what


def byte_mutation(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    op = rng.randrange(5)
    if op == 0:
        for _ in range(rng.randrange(1, 8)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    elif op == 1:
        del b[rng.randrange(len(b)):]
    elif op == 2:
        i = rng.randrange(len(b))
        b[i:i] = rng.choice([b"\xff", b"[" * 10000, b'"', b"\\u0000", b"1e999", b"null,"])
    elif op == 3:
        i = rng.randrange(len(b))
        j = min(len(b), i + rng.randrange(1, 200))
        del b[i:j]
    else:
        b = bytearray(b"\xef\xbb\xbf") + b
    return bytes(b)


def main() -> int:
    ap = argparse.ArgumentParser(description="fuzz `listledger audit` with mutated bundles")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--bin", default=os.environ.get("LISTLEDGER_BIN"))
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--events", type=int, default=300)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--out", default=os.path.join(HERE, "findings-audit"))
    args = ap.parse_args()
    if not args.bin:
        subprocess.run(["swift", "build", "--product", "listledger"], cwd=REPO, check=True, stdout=sys.stderr)
        args.bin = os.path.join(subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, capture_output=True, text=True,
                                               check=True).stdout.strip(), "listledger")
    binary = os.path.abspath(args.bin)
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
    if "  export" not in help_text or "  audit" not in help_text:
        print("audit fuzz: this listledger has no `export`/`audit` yet; nothing to fuzz")
        print("0 passed, 0 failed")
        return 0
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="listledger-audit-fuzz-")
    stats = {"cases": 0, "protected": 0, "bytes": 0, "clean": 0, "unreadable": 0, "failed_check": 0, "failures": 0}

    def sh(*a, check=True):
        p = subprocess.run([binary, *map(str, a)], capture_output=True, text=True)
        if check and p.returncode != 0:
            raise SystemExit(f"audit fuzz: listledger {' '.join(map(str, a))} exited {p.returncode}: {p.stderr.strip()[:300]}")
        return p

    def fail(data: bytes, why: str, p=None):
        stats["failures"] += 1
        os.makedirs(args.out, exist_ok=True)
        n = stats["failures"]
        with open(os.path.join(args.out, f"bundle-{n:04d}.json"), "wb") as f:
            f.write(data)
        with open(os.path.join(args.out, f"bundle-{n:04d}.txt"), "w") as f:
            f.write(why + "\n" + (f"exit {p.returncode}\n{p.stdout[:3000]}\n{p.stderr[:3000]}\n" if p else ""))
        print(f"FAIL case {stats['cases']}: {why}", flush=True)

    try:
        stream = os.path.join(work, "in.jsonl")
        with open(stream, "w") as f:
            subprocess.run([sys.executable, os.path.join(REPO, "scripts", "gen_ledger.py"), "--events", str(args.events),
                            "--seed", str(args.seed % 100000)], stdout=f, check=True)
        db = os.path.join(work, "a.sqlite")
        sh("--db", db, "init")
        sh("--db", db, "append", stream)
        sh("--db", db, "keys", "init")
        key = sh("--db", db, "keys", "show").stdout.strip().splitlines()[-1]
        with open(stream) as f:
            entry = json.loads(f.readline())["entry"]
        originals = []
        for sel in (["--all"], ["--entry", entry]):
            path = os.path.join(work, f"bundle{len(originals)}.json")
            sh("--db", db, "export", "--bundle", path, *sel)
            with open(path, "rb") as f:
                data = f.read()
            p = sh("audit", path, "--key", key, check=False)
            if p.returncode != 0:
                fail(data, f"the untouched bundle ({' '.join(sel)}) does not audit clean", p)
            originals.append((data, json.loads(data)))
        case_path = os.path.join(work, "case.json")
        deadline = time.time() + args.seconds
        print(f"audit fuzz: {binary}, seed {args.seed}, {args.events} events, {args.seconds:.0f} s", flush=True)
        while time.time() < deadline:
            stats["cases"] += 1
            raw, bundle = rng.choice(originals)
            if rng.random() < 0.7:
                stats["protected"] += 1
                mutated, what = protected_mutation(rng, bundle)
                data = json.dumps(mutated, ensure_ascii=False).encode()
                must_fail = mutated != bundle
            else:
                stats["bytes"] += 1
                data, what, must_fail = byte_mutation(rng, raw), "bytes", False
            with open(case_path, "wb") as f:
                f.write(data)
            try:
                p = subprocess.run([binary, "audit", case_path, "--key", key], capture_output=True, text=True, timeout=args.timeout)
            except subprocess.TimeoutExpired:
                fail(data, f"hang ({what}): no answer within {args.timeout} s")
                continue
            if p.returncode == 0:
                stats["clean"] += 1
            elif p.returncode == 1:
                stats["unreadable"] += 1
            elif p.returncode == 4:
                stats["failed_check"] += 1
            if p.returncode not in (0, 1, 4):
                fail(data, f"exit {p.returncode} ({what}); expected 0, 1 or 4", p)
            elif must_fail and p.returncode == 0:
                fail(data, f"a protected mutation ({what}) audited clean", p)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"audit fuzz summary: {json.dumps(stats)}")
    print(f"{stats['cases'] - stats['failures']} passed, {stats['failures']} failed")
    return 1 if stats["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
