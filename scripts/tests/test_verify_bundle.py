"""Tests of scripts/verify_bundle.py.

Bundles are built here by a small bundle writer of the test's own (recursive RFC 6962 tree and
audit paths, C2SP signed notes signed with a freshly generated Ed25519 key), independent of
both the verifier and the Swift exporter. The verifier runs as a subprocess, as an auditor
would run it. Known-answer vectors come from outside the project:
  - C2SP signed notes: golang.org/x/mod sumdb/note/note_test.go (TestOpen, TestSign,
    TestNewVerifier), commit 02c991387e35f9e4c0a9b7ce137717055f8d716d;
  - checkpoint bodies: golang.org/x/mod sumdb/tlog/note_test.go (TestFormatTree, TestParseTree);
  - RFC 6962 trees and inclusion proofs: github.com/transparency-dev/merkle proof/verify_test.go,
    commit 02194e9afb6c1d95b5381350007963aa70fff472.
"""
import base64
import copy
import hashlib
import json
import os
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(SCRIPTS)
VERIFIER = os.path.join(SCRIPTS, "verify_bundle.py")
sys.path.insert(0, SCRIPTS)
import verify_bundle as vb  # noqa: E402


# ---------------------------------------------------------------------------------------------
# The test's own bundle writer

def sha(b):
    return hashlib.sha256(b).digest()


def w_leaf(data):
    return sha(b"\x00" + data)


def w_mth(hs):
    """RFC 6962 2.1, as written there: split at the largest power of two smaller than n."""
    if len(hs) == 0:
        return sha(b"")
    if len(hs) == 1:
        return hs[0]
    k = 1
    while k * 2 < len(hs):
        k *= 2
    return sha(b"\x01" + w_mth(hs[:k]) + w_mth(hs[k:]))


def w_path(m, hs):
    """RFC 6962 2.1.1 PATH(m, D[n])."""
    if len(hs) <= 1:
        return []
    k = 1
    while k * 2 < len(hs):
        k *= 2
    if m < k:
        return w_path(m, hs[:k]) + [w_mth(hs[k:])]
    return w_path(m - k, hs[k:]) + [w_mth(hs[:k])]


class Signer:
    def __init__(self, name, seed=None):
        self.name = name
        self.priv = Ed25519PrivateKey.from_private_bytes(seed) if seed else Ed25519PrivateKey.generate()
        pub = self.priv.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.keyhash = sha(name.encode() + b"\n" + b"\x01" + pub)[:4]
        self.vkey = "%s+%s+%s" % (name, self.keyhash.hex(), base64.b64encode(b"\x01" + pub).decode())

    def sig_line(self, text):
        sig = self.priv.sign(text.encode())
        return "\u2014 %s %s\n" % (self.name, base64.b64encode(self.keyhash + sig).decode())

    def sign(self, text):
        return text + "\n" + self.sig_line(text)


