#!/usr/bin/env python3
"""Deterministic generator of realistic ListLedger event streams (JSON Lines on stdout).

    scripts/gen-ledger --entries N --seed S [--profile baisha-2018] [--events M] > out.jsonl

`--entries N` is the number of list entries (about 10-11 events each on average); `--events M`
instead stops after exactly M events (the last entries are cut short, which is still valid: every
prefix of a valid lifecycle is valid). The same arguments always give the same bytes.

Shapes follow Fixtures/scenarios (baisha-demo.jsonl, units.json) and docs/design.md's refusal
table: every event the generator writes is one the ledger accepts, in the order it writes them.

- Entries start evenly over 2018-01-02 .. END (END = 2026-11-20, never in the future) and
  run their lifecycle: risk notice (98%), inclusion, service, publication (or, for non-public
  entries, an employer notice), pushes to units, measures, reposts; then, for a share of them,
  correction (upheld -> revoked, rejected -> reconsideration at the higher court), discharge
  (full performance / settlement -> shielded; execution terminated -> revoked), exit
  publication, exit notices to every unit, lifts (a few retentions with a legal basis and an
  end date), repost deletions; complaints with and without an entry.
- Within an entry `at` increases; across entries the lines are interleaved (a window of
  concurrently open entries), so a batch of 1,000 lines touches a few hundred entries, as a
  court's daily intake would. Events whose `at` would lie after END are not written (the
  entry is still open on END).
- Some acts are late on purpose (slow shielding, a unit that never lifts), as real data is.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys

BEIJING = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2018, 1, 2, 9, 0, tzinfo=BEIJING)
END = dt.datetime(2026, 11, 20, 18, 0, tzinfo=BEIJING)

COURTS = {
    "baisha-2018": ("court:baisha", "琼9025", "court:hainan-2nd-intermediate", "白沙"),
    "spc-2017": ("court:baisha", "琼9025", "court:hainan-2nd-intermediate", "白沙"),
}

# (code, measures) from Fixtures/scenarios/units.json; punishing units only.
PUNISHING = [
    ("unit:pboc-baisha", ["credit_restriction"]),
    ("unit:baisha-drc", ["government_investment_project_restriction", "policy_support_restriction"]),
    ("unit:baisha-finance", ["government_subsidy_restriction", "public_procurement_restriction"]),
    ("unit:baisha-land", ["real_estate_transaction_restriction"]),
    ("unit:baisha-housing", ["construction_qualification_restriction", "high_end_housing_restriction"]),
    ("unit:baisha-psb", ["exit_restriction"]),
    ("unit:baisha-amr", ["senior_role_restriction", "food_drug_industry_restriction"]),
    ("unit:baisha-hrss", ["public_recruitment_restriction"]),
    ("unit:baisha-civil-affairs", ["social_organization_restriction"]),
    ("unit:baisha-education", ["private_school_fee_restriction"]),
    ("unit:baisha-forestry", ["state_forest_land_use_restriction"]),
    ("unit:baisha-civilization-office", ["honour_restriction"]),
]
REPOSTERS = ["unit:baisha-media-center", "unit:baisha-drc"]
EMPLOYERS = [("unit:employer-demo-rubber", ["honour_restriction"]),
             ("unit:employer-demo-school", ["honour_restriction", "promotion_restriction"])]
GROUNDS = ["able_but_refuses", "obstruction", "evasion", "false_property_report",
           "consumption_order_breach", "settlement_breach"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤符羊"
ORG_WORDS = ["建筑工程", "农业开发", "橡胶种植", "房地产开发", "商贸", "物流", "旅游开发", "建材", "餐饮管理", "茶业"]
CHANNELS = ["全国法院失信被执行人名单信息公布与查询平台", "白沙黎族自治县人民法院诉讼服务中心公告栏", "信用白沙"]
CORRECTION_REASONS = ["纳入决定作出前已如实申报财产", "财产报告逾期系住院治疗所致", "已与申请执行人达成和解", "公司账户已被冻结，无履行能力", "被执行人身份信息有误"]
SHIELD_REASONS = {"full_performance": "被执行人已全部履行", "settlement_performed": "执行和解协议已履行完毕"}
FINDINGS = ["经核查，名单信息准确，纳入决定维持", "栏目缓存未及时更新，已清除", "所反映情况属实，已责令整改", "已向投诉人书面答复"]
LEGAL_BASES = ["已发放补贴资金的追回程序尚未终结（《财政违法行为处罚处分条例》第十四条）",
               "在建房屋装修工程涉及的查封尚未解除（《最高人民法院关于限制被执行人高消费及有关消费的若干规定》第三条）"]

MINUTE = dt.timedelta(minutes=1)


CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z


def iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def office_hours(t: dt.datetime, rng: random.Random) -> dt.datetime:
    """Moves `t` to a plausible office time on its day (09:00-17:30)."""
    return t.replace(hour=9 + rng.randrange(8), minute=rng.randrange(60), second=0)


class Entry:
    """One list entry's lifecycle, produced lazily in `at` order."""

    __slots__ = ("events", "pos")

    def __init__(self, events):
        self.events = events
        self.pos = 0


