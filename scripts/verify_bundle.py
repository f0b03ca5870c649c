#!/usr/bin/env python3
"""An independent auditor's verifier for ListLedger audit bundles (`listledger-audit-bundle/1`).

    python3 scripts/verify_bundle.py BUNDLE --key VERIFIER_KEY_OR_FILE [--json]

BUNDLE is the JSON file written by `listledger export --bundle` (or `-` for standard input).
--key is the verifier key the auditor trusts, in signed-note form `NAME+KEYHASH+BASE64`, or a
file holding it. The bundle's own `verifier_key` field is informational and never trusted.

It checks, following docs/design.md ("Audit bundle"):
  - the checkpoint is a C2SP signed note with a valid Ed25519 signature by the trusted key
    (key name and key hash match, signature lines start with an EM DASH);
  - the checkpoint body (C2SP tlog-checkpoint: origin, tree size, base64 root) equals the
    bundle's `origin`, `tree_size`, `root`;
  - for each event: `canonical` is UTF-8 JSON in canonical form (RFC 8785) with `v` = 1 and the
    stated `seq`; `hash` = SHA-256(prev_hash || canonical); its RFC 6962 inclusion proof
    (leaf index seq - 1) leads to `root`; seqs strictly increase and lie in 1..tree_size;
    consecutive seqs are linked (prev_hash = the previous hash; seq 1 follows 32 zero bytes);
    the event with seq = tree_size has hash `head`;
  - for {"kind": "all"}: seqs run 1..tree_size without a gap, every link holds, the last hash
    is `head`, and the Merkle root recomputed from all leaves is `root`;
  - for {"kind": "entry"}: no event names another entry.

Exit status: 0 every check holds; 4 an integrity check failed; 1 unreadable input (bad JSON, a
missing or mistyped field, a malformed key: the message names the field); 64 a bad command line.

Needs only the Python standard library plus `cryptography` (for Ed25519):
    python3 -m pip install cryptography      (or: apt-get install python3-cryptography)
"""
import argparse
import base64
import binascii
import collections
import datetime as dt
import hashlib
import json
import os
import re
import sys

FORMAT = "listledger-audit-bundle/1"
EXIT_OK, EXIT_INPUT, EXIT_INTEGRITY, EXIT_USAGE = 0, 1, 4, 64
ZERO32 = bytes(32)
EM_DASH_PREFIX = "\u2014 "
MAX_SIGNATURES = 100  # as golang.org/x/mod/sumdb/note.Open


class InputError(Exception):
    """The input cannot be read as a bundle (exit 1). The message names the field."""


# ---------------------------------------------------------------------------------------------
# Ed25519 (the only non-standard-library dependency)

def _ed25519():
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        sys.stderr.write(
            "verify_bundle.py needs the Python package 'cryptography' for Ed25519 signatures.\n"
            "Install it with:  python3 -m pip install cryptography\n"
            "or on Debian/Ubuntu:  apt-get install python3-cryptography\n")
        sys.exit(EXIT_INPUT)
    return Ed25519PublicKey, InvalidSignature


def ed25519_verify(public_key, signature, message):
    Ed25519PublicKey, InvalidSignature = _ed25519()
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
        return True
    except (InvalidSignature, ValueError):
        return False


# ---------------------------------------------------------------------------------------------
# Encodings

