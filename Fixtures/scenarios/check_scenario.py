#!/usr/bin/env python3
"""Independent checker for ListLedger scenario files (Fixtures/scenarios).

A second implementation, in plain Python (no dependency), of:
  * the input rules of ../../../shared/SPEC.md §3 and docs/design.md ("Field types",
    "What is refused"): every line of a JSON Lines file is validated and applied in file
    order to a fresh ledger; the first refused line is reported with its line number;
  * the obligations table of docs/design.md, for one as-of day and one policy profile,
    with the period arithmetic of SPEC §2 over the State Council holiday notices
    transcribed below (2018-2026), so that hand-worked lifecycle fixtures can be
    cross-checked.

It does NOT share code or data with the Swift implementation: the holiday table below was
typed from the notices themselves (国务院办公厅关于某年部分节假日安排的通知), see HOLIDAY_NOTICES.

Usage:
  check_scenario.py FILE.jsonl...                 validate (each file on a fresh ledger)
  check_scenario.py --chain A.jsonl B.jsonl        validate files appended one after the other
  check_scenario.py FILE.jsonl --obligations --profile baisha-2018 --as-of 2025-06-30
  check_scenario.py FILE.jsonl --expected FILE.expected.json   compare with a hand-worked file
  check_scenario.py --lifecycles DIR               every NAME.jsonl with NAME.expected.json
  check_scenario.py --self-test                    calendar spot checks from the notices
Exit 0 when everything passes, 1 otherwise. The last line reads "N passed, N failed".
"""
import datetime as dt
import json
import os
import re
import sys

# ---------------------------------------------------------------------------------------------
# Official calendar, transcribed from the State Council General Office holiday notices.
# For each year: the days off (放假) listed by the notice, and the make-up working days
# (调休上班) that fall on a Saturday or Sunday. Weekends not listed as make-up days are rest days.
HOLIDAY_NOTICES = {
    # 国办发明电〔2017〕12号 (2018) + 国办发明电〔2018〕15号 for 2018-12-29/30/31
    2018: {"off": [("2018-01-01", "2018-01-01"), ("2018-02-15", "2018-02-21"), ("2018-04-05", "2018-04-07"),
                   ("2018-04-29", "2018-05-01"), ("2018-06-16", "2018-06-18"), ("2018-09-22", "2018-09-24"),
                   ("2018-10-01", "2018-10-07"), ("2018-12-30", "2018-12-31")],
           "work": ["2018-02-11", "2018-02-24", "2018-04-08", "2018-04-28", "2018-09-29", "2018-09-30", "2018-12-29"]},
    # 国办发明电〔2018〕15号 (2019), 劳动节 changed by the March 2019 notice 关于调整2019年劳动节假期安排的通知
    2019: {"off": [("2019-01-01", "2019-01-01"), ("2019-02-04", "2019-02-10"), ("2019-04-05", "2019-04-07"),
                   ("2019-05-01", "2019-05-04"), ("2019-06-07", "2019-06-09"), ("2019-09-13", "2019-09-15"),
                   ("2019-10-01", "2019-10-07")],
           "work": ["2019-02-02", "2019-02-03", "2019-04-28", "2019-05-05", "2019-09-29", "2019-10-12"]},
    # 国办发明电〔2019〕16号 (2020); 春节 extended to 2020-02-02 by 国办发明电〔2020〕1号 (2020-02-01 no longer a working day)
    2020: {"off": [("2020-01-01", "2020-01-01"), ("2020-01-24", "2020-02-02"), ("2020-04-04", "2020-04-06"),
                   ("2020-05-01", "2020-05-05"), ("2020-06-25", "2020-06-27"), ("2020-10-01", "2020-10-08")],
           "work": ["2020-01-19", "2020-04-26", "2020-05-09", "2020-06-28", "2020-09-27", "2020-10-10"]},
    # 国办发明电〔2020〕27号 (2021)
    2021: {"off": [("2021-01-01", "2021-01-03"), ("2021-02-11", "2021-02-17"), ("2021-04-03", "2021-04-05"),
                   ("2021-05-01", "2021-05-05"), ("2021-06-12", "2021-06-14"), ("2021-09-19", "2021-09-21"),
                   ("2021-10-01", "2021-10-07")],
           "work": ["2021-02-07", "2021-02-20", "2021-04-25", "2021-05-08", "2021-09-18", "2021-09-26", "2021-10-09"]},
    # 国办发明电〔2021〕11号 (2022)
    2022: {"off": [("2022-01-01", "2022-01-03"), ("2022-01-31", "2022-02-06"), ("2022-04-03", "2022-04-05"),
                   ("2022-04-30", "2022-05-04"), ("2022-06-03", "2022-06-05"), ("2022-09-10", "2022-09-12"),
                   ("2022-10-01", "2022-10-07")],
           "work": ["2022-01-29", "2022-01-30", "2022-04-02", "2022-04-24", "2022-05-07", "2022-10-08", "2022-10-09"]},
    # 国办发明电〔2022〕16号 (2023)
    2023: {"off": [("2022-12-31", "2023-01-02"), ("2023-01-21", "2023-01-27"), ("2023-04-05", "2023-04-05"),
                   ("2023-04-29", "2023-05-03"), ("2023-06-22", "2023-06-24"), ("2023-09-29", "2023-10-06")],
           "work": ["2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06", "2023-06-25", "2023-10-07", "2023-10-08"]},
    # 国办发明电〔2023〕7号 (2024)
    2024: {"off": [("2024-01-01", "2024-01-01"), ("2024-02-10", "2024-02-17"), ("2024-04-04", "2024-04-06"),
                   ("2024-05-01", "2024-05-05"), ("2024-06-10", "2024-06-10"), ("2024-09-15", "2024-09-17"),
                   ("2024-10-01", "2024-10-07")],
           "work": ["2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14", "2024-09-29", "2024-10-12"]},
    # 国办发明电〔2024〕12号 (2025)
    2025: {"off": [("2025-01-01", "2025-01-01"), ("2025-01-28", "2025-02-04"), ("2025-04-04", "2025-04-06"),
                   ("2025-05-01", "2025-05-05"), ("2025-05-31", "2025-06-02"), ("2025-10-01", "2025-10-08")],
           "work": ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]},
    # 国办发明电〔2025〕7号 (2026)
    2026: {"off": [("2026-01-01", "2026-01-03"), ("2026-02-15", "2026-02-23"), ("2026-04-04", "2026-04-06"),
                   ("2026-05-01", "2026-05-05"), ("2026-06-19", "2026-06-21"), ("2026-09-25", "2026-09-27"),
                   ("2026-10-01", "2026-10-07")],
           "work": ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]},
}