class Generator:
    def __init__(self, entries: int, seed: int, profile: str, end: dt.datetime):
        self.rng = random.Random(seed)
        self.total = entries
        self.court, self.code, self.higher, _ = COURTS[profile]
        self.end = end
        self.case_numbers: dict[int, int] = {}
        self.complaints: dict[int, int] = {}
        self.next_id = 0
        self.seed = seed

    # -- helpers ----------------------------------------------------------------------------
    def later(self, t: dt.datetime, lo_days: float, hi_days: float) -> dt.datetime:
        """An office-hours instant lo..hi days after `t`, strictly later than `t`."""
        rng = self.rng
        days = rng.uniform(lo_days, hi_days)
        u = office_hours(t + dt.timedelta(days=days), rng)
        if u <= t:
            u = t + dt.timedelta(minutes=5 + rng.randrange(120))
        return u

    def debtor(self, year: int):
        rng = self.rng
        if rng.random() < 0.7:
            name = rng.choice(SURNAMES) + "某某"
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 50))
            body = "460030" + birth.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
            # A valid GB 11643 check digit (ISO 7064 MOD 11-2): the ledger refuses any other.
            # The birth date and order code are random, so the numbers are fictitious.
            check = self._check_digit(body)
            return {"kind": "person", "name": name, "id_number": body + "0123456789X"[check]}
        name = "白沙某某" + rng.choice(ORG_WORDS) + "有限公司"
        serial = "".join(rng.choice(CREDIT_ALPHABET) for _ in range(5))
        return {"kind": "organization", "name": name, "id_number": self._credit_code("91469025MA5T" + serial),
                "legal_representative": rng.choice(SURNAMES) + "某某"}

    @staticmethod
    def _credit_code(body17: str) -> str:
        """GB 32100: the check character of a unified social credit code (MOD 31)."""
        weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
        s = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(body17, weights))
        return body17 + CREDIT_ALPHABET[(31 - s % 31) % 31]

    @staticmethod
    def _check_digit(body17: str) -> int:
        weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        s = sum(int(c) * w for c, w in zip(body17, weights))
        return (12 - s % 11) % 11

    def maybe_id(self, event: dict) -> dict:
        # A share of events carry an idempotency key from the court's case system.
        if self.rng.random() < 0.2:
            self.next_id += 1
            event["id"] = f"s{self.seed}-{self.next_id}"
        return event

    # -- one lifecycle ----------------------------------------------------------------------
    def lifecycle(self, index: int) -> list[tuple[dt.datetime, dict]]:
        rng = self.rng
        span = (self.end - START).total_seconds()
        t0 = office_hours(START + dt.timedelta(seconds=span * (index + rng.random()) / self.total * 0.97), rng)
        year = t0.year
        self.case_numbers[year] = self.case_numbers.get(year, 0) + 1
        case = f"({year}){self.code}执{self.case_numbers[year]}号"
        debtor = self.debtor(year)
        entry = f"{case}-{debtor['name']}"
        court = self.court
        out: list[tuple[dt.datetime, dict]] = []

        def add(t, typ, actor=None, **fields):
            ev = {"type": typ, "entry": entry, "at": iso(t), "actor": actor or court}
            ev.update(fields)
            out.append((t, ev))

        t = t0
        if rng.random() < 0.98:
            add(t, "risk_notice_issued", court=court, case=case, debtor=debtor)
            t = self.later(t, 7, 30)
        grounds = rng.sample(GROUNDS, 1 if rng.random() < 0.8 else 2)
        public = rng.random() < 0.93
        inclusion = {"court": court, "case": case, "debtor": debtor, "grounds": grounds, "public": public}
        # SPC art. 2: only grounds 2-6 carry a term (24-60 months); the ledger refuses others.
        if rng.random() < 0.1 and any(g != "able_but_refuses" for g in grounds):
            inclusion["term_months"] = rng.choice([24, 36])
        add(t, "inclusion_decided", **inclusion)
        t = self.later(t, 0.5, 4)
        add(t, "decision_served")

        holders: list[tuple[str, list[str]]] = []
        if public:
            t = self.later(t, 0, 1)
            add(t, "entry_published", channels=rng.sample(CHANNELS, rng.choice([1, 2])))
            for unit, measures in rng.sample(PUNISHING, rng.choice([1, 2, 2, 3])):
                t = self.later(t, 0, 2)
                add(t, "pushed_to_unit", unit=unit)
                holders.append((unit, measures))
        else:
            unit, measures = rng.choice(EMPLOYERS)
            t = self.later(t, 0, 3)
            add(t, "employer_notified", unit=unit)
            holders.append((unit, measures))
        applied: list[tuple[str, str]] = []
        for unit, measures in holders:
            for measure in measures[: rng.choice([1, len(measures)])]:
                t = self.later(t, 0.5, 8)
                add(t, "measure_applied", actor=unit, unit=unit, measure=measure)
                applied.append((unit, measure))
        reposts: list[str] = []
        if public and rng.random() < 0.15:
            unit = rng.choice(REPOSTERS)
            t = self.later(t, 0, 5)
            add(t, "repost_registered", actor=unit, unit=unit)
            reposts.append(unit)

        # What happens next.
        fate = rng.random()
        exit_reason = None  # ("shield", reason) or ("revoke", reason)
        if fate < 0.09:  # correction
            t = self.later(t, 1, 9)
            add(t, "correction_requested", reason=rng.choice(CORRECTION_REASONS))
            t = self.later(t, 0.5, 4 if rng.random() < 0.9 else 8)
            if rng.random() < 0.5:
                add(t, "correction_decided", outcome="upheld")
                t = self.later(t, 0.2, 3)
                exit_reason = ("revoke", "correction")
            else:
                add(t, "correction_decided", outcome="rejected")
                # SPC art. 12: the reconsideration window runs from service of the rejection.
                if rng.random() < 0.9:
                    t = self.later(t, 0.1, 3)
                    add(t, "rejection_served")
                if rng.random() < 0.4:
                    t = self.later(t, 1, 9)
                    add(t, "reconsideration_requested", court=self.higher)
                    t = self.later(t, 3, 16)
                    if rng.random() < 0.4:
                        add(t, "reconsideration_decided", actor=self.higher, outcome="upheld")
                        t = self.later(t, 0.2, 4)
                        exit_reason = ("revoke", "reconsideration")
                    else:
                        add(t, "reconsideration_decided", actor=self.higher, outcome="rejected")
        elif fate < 0.39:  # paid or settled: shielded
            basis = "full_performance" if rng.random() < 0.75 else "settlement_performed"
            t = self.later(t, 20, 900)
            add(t, "obligation_discharged", basis=basis)
            t = self.later(t, 0, 3 if rng.random() < 0.85 else 12)
            exit_reason = ("shield", SHIELD_REASONS[basis])
        elif fate < 0.44:  # execution terminated: revoked
            t = self.later(t, 30, 700)
            add(t, "obligation_discharged", basis="execution_terminated")
            t = self.later(t, 0, 4)
            exit_reason = ("revoke", "discharge")
        elif fate < 0.45:  # included in error
            t = self.later(t, 5, 60)
            exit_reason = ("revoke", "error")

        if exit_reason:
            kind, reason = exit_reason
            if kind == "shield":
                add(t, "entry_shielded", reason=reason)
            else:
                add(t, "entry_revoked", reason=reason)
            if public:
                t = self.later(t, 0, 3)
                add(t, "exit_published")
            for unit, _ in holders:
                t = self.later(t, 0, 3)
                add(t, "unit_notified_of_exit", unit=unit)
            for unit, measure in applied:
                r = rng.random()
                if r < 0.04:
                    continue  # a unit that never lifts (a breach the alerts will show)
                t = self.later(t, 0.5, 5 if r < 0.9 else 14)
                if r > 0.97:
                    until = (t + dt.timedelta(days=rng.randrange(30, 200))).date()
                    until = min(until, dt.date(2026, 12, 31))
                    add(t, "measure_retained", actor=unit, unit=unit, measure=measure,
                        legal_basis=rng.choice(LEGAL_BASES), until=until.isoformat())
                    t = self.later(t, 1, 150)
                add(t, "measure_lifted", actor=unit, unit=unit, measure=measure)
            for unit in reposts:
                if rng.random() < 0.9:
                    t = self.later(t, 0, 5)
                    add(t, "repost_deleted", actor=unit, unit=unit)
            if kind == "shield" and rng.random() < 0.03:
                t = self.later(t, 30, 300)
                add(t, "entry_revoked", reason="error")

        if rng.random() < 0.04:  # a complaint about this entry
            ct = self.later(t0, 10, 400)
            cy = ct.year
            self.complaints[cy] = self.complaints.get(cy, 0) + 1
            complaint = f"BS-TS-{cy}-{self.complaints[cy]:06d}"
            # Complaints do not change the entry's state: they may sit anywhere in its timeline.
            out.append((ct, {"type": "complaint_received", "entry": entry, "at": iso(ct), "actor": court, "complaint": complaint}))
            rt = self.later(ct, 2, 30)
            out.append((rt, {"type": "complaint_resolved", "entry": entry, "at": iso(rt), "actor": court,
                             "complaint": complaint, "finding": rng.choice(FINDINGS)}))
        if rng.random() < 0.01:  # a complaint to a unit about no particular entry
            unit = rng.choice(PUNISHING)[0]
            ct = self.later(t0, 1, 60)
            cy = ct.year
            self.complaints[cy] = self.complaints.get(cy, 0) + 1
            complaint = f"BS-DW-{cy}-{self.complaints[cy]:06d}"
            out.append((ct, {"type": "complaint_received", "at": iso(ct), "actor": unit, "complaint": complaint}))
            rt = self.later(ct, 1, 20)
            out.append((rt, {"type": "complaint_resolved", "at": iso(rt), "actor": unit,
                             "complaint": complaint, "finding": rng.choice(FINDINGS)}))
        # Complaint lines are placed by time; the stable sort keeps the lifecycle's own order.
        out.sort(key=lambda p: p[0])
        return [(t, self.maybe_id(ev)) for t, ev in out if t <= self.end]

    # -- the stream -------------------------------------------------------------------------
    def events(self, window: int):
        """Interleaves up to `window` open lifecycles; yields event dicts."""
        rng = self.rng
        open_: list[Entry] = []
        started = 0
        while started < self.total or open_:
            while len(open_) < window and started < self.total:
                events = self.lifecycle(started)
                started += 1
                if events:
                    open_.append(Entry(events))
            if not open_:
                break
            i = rng.randrange(len(open_))
            e = open_[i]
            yield e.events[e.pos][1]
            e.pos += 1
            if e.pos == len(e.events):
                open_[i] = open_[-1]
                open_.pop()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--entries", type=int, help="number of list entries (about 10 events each)")
    p.add_argument("--events", type=int, help="stop after exactly this many events (sets --entries if not given)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--profile", default="baisha-2018", choices=sorted(COURTS))
    p.add_argument("--window", type=int, default=200, help="lifecycles open at once (interleaving)")
    p.add_argument("--end", default=END.date().isoformat(), help="last day of the data (default %(default)s)")
    args = p.parse_args(argv)
    if args.entries is None and args.events is None:
        p.error("give --entries N or --events M")
    entries = args.entries if args.entries is not None else max(1, args.events // 9 + 10)
    end = dt.datetime.fromisoformat(args.end).replace(hour=18, tzinfo=BEIJING)
    now = dt.datetime.now(BEIJING) - dt.timedelta(hours=1)
    if end > now:
        end = now  # never in the future
    gen = Generator(entries, args.seed, args.profile, end)
    out = sys.stdout
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    limit = args.events
    written = 0
    buf = []
    for ev in gen.events(args.window):
        buf.append(dumps(ev))
        written += 1
        if len(buf) >= 4096:
            out.write("\n".join(buf) + "\n")
            buf.clear()
        if limit is not None and written >= limit:
            break
    if buf:
        out.write("\n".join(buf) + "\n")
    out.flush()
    if limit is not None and written < limit:
        print(f"gen-ledger: only {written} events from {entries} entries; raise --entries", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(0)
