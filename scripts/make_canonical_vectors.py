#!/usr/bin/env python3
"""Golden vectors for ListLedger's canonical event encoding (docs/design.md, "Canonical bytes").

Writes Fixtures/vectors/canonical/events.json: one case per event type of SPEC section 3 (and
more for the tricky strings and instants), forming one hash chain in file order, plus the
RFC 6962 Merkle root of all the leaves.

This script is deliberately independent of the Swift code: it uses only the Python standard
library (json, hashlib, datetime, re). It checks every input against the field types of
design.md, normalises `at` itself (parse, re-render with the original offset), serialises
with the one-liner design.md gives AND with a small JCS writer of its own, and refuses to
write anything if the two disagree.

    python3 scripts/make_canonical_vectors.py            # (re)writes the file
    python3 scripts/make_canonical_vectors.py --check    # exit 1 if the file is not what it would write
"""
import argparse
import datetime as dt
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "Fixtures", "vectors", "canonical", "events.json"))
ENCODING_VERSION = 1
ZERO_HASH = "0" * 64

# ---------------------------------------------------------------------------------------------
# Field types (design.md, "Field types"), checked independently here.

CODE = r"[a-z0-9._-]{1,64}"
RE_COURT = re.compile(rf"court:{CODE}\Z")
RE_UNIT = re.compile(rf"unit:{CODE}\Z")
RE_ACTOR = re.compile(rf"(court|unit|system):{CODE}\Z")
RE_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")
GROUNDS = {"able_but_refuses", "obstruction", "evasion", "false_property_report",
           "consumption_order_breach", "settlement_breach"}
OUTCOMES = {"upheld", "rejected"}
BASES = {"full_performance", "settlement_performed", "creditor_request", "no_assets_found",
         "execution_suspended", "not_enforced", "execution_terminated"}  # SPC art. 10's seven
REVOKE_REASONS = {"correction", "reconsideration", "discharge", "term_ended", "early_deletion", "error"}
METHODS = {"in_person", "post", "electronic", "public_notice"}
CORRECTION_GROUNDS = {"should_not_be_listed", "inaccurate", "should_be_deleted"}


def check_int_range(lo, hi):
    def f(field, v):
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise Malformed(f"{field}: must be an integer {lo}-{hi}")
    return f


def check_corrections(field, v):
    allowed = {"case", "debtor.name", "debtor.id_number", "debtor.legal_representative"}
    if not isinstance(v, dict) or not v or not set(v) <= allowed:
        raise Malformed(f"{field}: must be an object of {sorted(allowed)}")
    for k, x in v.items():
        check_text(f"{field}.{k}", x)


class Malformed(ValueError):
    pass


def check_text(name, v):
    if not isinstance(v, str) or not v:
        raise Malformed(f"{name}: must be a non-empty string")
    if v != v.strip() or v[0].isspace() or v[-1].isspace():
        raise Malformed(f"{name}: leading or trailing white space")
    if len(v) > 512:
        raise Malformed(f"{name}: more than 512 characters")


def check_re(name, rx):
    def f(field, v):
        if not isinstance(v, str) or not rx.match(v):
            raise Malformed(f"{field}: {v!r} is not a {name}")
    return f


def check_enum(values):
    def f(field, v):
        if v not in values:
            raise Malformed(f"{field}: {v!r} not one of {sorted(values)}")
    return f


def check_bool(field, v):
    if not isinstance(v, bool):
        raise Malformed(f"{field}: must be true or false")


def check_term(field, v):
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 60:
        raise Malformed(f"{field}: must be an integer 1-60")


def check_date(field, v):
    m = RE_DATE.match(v) if isinstance(v, str) else None
    if not m:
        raise Malformed(f"{field}: must be YYYY-MM-DD")
    try:
        dt.date(*map(int, m.groups()))
    except ValueError as e:  # 2023-02-30
        raise Malformed(f"{field}: {v}: {e}") from None


def check_grounds(field, v):
    if not isinstance(v, list) or not v:
        raise Malformed(f"{field}: must be a non-empty list")
    if len(set(v)) != len(v) or not set(v) <= GROUNDS:
        raise Malformed(f"{field}: repeats or unknown grounds in {v}")


