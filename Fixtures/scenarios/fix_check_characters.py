#!/usr/bin/env python3
"""Rewrites the check character of every fictitious identity number in the given files so that
it passes the product's checks (SPEC §3):

- resident ID numbers, GB 11643-1999: ISO 7064 MOD 11-2 over 17 digits, weights 2^(17-i) mod 11,
  check = "10X98765432"[sum mod 11]. Golden value: the standard's own worked example
  11010519491231002X (asserted below before anything is written);
- unified social credit codes, GB 32100-2015: weights 3^(i-1) mod 31 over the 31-character
  alphabet 0-9A-Y without I O S V Z, check = alphabet[(31 - sum mod 31) mod 31].

Only the 18th character changes; the invented area code, birth date, order code and serial stay,
so every entity in a fixture keeps its identity across files. Standard library only.

    python3 Fixtures/scenarios/fix_check_characters.py FILE...
"""
import re
import sys

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def resident_check(body: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def credit_check(body: str) -> str:
    return ALPHABET[(31 - sum(ALPHABET.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS)) % 31) % 31]


assert resident_check("11010519491231002") == "X"  # GB 11643-1999's worked example
assert CREDIT_WEIGHTS == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]  # GB 32100 table

# "id_number": "…" in JSON, also with escaped quotes inside Swift or JSON strings.
PATTERN = re.compile(r'(id_number\\?"\s*:\s*\\?")([0-9A-Z]{17})([0-9A-Zx])(\\?")')


def fix(match: re.Match) -> str:
    body = match.group(2)
    if body.isdigit():
        check = resident_check(body)
    elif all(c in ALPHABET for c in body) and body[0] == "9":
        check = credit_check(body)
    else:
        return match.group(0)  # deliberately malformed: left for the tests that want it so
    return match.group(1) + body + check + match.group(4)


def main(paths):
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        fixed, count = PATTERN.subn(fix, text)
        if fixed != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(fixed)
        changed = sum(1 for a, b in zip(PATTERN.findall(text), PATTERN.findall(fixed)) if a != b)
        print(f"{path}: {count} numbers, {changed} check characters rewritten")


if __name__ == "__main__":
    main(sys.argv[1:])
