"""Builds Fixtures/calendars/cn-official.json (see scripts/gen-calendar, which runs this inside a
throw-away virtual environment holding `chinesecalendar` and `holidays`).

The data is the State Council's yearly holiday notices (国务院办公厅关于XXXX年部分节假日安排的通知)
as encoded by `chinesecalendar` (primary). Every covered year is cross-checked, day by day, against
the independent encoding in `holidays.China` (check). Any disagreement fails the run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from importlib.metadata import version as pkg_version
from pathlib import Path

import chinese_calendar
import holidays

FIRST_YEAR = 2018

# The notice that fixes each year's arrangement, researched by hand (the packages do not carry
# notice numbers). `also` names the other notices that decide days of that calendar year:
# adjustments, extensions, and the next year's notice when its New Year block starts in December.
NOTICES: dict[int, dict] = {
    2018: {
        "notice": "国办发明电〔2017〕12号",
        "also": ["国办发明电〔2018〕15号 (2019年元旦: 2018-12-29 上班, 2018-12-30 至 2019-01-01 放假)"],
    },
    2019: {
        "notice": "国办发明电〔2018〕15号",
        "also": ["国办发明电〔2019〕3号 (调整2019年劳动节: 5月1日至4日放假, 4月28日、5月5日上班)"],
    },
    2020: {
        "notice": "国办发明电〔2019〕16号",
        "also": ["国办发明电〔2020〕1号 (延长2020年春节假期至2月2日, 2月1日不再上班)"],
    },
    2021: {"notice": "国办发明电〔2020〕27号", "also": []},
    2022: {
        "notice": "国办发明电〔2021〕11号",
        "also": ["国办发明电〔2022〕16号 (2023年元旦: 2022-12-31 至 2023-01-02 放假)"],
    },
    2023: {
        "notice": "国办发明电〔2022〕16号",
        "also": ["国办发明电〔2023〕7号 (2024年元旦: 2023-12-30 至 2024-01-01 放假)"],
    },
    2024: {"notice": "国办发明电〔2023〕7号", "also": []},
    2025: {"notice": "国办发明电〔2024〕12号", "also": []},
    2026: {"notice": "国办发明电〔2025〕7号", "also": []},
}

# Documented disagreements between the two sources that we accept, each with its reason:
# {date: "reason"}. The cross-check for 2018-2026 (chinesecalendar 1.11.0, holidays 0.109)
# found none, so the table is empty. Add an entry only after reading the notice itself.
ACCEPTED_DIFFERENCES: dict[dt.date, str] = {}

# Facts we know from the notices and insist on seeing in the data.
REQUIRED_DAYS_OFF = {
    # 国办发明电〔2020〕1号: Spring Festival extended to 2 February 2020.
    dt.date(2020, 1, 31): "2020 Spring Festival extension (国办发明电〔2020〕1号)",
    dt.date(2020, 2, 1): "2020 Spring Festival extension; the planned make-up Saturday was cancelled",
    dt.date(2020, 2, 2): "2020 Spring Festival extension (国办发明电〔2020〕1号)",
}
REQUIRED_NOT_MAKEUP = {dt.date(2020, 2, 1)}


def fail(msg: str) -> "None":
    print(f"gen-calendar: FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def days_of(year: int):
    d = dt.date(year, 1, 1)
    while d.year == year:
        yield d
        d += dt.timedelta(days=1)


def covered_years() -> list[int]:
    years = sorted({d.year for d in chinese_calendar.holidays})
    last = years[-1]
    # A year counts as covered only if chinesecalendar has it, continuously from FIRST_YEAR.
    out = [y for y in range(FIRST_YEAR, last + 1)]
    missing = [y for y in out if y not in years]
    if missing:
        fail(f"chinesecalendar has gaps in its coverage: {missing}")
    return out


# Weekend days that chinesecalendar leaves out of a block although the notice joins them to it
# ("X月X日放假，与周末连休": a Monday or Friday holiday forming a 3-day break with the weekend).
# They are rest days either way; we add them so that `days_off` is every day of every block.
WEEKEND_DAYS_ADDED: list[dt.date] = []


def primary_year(year: int) -> tuple[list[dt.date], list[dt.date]]:
    raw = {d for d in chinese_calendar.holidays if d.year == year}
    makeup = sorted(d for d in chinese_calendar.workdays if d.year == year)
    days_off = set(raw)
    for d in raw:
        for step in (1, -1):
            e = d + dt.timedelta(days=step)
            while e.weekday() >= 5 and e not in chinese_calendar.workdays and e.year == year:
                if e not in days_off:
                    days_off.add(e)
                    WEEKEND_DAYS_ADDED.append(e)
                e += dt.timedelta(days=step)
    return sorted(days_off), makeup


def cross_check(year: int, days_off: list[dt.date], makeup: list[dt.date]) -> list[str]:
    """Compares the primary data of one year with holidays.China. Returns problems."""
    h = holidays.China(years=range(year - 1, year + 2))
    off = set(days_off)
    mk = set(makeup)
    problems: list[str] = []

    def rest_primary(d: dt.date) -> bool:
        if d in mk:
            return False
        return d in off or d.weekday() >= 5

    def rest_check(d: dt.date) -> bool:
        if d.weekday() >= 5:
            return d not in h.weekend_workdays
        return d in h

    for d in days_of(year):
        a, b = rest_primary(d), rest_check(d)
        if a != b and d not in ACCEPTED_DIFFERENCES:
            problems.append(
                f"{d} ({d.strftime('%a')}): chinesecalendar says {'rest' if a else 'work'}, "
                f"holidays says {'rest' if b else 'work'} ({h.get(d)!r})"
            )
    check_makeup = {d for d in h.weekend_workdays if d.year == year}
    for d in sorted(mk ^ check_makeup):
        if d in ACCEPTED_DIFFERENCES:
            continue
        side = "chinesecalendar only" if d in mk else "holidays only"
        problems.append(f"{d}: make-up working day in {side}")
    # Every statutory day the check source names must be inside a block of the primary data.
    for d in sorted(x for x in h if x.year == year):
        if d not in off and d not in ACCEPTED_DIFFERENCES:
            problems.append(f"{d}: holidays names {h.get(d)!r}, not a day off in chinesecalendar")
    # Sanity of the primary data itself.
    for d in makeup:
        if d.weekday() < 5:
            problems.append(f"{d}: a make-up working day that is not a Saturday or Sunday")
        if d in off:
            problems.append(f"{d}: both a day off and a make-up working day")
    for d in days_off:
        if d.weekday() >= 5 and not any(
            (d + dt.timedelta(days=k)) in chinese_calendar.holidays
            and (d + dt.timedelta(days=k)).weekday() < 5
            for k in range(-2, 3)
            if k != 0
        ):
            problems.append(f"{d}: a weekend day off that touches no weekday of a holiday block")
    return problems


def build() -> dict:
    years = covered_years()
    unknown = [y for y in years if y not in NOTICES]
    if unknown:
        fail(
            "chinesecalendar covers years with no notice number in NOTICES: "
            f"{unknown}; research the 国务院办公厅 notice and add it to scripts/gen_calendar.py"
        )
    all_problems: list[str] = []
    data: dict[str, dict] = {}
    for y in years:
        days_off, makeup = primary_year(y)
        all_problems += [f"{y}: {p}" for p in cross_check(y, days_off, makeup)]
        entry = {"notice": NOTICES[y]["notice"]}
        if NOTICES[y]["also"]:
            entry["also"] = NOTICES[y]["also"]
        entry["days_off"] = [d.isoformat() for d in days_off]
        entry["makeup_workdays"] = [d.isoformat() for d in makeup]
        data[str(y)] = entry
    for d, why in REQUIRED_DAYS_OFF.items():
        if str(d.year) in data and d.isoformat() not in data[str(d.year)]["days_off"]:
            all_problems.append(f"{d}: missing required day off ({why})")
    for d in REQUIRED_NOT_MAKEUP:
        if str(d.year) in data and d.isoformat() in data[str(d.year)]["makeup_workdays"]:
            all_problems.append(f"{d}: must not be a make-up working day")
    if all_problems:
        fail("the sources disagree:\n  " + "\n  ".join(all_problems))
    return data


def render(doc: dict) -> str:
    """Stable, diff-friendly JSON: one line per list, UTF-8, keys in a fixed order."""
    dumps = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731
    lines = ["{"]
    lines.append(f'  "name": {dumps(doc["name"])},')
    lines.append(f'  "version": {dumps(doc["version"])},')
    lines.append(f'  "sources": {dumps(doc["sources"])},')
    lines.append(f'  "generated_by": {dumps(doc["generated_by"])},')
    lines.append('  "years": {')
    ys = list(doc["years"].items())
    for i, (y, e) in enumerate(ys):
        lines.append(f"    {dumps(y)}: {{")
        keys = list(e.keys())
        for j, k in enumerate(keys):
            comma = "," if j < len(keys) - 1 else ""
            lines.append(f"      {dumps(k)}: {dumps(e[k])}{comma}")
        lines.append("    }" + ("," if i < len(ys) - 1 else ""))
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def next_version(old: dict | None, years: dict) -> str:
    last = max(int(y) for y in years)
    if old is None:
        return f"{last}.1"
    if old.get("years") == years:
        return old["version"]
    old_major, _, old_minor = old["version"].partition(".")
    if int(old_major) != last:
        return f"{last}.1"
    return f"{last}.{int(old_minor) + 1}"


def swift_source(json_text: str) -> str:
    body = json_text[:-1] if json_text.endswith("\n") else json_text
    if '"""##' in body:
        fail("the calendar JSON contains the Swift raw-string delimiter")
    return (
        "// GENERATED by scripts/gen-calendar from Fixtures/calendars/cn-official.json. Do not edit:\n"
        "// run scripts/gen-calendar instead. The string is the fixture's bytes minus its final newline.\n"
        "\n"
        "extension OfficialCalendar {\n"
        "    /// The `cn-official` calendar, exactly as in Fixtures/calendars/cn-official.json.\n"
        '    package static let embeddedJSON: String = ##"""\n'
        f"{body}\n"
        '"""##\n'
        "}\n"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--check", action="store_true", help="write nothing; fail if files would change")
    args = ap.parse_args()
    root = Path(args.root)
    json_path = root / "Fixtures/calendars/cn-official.json"
    swift_path = root / "Sources/LedgerCalendar/EmbeddedCalendar.swift"

    years = build()
    old = json.loads(json_path.read_text(encoding="utf-8")) if json_path.exists() else None
    doc = {
        "name": "cn-official",
        "version": next_version(old, years),
        "sources": {
            "primary": f"chinesecalendar=={pkg_version('chinesecalendar')}",
            "check": f"holidays=={pkg_version('holidays')}",
        },
        "generated_by": "scripts/gen-calendar",
        "years": years,
    }
    text = render(doc)
    json.loads(text)  # must round-trip
    swift = swift_source(text)

    summary = (
        f"cn-official {doc['version']}: years {min(years)}-{max(years)}, "
        f"{sum(len(e['days_off']) for e in years.values())} days off, "
        f"{sum(len(e['makeup_workdays']) for e in years.values())} make-up working days; "
        f"cross-check against {doc['sources']['check']}: "
        f"{'no differences' if not ACCEPTED_DIFFERENCES else f'{len(ACCEPTED_DIFFERENCES)} accepted differences'}; "
        f"weekend days joined to blocks: {', '.join(d.isoformat() for d in sorted(WEEKEND_DAYS_ADDED)) or 'none'}"
    )
    if args.check:
        same = (
            json_path.exists()
            and json_path.read_text(encoding="utf-8") == text
            and swift_path.exists()
            and swift_path.read_text(encoding="utf-8") == swift
        )
        print(summary, file=sys.stderr)
        if not same:
            fail("the committed calendar files differ from what the sources give now")
        print("gen-calendar: committed files are up to date", file=sys.stderr)
        return
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(text, encoding="utf-8")
    swift_path.write_text(swift, encoding="utf-8")
    print(summary, file=sys.stderr)
    print(f"gen-calendar: wrote {json_path.relative_to(root)} and {swift_path.relative_to(root)}", file=sys.stderr)


if __name__ == "__main__":
    main()