def check_channels(field, v):
    if not isinstance(v, list) or not all(isinstance(c, str) and c for c in v):
        raise Malformed(f"{field}: must be a list of non-empty strings")


def check_debtor(field, v):
    if not isinstance(v, dict):
        raise Malformed(f"{field}: must be an object")
    kind = v.get("kind")
    if kind not in ("person", "organization"):
        raise Malformed(f"{field}.kind: person or organization")
    allowed = {"kind", "name", "id_number"} | ({"legal_representative"} if kind == "organization" else set())
    if set(v) != allowed:
        raise Malformed(f"{field}: keys {sorted(v)} but a {kind} needs exactly {sorted(allowed)}")
    check_text(f"{field}.name", v["name"])
    if kind == "organization":
        check_text(f"{field}.legal_representative", v["legal_representative"])
    if not isinstance(v["id_number"], str) or len(v["id_number"]) != 18:
        raise Malformed(f"{field}.id_number: must be 18 characters")


court = check_re("court:CODE", RE_COURT)
unit = check_re("unit:CODE", RE_UNIT)
text = check_text

# type -> (required fields, optional fields), each field -> checker (SPEC section 3)
TYPES = {
    "risk_notice_issued": ({"court": court, "case": text, "debtor": check_debtor}, {}),
    "inclusion_decided": ({"court": court, "case": text, "debtor": check_debtor,
                           "grounds": check_grounds, "public": check_bool}, {"term_months": check_term}),
    "decision_served": ({}, {"method": check_enum(METHODS)}),
    "entry_published": ({}, {"channels": check_channels}),
    "employer_notified": ({"unit": unit}, {}),
    "pushed_to_unit": ({"unit": unit}, {}),
    "measure_applied": ({"unit": unit, "measure": text}, {}),
    "repost_registered": ({"unit": unit}, {}),
    "correction_requested": ({}, {"reason": text, "ground": check_enum(CORRECTION_GROUNDS), "posted_on": check_date}),
    "correction_decided": ({"outcome": check_enum(OUTCOMES)}, {}),
    "rejection_served": ({}, {"method": check_enum(METHODS)}),
    "entry_corrected": ({"corrections": check_corrections, "reason": text}, {}),
    "reconsideration_requested": ({"court": court}, {"posted_on": check_date}),
    "reconsideration_decided": ({"outcome": check_enum(OUTCOMES)}, {}),
    "obligation_discharged": ({"basis": check_enum(BASES)}, {}),
    "term_extended": ({"months": check_int_range(12, 36), "reason": text}, {}),
    "entry_shielded": ({}, {"reason": text}),
    "entry_revoked": ({"reason": check_enum(REVOKE_REASONS)}, {}),
    "exit_published": ({}, {}),
    "unit_notified_of_exit": ({"unit": unit}, {}),
    "unit_acknowledged": ({"unit": unit, "of": check_enum(["push", "exit_notice"])}, {}),
    "measure_lifted": ({"unit": unit, "measure": text}, {}),
    "measure_retained": ({"unit": unit, "measure": text, "legal_basis": text, "until": check_date}, {}),
    "repost_deleted": ({"unit": unit}, {}),
    "complaint_received": ({"complaint": text}, {"concerns": check_re("court:CODE or unit:CODE", re.compile(r"^(court|unit):[a-z0-9._-]{1,64}$"))}),
    "complaint_resolved": ({"complaint": text, "finding": text}, {"complainant_told": check_date}),
    "breach_flagged": ({"obligation": text}, {}),
    "record_annulled": ({"annuls": check_int_range(1, 2**63 - 1), "reason": text}, {}),
}
ENTRY_OPTIONAL = {"complaint_received", "complaint_resolved"}


