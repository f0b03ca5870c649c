"""Tests of scripts/make_canonical_vectors.py and of Fixtures/vectors/canonical/events.json.

Expected values here are written by hand from docs/design.md and RFC 8785, not taken from the
generator's output."""
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys

import pytest

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(SCRIPTS)
VECTORS = os.path.join(ROOT, "Fixtures", "vectors", "canonical", "events.json")
sys.path.insert(0, SCRIPTS)
import make_canonical_vectors as gen  # noqa: E402
import verify_bundle as vb  # noqa: E402

# SPEC section 3, copied by hand
SPEC_TYPES = """risk_notice_issued inclusion_decided decision_served entry_published employer_notified
pushed_to_unit measure_applied repost_registered correction_requested correction_decided
reconsideration_requested reconsideration_decided obligation_discharged entry_shielded
entry_revoked exit_published unit_notified_of_exit measure_lifted measure_retained
repost_deleted complaint_received complaint_resolved breach_flagged
rejection_served entry_corrected term_extended record_annulled unit_acknowledged""".split()


@pytest.fixture(scope="module")
def vectors():
    with open(VECTORS, encoding="utf-8") as f:
        return json.load(f)


def test_the_committed_file_is_what_the_generator_writes():
    r = subprocess.run([sys.executable, os.path.join(SCRIPTS, "make_canonical_vectors.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_every_spec_event_type_has_a_case(vectors):
    assert set(SPEC_TYPES) == set(gen.TYPES)
    assert {c["input"]["type"] for c in vectors["cases"]} == set(SPEC_TYPES)


def test_the_file_is_one_chain_with_the_stated_root(vectors):
    prev = bytes(32)
    leaves = []
    for i, c in enumerate(vectors["cases"], 1):
        canon = c["canonical"].encode("utf-8")
        assert c["seq"] == i and c["prev_hash"] == prev.hex()
        assert c["hash"] == hashlib.sha256(prev + canon).hexdigest()
        assert c["leaf_hash"] == hashlib.sha256(b"\x00" + canon).hexdigest()
        prev = bytes.fromhex(c["hash"])
        leaves.append(bytes.fromhex(c["leaf_hash"]))
    assert vectors["head"] == prev.hex()
    assert vectors["merkle_root"] == vb.mth(leaves).hex()


def test_canonical_bytes_are_the_input_plus_ledger_fields(vectors):
    for c in vectors["cases"]:
        obj = json.loads(c["canonical"])
        inp = dict(c["input"])
        assert obj.pop("v") == 1 and obj.pop("seq") == c["seq"] and obj.pop("recorded_at") == c["recorded_at"]
        assert obj.pop("at") == gen.normalise_at(inp.pop("at"))
        assert obj == inp  # nothing added, nothing dropped, no nulls
        # the verifier's canonical writer agrees byte for byte
        assert vb.canonical_form(json.loads(c["canonical"])) == c["canonical"]


def _case(vectors, what_starts):
    hits = [c for c in vectors["cases"] if c["what"].startswith(what_starts)]
    assert len(hits) == 1, what_starts
    return hits[0]["canonical"]


def test_tricky_renderings_by_hand(vectors):
    assert '"at":"2021-09-10T02:00:00+00:00"' in _case(vectors, "inclusion, at in Z")
    assert '"at":"2022-03-15T09:30:15.120+08:00"' in _case(vectors, "inclusion, organisation")
    assert '"at":"2021-09-12T21:00:00-05:00"' in _case(vectors, "decision served")
    assert '"at":"2021-09-20T10:00:00+08:00"' in _case(vectors, "correction requested without reason")
    assert '"at":"2021-10-12T15:00:00.500+08:00"' in _case(vectors, "reconsideration decided")
    pub = _case(vectors, "published with channels")
    assert '"https://zxgk.court.gov.cn/shixin/"' in pub and "\\/" not in pub
    assert '申请人称\\"已全部履行\\"，见附件 C:\\\\证据\\\\收据.pdf' in _case(vectors, "correction requested, reason")
    sh = _case(vectors, "shielded, reason")
    assert "已履行完毕\\n(见执行笔录)\\t附\\u001f件\u007f二" in sh
    ret = _case(vectors, "measure retained")
    assert "第五十四条\u2028见 法释/2017/7号" in ret and '"until":"2022-12-31"' in ret
    assert "已答复 \U0001F44D" in _case(vectors, "complaint resolved")
    assert "\U0001F44D".encode() == b"\xf0\x9f\x91\x8d"
    assert '"entry"' not in _case(vectors, "complaint received without entry")
    assert '"legal_representative":"测试乙"' in _case(vectors, "inclusion, organisation")
    assert '"term_months"' not in _case(vectors, "inclusion, organisation")
    assert '"channels"' not in _case(vectors, "published without channels")
    assert '"id":"pub/P2/1"' in _case(vectors, "published without channels, id given")
    assert all(c["recorded_at"].endswith("Z") and len(c["recorded_at"]) == 24 for c in vectors["cases"])


@pytest.mark.parametrize("given,stored", [
    ("2021-09-01T10:00:00+08:00", "2021-09-01T10:00:00+08:00"),  # design.md: stored exactly as written
    ("2024-01-31T17:30:00Z", "2024-01-31T17:30:00+00:00"),
    ("2024-01-31T17:30:00-00:00", "2024-01-31T17:30:00+00:00"),
    ("2024-02-29T23:59:59.999+14:00", "2024-02-29T23:59:59.999+14:00"),
    ("2024-03-01T00:00:00.07-09:30", "2024-03-01T00:00:00.070-09:30"),
    ("2024-03-01T00:00:00.000+08:00", "2024-03-01T00:00:00+08:00"),
])
def test_at_normalisation(given, stored):
    assert gen.normalise_at(given) == stored


@pytest.mark.parametrize("bad", [
    "2021-09-01T10:00:00",            # no offset: no instant
    "2021-09-01T10:00:00.1234+08:00",  # more than 3 fractional digits
    "2023-02-29T10:00:00+08:00",      # no such day
    "2021-09-01T24:00:00+08:00",
    "2021-09-01T10:00:00+24:00",
    "2021-09-01 10:00:00+08:00",
    "2021-09-01T10:00+08:00",
    "2021-09-01T10:00:00+0800",
])
def test_at_refused(bad):
    with pytest.raises(gen.Malformed):
        gen.normalise_at(bad)


def test_beijing_day_of_design_md_example():
    assert vb.beijing_day("2024-01-31T17:30:00Z") == dt.date(2024, 2, 1)


# RFC 8785 section 3.2.2 (string and literals part of the sample; events carry no floats)
RFC8785_IN = {"literals": [None, True, False], "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"/"}
RFC8785_OUT = '{"literals":[null,true,false],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
# RFC 8785 section 3.2.3: property sorting by UTF-16 code units
RFC8785_SORT_IN = {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
                   "1": "One", "\U0001F600": "Emoji: Grinning Face", "\u0080": "Control",
                   "\u00f6": "Latin Small Letter O With Diaeresis"}
RFC8785_SORT_ORDER = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001F600", "\ufb33"]


def test_rfc8785_string_sample():
    assert gen.jcs(RFC8785_IN) == RFC8785_OUT
    assert vb.canonical_form(RFC8785_IN) == RFC8785_OUT


def test_rfc8785_property_order():
    want = "{" + ",".join(json.dumps(k, ensure_ascii=False).replace("\\r", "\\r") + ":" +
                          json.dumps(RFC8785_SORT_IN[k], ensure_ascii=False) for k in RFC8785_SORT_ORDER) + "}"
    assert gen.jcs(RFC8785_SORT_IN) == want
    assert vb.canonical_form(RFC8785_SORT_IN) == want


BASE = {"type": "risk_notice_issued", "entry": "P1", "at": "2021-09-01T10:00:00+08:00", "actor": "court:baisha",
        "court": "court:baisha", "case": "(2021)琼9030执1号",
        "debtor": {"kind": "person", "name": "测试甲", "id_number": "460030198001010105"}}


def test_base_input_is_well_formed():
    gen.check_input(BASE)


@pytest.mark.parametrize("change", [
    {"colour": "red"},                                               # unknown field
    {"actor": "court:Baisha"},                                       # CODE is lower-case
    {"actor": "clerk:baisha"},
    {"court": "unit:baisha"},
    {"case": " (2021)琼9030执1号"},                                   # leading white space
    {"case": "x" * 513},
    {"entry": ""},
    {"id": "dup "},
    {"debtor": {"kind": "person", "name": "测试甲", "id_number": "460030198001010105", "legal_representative": "乙"}},
    {"debtor": {"kind": "organization", "name": "某公司", "id_number": "91469030MA5T00001D"}},
    {"debtor": {"kind": "person", "name": "测试甲", "id_number": "4600301980"}},
    {"type": "inclusion_decided", "grounds": ["evasion", "evasion"], "public": True},
    {"type": "inclusion_decided", "grounds": ["evasion"], "public": "yes"},
    {"type": "inclusion_decided", "grounds": ["evasion"], "public": True, "term_months": 0},
    {"type": "inclusion_decided", "grounds": [], "public": True},
])
def test_malformed_inputs_are_refused(change):
    ev = {**BASE, **change}
    with pytest.raises(gen.Malformed):
        gen.check_input(ev)


def test_entry_required_except_for_complaints():
    with pytest.raises(gen.Malformed):
        gen.check_input({"type": "decision_served", "at": "2021-09-01T10:00:00+08:00", "actor": "court:baisha"})
    gen.check_input({"type": "complaint_received", "at": "2021-09-01T10:00:00+08:00", "actor": "unit:x",
                     "complaint": "c1"})
    with pytest.raises(gen.Malformed):
        gen.check_input({"type": "measure_retained", "entry": "P1", "at": "2021-09-01T10:00:00+08:00",
                         "actor": "unit:x", "unit": "unit:x", "measure": "m", "legal_basis": "b", "until": "2021-02-30"})
