#!/usr/bin/env python3
"""Property-based fuzzing of `listledger append` with malformed and mutated JSON Lines.

    scripts/fuzz/jsonl_fuzz.py --seconds N [--bin PATH] [--seed S] [--out DIR]

Each case is 1-4 lines: the next valid events of a generated stream (scripts/gen-ledger), some
of them mutated (bit flips, byte edits, truncation, type swaps, huge and odd numbers, deep
nesting, invalid UTF-8, random unicode, duplicate/extra/missing keys, odd `at` values, long
strings, BOM/CR/NUL, syntax damage). The properties checked for every case:

  1. no crash: the exit code is 0 or 1 (never a signal, never another code);
  2. no hang: the call ends within --timeout seconds (default 20);
  3. all or nothing: exit 0 means the event count grew by exactly the number of seqs printed
     as appended, and appended + duplicates = the number of non-blank lines; exit 1 means the
     count did not change;
  4. `verify` stays ok (checked every 50 cases and at the end).

Before fuzzing, known-answer probes check inputs whose meaning must survive storage (ids that
differ only after a U+0000 must stay different entries and complaints); they fail today: the
store binds text as C strings (see docs/performance.md, "Fuzzing").

A failing case is saved under --out (default scripts/fuzz/findings/) with the command's output.
The ledger starts afresh every 400 cases so that deep lifecycle states keep being reached.
The run prints a summary and "N passed, N failed" (cases); exit 1 if any property failed.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

WEIRD_STRINGS = [
    "", " ", "\t", "\u0000", "\u0007", "\u2028", "\ufeff", "\u202e", "é", "e\u0301", "😀", "\U0010FFFF", "𠮷",
    "court:", "court:BAISHA", "unit:" + "a" * 65, "court:baisha ", " court:baisha", "system:x", "x" * 513, "中" * 600,
    "null", "true", "0", "-1", "1e999", "\\", "\"", "/", "\n", "\r\n",
]
WEIRD_NUMBERS = [0, -0.0, 1, -1, 2**31, 2**53 + 1, 2**63, 2**64, -(2**63) - 1, 10**30, 1.5, 1e308, -1e308, 5e-324]
WEIRD_NUMBER_TEXT = ["1e400", "-1e400", "1E+2", "0.0000000000000000000000001", "123456789012345678901234567890", "-0", "01", "1.", ".5",
                     "+1", "NaN", "Infinity", "-Infinity", "0x10", "1_000"]
WEIRD_AT = ["2018-02-30T10:00:00+08:00", "2021-01-01T24:00:00+08:00", "2021-06-30T23:59:60+08:00", "2021-01-01T10:00:00+14:00",
            "2021-01-01T10:00:00-12:00", "2021-01-01T10:00:00+24:00", "2021-01-01T10:00:00", "2021-01-01", "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z", "2099-01-01T00:00:00+08:00", "2021-01-01T10:00:00.1234+08:00", "2021-01-01T10:00:00.123Z",
            "2021-01-01t10:00:00z", "2021-1-1T10:00:00+08:00", "2021-01-01T10:00:00+0800", "２０２１-01-01T10:00:00+08:00",
            "2017-12-31T23:59:59+08:00", "1969-12-31T23:59:59Z", "2021-01-01T10:00:00+08:00\u0000"]


def mutate_value(rng: random.Random, value):
    """A value of another type, or an odd one of the same type."""
    choice = rng.randrange(9)
    if choice == 0:
        return rng.choice(WEIRD_STRINGS)
    if choice == 1:
        return rng.choice(WEIRD_NUMBERS)
    if choice == 2:
        return rng.choice([None, True, False, [], {}, [value], {"value": value}])
    if choice == 3 and isinstance(value, str):
        i = rng.randrange(len(value) + 1)
        return value[:i] + rng.choice(WEIRD_STRINGS) + value[i:]
    if choice == 4 and isinstance(value, str) and value:
        return value[: rng.randrange(len(value))]
    if choice == 5 and isinstance(value, list):
        return value + value if value else [rng.choice(WEIRD_STRINGS)]
    if choice == 6 and isinstance(value, dict) and value:
        k = rng.choice(list(value))
        v = dict(value)
        v[k] = mutate_value(rng, v[k])
        return v
    if choice == 7:
        return "".join(chr(rng.choice([rng.randrange(0x20, 0x7f), rng.randrange(0xa0, 0xd7ff), rng.randrange(0xe000, 0x10ffff)]))
                       for _ in range(rng.randrange(1, 30)))
    return rng.choice(WEIRD_AT)


def structural(rng: random.Random, event: dict) -> bytes:
    """A mutation of the event as an object, re-encoded as JSON."""
    e = dict(event)
    op = rng.randrange(8)
    keys = list(e)
    if op == 0:  # change a field's value
        k = rng.choice(keys)
        e[k] = mutate_value(rng, e[k])
    elif op == 1:  # drop a field
        e.pop(rng.choice(keys))
    elif op == 2:  # add an unknown or a known-elsewhere field
        e[rng.choice(["extra", "seq", "hash", "prev_hash", "recorded_at", "v", "unit", "court", "Type", "entry ", "id"])] = mutate_value(rng, "x")
    elif op == 3:  # odd `at`
        e["at"] = rng.choice(WEIRD_AT)
    elif op == 4:  # another type name
        e["type"] = rng.choice(["risk_notice_issued", "inclusion_decided", "entry_shielded", "entry_revoked", "measure_lifted",
                                "breach_flagged", "complaint_resolved", "reconsideration_decided", "unknown", "ENTRY_SHIELDED", ""])
    elif op == 5:  # actor games
        e["actor"] = rng.choice(["court:baisha", "court:hainan-2nd-intermediate", "unit:pboc-baisha", "system:alerts", "court:other",
                                 "unit:baisha-media-center", "debtor:x", "court:", rng.choice(WEIRD_STRINGS)])
    elif op == 6:  # entry games
        e["entry"] = rng.choice(["", " ", "x" * 513, "(2018)琼9025执1号-王某某", "no-such-entry", rng.choice(WEIRD_STRINGS)])
    else:  # nest a value deeply (built as text: Python's encoder recurses)
        depth = rng.choice([10, 100, 1000, 5000])
        k = rng.choice(keys)
        inner = json.dumps(e[k], ensure_ascii=False)
        e[k] = "\u0001NEST\u0001"
        opener, closer = ("[", "]") if rng.random() < 0.5 else ('{"a":', "}")
        text = json.dumps(e, ensure_ascii=False)
        return text.replace('"\\u0001NEST\\u0001"', opener * depth + inner + closer * depth).encode("utf-8", "surrogatepass")
    encoded = json.dumps(e, ensure_ascii=rng.random() < 0.3, separators=rng.choice([(",", ":"), (", ", ": ")]))
    return encoded.encode("utf-8", "surrogatepass")


def textual(rng: random.Random, line: bytes) -> bytes:
    """A byte- or text-level mutation of an encoded line."""
    b = bytearray(line)
    op = rng.randrange(12)
    if op == 0 and b:  # bit flips
        for _ in range(rng.randrange(1, 4)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    elif op == 1 and b:  # truncation
        del b[rng.randrange(len(b)):]
    elif op == 2:  # invalid UTF-8
        i = rng.randrange(len(b) + 1)
        b[i:i] = rng.choice([b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe4\xb8", b"\xf4\x90\x80\x80", b"\x80", b"\xfe\xfe"])
    elif op == 3:  # an escaped lone surrogate or NUL inside a string
        s = bytes(b)
        j = s.find(b'":"')
        if j >= 0:
            b[j + 3:j + 3] = rng.choice([b"\\ud800", b"\\udfff", b"\\u0000", b"\\ud83d\\ude00", b"\\uZZZZ", b"\\x41", b"\\"])
    elif op == 4 and b:  # delete / duplicate a span
        i = rng.randrange(len(b))
        j = min(len(b), i + rng.randrange(1, 20))
        if rng.random() < 0.5:
            del b[i:j]
        else:
            b[i:i] = b[i:j]
    elif op == 5:  # numbers as text
        s = bytes(b)
        j = s.find(b'":"')
        if j >= 0:
            k = s.find(b'"', j + 3)
            if k > 0:
                b[j + 2:k + 1] = rng.choice(WEIRD_NUMBER_TEXT).encode()
    elif op == 6:  # duplicate key
        s = bytes(b)
        if s.endswith(b"}"):
            b[-1:] = b',"type":"entry_shielded"}' if rng.random() < 0.5 else b',"at":"2019-01-01T00:00:00+08:00"}'
    elif op == 7:  # framing: BOM, CR, NUL, trailing garbage, two objects on a line
        b = bytearray(rng.choice([b"\xef\xbb\xbf" + bytes(b), bytes(b) + b"\r", bytes(b) + b"\x00", bytes(b) + b" x",
                                  bytes(b) + bytes(b), b"[" + bytes(b) + b"]", bytes(b) + b",", b" \t" + bytes(b) + b" "]))
    elif op == 8:  # syntax damage
        s = bytes(b)
        b = bytearray(rng.choice([s.replace(b'"', b"'", 1), s.replace(b":", b"=", 1), s.replace(b",", b",,", 1),
                                  s.replace(b"}", b",}", 1), s[:-1], b"{" + s, s.replace(b'"', b"", 2), b"/*c*/" + s]))
    elif op == 9:  # huge line
        b = bytearray(bytes(b).replace(b'"at"', b'"pad":"' + b"A" * rng.choice([1000, 100_000, 3_000_000]) + b'","at"', 1))
    elif op == 10:  # deep nesting as text
        depth = rng.choice([100, 10_000, 200_000])
        b = bytearray(b"[" * depth + b"]" * depth if rng.random() < 0.5 else b'{"a":' * depth + b"1" + b"}" * depth)
    else:  # random bytes
        b = bytearray(rng.randbytes(rng.randrange(1, 200)))
    return bytes(b).replace(b"\n", b" ")


class Fuzzer:
    def __init__(self, binary: str, rng: random.Random, work: str, out: str, timeout: float):
        self.bin, self.rng, self.work, self.out, self.timeout = binary, rng, work, out, timeout
        self.stream_path = os.path.join(work, "stream.jsonl")
        with open(self.stream_path, "w") as f:
            subprocess.run([sys.executable, os.path.join(REPO, "scripts", "gen_ledger.py"), "--events", "60000", "--seed",
                            str(rng.randrange(1 << 30))], stdout=f, check=True)
        with open(self.stream_path, "rb") as f:
            self.stream = [line.rstrip(b"\n") for line in f]
        self.db = os.path.join(work, "fuzz.sqlite")
        self.stats = {"cases": 0, "appended": 0, "refused": 0, "failures": 0, "timeouts": 0, "crashes": 0, "verify_checks": 0}
        self.refusal_kinds: dict[str, int] = {}
        self.fresh()

    def fresh(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.db + suffix):
                os.remove(self.db + suffix)
        r = subprocess.run([self.bin, "--db", self.db, "init"], capture_output=True)
        assert r.returncode == 0, r.stderr
        self.pos = 0
        # A few valid events first, so that later mutations meet entries in many states.
        self.append_valid(self.rng.randrange(0, 300))

    def append_valid(self, n: int) -> None:
        if n <= 0:
            return
        path = os.path.join(self.work, "valid.jsonl")
        with open(path, "wb") as f:
            f.write(b"\n".join(self.stream[self.pos:self.pos + n]) + b"\n")
        r = subprocess.run([self.bin, "--db", self.db, "append", "--batch-size", "1000", path], capture_output=True)
        if r.returncode == 0:
            self.pos += n

    def count(self) -> int:
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            return con.execute("SELECT count(*) FROM events").fetchone()[0]
        finally:
            con.close()

    def case(self) -> bytes:
        rng = self.rng
        lines = []
        for k in range(rng.choice([1, 1, 1, 2, 3, 4])):
            line = self.stream[(self.pos + k) % len(self.stream)]
            r = rng.random()
            if r < 0.3:
                lines.append(line)
            elif r < 0.6:
                lines.append(structural(rng, json.loads(line)))
            elif r < 0.95:
                lines.append(textual(rng, line))
            else:
                lines.append(rng.choice([b"", b"   ", b"\t"]))
        return b"\n".join(lines) + (b"\n" if rng.random() < 0.8 else b"")

    def save(self, data: bytes, why: str, proc=None) -> None:
        os.makedirs(self.out, exist_ok=True)
        n = self.stats["failures"]
        with open(os.path.join(self.out, f"case-{n:04d}.jsonl"), "wb") as f:
            f.write(data)
        with open(os.path.join(self.out, f"case-{n:04d}.txt"), "w") as f:
            f.write(why + "\n")
            if proc is not None:
                f.write(f"exit {proc.returncode}\n--- stdout\n{proc.stdout.decode(errors='replace')[:4000]}\n"
                        f"--- stderr\n{proc.stderr.decode(errors='replace')[:4000]}\n")

    def fail(self, data: bytes, why: str, proc=None) -> None:
        self.stats["failures"] += 1
        self.save(data, why, proc)
        print(f"FAIL case {self.stats['cases']}: {why}", flush=True)

    def run_case(self) -> None:
        data = self.case()
        self.stats["cases"] += 1
        path = os.path.join(self.work, "case.jsonl")
        with open(path, "wb") as f:
            f.write(data)
        before = self.count()
        try:
            p = subprocess.run([self.bin, "--db", self.db, "append", "--json", path], capture_output=True, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.stats["timeouts"] += 1
            self.fail(data, f"hang: no answer within {self.timeout} s")
            return
        after = self.count()
        nonblank = sum(1 for line in data.split(b"\n") if line.strip(b" \t\r"))
        if p.returncode not in (0, 1):
            self.stats["crashes"] += 1
            self.fail(data, f"exit code {p.returncode} (expected 0 or 1)", p)
            return
        if p.returncode == 1:
            self.stats["refused"] += 1
            first = p.stderr.decode(errors="replace").strip().split("\n")[0]
            kind = first.split(":", 3)[-1].strip()[:60] if first else "(no message)"
            self.refusal_kinds[kind] = self.refusal_kinds.get(kind, 0) + 1
            if after != before:
                self.fail(data, f"refused (exit 1) but the count changed {before} -> {after}", p)
            elif not p.stderr.strip():
                self.fail(data, "refused (exit 1) with no message on standard error", p)
            return
        self.stats["appended"] += 1
        try:
            report = json.loads(p.stdout)
            appended, duplicates = report["appended"], report["duplicates"]
        except (ValueError, KeyError, TypeError):
            self.fail(data, "exit 0 but the --json output is unreadable", p)
            return
        if after - before != len(appended):
            self.fail(data, f"exit 0, {len(appended)} seqs printed, but the count grew by {after - before}", p)
        elif len(appended) + len(duplicates) != nonblank:
            self.fail(data, f"exit 0 for {nonblank} lines but {len(appended)} appended + {len(duplicates)} duplicates", p)
        elif appended != list(range(before + 1, before + 1 + len(appended))):
            self.fail(data, f"appended seqs {appended[:5]} do not continue the log at {before + 1}", p)
        else:
            # Keep the stream moving: the case stood for the stream's next events (mutated or not).
            self.pos += nonblank

    def verify(self) -> bool:
        self.stats["verify_checks"] += 1
        p = subprocess.run([self.bin, "--db", self.db, "verify", "--json"], capture_output=True, timeout=600)
        ok = p.returncode == 0 and json.loads(p.stdout or b"{}").get("ok") is True
        if not ok:
            self.fail(b"", "verify failed after the cases above", p)
            # Keep the broken ledger for inspection.
            shutil.copy(self.db, os.path.join(self.out, f"broken-{self.stats['failures']:04d}.sqlite"))
        return ok


# Known-answer probes found while fuzzing: inputs whose *meaning* must be kept, not only their
# well-formedness. Each is (name, setup lines, probe line, expected exit code of the probe).
NUL_INCLUSION = ('{"type":"inclusion_decided","entry":"P\\u0000A","at":"2021-03-01T10:00:00+08:00","actor":"court:baisha",'
                 '"court":"court:baisha","case":"(2021)琼9025执1号","debtor":{"kind":"person","name":"王某某",'
                 '"id_number":"460030198001010011"},"grounds":["able_but_refuses"],"public":true}')
PROBES = [
    ("an entry id differing after U+0000 is another entry (shielding an unknown entry is refused)",
     [NUL_INCLUSION], '{"type":"entry_shielded","entry":"P\\u0000B","at":"2021-03-05T10:00:00+08:00","actor":"court:baisha"}', 1),
    ("a complaint id differing after U+0000 is another complaint (it may be received)",
     ['{"type":"complaint_received","at":"2021-01-01T10:00:00+08:00","actor":"unit:baisha-drc","complaint":"c\\u0000a"}'],
     '{"type":"complaint_received","at":"2021-01-01T10:00:00+08:00","actor":"unit:baisha-drc","complaint":"c\\u0000b"}', 0),
]


def run_probes(binary: str, work: str) -> list[str]:
    failures = []
    for name, setup, probe, expected in PROBES:
        db = os.path.join(work, "probe.sqlite")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        subprocess.run([binary, "--db", db, "init"], capture_output=True, check=True)
        path = os.path.join(work, "probe.jsonl")
        with open(path, "w") as f:
            f.write("\n".join(setup) + "\n")
        r = subprocess.run([binary, "--db", db, "append", path], capture_output=True, text=True)
        if r.returncode != 0:
            failures.append(f"probe setup refused ({name}): {r.stderr.strip()[:200]}")
            continue
        with open(path, "w") as f:
            f.write(probe + "\n")
        r = subprocess.run([binary, "--db", db, "append", path], capture_output=True, text=True)
        ok = r.returncode == expected
        print(f"{'ok  ' if ok else 'FAIL'} probe: {name} (exit {r.returncode}, expected {expected})", flush=True)
        if not ok:
            failures.append(name)
    return failures


def main() -> int:
    ap = argparse.ArgumentParser(description="fuzz `listledger append` with mutated JSON Lines")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--bin", default=os.environ.get("LISTLEDGER_BIN"))
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--out", default=os.path.join(HERE, "findings"))
    ap.add_argument("--no-probes", action="store_true", help="skip the known-answer probes")
    args = ap.parse_args()
    if not args.bin:
        subprocess.run(["swift", "build", "--product", "listledger"], cwd=REPO, check=True, stdout=sys.stderr)
        args.bin = os.path.join(subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, capture_output=True, text=True,
                                               check=True).stdout.strip(), "listledger")
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="listledger-fuzz-")
    print(f"fuzz: {os.path.abspath(args.bin)}, seed {args.seed}, {args.seconds:.0f} s, findings in {args.out}", flush=True)
    probe_failures = [] if args.no_probes else run_probes(os.path.abspath(args.bin), work)
    fuzzer = Fuzzer(os.path.abspath(args.bin), rng, work, args.out, args.timeout)
    deadline = time.time() + args.seconds
    started = time.time()
    try:
        while time.time() < deadline:
            fuzzer.run_case()
            n = fuzzer.stats["cases"]
            if n % 50 == 0:
                fuzzer.verify()
            if n % 400 == 0:
                fuzzer.fresh()
            if n % 1000 == 0:
                print(f"  {n} cases, {fuzzer.stats['appended']} appended, {fuzzer.stats['refused']} refused, "
                      f"{fuzzer.stats['failures']} failures, {time.time() - started:.0f} s", flush=True)
        fuzzer.verify()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    s = fuzzer.stats
    print(f"fuzz summary: {json.dumps(s)}")
    print("most common refusals:")
    for kind, n in sorted(fuzzer.refusal_kinds.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {n:6d}  {kind}")
    failed = s["failures"] + len(probe_failures)
    print(f"{s['cases'] + len(PROBES) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