def check_input(ev):
    """Raises Malformed unless `ev` is a well-formed input event per design.md."""
    t = ev.get("type")
    if t not in TYPES:
        raise Malformed(f"type: unknown {t!r}")
    req, opt = TYPES[t]
    common_req = {"type", "at", "actor"} | (set() if t in ENTRY_OPTIONAL else {"entry"})
    common_opt = {"id"} | ({"entry"} if t in ENTRY_OPTIONAL else set())
    missing = (common_req | set(req)) - set(ev)
    unknown = set(ev) - common_req - common_opt - set(req) - set(opt)
    if missing:
        raise Malformed(f"missing {sorted(missing)}")
    if unknown:
        raise Malformed(f"unknown fields {sorted(unknown)}")
    check_re("actor", RE_ACTOR)("actor", ev["actor"])
    for k in ("entry", "id"):
        if k in ev:
            check_text(k, ev[k])
    normalise_at(ev["at"])
    for k, f in {**req, **opt}.items():
        if k in ev:
            f(k, ev[k])


# ---------------------------------------------------------------------------------------------
# Instants (design.md, "Instants and days")

RE_AT = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:\d{2})\Z")


def normalise_at(s):
    """Input `at` -> stored form: the same instant re-rendered in its original offset,
    `.fff` only when the milliseconds are not zero, a zero offset written `+00:00`."""
    m = RE_AT.match(s) if isinstance(s, str) else None
    if not m:
        raise Malformed(f"at: {s!r} is not YYYY-MM-DDTHH:MM:SS[.fff] followed by Z or ±HH:MM")
    y, mo, d, h, mi, se, frac, off = m.groups()
    ms = int((frac or "0").ljust(3, "0"))
    if off == "Z":
        offset = dt.timedelta(0)
    else:
        oh, om = int(off[1:3]), int(off[4:6])
        if oh > 23 or om > 59:
            raise Malformed(f"at: offset {off} out of range")
        offset = dt.timedelta(hours=oh, minutes=om) * (-1 if off[0] == "-" else 1)
    tz = dt.timezone(offset)
    try:
        local = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(se), ms * 1000, tzinfo=tz)
    except ValueError as e:  # 2023-02-29, 24:00:00, :60 seconds
        raise Malformed(f"at: {s}: {e}") from None
    # Go through the UTC instant and back, so what is rendered is the instant, not the text.
    instant = local.astimezone(dt.timezone.utc)
    back = instant.astimezone(tz)
    out = back.strftime("%Y-%m-%dT%H:%M:%S")
    if back.microsecond:
        out += ".%03d" % (back.microsecond // 1000)
    total = int(offset.total_seconds()) // 60
    sign = "-" if total < 0 else "+"
    out += "%s%02d:%02d" % (sign, abs(total) // 60, abs(total) % 60)
    return out


def render_recorded_at(instant):
    u = instant.astimezone(dt.timezone.utc)
    return u.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (u.microsecond // 1000)


# ---------------------------------------------------------------------------------------------
# Canonical bytes

def canonical_object(ev, seq, recorded_at):
    obj = {k: v for k, v in ev.items()}
    obj["at"] = normalise_at(ev["at"])
    obj["seq"] = seq
    obj["recorded_at"] = recorded_at
    obj["v"] = ENCODING_VERSION
    return obj


def design_one_liner(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def jcs_string(s):
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\b\f\n\r\t":
            out.append({"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif c < 0x20:
            out.append("\\u%04x" % c)
        elif 0xD800 <= c <= 0xDFFF:
            raise Malformed("lone surrogate in a string")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def utf16_key(k):
    return k.encode("utf-16-be")


def jcs(v):
    """A small RFC 8785 writer for the value types events use (no floats)."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return jcs_string(v)
    if isinstance(v, list):
        return "[" + ",".join(jcs(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(jcs_string(k) + ":" + jcs(v[k]) for k in sorted(v, key=utf16_key)) + "}"
    raise Malformed(f"no canonical form for {type(v).__name__}")


def canonical_bytes(obj):
    a = design_one_liner(obj)
    b = jcs(obj).encode("utf-8")
    if a != b:
        raise SystemExit(f"the two canonical writers disagree:\n{a!r}\n{b!r}")
    return a


def sha256(b):
    return hashlib.sha256(b).digest()


def leaf_hash(canon):
    return sha256(b"\x00" + canon)


def mth(leaves):
    """RFC 6962 section 2.1 Merkle Tree Hash over leaf hashes."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


# ---------------------------------------------------------------------------------------------
# Debtor identifiers: fictional, with valid check characters.

def resident_id(first17):
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(c) * x for c, x in zip(first17, w)) % 11]


def credit_code(first17):
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    c = 31 - sum(alphabet.index(ch) * x for ch, x in zip(first17, w)) % 31
    return first17 + alphabet[0 if c == 31 else c]


PERSON = {"kind": "person", "name": "测试甲", "id_number": resident_id("46003019800101010")}
ORG = {"kind": "organization", "name": "白沙测试建材有限公司",
       "id_number": credit_code("91469030MA5T00001"),
       "legal_representative": "测试乙"}

CASE = "(2021)琼9030执1号"
C = "court:baisha"

# (what the case exercises, input event)
CASES = [
    ("risk notice, person debtor, Chinese case number, id given",
     {"type": "risk_notice_issued", "entry": "(2021)琼9030执1号/测试甲", "at": "2021-09-01T10:00:00+08:00",
      "actor": C, "id": "rn-2021-0001", "court": C, "case": CASE, "debtor": PERSON}),
    ("inclusion, at in Z stored as +00:00, term_months given, several grounds",
     {"type": "inclusion_decided", "entry": "(2021)琼9030执1号/测试甲", "at": "2021-09-10T02:00:00Z",
      "actor": C, "court": C, "case": CASE, "debtor": PERSON,
      "grounds": ["able_but_refuses", "evasion"], "public": True, "term_months": 24}),
    ("inclusion, organisation debtor with legal_representative, not public, no term_months, at with milliseconds",
     {"type": "inclusion_decided", "entry": "O1", "at": "2022-03-15T09:30:15.120+08:00", "actor": C,
      "court": C, "case": "(2022)琼9030执55号", "debtor": ORG,
      "grounds": ["false_property_report"], "public": False}),
    ("decision served, negative offset -05:00 kept",
     {"type": "decision_served", "entry": "P1", "at": "2021-09-12T21:00:00-05:00", "actor": C}),
    ("published with channels, including '/' which is not escaped",
     {"type": "entry_published", "entry": "P1", "at": "2021-09-14T10:00:00+08:00", "actor": C,
      "channels": ["最高人民法院失信被执行人名单网站", "https://zxgk.court.gov.cn/shixin/"]}),
    ("published without channels, id given",
     {"type": "entry_published", "entry": "P2", "at": "2021-09-14T10:05:00+08:00", "actor": C,
      "id": "pub/P2/1"}),
    ("employer notified (non-public entry)",
     {"type": "employer_notified", "entry": "O1", "at": "2022-03-16T11:00:00+08:00", "actor": C,
      "unit": "unit:baisha-employer.01"}),
    ("pushed to unit, half-hour offset +05:30",
     {"type": "pushed_to_unit", "entry": "P1", "at": "2021-09-14T07:30:00+05:30", "actor": C,
      "unit": "unit:caac"}),
    ("measure applied by the unit itself",
     {"type": "measure_applied", "entry": "P1", "at": "2021-09-15T08:00:00+08:00", "actor": "unit:caac",
      "unit": "unit:caac", "measure": "限制乘坐民航飞机"}),
    ("repost registered",
     {"type": "repost_registered", "entry": "P1", "at": "2021-09-15T09:00:00+08:00",
      "actor": "unit:hainan_daily", "unit": "unit:hainan_daily"}),
    ("correction requested, reason with double quotes and backslashes",
     {"type": "correction_requested", "entry": "P1", "at": "2021-09-20T10:00:00+08:00", "actor": C,
      "reason": "申请人称\"已全部履行\"，见附件 C:\\证据\\收据.pdf"}),
    ("correction requested without reason, milliseconds .000 dropped",
     {"type": "correction_requested", "entry": "P2", "at": "2021-09-20T10:00:00.000+08:00", "actor": C}),
    ("correction decided upheld",
     {"type": "correction_decided", "entry": "P2", "at": "2021-09-22T16:00:00+08:00", "actor": C,
      "outcome": "upheld"}),
    ("correction decided rejected",
     {"type": "correction_decided", "entry": "P1", "at": "2021-09-23T16:00:00+08:00", "actor": C,
      "outcome": "rejected"}),
    ("reconsideration requested to the higher court",
     {"type": "reconsideration_requested", "entry": "P1", "at": "2021-09-28T10:00:00+08:00", "actor": C,
      "court": "court:hainan-no1-intermediate"}),
    ("reconsideration decided by the higher court, one fractional digit rendered as .500",
     {"type": "reconsideration_decided", "entry": "P1", "at": "2021-10-12T15:00:00.5+08:00",
      "actor": "court:hainan-no1-intermediate", "outcome": "rejected"}),
    ("discharge: full performance",
     {"type": "obligation_discharged", "entry": "P1", "at": "2022-01-04T10:00:00+08:00", "actor": C,
      "basis": "full_performance"}),
    ("discharge: settlement performed",
     {"type": "obligation_discharged", "entry": "O1", "at": "2022-05-04T10:00:00+08:00", "actor": C,
      "basis": "settlement_performed"}),
    ("discharge: execution terminated, at in Z (its Beijing day is 2024-02-01, its UTC date 2024-01-31)",
     {"type": "obligation_discharged", "entry": "P3", "at": "2024-01-31T17:30:00Z", "actor": C,
      "basis": "execution_terminated"}),
    ("shielded, reason with a newline, a tab, U+001F and DEL in the middle",
     {"type": "entry_shielded", "entry": "P1", "at": "2022-01-06T10:00:00+08:00", "actor": C,
      "reason": "已履行完毕\n(见执行笔录)\t附\u001f件\u007f二"}),
    ("shielded without reason",
     {"type": "entry_shielded", "entry": "O1", "at": "2022-05-06T10:00:00+08:00", "actor": C}),
    ("revoked, reason error",
     {"type": "entry_revoked", "entry": "P2", "at": "2021-09-24T10:00:00+08:00", "actor": C,
      "reason": "error"}),
    ("revoked, reason correction",
     {"type": "entry_revoked", "entry": "P4", "at": "2021-09-24T11:00:00+08:00", "actor": C,
      "reason": "correction"}),
    ("exit published",
     {"type": "exit_published", "entry": "P1", "at": "2022-01-07T10:00:00+08:00", "actor": C}),
    ("unit notified of exit",
     {"type": "unit_notified_of_exit", "entry": "P1", "at": "2022-01-07T10:30:00+08:00", "actor": C,
      "unit": "unit:caac"}),
    ("measure lifted",
     {"type": "measure_lifted", "entry": "P1", "at": "2022-01-10T09:00:00+08:00", "actor": "unit:caac",
      "unit": "unit:caac", "measure": "限制乘坐民航飞机"}),
    ("measure retained, legal_basis with U+2028 and '/', until date",
     {"type": "measure_retained", "entry": "O1", "at": "2022-05-09T09:00:00+08:00",
      "actor": "unit:baisha-employer.01", "unit": "unit:baisha-employer.01", "measure": "限制招投标",
      "legal_basis": "《招标投标法》第五十四条\u2028见 法释/2017/7号", "until": "2022-12-31"}),
    ("repost deleted",
     {"type": "repost_deleted", "entry": "P1", "at": "2022-01-11T09:00:00+08:00",
      "actor": "unit:hainan_daily", "unit": "unit:hainan_daily"}),
    ("complaint received without entry (entry omitted from the canonical bytes)",
     {"type": "complaint_received", "at": "2022-02-01T10:00:00+08:00", "actor": "unit:caac",
      "complaint": "TS-2022-001"}),
    ("complaint received about an entry, id given",
     {"type": "complaint_received", "entry": "P1", "at": "2022-02-02T10:00:00+08:00", "actor": C,
      "complaint": "TS-2022-002", "id": "ts-002"}),
    ("complaint resolved, finding with an emoji outside the BMP",
     {"type": "complaint_resolved", "at": "2022-02-10T10:00:00+08:00", "actor": C,
      "complaint": "TS-2022-001", "finding": "投诉不成立，已答复 👍"}),
    ("breach flagged by the alert runner",
     {"type": "breach_flagged", "entry": "P1", "at": "2022-01-12T00:00:00+08:00", "actor": "system:alerts",
      "obligation": "P1/R7/28/unit:hainan_daily"}),
    # Issue 9's new types and optional fields (appended, so the earlier cases' hashes stay).
    ("rejection served by public notice",
     {"type": "rejection_served", "entry": "P1", "at": "2022-01-13T10:00:00+08:00", "actor": C, "method": "public_notice"}),
    ("entry corrected: two fields, keys sorted in the canonical bytes",
     {"type": "entry_corrected", "entry": "P1", "at": "2022-01-14T10:00:00+08:00", "actor": C,
      "corrections": {"debtor.name": "测试丙", "case": "(2021)琼9030执2号"}, "reason": "案号和姓名录入错误"}),
    ("term extended by 12 months",
     {"type": "term_extended", "entry": "P1", "at": "2022-01-15T10:00:00+08:00", "actor": C, "months": 12, "reason": "多项失信行为"}),
    ("record annulled, a clerical error",
     {"type": "record_annulled", "entry": "P1", "at": "2022-01-16T10:00:00+08:00", "actor": C, "annuls": 7, "reason": "单位代码录入错误"}),
    ("correction requested, posted, on the ground of inaccuracy",
     {"type": "correction_requested", "entry": "P1", "at": "2022-01-18T10:00:00+08:00", "actor": C,
      "ground": "inaccurate", "posted_on": "2022-01-14"}),
    # unit_acknowledged (appended, so the earlier cases' hashes stay).
    ("unit acknowledged the exit notice",
     {"type": "unit_acknowledged", "entry": "P1", "at": "2022-01-07T15:00:00+08:00", "actor": "unit:caac",
      "unit": "unit:caac", "of": "exit_notice"}),
]


def build(python_version):
    cases, leaves = [], []
    prev = bytes(32)
    clock = dt.datetime(2025, 3, 1, 1, 2, 3, 0, tzinfo=dt.timezone.utc)
    for i, (what, ev) in enumerate(CASES):
        check_input(ev)
        seq = i + 1
        # the ledger's clock: strictly increasing, with assorted milliseconds (including .000)
        recorded = clock + dt.timedelta(seconds=37 * i, milliseconds=(i * 173) % 1000)
        recorded_at = render_recorded_at(recorded)
        canon = canonical_bytes(canonical_object(ev, seq, recorded_at))
        h = sha256(prev + canon)
        lh = leaf_hash(canon)
        leaves.append(lh)
        cases.append({"what": what, "input": ev, "seq": seq, "recorded_at": recorded_at,
                      "canonical": canon.decode("utf-8"), "leaf_hash": lh.hex(),
                      "prev_hash": prev.hex(), "hash": h.hex()})
        prev = h
    types = {c["input"]["type"] for c in cases}
    if types != set(TYPES):
        raise SystemExit(f"types without a case: {sorted(set(TYPES) - types)}")
    return {"cases": cases, "head": prev.hex(), "merkle_root": mth(leaves).hex(),
            "tree_size": len(cases),
            "generated_by": "python3 scripts/make_canonical_vectors.py", "python": python_version}


def render(doc):
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the file instead of writing it")
    ap.add_argument("--out", default=OUT)
    a = ap.parse_args()
    if a.check:
        try:
            with open(a.out, encoding="utf-8") as f:
                old = json.load(f)
        except OSError as e:
            print(f"cannot read {a.out}: {e}", file=sys.stderr)
            sys.exit(1)
        new = build(old.get("python", ""))  # the interpreter version is informational only
        if render(new) != render(old):
            print(f"{a.out} is out of date: run python3 scripts/make_canonical_vectors.py", file=sys.stderr)
            sys.exit(1)
        print(f"{a.out}: up to date ({len(new['cases'])} cases)")
        return
    doc = build(sys.version.split()[0])
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(render(doc))
    print(f"wrote {len(doc['cases'])} cases to {os.path.relpath(a.out)}; head {doc['head']}, root {doc['merkle_root']}")


if __name__ == "__main__":
    main()