D = dt.date.fromisoformat
OFF, WORK = set(), set()
for _y, _n in HOLIDAY_NOTICES.items():
    for a, b in _n["off"]:
        d = D(a)
        while d <= D(b):
            OFF.add(d)
            d += dt.timedelta(days=1)
    WORK.update(D(x) for x in _n["work"])


class CalendarError(Exception):
    pass


def is_working(d):
    if d.year not in HOLIDAY_NOTICES:
        raise CalendarError(f"no official calendar for year {d.year}")
    if d in WORK:
        return True
    if d in OFF:
        return False
    return d.weekday() < 5


def due_calendar(day, n):
    """SPEC §2: calendar-day period of n days triggered on day; rest-day end moves to the next working day."""
    e = day + dt.timedelta(days=n)
    while not is_working(e):
        e += dt.timedelta(days=1)
    return e


def due_working(day, n):
    e, k = day, 0
    while k < n:
        e += dt.timedelta(days=1)
        if is_working(e):
            k += 1
    return e


# ---------------------------------------------------------------------------------------------
# Field rules (design.md "Field types")
CODE = r"[a-z0-9\-_.]{1,64}"
RE_COURT = re.compile(r"court:" + CODE)
RE_UNIT = re.compile(r"unit:" + CODE)
RE_ACTOR = re.compile(r"(court|unit|system):" + CODE)
RE_AT = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})")
RE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
GROUNDS = {"able_but_refuses", "obstruction", "evasion", "false_property_report", "consumption_order_breach",
           "settlement_breach"}
COMMON = {"type", "entry", "at", "actor", "id"}

T_STR, T_COURT, T_UNIT = "str", "court", "unit"
FIELDS = {  # type -> {field: (kind, required)}
    "risk_notice_issued": {"court": (T_COURT, True), "case": (T_STR, True), "debtor": ("debtor", True)},
    "inclusion_decided": {"court": (T_COURT, True), "case": (T_STR, True), "debtor": ("debtor", True),
                          "grounds": ("grounds", True), "public": ("bool", True), "term_months": ("term", False)},
    "decision_served": {},
    "entry_published": {"channels": ("channels", False)},
    "employer_notified": {"unit": (T_UNIT, True)},
    "pushed_to_unit": {"unit": (T_UNIT, True)},
    "measure_applied": {"unit": (T_UNIT, True), "measure": (T_STR, True)},
    "repost_registered": {"unit": (T_UNIT, True)},
    "correction_requested": {"reason": (T_STR, False)},
    "correction_decided": {"outcome": ("outcome", True)},
    "rejection_served": {},
    "reconsideration_requested": {"court": (T_COURT, True)},
    "reconsideration_decided": {"outcome": ("outcome", True)},
    "obligation_discharged": {"basis": ("basis", True)},
    "entry_shielded": {"reason": (T_STR, False)},
    "entry_revoked": {"reason": ("revoke_reason", True)},
    "exit_published": {},
    "unit_notified_of_exit": {"unit": (T_UNIT, True)},
    "measure_lifted": {"unit": (T_UNIT, True), "measure": (T_STR, True)},
    "measure_retained": {"unit": (T_UNIT, True), "measure": (T_STR, True), "legal_basis": (T_STR, True),
                         "until": ("date", True)},
    "repost_deleted": {"unit": (T_UNIT, True)},
    "complaint_received": {"complaint": (T_STR, True)},
    "complaint_resolved": {"complaint": (T_STR, True), "finding": (T_STR, True)},
    "breach_flagged": {"obligation": (T_STR, True)},
}
ENUMS = {"outcome": {"upheld", "rejected"},
         "basis": {"full_performance", "settlement_performed", "execution_terminated"},
         "revoke_reason": {"correction", "reconsideration", "discharge", "error"}}