def canon(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def make_log(n):
    """n canonical events alternating between two entries, plus complaints without an entry."""
    out = []
    for seq in range(1, n + 1):
        ev = {"v": 1, "seq": seq, "type": "entry_published", "entry": "P1" if seq % 2 else "P2",
              "at": "2021-09-%02dT10:00:00+08:00" % (1 + seq % 28), "actor": "court:baisha",
              "recorded_at": "2025-03-01T01:%02d:%02d.%03dZ" % (seq // 60, seq % 60, seq * 7 % 1000)}
        if seq % 5 == 0:
            ev = {"v": 1, "seq": seq, "type": "complaint_received", "complaint": f"TS-{seq}",
                  "at": ev["at"], "actor": "unit:caac", "recorded_at": ev["recorded_at"]}
        if seq == 3:
            ev["channels"] = ["网站 \"失信\" \\ /", "\u2028😀"]
        out.append(canon(ev))
    return out


ORIGIN = "listledger/court:baisha"
_FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Fixtures")
with open(os.path.join(_FIXTURES, "profiles", "baisha-2018.json"), encoding="utf-8") as _f:
    REFERENCE_PROFILE = json.load(_f)
with open(os.path.join(_FIXTURES, "calendars", "cn-official.json"), encoding="utf-8") as _f:
    REFERENCE_CALENDAR = json.load(_f)


def make_bundle(canons, signer, seqs=None, selection=None, origin=ORIGIN):
    n = len(canons)
    prev, hashes, prevs = bytes(32), [], []
    for c in canons:
        prevs.append(prev)
        prev = sha(prev + c)
        hashes.append(prev)
    leaves = [w_leaf(c) for c in canons]
    root = w_mth(leaves)
    seqs = list(range(1, n + 1)) if seqs is None else seqs
    return {
        "format": "listledger-audit-bundle/1",
        "origin": origin,
        "verifier_key": signer.vkey,
        "checkpoint": signer.sign(f"{origin}\n{n}\n{base64.b64encode(root).decode()}\n"),
        "tree_size": n,
        "root": base64.b64encode(root).decode(),
        "head": hashes[-1].hex() if n else "0" * 64,
        "selection": selection or {"kind": "all"},
        # The built-in rules, as an exporter writes them (a difference is warned about, see below).
        "profile": copy.deepcopy(REFERENCE_PROFILE),
        "calendar": copy.deepcopy(REFERENCE_CALENDAR),
        "events": [{"seq": s, "canonical": base64.b64encode(canons[s - 1]).decode(),
                    "hash": hashes[s - 1].hex(), "prev_hash": prevs[s - 1].hex(),
                    "proof": [base64.b64encode(p).decode() for p in w_path(s - 1, leaves)]} for s in seqs],
    }


def run(bundle, key, tmp_path, *extra, raw=None):
    p = tmp_path / "bundle.json"
    p.write_text(raw if raw is not None else json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    r = subprocess.run([sys.executable, VERIFIER, str(p), "--key", key, "--json", *extra],
                       capture_output=True, text=True, timeout=60)
    try:
        out = json.loads(r.stdout)
    except ValueError:
        out = None
    return r.returncode, out, r.stderr


def checks(out):
    return {(f["check"], f["seq"]) for f in out["failures"]}


def check_names(out):
    return {f["check"] for f in out["failures"]}


@pytest.fixture(scope="module")
def signer():
    return Signer("listledger-court-baisha")


@pytest.fixture(scope="module")
def log():
    return make_log(13)  # odd and not a power of two: the tree has a ragged right edge


@pytest.fixture
def good(log, signer):
    return make_bundle(log, signer)


def b64flip(s, byte=0, bit=0):
    b = bytearray(base64.b64decode(s))
    b[byte] ^= 1 << bit
    return base64.b64encode(bytes(b)).decode()


# ---------------------------------------------------------------------------------------------
# Good bundles

def test_good_all_bundle_passes(good, signer, tmp_path):
    rc, out, err = run(good, signer.vkey, tmp_path)
    assert rc == 0, (out, err)
    assert out == {"ok": True, "events": 13, "tree_size": 13, "failures": [], "warnings": []}


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17])
def test_good_bundles_of_many_sizes_pass(n, signer, tmp_path):
    rc, out, _ = run(make_bundle(make_log(n), signer), signer.vkey, tmp_path)
    assert rc == 0 and out["ok"], out


def test_good_entry_bundle_passes(log, signer, tmp_path):
    p1 = [s for s, c in enumerate(log, 1) if json.loads(c).get("entry") == "P1"]
    b = make_bundle(log, signer, seqs=p1, selection={"kind": "entry", "entry": "P1"})
    rc, out, _ = run(b, signer.vkey, tmp_path)
    assert rc == 0 and out["ok"] and out["events"] == len(p1), out


def test_entry_bundle_with_an_event_of_another_entry_fails(log, signer, tmp_path):
    b = make_bundle(log, signer, seqs=[1, 2, 3], selection={"kind": "entry", "entry": "P1"})
    rc, out, _ = run(b, signer.vkey, tmp_path)
    assert rc == 4 and checks(out) == {("selection", 2)}, out


def test_good_range_bundle_passes_and_human_output_says_ok(log, signer, tmp_path):
    b = make_bundle(log, signer, seqs=[4, 5, 6], selection={"kind": "range", "from": "2021-09-01", "to": "2021-09-30"})
    p = tmp_path / "b.json"
    p.write_text(json.dumps(b))
    r = subprocess.run([sys.executable, VERIFIER, str(p), "--key", signer.vkey], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "OK: every check holds" in r.stdout and "listledger/court:baisha" in r.stdout


def test_key_from_a_file_and_bundle_from_stdin(good, signer, tmp_path):
    kf = tmp_path / "trusted.key"
    kf.write_text("# the court's verifier key\n" + signer.vkey + "\n")
    r = subprocess.run([sys.executable, VERIFIER, "-", "--key", str(kf), "--json"],
                       input=json.dumps(good), capture_output=True, text=True)
    assert r.returncode == 0 and json.loads(r.stdout)["ok"], r.stdout + r.stderr


def test_the_bundles_own_verifier_key_is_not_trusted(good, signer, tmp_path):
    other = Signer("listledger-court-baisha")
    b = make_bundle([base64.b64decode(e["canonical"]) for e in good["events"]], other)
    # the bundle carries the (other) key that signed it, the auditor trusts `signer`
    rc, out, _ = run(b, signer.vkey, tmp_path)
    assert rc == 4 and "checkpoint_signature" in check_names(out), out
    assert any("not the trusted key" in w for w in out["warnings"])


def test_checkpoint_extension_lines_are_accepted(log, signer, tmp_path):
    b = make_bundle(log, signer)
    body = b["checkpoint"].split("\n\n")[0] + "\n"
    b["checkpoint"] = signer.sign(body + "extension line\n")
    rc, out, _ = run(b, signer.vkey, tmp_path)
    assert rc == 0 and out["warnings"], out


# ---------------------------------------------------------------------------------------------
# Tampering: each must be rejected naming the check

def test_flipped_bit_in_a_canonical_event(good, signer, tmp_path):
    e = good["events"][4]  # seq 5
    e["canonical"] = b64flip(e["canonical"], byte=20, bit=0)
    rc, out, _ = run(good, signer.vkey, tmp_path)
    assert rc == 4 and not out["ok"]
    assert {("chain_hash", 5), ("inclusion_proof", 5)} <= checks(out), out
    # only seq 5 is named; the root recomputed from all leaves no longer matches either
    assert {f["seq"] for f in out["failures"]} == {5, None}
    assert {f["check"] for f in out["failures"] if f["seq"] is None} == {"tree_root"}


def test_wrong_proof_hash(good, signer, tmp_path):
    good["events"][5]["proof"][1] = b64flip(good["events"][5]["proof"][1], byte=7, bit=3)
    rc, out, _ = run(good, signer.vkey, tmp_path)
    assert rc == 4 and checks(out) == {("inclusion_proof", 6)}, out
    assert "leads to root" in out["failures"][0]["detail"]


def test_missing_proof_hash(good, signer, tmp_path):
    good["events"][2]["proof"].pop()
    rc, out, _ = run(good, signer.vkey, tmp_path)
    assert rc == 4 and checks(out) == {("inclusion_proof", 3)}, out
    assert "needs 4" in out["failures"][0]["detail"]


def test_extra_proof_hash(good, signer, tmp_path):
    good["events"][7]["proof"].append(good["root"])
    rc, out, _ = run(good, signer.vkey, tmp_path)
    assert rc == 4 and checks(out) == {("inclusion_proof", 8)}, out


def test_last_leaf_has_a_short_path(good, signer, tmp_path):
    # leaf 12 of 13 sits on the ragged right edge: its path is two hashes (the subtrees of
    # leaves 8-11 and 0-7); a path padded with one more hash must fail
    assert len(good["events"][12]["proof"]) == 2
    good["events"][12]["proof"].insert(0, base64.b64encode(bytes(32)).decode())
    rc, out, _ = run(good, signer.vkey, tmp_path)
    assert rc == 4 and checks(out) == {("inclusion_proof", 13)}, out


def test_wrong_tree_size(good, signer, tmp_path):
    good["tree_size"] = 14
    rc, out, _ = run(good, signer.vkey, tmp_path)
    assert rc == 4 and "checkpoint_size" in check_names(out), out
    assert "contiguity" in check_names(out)


def test_smaller_tree_size_also_fails(good, signer, tmp_path):
    good["tree_size"] = 12
    rc, out, _ = run(good, signer.vkey, tmp_path)
    assert rc == 4 and {"checkpoint_size", "seq_range"} <= check_names(out), out


def test_checkpoint_signed_by_another_key(log, signer, tmp_path):
    b = make_bundle(log, Signer("someone-else"))
    rc, out, _ = run(b, signer.vkey, tmp_path)
    assert rc == 4 and check_names(out) == {"checkpoint_signature"}, out
    assert "no signature by the trusted key" in out["failures"][0]["detail"]
    assert "someone-else+" in out["failures"][0]["detail"]


def test_checkpoint_signed_by_another_key_of_the_same_name(log, signer, tmp_path):
    b = make_bundle(log, Signer(signer.name))
    rc, out, _ = run(b, signer.vkey, tmp_path)
    assert rc == 4 and check_names(out) == {"checkpoint_signature"}, out


def test_tampered_checkpoint_root(good, signer, tmp_path):
    lines = good["checkpoint"].split("\n")
    forged = b64flip(lines[2], byte=31, bit=7)
    good["checkpoint"] = "\n".join(lines[:2] + [forged] + lines[3:])
    rc, out, _ = run(good, signer.vkey, tmp_path)
    assert rc == 4 and {"checkpoint_signature", "checkpoint_root"} <= check_names(out), out
    # the forger also rewrites the bundle's root: still caught by the signature and the proofs
    good["root"] = forged
    rc, out, _ = run(good, signer.vkey, tmp_path)
    assert rc == 4 and "checkpoint_signature" in check_names(out), out
    assert "inclusion_proof" in check_names(out) and "tree_root" in check_names(out)


def test_checkpoint_for_another_origin(log, signer, tmp_path):
    b = make_bundle(log, signer, origin="listledger/court:other")
    b["origin"] = ORIGIN
    rc, out, _ = run(b, signer.vkey, tmp_path)
    assert rc == 4 and check_names(out) == {"checkpoint_origin"}, out


def test_corrupt_signature_bytes(good, signer, tmp_path):
    body, sigline = good["checkpoint"].split("\n\n")
    name, b64 = sigline[2:].rstrip("\n").split(" ")
    good["checkpoint"] = body + "\n\n\u2014 " + name + " " + b64flip(b64, byte=10) + "\n"
    rc, out, _ = run(good, signer.vkey, tmp_path)
    assert rc == 4 and check_names(out) == {"checkpoint_signature"}, out
    assert "does not verify" in out["failures"][0]["detail"]


def test_signature_line_with_a_hyphen_instead_of_an_em_dash(good, signer, tmp_path):
    good["checkpoint"] = good["checkpoint"].replace("\u2014 ", "- ")
    rc, out, _ = run(good, signer.vkey, tmp_path)
    assert rc == 4 and "checkpoint_signature" in check_names(out), out
    assert "EM DASH" in out["failures"][0]["detail"]


def test_dropped_event_in_an_all_bundle(good, signer, tmp_path):
    del good["events"][6]  # seq 7
    rc, out, _ = run(good, signer.vkey, tmp_path)
    assert rc == 4 and {("contiguity", 7), ("chain_link", 8)} <= checks(out), out
    assert "missing seq 7" in [f for f in out["failures"] if f["check"] == "contiguity"][0]["detail"]


def test_dropped_last_event_in_an_all_bundle(good, signer, tmp_path):
    del good["events"][-1]
    rc, out, _ = run(good, signer.vkey, tmp_path)
    assert rc == 4 and {"contiguity", "head"} <= check_names(out), out


def test_swapped_events(good, signer, tmp_path):
    ev = good["events"]
    ev[3], ev[4] = ev[4], ev[3]
    rc, out, _ = run(good, signer.vkey, tmp_path)
    assert rc == 4 and ("seq_order", 4) in checks(out), out


def test_swapped_canonical_bytes_between_two_events(good, signer, tmp_path):
    ev = good["events"]
    ev[3]["canonical"], ev[4]["canonical"] = ev[4]["canonical"], ev[3]["canonical"]
    rc, out, _ = run(good, signer.vkey, tmp_path)
    assert rc == 4 and {("canonical_seq", 4), ("canonical_seq", 5), ("chain_hash", 4), ("inclusion_proof", 5)} <= checks(out), out


def test_wrong_head(good, signer, tmp_path):
    good["head"] = good["events"][-2]["hash"]
    rc, out, _ = run(good, signer.vkey, tmp_path)
    assert rc == 4 and checks(out) == {("head", 13)}, out


def test_broken_link_between_consecutive_events(log, signer, tmp_path):
    # re-chain seq 6 from a wrong prev_hash: its own hash is consistent, the link is not
    b = make_bundle(log, signer)
    e = b["events"][5]
    e["prev_hash"] = "11" * 32
    e["hash"] = sha(bytes.fromhex(e["prev_hash"]) + base64.b64decode(e["canonical"])).hex()
    rc, out, _ = run(b, signer.vkey, tmp_path)
    assert rc == 4 and ("chain_link", 6) in checks(out) and ("chain_link", 7) in checks(out), out
    assert "chain_hash" not in check_names(out)


def test_first_event_must_follow_zero_hash(signer, tmp_path):
    canons = make_log(3)
    b = make_bundle(canons, signer)
    e = b["events"][0]
    e["prev_hash"] = "ab" * 32
    e["hash"] = sha(bytes.fromhex(e["prev_hash"]) + canons[0]).hex()
    rc, out, _ = run(b, signer.vkey, tmp_path)
    assert rc == 4 and ("chain_link", 1) in checks(out), out


def _reencode(canons, i, obj, raw=None):
    canons = list(canons)
    canons[i] = raw if raw is not None else canon(obj)
    return canons


def test_encoding_version_other_than_1(log, signer, tmp_path):
    # v = 2 is known since issue 12 (SPEC section 7); 3 is not.
    obj = json.loads(log[3]); obj["v"] = 3
    rc, out, _ = run(make_bundle(_reencode(log, 3, obj), signer), signer.vkey, tmp_path)
    assert rc == 4 and checks(out) == {("canonical_version", 4)}, out


def test_canonical_seq_differs_from_the_stated_seq(log, signer, tmp_path):
    obj = json.loads(log[3]); obj["seq"] = 40
    rc, out, _ = run(make_bundle(_reencode(log, 3, obj), signer), signer.vkey, tmp_path)
    assert rc == 4 and checks(out) == {("canonical_seq", 4)}, out


def test_bytes_not_in_canonical_form(log, signer, tmp_path):
    obj = json.loads(log[3])
    for raw in (json.dumps(obj, sort_keys=True).encode(),                       # white space
                json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode(),  # unsorted keys
                canon(obj).replace(b"/", b"\\/"),                              # escaped slash
                json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()):  # \\u escapes of Chinese
        if raw == canon(obj):
            continue
        rc, out, _ = run(make_bundle(_reencode(log, 3, None, raw), signer), signer.vkey, tmp_path)
        assert rc == 4 and checks(out) == {("canonical_form", 4)}, (raw, out)


def test_canonical_bytes_that_are_not_json(log, signer, tmp_path):
    rc, out, _ = run(make_bundle(_reencode(log, 3, None, b"{\"v\":1,"), signer), signer.vkey, tmp_path)
    assert rc == 4 and checks(out) == {("canonical_json", 4)}, out


def test_duplicate_keys_in_canonical_bytes(log, signer, tmp_path):
    raw = log[3][:-1] + b',"v":1}'
    rc, out, _ = run(make_bundle(_reencode(log, 3, None, raw), signer), signer.vkey, tmp_path)
    assert rc == 4 and checks(out) == {("canonical_json", 4)}, out


# ---------------------------------------------------------------------------------------------
# Unreadable input: exit 1, the message names the field

@pytest.mark.parametrize("mutate,field", [
    (lambda b: b.pop("root"), "root"),
    (lambda b: b.pop("checkpoint"), "checkpoint"),
    (lambda b: b.pop("calendar"), "calendar"),
    (lambda b: b["events"][2].pop("proof"), "events[2].proof"),
    (lambda b: b["events"][2].update(seq="3"), "events[2].seq"),
    (lambda b: b["events"][1].update(canonical="not base64!"), "events[1].canonical"),
    (lambda b: b["events"][1]["proof"].__setitem__(0, "AAAA"), "events[1].proof[0]"),
    (lambda b: b.update(head="xyz"), "head"),
    (lambda b: b.update(tree_size=True), "tree_size"),
    (lambda b: b.update(format="listledger-audit-bundle/2"), "format"),
    (lambda b: b["selection"].update(kind="everything"), "selection.kind"),
])
def test_missing_or_mistyped_field(good, signer, tmp_path, mutate, field):
    mutate(good)
    rc, out, err = run(good, signer.vkey, tmp_path)
    assert rc == 1, (rc, out, err)
    assert field + ":" in err, err
    assert out["ok"] is False and out["failures"][0]["check"] == "input"


def test_bad_json(signer, tmp_path):
    rc, _, err = run(None, signer.vkey, tmp_path, raw='{"format": "listledger-audit-bundle/1",')
    assert rc == 1 and "not JSON" in err


def test_malformed_trusted_key(good, signer, tmp_path):
    rc, _, err = run(good, signer.vkey[:-4] + "AAAA", tmp_path)
    assert rc == 1 and "--key" in err, err


def test_bad_command_line(tmp_path):
    r = subprocess.run([sys.executable, VERIFIER, "bundle.json"], capture_output=True, text=True)
    assert r.returncode == 64 and "--key" in r.stderr


# ---------------------------------------------------------------------------------------------
# C2SP signed notes against Go's published vectors (golang.org/x/mod sumdb/note/note_test.go)

PETER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_KEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = ("If you think cryptography is the answer to your problem,\n"
           "then you don't know what your problem is.\n")
PETER_SIG = "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
ENOCH_SIG = "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"


def test_go_note_opens_with_the_right_key():
    for key in (PETER_KEY, ENOCH_KEY):
        n = vb.open_note(GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG, vb.parse_verifier_key(key))
        assert n.text == GO_TEXT, n.error
    n = vb.open_note(GO_TEXT + "\n" + PETER_SIG, vb.parse_verifier_key(PETER_KEY))
    assert n.text == GO_TEXT and n.error is None


def test_go_note_without_the_trusted_signature_is_refused():
    n = vb.open_note(GO_TEXT + "\n" + PETER_SIG, vb.parse_verifier_key(ENOCH_KEY))
    assert n.text is None and "no signature by the trusted key EnochRoot+af0cfe78" in n.error
    assert n.other_signers == ["PeterNeumann+c74f20a3"]


def test_go_note_with_a_corrupted_signature_is_refused():
    # Go's "Invalid signature" case: ABCD inserted into the base64
    bad = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    n = vb.open_note(GO_TEXT + "\n" + bad, vb.parse_verifier_key(PETER_KEY))
    assert n.text is None and "does not verify" in n.error
    # Go's wrongHash case: the key hash no longer names the trusted key
    wrong = PETER_SIG.replace("x08g", "xxxx")
    n = vb.open_note(GO_TEXT + "\n" + wrong, vb.parse_verifier_key(PETER_KEY))
    assert n.text is None


@pytest.mark.parametrize("msg", [
    GO_TEXT,
    GO_TEXT + "\n",
    GO_TEXT + "\n" + PETER_SIG[:-1],
    "\x01" + GO_TEXT + "\n" + PETER_SIG,
    GO_TEXT + "\n" + "\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
    GO_TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
    GO_TEXT + "\n" + PETER_SIG * 101,
])
def test_go_malformed_notes_are_refused(msg):
    n = vb.open_note(msg, vb.parse_verifier_key(PETER_KEY))
    assert n.text is None and n.error


@pytest.mark.parametrize("key", [
    "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",  # wrong key length
    "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",          # unknown algorithm
    "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",          # wrong key hash
    "PeterNeumann+c74f20a3",
    "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
])
def test_go_bad_verifier_keys_are_refused(key):
    with pytest.raises(vb.InputError):
        vb.parse_verifier_key(key)


def test_go_good_verifier_keys_parse():
    k = vb.parse_verifier_key(PETER_KEY)
    assert str(k) == "PeterNeumann+c74f20a3" and k.encoded() == PETER_KEY


def test_the_test_signer_reproduces_gos_signature():
    # Ed25519 is deterministic: the writer's signer, given Go's private key, must produce
    # exactly the signature Go's TestSign expects (this checks the test's own writer).
    seed = base64.b64decode(PETER_SKEY.split("+", 4)[4])[1:]
    s = Signer("PeterNeumann", seed)
    assert s.vkey == PETER_KEY
    assert s.sign(GO_TEXT) == GO_TEXT + "\n" + PETER_SIG


# ---------------------------------------------------------------------------------------------
# RFC 6962 math against transparency-dev/merkle's vectors (proof/verify_test.go)

TD_LEAVES = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                          "606162636465666768696a6b6c6d6e6f"]]
TD_ROOTS = [bytes.fromhex(h) for h in [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]]
# (1-based leaf, tree size, audit path)
TD_PROOFS = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (2, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]


def test_merkle_roots_match_transparency_dev():
    leaves = [vb.leaf_hash(x) for x in TD_LEAVES]
    for n in range(1, 9):
        assert vb.mth(leaves[:n]) == TD_ROOTS[n - 1], n
        assert w_mth(leaves[:n]) == TD_ROOTS[n - 1], n
    assert vb.mth([]) == bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


@pytest.mark.parametrize("leaf,size,path", TD_PROOFS)
def test_inclusion_proofs_match_transparency_dev(leaf, size, path):
    leaves = [vb.leaf_hash(x) for x in TD_LEAVES]
    proof = [bytes.fromhex(h) for h in path]
    root = TD_ROOTS[size - 1]
    assert w_path(leaf - 1, leaves[:size]) == proof
    assert vb.inclusion_path_length(leaf - 1, size) == len(proof)
    assert vb.root_from_inclusion(leaf - 1, size, leaves[leaf - 1], proof) == root
    # the corruptions transparency-dev probes must not lead to the root
    probes = [(leaf - 2, size, proof), (leaf, size, proof), ((leaf - 1) ^ 2, size, proof),
              (leaf - 1, size * 2, proof), (leaf - 1, size // 2, proof),
              (leaf - 1, size, proof + [b""]), (leaf - 1, size, proof + [root]),
              (leaf - 1, size, [root] + proof)]
    probes += [(leaf - 1, size, proof[:i] + [bytes([proof[i][0] ^ 8]) + proof[i][1:]] + proof[i + 1:]) for i in range(len(proof))]
    if proof:
        probes.append((leaf - 1, size, proof[:-1]))
    for i, s, p in probes:
        if i < 0:
            continue
        assert vb.root_from_inclusion(i, s, leaves[leaf - 1], p) != root, (i, s, len(p))


def test_inclusion_proofs_in_bigger_trees_agree_with_the_writer():
    leaves = [vb.leaf_hash(bytes([i])) for i in range(37)]
    for n in range(1, 38):
        root = w_mth(leaves[:n])
        assert vb.mth(leaves[:n]) == root
        for m in range(n):
            p = w_path(m, leaves[:n])
            assert vb.inclusion_path_length(m, n) == len(p)
            assert vb.root_from_inclusion(m, n, leaves[m], p) == root


# ---------------------------------------------------------------------------------------------
# The golden canonical vectors, bundled, verify

def test_golden_vectors_as_an_all_bundle(signer, tmp_path):
    with open(os.path.join(ROOT, "Fixtures", "vectors", "canonical", "events.json"), encoding="utf-8") as f:
        gv = json.load(f)
    canons = [c["canonical"].encode("utf-8") for c in gv["cases"]]
    b = make_bundle(canons, signer)
    assert b["head"] == gv["head"]
    assert base64.b64decode(b["root"]).hex() == gv["merkle_root"]
    for e, c in zip(b["events"], gv["cases"]):
        assert (e["hash"], e["prev_hash"]) == (c["hash"], c["prev_hash"])
    rc, out, _ = run(b, signer.vkey, tmp_path)
    assert rc == 0 and out["ok"], out


# ---------------------------------------------------------------------------------------------
# Checkpoint bodies against Go's tree-note vectors (golang.org/x/mod sumdb/tlog/note_test.go,
# TestFormatTree / TestParseTree): same three-line shape as a C2SP checkpoint.

GO_TREE = "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n"


def test_go_tree_note_parses_as_a_checkpoint_body():
    origin, size, root, ext = vb.parse_checkpoint_body(GO_TREE)
    assert (origin, size, ext) == ("go.sum database tree", 123456789012, [])
    assert root == vb.leaf_hash(b"hello world")  # Go: RecordHash([]byte("hello world"))
    assert vb.parse_checkpoint_body(GO_TREE + "JOE\n")[3] == ["JOE"]  # an extension line


@pytest.mark.parametrize("bad", [
    GO_TREE.replace("123456789012", "0xabcdef"),
    GO_TREE.replace("Bb0=", "BTOOBIG="),
    GO_TREE.replace("123456789012", "+123456789012"),
    GO_TREE.replace("123456789012", "0123456789012"),
    GO_TREE.replace("123456789012", "18446744073709551616"),
    GO_TREE[:-1],                      # no final newline
    GO_TREE + "\n",                    # an empty extension line
    "\n123\n" + GO_TREE.split("\n")[2] + "\n",  # empty origin
    "go.sum database tree\n12\n",       # no root line
])
def test_malformed_checkpoint_bodies_are_refused(bad):
    with pytest.raises(ValueError):
        vb.parse_checkpoint_body(bad)


def test_malformed_checkpoint_body_in_a_signed_note_is_named(log, signer, tmp_path):
    b = make_bundle(log, signer)
    b["checkpoint"] = signer.sign(f"{ORIGIN}\n013\n{b['root']}\n")
    rc, out, _ = run(b, signer.vkey, tmp_path)
    assert rc == 4 and check_names(out) == {"checkpoint_format"}, out


def test_repeated_and_out_of_range_seqs_in_an_all_bundle(good, signer, tmp_path):
    good["events"].insert(3, copy.deepcopy(good["events"][3]))  # seq 4 twice
    rc, out, _ = run(good, signer.vkey, tmp_path)
    assert rc == 4 and ("seq_order", 4) in checks(out), out
    assert "repeated seq 4" in [f for f in out["failures"] if f["check"] == "contiguity"][0]["detail"]


def test_a_large_all_bundle_is_quick(signer, tmp_path):
    import time
    b = make_bundle(make_log(1000), signer)
    t = time.time()
    rc, out, _ = run(b, signer.vkey, tmp_path)
    assert rc == 0 and out["events"] == 1000 and time.time() - t < 20


def test_key_file_in_the_words_of_a_key_listing(good, signer, tmp_path):
    kf = tmp_path / "keys.txt"
    kf.write_text(f"signer: PRIVATE key kept in the ledger\nverifier key: {signer.vkey}\n")
    rc, out, err = run(good, str(kf), tmp_path)
    assert rc == 0 and out["ok"], err
    kf.write_text(f"{signer.vkey}\n{Signer('other').vkey}\n")
    rc, _, err = run(good, str(kf), tmp_path)
    assert rc == 1 and "exactly one verifier key" in err and "holds 2" in err


# ---------------------------------------------------------------------------------------------
# Rules that differ from the built-in ones, and range bundles (issue 9 point 15)

def test_a_changed_profile_period_and_calendar_day_are_each_named(log, signer, tmp_path):
    b = make_bundle(log, signer)
    b["profile"]["correction_review"]["days"] = 5
    days_off = b["calendar"]["years"]["2025"]["days_off"]
    days_off.remove("2025-10-08")
    rc, out, _ = run(b, signer.vkey, tmp_path)
    assert rc == 0 and out["ok"], out  # the signature does not cover the rules: warned, not failed
    assert any("profile period correction_review: the bundle's 5 calendar days, baisha-2018's 3 calendar days" in w
               for w in out["warnings"]), out["warnings"]
    assert any("calendar day 2025-10-08: an ordinary day in the bundle's calendar, a day off in the built-in one" in w
               for w in out["warnings"]), out["warnings"]


def test_a_range_bundle_warns_that_derived_obligations_may_be_incomplete(log, signer, tmp_path):
    b = make_bundle(log, signer, seqs=[4, 5, 6], selection={"kind": "range", "from": "2021-09-01", "to": "2021-09-30"})
    rc, out, _ = run(b, signer.vkey, tmp_path)
    assert rc == 0 and any("may be incomplete" in w and "R1" in w for w in out["warnings"]), out



# --- encoding v2 and erased entries (issue 12, SPEC section 7) ---------------------------------

SALT = bytes(range(32))


def _v2_log():
    """A v1 event and v2 events side by side: a v2 inclusion (commitments), then its erasure."""
    c_name = hashlib.sha256(SALT + "测试甲".encode()).hexdigest()
    c_id = hashlib.sha256(SALT + b"460030198001010105").hexdigest()
    v1 = {"v": 1, "seq": 1, "type": "entry_published", "entry": "P1", "at": "2021-09-01T10:00:00+08:00",
          "actor": "court:baisha", "recorded_at": "2025-03-01T01:00:00.000Z"}
    inc = {"v": 2, "seq": 2, "type": "inclusion_decided", "entry": "E2", "at": "2024-09-10T10:00:00+08:00",
           "actor": "court:baisha", "recorded_at": "2025-03-01T01:00:01.000Z", "court": "court:baisha", "case": "c",
           "debtor": {"kind": "person", "name": {"commitment": c_name}, "id_number": {"commitment": c_id}},
           "grounds": ["able_but_refuses"], "public": True}
    er = {"v": 2, "seq": 3, "type": "personal_data_erased", "entry": "E2", "at": "2025-01-01T10:00:00+08:00",
          "actor": "court:baisha", "recorded_at": "2025-03-01T01:00:02.000Z", "reason": "PIPL art. 47"}
    return [v1, inc, er]


def test_v1_and_v2_side_by_side_and_an_erased_entry_pass(signer, tmp_path):
    rc, out, _ = run(make_bundle([canon(o) for o in _v2_log()], signer), signer.vkey, tmp_path)
    assert rc == 0 and out["ok"], out
    assert out["erased_entries"] == ["E2"]
    assert any("commitments only" in w for w in out["warnings"])


def test_v2_event_with_a_value_in_clear_fails(signer, tmp_path):
    log = _v2_log()
    log[1]["debtor"]["name"] = "测试甲"
    rc, out, _ = run(make_bundle([canon(o) for o in log], signer), signer.vkey, tmp_path)
    assert rc == 4 and checks(out) == {("personal_commitment", 2)}, out


def test_v2_commitment_in_upper_case_hex_fails(signer, tmp_path):
    log = _v2_log()
    log[1]["debtor"]["id_number"]["commitment"] = log[1]["debtor"]["id_number"]["commitment"].upper()
    rc, out, _ = run(make_bundle([canon(o) for o in log], signer), signer.vkey, tmp_path)
    assert rc == 4 and checks(out) == {("personal_commitment", 2)}, out


def test_check_value_opens_a_commitment_and_refuses_another_value(signer, tmp_path):
    bundle = make_bundle([canon(o) for o in _v2_log()], signer)
    rc, out, _ = run(bundle, signer.vkey, tmp_path, "--check-value", "2", "debtor.id_number", SALT.hex(), "460030198001010105")
    assert rc == 0, out
    rc, out, _ = run(bundle, signer.vkey, tmp_path, "--check-value", "2", "debtor.id_number", SALT.hex(), "460030198001010113")
    assert rc == 4 and checks(out) == {("check_value", 2)}, out


def test_disclosed_values_must_open_their_commitments(signer, tmp_path):
    bundle = make_bundle([canon(o) for o in _v2_log()], signer)
    bundle["events"][1]["personal"] = {"debtor.name": {"salt": SALT.hex(), "value": "测试甲"},
                                       "debtor.id_number": {"salt": SALT.hex(), "value": "460030198001010105"}}
    rc, out, _ = run(bundle, signer.vkey, tmp_path)
    assert rc == 0, out
    bundle["events"][1]["personal"]["debtor.name"]["value"] = "测试乙"
    rc, out, _ = run(bundle, signer.vkey, tmp_path)
    assert rc == 4 and checks(out) == {("personal_value", 2)}, out