def b64decode_strict(s, field):
    if not isinstance(s, str):
        raise InputError(f"{field}: expected a base64 string, got {type(s).__name__}")
    try:
        return base64.b64decode(s.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as e:
        raise InputError(f"{field}: not standard base64 ({e})") from None


def hash_from_b64(s, field):
    b = b64decode_strict(s, field)
    if len(b) != 32:
        raise InputError(f"{field}: a SHA-256 hash is 32 bytes, this is {len(b)}")
    return b


def hash_from_hex(s, field):
    if not isinstance(s, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", s):
        raise InputError(f"{field}: expected 64 hex digits (a SHA-256 hash), got {str(s)[:80]!r}")
    return bytes.fromhex(s)


def sha256(b):
    return hashlib.sha256(b).digest()


# ---------------------------------------------------------------------------------------------
# RFC 6962 / RFC 9162 Merkle tree

def leaf_hash(data):
    return sha256(b"\x00" + data)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def mth(leaf_hashes):
    """Merkle Tree Hash (RFC 6962 2.1) of a list of leaf hashes, computed bottom-up."""
    if not leaf_hashes:
        return sha256(b"")
    level = list(leaf_hashes)
    while len(level) > 1:
        # Pairing left to right and carrying an odd last node up unchanged gives the same tree
        # as RFC 6962's split at the largest power of two below n.
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def inclusion_path_length(index, size):
    """Number of hashes in the audit path of leaf `index` in a tree of `size` leaves."""
    n = 0
    while size > 1:
        k = 1 << ((size - 1).bit_length() - 1)  # largest power of two < size
        if index < k:
            size = k
        else:
            index, size = index - k, size - k
        n += 1
    return n


def root_from_inclusion(index, size, leaf, proof):
    """RFC 9162 2.1.3.2: the root the audit path `proof` leads to from `leaf` at `index` in a
    tree of `size`, or None if the path cannot belong to such a tree (wrong length)."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None  # more hashes than the path has levels
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                # fn is the last node of its level and has no right sibling: climb while it is
                # a left child, those levels carry it up unchanged.
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return None  # fewer hashes than the path needs
    return r


# ---------------------------------------------------------------------------------------------
# C2SP signed notes (https://c2sp.org/signed-note) and checkpoints (https://c2sp.org/tlog-checkpoint)

def valid_key_name(name):
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_hash(name, key_bytes):
    return sha256(name.encode("utf-8") + b"\n" + key_bytes)[:4]


class VerifierKey:
    def __init__(self, name, keyhash, public_key):
        self.name, self.keyhash, self.public_key = name, keyhash, public_key

    def __str__(self):
        return f"{self.name}+{self.keyhash.hex()}"

    def encoded(self):
        return f"{self}+" + base64.b64encode(b"\x01" + self.public_key).decode()


def parse_verifier_key(text, field="--key"):
    """`NAME+KEYHASH+BASE64(0x01 || 32-byte Ed25519 key)` -> VerifierKey, or InputError."""
    if not isinstance(text, str):
        raise InputError(f"{field}: expected a verifier key string")
    s = text.strip()
    parts = s.split("+", 2)
    if len(parts) != 3:
        raise InputError(f"{field}: a verifier key is NAME+KEYHASH+BASE64, got {s[:80]!r}")
    name, hash16, key64 = parts
    if not valid_key_name(name):
        raise InputError(f"{field}: key name {name!r} is empty or has white space or '+'")
    if not re.fullmatch(r"[0-9a-f]{8}", hash16):
        raise InputError(f"{field}: key hash {hash16!r} is not 8 lower-case hex digits")
    raw = b64decode_strict(key64, field)
    if not raw or raw[0] != 0x01:
        raise InputError(f"{field}: unknown signature algorithm {raw[:1].hex() or 'none'} (Ed25519 is 01)")
    if len(raw) != 33:
        raise InputError(f"{field}: an Ed25519 key is 32 bytes, this one is {len(raw) - 1}")
    if key_hash(name, raw).hex() != hash16:
        raise InputError(f"{field}: key hash {hash16} does not match the key (it should be {key_hash(name, raw).hex()})")
    return VerifierKey(name, bytes.fromhex(hash16), raw[1:])


def read_key_argument(arg):
    """--key takes the key itself, or a file holding exactly one verifier key (for example the
    output of `listledger keys show`: any word on any line that parses as a key counts)."""
    if not os.path.isfile(arg):
        return parse_verifier_key(arg)
    try:
        with open(arg, encoding="utf-8") as f:
            words = f.read().split()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"--key: cannot read {arg}: {e}") from None
    keys = {}
    errors = []
    for w in words:
        if w.count("+") < 2:
            continue
        try:
            k = parse_verifier_key(w, f"--key (file {arg})")
            keys[k.encoded()] = k
        except InputError as e:
            errors.append(str(e))
    if len(keys) != 1:
        why = f" ({errors[0]})" if errors and not keys else ""
        raise InputError(f"--key: {arg} should hold exactly one verifier key NAME+KEYHASH+BASE64, "
                         f"it holds {len(keys)}{why}")
    return next(iter(keys.values()))


class OpenedNote:
    def __init__(self):
        self.text = None        # the signed text, when a signature by the trusted key verified
        self.body = None        # the text part, even when unverified (for diagnostics)
        self.error = None       # why it did not verify
        self.other_signers = []


def open_note(msg, key):
    """Opens a C2SP signed note and checks for a valid signature by `key`.

    Follows the signed-note spec (and golang.org/x/mod/sumdb/note.Open): UTF-8 text with no
    control characters but newline; the last blank line splits text from signature lines;
    each signature line is EM DASH, space, key name, space, base64(4-byte key hash || sig).
    Signatures by other keys are ignored; a signature by the trusted key that fails is an error."""
    res = OpenedNote()
    if not isinstance(msg, str):
        res.error = "the checkpoint is not a string"
        return res
    try:
        msg.encode("utf-8")
    except UnicodeEncodeError:
        res.error = "malformed note: not valid UTF-8"
        return res
    bad = [c for c in msg if ord(c) < 0x20 and c != "\n"]
    if bad:
        res.error = f"malformed note: control character U+{ord(bad[0]):04X}"
        return res
    split = msg.rfind("\n\n")
    if split < 0:
        res.error = "malformed note: no blank line before the signatures"
        return res
    text, sigs = msg[:split + 1], msg[split + 2:]
    res.body = text
    if not sigs or not sigs.endswith("\n"):
        res.error = "malformed note: the signature block is empty or does not end in a newline"
        return res
    lines = sigs[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        res.error = f"malformed note: more than {MAX_SIGNATURES} signatures"
        return res
    verified = False
    for ln in lines:
        if not ln.startswith(EM_DASH_PREFIX):
            res.error = f"malformed note: signature line {ln[:60]!r} does not start with an EM DASH and a space"
            return res
        name, _, b64 = ln[len(EM_DASH_PREFIX):].partition(" ")
        try:
            sig = base64.b64decode(b64.encode("ascii"), validate=True) if b64 else b""
        except (binascii.Error, UnicodeEncodeError, ValueError):
            sig = b""
        if not valid_key_name(name) or len(sig) < 5:
            res.error = f"malformed note: bad signature line {ln[:60]!r}"
            return res
        if name != key.name or sig[:4] != key.keyhash:
            res.other_signers.append(f"{name}+{sig[:4].hex()}")
            continue
        if verified:
            continue  # a repeated signature by the same key is ignored, as Go does
        if not ed25519_verify(key.public_key, sig[4:], text.encode("utf-8")):
            res.error = f"the signature by {key} does not verify over the note text"
            return res
        verified = True
    if not verified:
        others = ", ".join(res.other_signers) or "none"
        res.error = f"no signature by the trusted key {key} (signatures by: {others})"
        return res
    res.text = text
    return res


def parse_checkpoint_body(text):
    """C2SP tlog-checkpoint body -> (origin, size, root bytes, extension lines); ValueError."""
    if not text.endswith("\n"):
        raise ValueError("the body does not end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise ValueError(f"the body has {len(lines)} lines, a checkpoint needs origin, size and root")
    origin, size, root64 = lines[0], lines[1], lines[2]
    if not origin:
        raise ValueError("empty origin line")
    if not re.fullmatch(r"0|[1-9][0-9]*", size) or int(size) >= 1 << 64:
        raise ValueError(f"tree size {size!r} is not a decimal number without leading zeros")
    try:
        root = base64.b64decode(root64.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ValueError(f"root {root64!r} is not base64") from None
    if len(root) != 32:
        raise ValueError(f"root is {len(root)} bytes, not 32")
    ext = lines[3:]
    if any(not x for x in ext):
        raise ValueError("an empty extension line")
    return origin, int(size), root, ext


# ---------------------------------------------------------------------------------------------
# Canonical form (docs/design.md "Canonical bytes": RFC 8785 for the value types events use)

def _canon_str(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch in "\b\f\n\r\t":
            out.append("\\" + "bfnrt"["\b\f\n\r\t".index(ch)])
        elif o < 0x20:
            out.append(f"\\u{o:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def canonical_form(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return _canon_str(v)
    if isinstance(v, list):
        return "[" + ",".join(canonical_form(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(_canon_str(k) + ":" + canonical_form(v[k]) for k in keys) + "}"
    raise ValueError(f"a {type(v).__name__} value ({v!r}) has no place in a v1 event")


def _no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError(f"duplicate key {k!r}")
        d[k] = v
    return d


def _no_constants(name):
    raise ValueError(f"{name} is not JSON")


DEBTOR_FIELDS = ("name", "id_number", "legal_representative")
CORRECTION_FIELDS = ("debtor.name", "debtor.id_number", "debtor.legal_representative")


def personal_positions(obj):
    """(path, value) of each personal value of a canonical event (SPEC section 7)."""
    out = []
    if isinstance(obj.get("debtor"), dict):
        out += [("debtor." + k, obj["debtor"][k]) for k in DEBTOR_FIELDS if k in obj["debtor"]]
    if isinstance(obj.get("corrections"), dict):
        out += [("corrections." + k, obj["corrections"][k]) for k in CORRECTION_FIELDS if k in obj["corrections"]]
    return out


def commitment_of(item):
    """The 32-byte commitment of {"commitment": "<64 lowercase hex>"}, else None."""
    if not isinstance(item, dict) or set(item) != {"commitment"} or not isinstance(item["commitment"], str):
        return None
    c = item["commitment"]
    if len(c) != 64 or any(ch not in "0123456789abcdef" for ch in c):
        return None
    return bytes.fromhex(c)


def opens(commitment, salt, value):
    """Whether SHA-256(salt || UTF-8 value) is the commitment (an auditor given value and salt)."""
    return hashlib.sha256(salt + value.encode("utf-8")).digest() == commitment


def strict_json(text):
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)


# ---------------------------------------------------------------------------------------------
# Instants, for the range selection

RE_AT = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:\d{2})\Z")


def beijing_day(at):
    m = RE_AT.match(at) if isinstance(at, str) else None
    if not m:
        return None
    y, mo, d, h, mi, s, frac, off = m.groups()
    sign = -1 if off.startswith("-") else 1
    offset = dt.timedelta(0) if off == "Z" else sign * dt.timedelta(hours=int(off[1:3]), minutes=int(off[4:6]))
    try:
        t = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=dt.timezone(offset))
    except ValueError:
        return None
    return t.astimezone(dt.timezone(dt.timedelta(hours=8))).date()


# ---------------------------------------------------------------------------------------------
# Reading a bundle

class Event:
    def __init__(self, i, seq, canonical, hash_, prev_hash, proof):
        self.i, self.seq, self.canonical, self.hash, self.prev_hash, self.proof = i, seq, canonical, hash_, prev_hash, proof
        self.parsed = None
        self.personal = {}


class Bundle:
    pass


def _need(obj, key, where, kind):
    if key not in obj:
        raise InputError(f"{where}{key}: missing field")
    v = obj[key]
    ok = {
        "string": isinstance(v, str),
        "object": isinstance(v, dict),
        "list": isinstance(v, list),
        "integer": isinstance(v, int) and not isinstance(v, bool),
    }[kind]
    if not ok:
        raise InputError(f"{where}{key}: expected {'an' if kind[0] in 'aeiou' else 'a'} {kind}, got {type(v).__name__}")
    return v


def _is_date(v):
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return False
    try:
        dt.date.fromisoformat(v)
        return True
    except ValueError:
        return False


def load_bundle(text):
    try:
        obj = strict_json(text)
    except (ValueError, RecursionError) as e:
        raise InputError(f"bundle: not JSON ({e})") from None
    if not isinstance(obj, dict):
        raise InputError("bundle: expected a JSON object")
    b = Bundle()
    b.format = _need(obj, "format", "", "string")
    if b.format != FORMAT:
        raise InputError(f"format: {b.format!r} is not {FORMAT!r}, the only format this verifier reads")
    b.origin = _need(obj, "origin", "", "string")
    b.verifier_key = _need(obj, "verifier_key", "", "string")
    b.checkpoint = _need(obj, "checkpoint", "", "string")
    b.tree_size = _need(obj, "tree_size", "", "integer")
    if b.tree_size < 0:
        raise InputError("tree_size: negative")
    b.root = hash_from_b64(_need(obj, "root", "", "string"), "root")
    b.head = hash_from_hex(_need(obj, "head", "", "string"), "head")
    sel = _need(obj, "selection", "", "object")
    kind = _need(sel, "kind", "selection.", "string")
    if kind == "entry":
        _need(sel, "entry", "selection.", "string")
    elif kind == "range":
        for k in ("from", "to"):
            v = _need(sel, k, "selection.", "string")
            if not _is_date(v):
                raise InputError(f"selection.{k}: {v!r} is not a date YYYY-MM-DD")
    elif kind != "all":
        raise InputError(f"selection.kind: {kind!r} is not all, entry or range")
    b.selection = sel
    b.profile = _need(obj, "profile", "", "object")
    b.calendar = _need(obj, "calendar", "", "object")
    b.events = []
    for i, e in enumerate(_need(obj, "events", "", "list")):
        w = f"events[{i}]."
        if not isinstance(e, dict):
            raise InputError(f"events[{i}]: expected an object")
        seq = _need(e, "seq", w, "integer")
        canonical = b64decode_strict(_need(e, "canonical", w, "string"), w + "canonical")
        h = hash_from_hex(_need(e, "hash", w, "string"), w + "hash")
        p = hash_from_hex(_need(e, "prev_hash", w, "string"), w + "prev_hash")
        proof = [hash_from_b64(x, f"{w}proof[{j}]") for j, x in enumerate(_need(e, "proof", w, "list"))]
        personal = e.get("personal", {})
        if not isinstance(personal, dict) or not all(
                isinstance(d, dict) and isinstance(d.get("salt"), str) and isinstance(d.get("value"), str) for d in personal.values()):
            raise InputError(f"{w}personal: expected {{\"<path>\": {{\"salt\": \"<hex>\", \"value\": \"...\"}}}}")
        b.events.append(Event(i, seq, canonical, h, p, proof))
        b.events[-1].personal = personal
    return b


# ---------------------------------------------------------------------------------------------
# Verification

class Report:
    def __init__(self):
        self.failures = []
        self.warnings = []
        self.info = {}

    def fail(self, seq, check, detail):
        self.failures.append({"seq": seq, "check": check, "detail": detail})

    @property
    def ok(self):
        return not self.failures


def verify(b, key):
    r = Report()
    r.info.update(origin=b.origin, tree_size=b.tree_size, events=len(b.events),
                  selection=b.selection, root=base64.b64encode(b.root).decode(), key=str(key))
    if b.verifier_key.strip() != key.encoded():
        r.warnings.append(f"the bundle names verifier key {b.verifier_key[:100]!r}, not the trusted key {key}; "
                          "only the trusted key counts")

    # 1. the checkpoint
    note = open_note(b.checkpoint, key)
    if note.text is None:
        r.fail(None, "checkpoint_signature", note.error)
    r.info["signature"] = "ok" if note.text is not None else note.error
    body = note.text if note.text is not None else note.body
    if body is not None:
        try:
            origin, size, root, ext = parse_checkpoint_body(body)
        except ValueError as e:
            r.fail(None, "checkpoint_format", f"the checkpoint body is not a C2SP checkpoint: {e}")
        else:
            unsigned = "" if note.text is not None else " (in the unverified checkpoint)"
            if origin != b.origin:
                r.fail(None, "checkpoint_origin", f"checkpoint origin {origin!r}{unsigned}, bundle origin {b.origin!r}")
            if size != b.tree_size:
                r.fail(None, "checkpoint_size", f"checkpoint tree size {size}{unsigned}, bundle tree_size {b.tree_size}")
            if root != b.root:
                r.fail(None, "checkpoint_root", f"checkpoint root {base64.b64encode(root).decode()}{unsigned}, "
                                                f"bundle root {base64.b64encode(b.root).decode()}")
            if ext:
                r.warnings.append(f"the checkpoint carries {len(ext)} extension line(s), not interpreted")

    # 2. each event on its own
    erased, v1_personal = set(), set()
    for e in b.events:
        s = e.seq
        try:
            txt = e.canonical.decode("utf-8")
            obj = strict_json(txt)
        except (UnicodeDecodeError, ValueError, RecursionError) as x:
            r.fail(s, "canonical_json", f"the canonical bytes are not UTF-8 JSON: {x}")
            obj = None
        if obj is not None and not isinstance(obj, dict):
            r.fail(s, "canonical_json", "the canonical bytes are not a JSON object")
            obj = None
        if obj is not None:
            e.parsed = obj
            v = obj.get("v")
            if v not in (1, 2) or isinstance(v, bool):
                r.fail(s, "canonical_version", f"encoding version v is {v!r}, this verifier knows v = 1 and 2")
            elif v == 2:
                positions = dict(personal_positions(obj))
                for path, item in positions.items():
                    if commitment_of(item) is None:
                        r.fail(s, "personal_commitment", f"in encoding v2 {path} must be {{\"commitment\":\"<64 lowercase hex>\"}}, "
                                                         f"found {json.dumps(item, ensure_ascii=False)}")
                # Disclosed values travel unsigned beside the bytes: each must open its commitment.
                for path, d in sorted(e.personal.items()):
                    c = commitment_of(positions.get(path))
                    try:
                        salt = bytes.fromhex(d["salt"])
                    except ValueError:
                        salt = b""
                    if c is None or len(salt) != 32 or not opens(c, salt, d["value"]):
                        r.fail(s, "personal_value", f"the disclosed {path} and its salt do not open the event's commitment")
            elif personal_positions(obj):
                v1_personal.add(obj.get("entry"))
            if obj.get("type") == "personal_data_erased" and isinstance(obj.get("entry"), str):
                erased.add(obj["entry"])
            cs = obj.get("seq")
            if cs != s or isinstance(cs, bool):
                r.fail(s, "canonical_seq", f"the canonical bytes say seq {cs!r}, the bundle says {s}")
            try:
                again = canonical_form(obj).encode("utf-8")
            except ValueError as x:
                r.fail(s, "canonical_form", str(x))
            else:
                if again != e.canonical:
                    at = next((i for i, (p, q) in enumerate(zip(again, e.canonical)) if p != q), min(len(again), len(e.canonical)))
                    r.fail(s, "canonical_form", f"the bytes are not in canonical form (first difference at byte {at})")
        want = sha256(e.prev_hash + e.canonical)
        if want != e.hash:
            r.fail(s, "chain_hash", f"SHA-256(prev_hash || canonical) is {want.hex()}, the bundle says {e.hash.hex()}")
        if not 1 <= s <= b.tree_size:
            r.fail(s, "seq_range", f"seq {s} is outside the checkpoint's tree of size {b.tree_size} (1..{b.tree_size})")
        else:
            need = inclusion_path_length(s - 1, b.tree_size)
            got = root_from_inclusion(s - 1, b.tree_size, leaf_hash(e.canonical), e.proof)
            if len(e.proof) != need:
                r.fail(s, "inclusion_proof", f"the proof has {len(e.proof)} hashes, leaf {s - 1} of a tree of "
                                             f"{b.tree_size} needs {need}")
            elif got != b.root:
                r.fail(s, "inclusion_proof", f"the proof leads to root {base64.b64encode(got).decode()}, "
                                             f"not {base64.b64encode(b.root).decode()}")
        if s == 1 and e.prev_hash != ZERO32:
            r.fail(s, "chain_link", "seq 1 must follow 32 zero bytes, its prev_hash is " + e.prev_hash.hex())
        if s == b.tree_size and e.hash != b.head:
            r.fail(s, "head", f"the hash of seq {s} (the last in the tree) is {e.hash.hex()}, the bundle's head is {b.head.hex()}")
        if b.selection["kind"] == "entry" and e.parsed is not None and "entry" in e.parsed \
                and e.parsed["entry"] != b.selection["entry"]:
            r.fail(s, "selection", f"event of entry {e.parsed['entry']!r} in a bundle for entry {b.selection['entry']!r}")
        if b.selection["kind"] == "range" and e.parsed is not None:
            lo, hi = dt.date.fromisoformat(b.selection["from"]), dt.date.fromisoformat(b.selection["to"])
            days = [d for d in (beijing_day(e.parsed.get("at")), beijing_day(e.parsed.get("recorded_at"))) if d]
            if days and not any(lo <= d <= hi for d in days):
                r.warnings.append(f"seq {s}: neither its at nor its recorded_at falls in {lo}..{hi}")

    # 3. order and links between events
    for a, c in zip(b.events, b.events[1:]):
        if c.seq <= a.seq:
            r.fail(c.seq, "seq_order", f"events[{c.i}] has seq {c.seq} after events[{a.i}] with seq {a.seq}: seqs must strictly increase")
        elif c.seq == a.seq + 1 and c.prev_hash != a.hash:
            r.fail(c.seq, "chain_link", f"prev_hash {c.prev_hash.hex()} is not the hash of seq {a.seq} ({a.hash.hex()})")

    # 4. the whole log
    if b.selection["kind"] == "all":
        seqs = [e.seq for e in b.events]
        if seqs != list(range(1, b.tree_size + 1)):
            have = set(seqs)
            missing = [n for n in range(1, b.tree_size + 1) if n not in have]
            counts = collections.Counter(seqs)
            extra = sorted({n for n in have if not 1 <= n <= b.tree_size} | {n for n, k in counts.items() if k > 1})
            parts = []
            if missing:
                parts.append(f"missing seq {_ranges(missing)}")
            if extra:
                parts.append(f"unexpected or repeated seq {_ranges(extra)}")
            if not parts:
                parts.append("seqs are out of order")
            r.fail(missing[0] if missing else None, "contiguity",
                   f"an 'all' bundle must hold seq 1..{b.tree_size} in order: " + "; ".join(parts))
            # links across a gap cannot hold: name the first event after each gap
            by_seq = {e.seq: e for e in b.events}
            for n in missing:
                if n + 1 in by_seq:
                    r.fail(n + 1, "chain_link", f"its predecessor seq {n} is not in the bundle")
        else:
            if b.tree_size == 0 and b.head != ZERO32:
                r.fail(None, "head", "an empty log's head is 32 zero bytes, the bundle says " + b.head.hex())
            root = mth([leaf_hash(e.canonical) for e in b.events])
            if root != b.root:
                r.fail(None, "tree_root", f"the Merkle root of all {len(b.events)} events is "
                                          f"{base64.b64encode(root).decode()}, not the bundle's root")
        if b.events and b.events[-1].seq != b.tree_size and b.tree_size not in {e.seq for e in b.events}:
            r.fail(None, "head", f"the last event (seq {b.tree_size}) is missing, so head cannot be checked")
    # Encoding v2 (SPEC section 7): the bundle proves commitments, never values.
    r.info["erased_entries"] = sorted(erased)
    for entry in sorted(erased & v1_personal):
        r.warnings.append(f"entry {entry!r} is marked personal_data_erased but has v1 events whose values are in the "
                          "canonical bytes themselves (they cannot be erased without breaking the chain)")
    if erased:
        r.warnings.append(f"{len(erased)} entr{'y' if len(erased) == 1 else 'ies'} had personal data erased: their "
                          "events carry salted commitments only; a value can be checked only by whoever still holds it and its salt")
    # 5. the rules the bundle carries: not covered by the signature, so compared with the
    # project's reference copies and each difference named (the Swift audit does the same)
    if b.selection["kind"] == "range":
        r.warnings.append(f"the bundle holds the events of {b.selection['from']}..{b.selection['to']} only: obligations "
                          "derived from it may be incomplete, and an R1 breach cannot be established from it")
    r.warnings.extend(rule_warnings(b.profile, b.calendar))
    return r


REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures")


def _period_text(p):
    if p is None:
        return "absent"
    text = f"{p.get('days')} {p.get('kind')} days"
    if p.get("counted_from"):
        text += f" from the {p['counted_from']}"
    if p.get("met_by_ground"):
        text += ", met by ground"
    if p.get("excludes_term_entries"):
        text += ", not for term entries"
    return text


def rule_warnings(profile, calendar, reference=REFERENCE):
    """Each period and each day in which the bundle's profile and calendar differ from the
    built-in ones (reference copies in Fixtures/profiles and Fixtures/calendars); nothing when
    those copies are not beside this script."""
    out = []
    name = profile.get("name") if isinstance(profile, dict) else None
    path = os.path.join(reference, "profiles", f"{name}.json") if isinstance(name, str) and "/" not in name else None
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            built_in = json.load(f)
        if profile != built_in:
            out.append(f"the bundle's profile {name!r} differs from the built-in profile of that name; deadlines follow the bundle's")
            for key in sorted(set(built_in) | set(profile)):
                if key in ("name", "description", "source"):
                    continue
                a, c = profile.get(key), built_in.get(key)
                strip = lambda v: {k: x for k, x in v.items() if k != "clause"} if isinstance(v, dict) else v
                if strip(a) != strip(c):
                    if key in ("inclusion_term_months", "extension_months"):
                        out.append(f"profile {key}: the bundle's {strip(a)}, the built-in {strip(c)}")
                    else:
                        out.append(f"profile period {key}: the bundle's {_period_text(a)}, {name}'s {_period_text(c)}")
    elif name is not None:
        out.append(f"the bundle's profile {name!r} is not a built-in profile; check its periods yourself")
    cal_path = os.path.join(reference, "calendars", "cn-official.json")
    if isinstance(calendar, dict) and os.path.exists(cal_path):
        with open(cal_path, encoding="utf-8") as f:
            built_in = json.load(f)
        years_a, years_c = calendar.get("years") or {}, built_in.get("years") or {}
        days = []
        for year in sorted(set(years_a) & set(years_c)):
            ya, yc = years_a[year], years_c[year]
            def kind(y, d):
                return "a day off" if d in y.get("days_off", []) else \
                    "a make-up working day" if d in y.get("makeup_workdays", []) else "an ordinary day"
            changed = (set(ya.get("days_off", [])) ^ set(yc.get("days_off", []))) | \
                      (set(ya.get("makeup_workdays", [])) ^ set(yc.get("makeup_workdays", [])))
            for d in sorted(changed):
                days.append(f"calendar day {d}: {kind(ya, d)} in the bundle's calendar, {kind(yc, d)} in the built-in one")
        if days or set(years_a) != set(years_c):
            out.append(f"the bundle's calendar {calendar.get('name')} {calendar.get('version')} differs from the built-in "
                       f"{built_in.get('name')} {built_in.get('version')} on {len(days)} day(s); deadlines follow the bundle's")
            if set(years_a) != set(years_c):
                out.append(f"calendar coverage: the bundle's covers {sorted(years_a)}, the built-in {sorted(years_c)}")
        out.extend(days)
    return out


def _ranges(ns):
    out, i = [], 0
    while i < len(ns):
        j = i
        while j + 1 < len(ns) and ns[j + 1] == ns[j] + 1:
            j += 1
        out.append(str(ns[i]) if i == j else f"{ns[i]}-{ns[j]}")
        i = j + 1
    return ", ".join(out[:20]) + (" ..." if len(out) > 20 else "")


# ---------------------------------------------------------------------------------------------
# Command line

class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(EXIT_USAGE)


def human(r, path):
    i = r.info
    sel = i["selection"]
    sel_s = sel["kind"] + {"all": "", "entry": f" {sel.get('entry')!r}", "range": f" {sel.get('from')}..{sel.get('to')}"}[sel["kind"]]
    lines = [f"audit bundle   {path}",
             f"origin         {i['origin']}",
             f"trusted key    {i['key']}",
             f"checkpoint     tree size {i['tree_size']}, root {i['root']}; signature: {i['signature']}",
             f"selection      {sel_s}, {i['events']} event(s)"]
    for w in r.warnings:
        lines.append(f"warning        {w}")
    if r.ok:
        lines.append("result         OK: every check holds")
    else:
        lines.append(f"result         FAILED: {len(r.failures)} check(s) do not hold")
        for f in r.failures:
            where = f"seq {f['seq']}" if f["seq"] is not None else "bundle"
            lines.append(f"  FAIL {f['check']:<22} {where}: {f['detail']}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = _Parser(prog="verify_bundle.py",
                 description="Verify a ListLedger audit bundle (listledger-audit-bundle/1) with a trusted verifier key.",
                 epilog="exit status: 0 all checks hold, 4 integrity failure, 1 unreadable input, 64 bad command line")
    ap.add_argument("bundle", metavar="BUNDLE", help="the bundle JSON file, or - for standard input")
    ap.add_argument("--key", required=True, metavar="VERIFIER_KEY_OR_FILE",
                    help="the trusted verifier key NAME+KEYHASH+BASE64, or a file holding it")
    ap.add_argument("--json", action="store_true", help="print {ok, events, tree_size, failures, warnings} as JSON")
    ap.add_argument("--check-value", nargs=4, action="append", default=[], metavar=("SEQ", "PATH", "SALT_HEX", "VALUE"),
                    help="also check that VALUE with SALT_HEX opens the commitment at PATH (e.g. debtor.id_number) of event SEQ")
    a = ap.parse_args(argv)
    _ed25519()  # fail early, with install instructions, if cryptography is missing
    try:
        key = read_key_argument(a.key)
        if a.bundle == "-":
            text = sys.stdin.buffer.read().decode("utf-8")
        else:
            with open(a.bundle, "rb") as f:
                text = f.read().decode("utf-8")
        b = load_bundle(text)
    except (OSError, UnicodeDecodeError) as e:
        return _input_error(a, f"bundle: cannot read {a.bundle}: {e}")
    except InputError as e:
        return _input_error(a, str(e))
    r = verify(b, key)
    for seq_text, path, salt_hex, value in a.check_value:
        check_value(r, b, seq_text, path, salt_hex, value)
    if a.json:
        doc = {"ok": r.ok, "events": len(b.events), "tree_size": b.tree_size, "failures": r.failures, "warnings": r.warnings}
        if r.info.get("erased_entries"):
            doc["erased_entries"] = r.info["erased_entries"]
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(human(r, a.bundle))
    return EXIT_OK if r.ok else EXIT_INTEGRITY


def check_value(r, b, seq_text, path, salt_hex, value):
    """--check-value: a failure unless the value and salt open the event's commitment."""
    e = next((e for e in b.events if str(e.seq) == seq_text), None)
    if e is None or e.parsed is None:
        r.fail(None, "check_value", f"no readable event seq {seq_text} in the bundle")
        return
    item = dict(personal_positions(e.parsed)).get(path)
    c = commitment_of(item)
    try:
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        salt = b""
    if c is None:
        r.fail(e.seq, "check_value", f"seq {e.seq} has no v2 commitment at {path}")
    elif len(salt) != 32:
        r.fail(e.seq, "check_value", "the salt must be 64 hex digits (32 bytes)")
    elif not opens(c, salt, value):
        r.fail(e.seq, "check_value", f"the value and salt do not open the commitment at {path}")
    else:
        r.warnings.append(f"seq {e.seq}: the given value opens the commitment at {path}")


def _input_error(a, msg):
    sys.stderr.write(f"verify_bundle.py: unreadable input: {msg}\n")
    if a.json:
        sys.stdout.write(json.dumps({"ok": False, "events": None, "tree_size": None,
                                     "failures": [{"seq": None, "check": "input", "detail": msg}],
                                     "warnings": []}, ensure_ascii=False) + "\n")
    return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main())