COURT_TYPES = {"risk_notice_issued", "inclusion_decided", "decision_served", "entry_published", "pushed_to_unit",
               "employer_notified", "correction_requested", "correction_decided", "rejection_served", "reconsideration_requested",
               "obligation_discharged", "entry_shielded", "entry_revoked", "exit_published", "unit_notified_of_exit"}
UNIT_OWN_TYPES = {"measure_applied", "measure_lifted", "measure_retained", "repost_registered", "repost_deleted"}
COMPLAINT_TYPES = {"complaint_received", "complaint_resolved"}


class Refused(Exception):
    pass


def good_str(v):
    return isinstance(v, str) and 0 < len(v) <= 512 and v == v.strip()


def parse_at(s):
    m = RE_AT.fullmatch(s) if isinstance(s, str) else None
    if not m:
        raise Refused(f"`at` {s!r} is not ISO 8601 with seconds and an offset (Z or ±HH:MM)")
    try:
        t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError as e:
        raise Refused(f"`at` {s!r}: {e}")
    return t


def canonical_at(s):
    """design.md: the stored form keeps the original offset; `.fff` only when the milliseconds are not zero; Z is written +00:00."""
    t = parse_at(s)
    off = t.utcoffset()
    mins = int(off.total_seconds() // 60)
    sign = "+" if mins >= 0 else "-"
    hh, mm = divmod(abs(mins), 60)
    ms = t.microsecond // 1000
    frac = f".{ms:03d}" if ms else ""
    return t.strftime("%Y-%m-%dT%H:%M:%S") + frac + f"{sign}{hh:02d}:{mm:02d}"


def beijing_day(t):
    return t.astimezone(dt.timezone(dt.timedelta(hours=8))).date()


def check_value(name, kind, v):
    ok = True
    if kind == T_STR:
        ok = good_str(v)
    elif kind == T_COURT:
        ok = isinstance(v, str) and RE_COURT.fullmatch(v) is not None
    elif kind == T_UNIT:
        ok = isinstance(v, str) and RE_UNIT.fullmatch(v) is not None
    elif kind == "bool":
        ok = isinstance(v, bool)
    elif kind == "term":
        ok = isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 60
    elif kind == "channels":
        ok = isinstance(v, list) and all(isinstance(c, str) and c.strip() for c in v)
    elif kind == "date":
        ok = isinstance(v, str) and RE_DATE.fullmatch(v) is not None
        if ok:
            try:
                D(v)
            except ValueError:
                ok = False
    elif kind in ENUMS:
        ok = v in ENUMS[kind]
    elif kind == "grounds":
        ok = isinstance(v, list) and v and len(set(v)) == len(v) and all(g in GROUNDS for g in v)
    elif kind == "debtor":
        ok = isinstance(v, dict) and v.get("kind") in ("person", "organization") and good_str(v.get("name")) \
            and isinstance(v.get("id_number"), str) and len(v["id_number"]) == 18
        if ok:
            allowed = {"kind", "name", "id_number"} | ({"legal_representative"} if v["kind"] == "organization" else set())
            ok = set(v) <= allowed and (v["kind"] == "person" or good_str(v.get("legal_representative")))
    if not ok:
        raise Refused(f"field `{name}` is malformed: {json.dumps(v, ensure_ascii=False)[:80]}")


def validate_shape(ev):
    if not isinstance(ev, dict):
        raise Refused("line is not a JSON object")
    t = ev.get("type")
    if t not in FIELDS:
        raise Refused(f"unknown type {t!r}")
    spec = FIELDS[t]
    unknown = set(ev) - COMMON - set(spec)
    if unknown:
        raise Refused(f"unknown field(s) {sorted(unknown)} for {t}")
    for f, (kind, req) in spec.items():
        if f not in ev:
            if req:
                raise Refused(f"missing field `{f}` for {t}")
            continue
        check_value(f, kind, ev[f])
    if not isinstance(ev.get("actor"), str) or not RE_ACTOR.fullmatch(ev["actor"]):
        raise Refused(f"`actor` missing or malformed: {ev.get('actor')!r}")
    for f in ("entry", "id"):
        if f in ev and not good_str(ev[f]):
            raise Refused(f"`{f}` malformed")
    if "entry" not in ev and t not in COMPLAINT_TYPES:
        raise Refused(f"missing field `entry` for {t}")
    return parse_at(ev.get("at"))


class Entry:
    def __init__(self, court):
        self.court = court
        self.notice = self.inclusion = False
        self.shielded = self.revoked = False
        self.correction_pending = False
        self.recon_pending_court = None
        self.last_correction = None  # "upheld" / "rejected"
        self.holders = set()  # units pushed or notified as employer
        self.applied = set()  # (unit, measure) applied and not lifted
        self.reposts = set()  # units with an undeleted repost

    @property
    def exited(self):
        return self.shielded or self.revoked


class Ledger:
    def __init__(self, now=None):
        self.entries = {}
        self.complaints = {}  # id -> resolved?
        self.flagged = set()
        self.ids = {}
        self.events = []  # accepted events with "seq" added
        self.now = now or dt.datetime.now(dt.timezone.utc)

    def append(self, ev):
        at = validate_shape(ev)
        if "id" in ev and ev["id"] in self.ids:
            return self.ids[ev["id"]]  # idempotent: stored once
        if at > self.now + dt.timedelta(minutes=5):
            raise Refused(f"`at` {ev['at']} is in the future")
        self.apply(ev)
        seq = len(self.events) + 1
        self.events.append(dict(ev, seq=seq))
        if "id" in ev:
            self.ids[ev["id"]] = seq
        return seq

    def apply(self, ev):
        t, actor = ev["type"], ev["actor"]
        eid = ev.get("entry")
        if t in COMPLAINT_TYPES:
            if not (actor.startswith("court:") or actor.startswith("unit:")):
                raise Refused(f"{actor} may not record {t}")
            if eid is not None and eid not in self.entries:
                raise Refused(f"unknown entry {eid!r}")
            c = ev["complaint"]
            if t == "complaint_received":
                if c in self.complaints:
                    raise Refused(f"complaint {c!r} already received")
                self.complaints[c] = False
            else:
                if self.complaints.get(c) is not False:
                    raise Refused(f"complaint {c!r} not received or already resolved")
                self.complaints[c] = True
            return
        if t == "breach_flagged":
            if not actor.startswith("system:"):
                raise Refused(f"{actor} may not record breach_flagged")
            if eid not in self.entries:
                raise Refused(f"unknown entry {eid!r}")
            if ev["obligation"] in self.flagged:
                raise Refused("obligation already flagged")
            self.flagged.add(ev["obligation"])
            return
        e = self.entries.get(eid)
        if t in ("risk_notice_issued", "inclusion_decided"):
            if e is None:
                if ev["court"] != actor:
                    raise Refused(f"the first event's actor {actor} must equal its court {ev['court']}")
                e = Entry(actor)
            else:
                if actor != e.court or ev["court"] != e.court:
                    raise Refused(f"{actor} may not record {t} for an entry of {e.court}")
                if (t == "risk_notice_issued" and e.notice) or (t == "inclusion_decided" and e.inclusion):
                    raise Refused(f"entry {eid!r} already has a {t}")
            if t == "risk_notice_issued":
                e.notice = True
            else:
                e.inclusion = True
            self.entries[eid] = e
            return
        if e is None:
            raise Refused(f"unknown entry {eid!r}")
        # actor permissions
        if t in COURT_TYPES:
            if actor != e.court:
                raise Refused(f"{actor} may not record {t} (only the entry's court {e.court})")
        elif t in UNIT_OWN_TYPES:
            if not actor.startswith("unit:") or ev["unit"] != actor:
                raise Refused(f"{actor} may not record {t} for {ev.get('unit')} (unit must equal the actor)")
        elif t == "reconsideration_decided":
            if e.recon_pending_court is None:
                raise Refused("no pending reconsideration")
            if actor != e.recon_pending_court:
                raise Refused(f"{actor} may not decide a reconsideration requested of {e.recon_pending_court}")
        # transitions
        if t in ("decision_served", "entry_published", "employer_notified", "pushed_to_unit", "repost_registered",
                 "obligation_discharged"):
            if not e.inclusion or e.exited:
                raise Refused(f"{t} needs an inclusion and the entry not shielded or revoked")
            if t in ("employer_notified", "pushed_to_unit"):
                e.holders.add(ev["unit"])
            if t == "repost_registered":
                e.reposts.add(ev["unit"])
        elif t == "measure_applied":
            if ev["unit"] not in e.holders or e.exited:
                raise Refused("measure_applied needs the unit to hold the entry, entry not exited")
            e.applied.add((ev["unit"], ev["measure"]))
        elif t == "correction_requested":
            if not e.inclusion or e.correction_pending or e.recon_pending_court or e.exited:
                raise Refused("correction_requested needs an inclusion, nothing pending, not exited")
            e.correction_pending = True
        elif t == "correction_decided":
            if not e.correction_pending:
                raise Refused("correction_decided needs a pending correction request")
            e.correction_pending = False
            e.last_correction = ev["outcome"]
        elif t == "rejection_served":
            if e.last_correction != "rejected" or e.correction_pending or e.recon_pending_court:
                raise Refused("rejection_served needs a rejected correction, nothing pending")
        elif t == "reconsideration_requested":
            if e.last_correction != "rejected" or e.correction_pending or e.recon_pending_court:
                raise Refused("reconsideration_requested needs the last correction decision rejected, none pending")
            if ev["court"] == e.court:
                raise Refused("reconsideration must be requested of another (higher) court")
            e.recon_pending_court = ev["court"]
        elif t == "reconsideration_decided":
            e.recon_pending_court = None
        elif t == "entry_shielded":
            if not e.inclusion or e.exited:
                raise Refused("entry_shielded needs an inclusion, not shielded, not revoked")
            e.shielded = True
        elif t == "entry_revoked":
            if not e.inclusion or e.revoked:
                raise Refused("entry_revoked needs an inclusion, not revoked")
            e.revoked = True
        elif t == "exit_published":
            if not e.exited:
                raise Refused("exit_published needs the entry shielded or revoked")
        elif t == "unit_notified_of_exit":
            if not e.exited or ev["unit"] not in e.holders:
                raise Refused("unit_notified_of_exit needs the entry exited and the unit pushed/notified")
        elif t in ("measure_lifted", "measure_retained"):
            key = (ev["unit"], ev["measure"])
            if key not in e.applied:
                raise Refused(f"{t}: {key} was not applied or was already lifted")
            if t == "measure_lifted":
                e.applied.discard(key)
            elif D(ev["until"]) < beijing_day(parse_at(ev["at"])):
                raise Refused("measure_retained: `until` is before the day of `at`")
        elif t == "repost_deleted":
            if ev["unit"] not in e.reposts:
                raise Refused("repost_deleted needs a registered repost not yet deleted")
            e.reposts.discard(ev["unit"])


def load_lines(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if line.strip():
                try:
                    out.append((i, json.loads(line)))
                except json.JSONDecodeError as e:
                    out.append((i, e))
    return out


def run_file(ledger, path):
    """Appends every line; returns None or an error string naming the line."""
    for i, ev in load_lines(path):
        if isinstance(ev, Exception):
            return f"{path}:{i}: not JSON: {ev}"
        try:
            ledger.append(ev)
        except Refused as e:
            return f"{path}:{i}: refused ({ev.get('type') if isinstance(ev, dict) else '?'}): {e}"
    return None


# ---------------------------------------------------------------------------------------------
# Obligations (design.md "Obligations")
PROFILES = {
    # SPEC §1 as amended by issue 9: art. 2's term binds both profiles; spc has no R2 correction
    # window (SPC art. 11 sets no time limit).
    "baisha-2018": {"R3": ("cal", 3), "R3correct": "review_due", "R4": ("cal", 3), "R5": ("cal", 3), "term_end": True,
                    "correction_window": True},
    "spc-2017": {"R3": ("cal", 15), "R3correct": ("work", 3), "R4": ("work", 3), "R5": ("work", 3), "term_end": True,
                 "correction_window": False},
}


def period(day, p):
    kind, n = p
    return due_calendar(day, n) if kind == "cal" else due_working(day, n)


def add_months(d, m):
    y, mo = divmod(d.month - 1 + m, 12)
    y, mo = d.year + y, mo + 1
    last = (dt.date(y + mo // 12, mo % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, mo, min(d.day, last))


def end_of_day(d):
    return dt.datetime(d.year, d.month, d.day, 23, 59, 59, 999000, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def obligations(events, profile_name, as_of):
    prof = PROFILES[profile_name]
    T = end_of_day(as_of)
    evs = [e for e in events if parse_at(e["at"]) <= T]
    out = []
    byentry = {}
    for e in evs:
        if "entry" in e:
            byentry.setdefault(e["entry"], []).append(e)

    def day(e):
        return beijing_day(parse_at(e["at"]))

    def first_after(lst, seq, pred):
        for x in lst:
            if x["seq"] > seq and pred(x):
                return x
        return None

    def make(oid, rule, entry, obligor, trig, due, met, window=False):
        if met is not None:
            status = "met" if day(met) <= due else "late"
        elif due is not None and as_of > due:
            status = "closed" if window else "breached"
        else:
            status = "open"
        out.append({"id": oid, "rule": rule, "entry": entry, "obligor": obligor, "trigger_at": canonical_at(trig["at"]),
                    "due": due.isoformat() if due else None, "status": status,
                    "met_at": canonical_at(met["at"]) if met else None})

    for eid, lst in byentry.items():
        court = lst[0]["court"] if lst[0]["type"] in ("risk_notice_issued", "inclusion_decided") else None
        review_due = None
        exit_ev = None
        for e in lst:
            t, s = e["type"], e["seq"]
            if t == "inclusion_decided":
                if not any(x["type"] == "risk_notice_issued" and parse_at(x["at"]) <= parse_at(e["at"]) for x in lst):
                    out.append({"id": f"{eid}/R1/{s}", "rule": "R1", "entry": eid, "obligor": court,
                                "trigger_at": canonical_at(e["at"]), "due": None, "status": "breached",
                                "met_at": None})
                grounds_with_term = [g for g in e["grounds"] if g != "able_but_refuses"]
                if prof["term_end"] and grounds_with_term:
                    last = add_months(day(e), e.get("term_months", 24))
                    exited_by = any(x["type"] in ("entry_shielded", "entry_revoked") and day(x) <= last for x in lst)
                    if as_of > last and not exited_by:
                        make(f"{eid}/R4/{s}", "R4", eid, court, e, due_working(last, 3),
                             first_after(lst, s, lambda x: x["type"] in ("entry_shielded", "entry_revoked")))
            elif t == "decision_served" and prof["correction_window"]:
                make(f"{eid}/R2/{s}", "R2", eid, "debtor", e, due_calendar(day(e), 10),
                     first_after(lst, s, lambda x: x["type"] == "correction_requested"), window=True)
            elif t == "rejection_served":  # SPC art. 12: from service of the rejection
                make(f"{eid}/R2/{s}", "R2", eid, "debtor", e, due_calendar(day(e), 10),
                     first_after(lst, s, lambda x: x["type"] == "reconsideration_requested"), window=True)
            elif t == "correction_requested":
                review_due = period(day(e), prof["R3"])
                make(f"{eid}/R3/{s}", "R3", eid, court, e, review_due,
                     first_after(lst, s, lambda x: x["type"] == "correction_decided"))
            elif t == "correction_decided":
                if e["outcome"] != "rejected":
                    due = review_due if prof["R3correct"] == "review_due" else period(day(e), prof["R3correct"])
                    make(f"{eid}/R3/{s}", "R3", eid, court, e, due,
                         first_after(lst, s, lambda x: x["type"] == "entry_revoked"))
            elif t == "reconsideration_requested":
                make(f"{eid}/R3/{s}", "R3", eid, e["court"], e, due_calendar(day(e), 15),
                     first_after(lst, s, lambda x: x["type"] == "reconsideration_decided"))
            elif t == "reconsideration_decided" and e["outcome"] == "upheld":
                make(f"{eid}/R3/{s}", "R3", eid, court, e, due_working(day(e), 3),
                     first_after(lst, s, lambda x: x["type"] == "entry_revoked"))
            elif t == "obligation_discharged":
                make(f"{eid}/R4/{s}", "R4", eid, court, e, period(day(e), prof["R4"]),
                     first_after(lst, s, lambda x: x["type"] in ("entry_shielded", "entry_revoked")))
            elif t in ("entry_shielded", "entry_revoked") and exit_ev is None:
                exit_ev = e
                before = [x for x in lst if x["seq"] < s]
                if any(x["type"] == "entry_published" for x in before):
                    make(f"{eid}/R5/{s}", "R5", eid, court, e, period(day(e), prof["R5"]),
                         first_after(lst, s, lambda x: x["type"] == "exit_published"))
                units = []
                for x in before:
                    if x["type"] in ("pushed_to_unit", "employer_notified") and x["unit"] not in units:
                        units.append(x["unit"])
                for u in units:
                    make(f"{eid}/R5/{s}/{u}", "R5", eid, court, e, period(day(e), prof["R5"]),
                         first_after(lst, s, lambda x, u=u: x["type"] == "unit_notified_of_exit" and x["unit"] == u))
                reposts = []
                for x in before:
                    if x["type"] == "repost_registered" and x["unit"] not in reposts:
                        reposts.append(x["unit"])
                    if x["type"] == "repost_deleted" and x["unit"] in reposts:
                        reposts.remove(x["unit"])
                for u in reposts:
                    make(f"{eid}/R7/{s}/{u}", "R7", eid, u, e, due_working(day(e), 3),
                         first_after(lst, s, lambda x, u=u: x["type"] == "repost_deleted" and x["unit"] == u))
            elif t == "unit_notified_of_exit":
                u = e["unit"]
                if any(x["type"] == "unit_notified_of_exit" and x["unit"] == u and x["seq"] < s for x in lst):
                    continue  # only the first notice of a unit triggers R6
                applied = []
                for x in lst:
                    if x["seq"] >= s:
                        break
                    if x["type"] == "measure_applied" and x["unit"] == u and x["measure"] not in applied:
                        applied.append(x["measure"])
                    if x["type"] == "measure_lifted" and x["unit"] == u and x["measure"] in applied:
                        applied.remove(x["measure"])
                for m in applied:
                    # R6 is two duties (SPEC §1): unit_lift, met by a lift or a retention within 3
                    # working days; and per retention, lift_after_retention by its until day.
                    acts = [x for x in lst if x["seq"] > exit_ev["seq"] and x["type"] in ("measure_lifted", "measure_retained")
                            and x["unit"] == u and x["measure"] == m
                            and not (x["type"] == "measure_lifted" and x["seq"] < s)]
                    make(f"{eid}/R6/{s}/{u}/{m}", "R6", eid, u, e, due_working(day(e), 3), acts[0] if acts else None)
                    for i, x in enumerate(acts):
                        if x["type"] == "measure_lifted":
                            break
                        make(f"{eid}/R6/{x['seq']}/{u}/{m}", "R6", eid, u, x, D(x["until"]),
                             acts[i + 1] if i + 1 < len(acts) else None)
    out.sort(key=lambda o: (int(o["id"].split("/")[2]), o["id"]))
    return out


# ---------------------------------------------------------------------------------------------
results = []


def ok(name, cond, detail=""):
    results.append(bool(cond))
    print(("PASS " if cond else "FAIL ") + name + ("" if cond else ": " + detail))


def compare(path, exp_path):
    exp = json.load(open(exp_path, encoding="utf-8"))
    led = Ledger()
    err = run_file(led, path)
    ok(f"{os.path.basename(path)} accepted", err is None, err or "")
    if err:
        return
    got = obligations(led.events, exp["profile"], D(exp["as_of"]))
    keys = ("id", "rule", "entry", "obligor", "trigger_at", "due", "status", "met_at")
    want = {o["id"]: {k: o.get(k) for k in keys} for o in exp["obligations"]}
    have = {o["id"]: o for o in got}
    name = os.path.basename(exp_path)
    ok(f"{name}: same obligation ids", set(want) == set(have),
       f"missing {sorted(set(want) - set(have))} extra {sorted(set(have) - set(want))}")
    for oid in sorted(set(want) & set(have), key=lambda x: (int(x.split("/")[2]), x)):
        ok(f"{name}: {oid}", want[oid] == have[oid], f"want {want[oid]} got {have[oid]}")


def self_test():
    # Spot checks worked by hand from the notices (also in ../../shared/conformance/expected.json)
    cases = [("2021-09-30", 3, "cal", "2021-10-08"), ("2021-09-30", 3, "work", "2021-10-11"),
             ("2022-01-28", 10, "cal", "2022-02-07"), ("2023-12-28", 3, "work", "2024-01-03"),
             ("2024-02-08", 3, "work", "2024-02-19"), ("2020-01-22", 3, "cal", "2020-02-03"),
             ("2025-04-30", 3, "cal", "2025-05-06"), ("2026-09-30", 3, "work", "2026-10-10")]
    for f, n, k, want in cases:
        got = (due_calendar if k == "cal" else due_working)(D(f), n).isoformat()
        ok(f"calendar {f} +{n} {k} = {want}", got == want, got)
    # refusal rules: each bad line must be refused after a small valid prefix
    base = [{"type": "risk_notice_issued", "entry": "X", "at": "2021-09-01T10:00:00+08:00", "actor": "court:baisha",
             "court": "court:baisha", "case": "c", "debtor": {"kind": "person", "name": "某", "id_number": "460030198001010101"}},
            {"type": "inclusion_decided", "entry": "X", "at": "2021-09-10T10:00:00+08:00", "actor": "court:baisha",
             "court": "court:baisha", "case": "c", "debtor": {"kind": "person", "name": "某", "id_number": "460030198001010101"},
             "grounds": ["evasion"], "public": True},
            {"type": "pushed_to_unit", "entry": "X", "at": "2021-09-11T10:00:00+08:00", "actor": "court:baisha", "unit": "unit:u"}]
    A = "2021-09-12T10:00:00+08:00"
    bad = {
        "unit decides a correction": {"type": "correction_decided", "entry": "X", "at": A, "actor": "unit:u", "outcome": "upheld"},
        "correction decided with none pending": {"type": "correction_decided", "entry": "X", "at": A, "actor": "court:baisha", "outcome": "upheld"},
        "unknown entry": {"type": "decision_served", "entry": "Y", "at": A, "actor": "court:baisha"},
        "another court serves": {"type": "decision_served", "entry": "X", "at": A, "actor": "court:other"},
        "unit records for another unit": {"type": "measure_applied", "entry": "X", "at": A, "actor": "unit:v", "unit": "unit:u", "measure": "m"},
        "measure by a unit not holding the entry": {"type": "measure_applied", "entry": "X", "at": A, "actor": "unit:v", "unit": "unit:v", "measure": "m"},
        "lift of a measure never applied": {"type": "measure_lifted", "entry": "X", "at": A, "actor": "unit:u", "unit": "unit:u", "measure": "m"},
        "exit published before any exit": {"type": "exit_published", "entry": "X", "at": A, "actor": "court:baisha"},
        "reconsideration without rejection": {"type": "reconsideration_requested", "entry": "X", "at": A, "actor": "court:baisha", "court": "court:h"},
        "second inclusion": dict(base[1], at=A),
        "unknown field": {"type": "decision_served", "entry": "X", "at": A, "actor": "court:baisha", "channel": "x"},
        "no offset": {"type": "decision_served", "entry": "X", "at": "2021-09-12T10:00:00", "actor": "court:baisha"},
        "future at": {"type": "decision_served", "entry": "X", "at": "2099-01-01T10:00:00+08:00", "actor": "court:baisha"},
        "breach flagged by a court": {"type": "breach_flagged", "entry": "X", "at": A, "actor": "court:baisha", "obligation": "X/R1/2"},
        "person with legal representative": dict(base[0], entry="Z", debtor={"kind": "person", "name": "某", "id_number": "460030198001010101", "legal_representative": "某"}),
        "organisation without legal representative": dict(base[0], entry="Z", debtor={"kind": "organization", "name": "某公司", "id_number": "91469025MA5T000010"}),
        "grounds repeated": dict(base[1], entry="Z", grounds=["evasion", "evasion"]),
    }
    for why, line in bad.items():
        led = Ledger()
        for b in base:
            led.append(b)
        try:
            led.append(line)
            ok(f"refuses: {why}", False, "accepted")
        except Refused:
            ok(f"refuses: {why}", len(led.events) == 3)
    try:  # optional cross-check against the PyPI package chinesecalendar, when installed
        import chinese_calendar
        d, bad = D("2018-01-01"), []
        while d <= D("2026-12-31"):
            if chinese_calendar.is_workday(d) != is_working(d):
                bad.append(d.isoformat())
            d += dt.timedelta(days=1)
        ok("every day 2018-2026 agrees with chinesecalendar", not bad, str(bad[:10]))
    except ImportError:
        print("(chinesecalendar not installed: cross-check skipped)")
    try:
        due_calendar(D("2026-12-30"), 3)
        ok("2027 is outside the calendar", False, "no error")
    except CalendarError as e:
        ok("2027 is outside the calendar", "2027" in str(e), str(e))


def main(argv):
    now = None
    if "--now" in argv:
        i = argv.index("--now")
        now = parse_at(argv[i + 1])
        del argv[i:i + 2]
    if "--self-test" in argv:
        self_test()
    elif "--lifecycles" in argv:
        d = argv[argv.index("--lifecycles") + 1]
        for n in sorted(os.listdir(d)):
            if n.endswith(".jsonl"):
                exp = os.path.join(d, n[:-6] + ".expected.json")
                if os.path.exists(exp):
                    compare(os.path.join(d, n), exp)
                else:
                    ok(f"{n} has an expected file", False, "missing " + exp)
    elif "--expected" in argv:
        i = argv.index("--expected")
        compare(argv[1 if i != 1 else 3], argv[i + 1])
    else:
        chain = "--chain" in argv
        opts, files, rest = {}, [], argv[1:]
        while rest:
            a = rest.pop(0)
            if a in ("--profile", "--as-of"):
                opts[a] = rest.pop(0)
            elif not a.startswith("--"):
                files.append(a)
        led = Ledger(now)
        for f in files:
            if not chain:
                led = Ledger(now)
            err = run_file(led, f)
            ok(f"{f}: every line accepted in order", err is None, err or "")
        if "--obligations" in argv:
            for o in obligations(led.events, opts.get("--profile", "baisha-2018"), D(opts["--as-of"])):
                print(json.dumps(o, ensure_ascii=False))
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
