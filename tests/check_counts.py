"""Fails a test run that passed vacuously.

Reads JUnit XML reports (pytest's --junitxml, ctest's --output-junit) and exits non-zero when any
test was skipped or disabled, when any failed, or when fewer tests ran than the committed floor
for that suite in tests/test_floor.txt. For a ctest report, the doctest summary each test printed
("[doctest] test cases: N | ...") is checked too, against the floor 'SUITE/TESTNAME'.
Standard library only.

    python tests/check_counts.py SUITE REPORT.xml [--floor tests/test_floor.txt]
"""

from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

DEFAULT_FLOOR = Path(__file__).resolve().parent / "test_floor.txt"


def read_floor(path: Path) -> dict[str, int]:
    """`suite count` pairs, one per line; '#' starts a comment."""
    floors: dict[str, int] = {}
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit():
            raise ValueError(f"{path}:{number}: expected 'SUITE COUNT', got {raw!r}")
        floors[parts[0]] = int(parts[1])
    return floors


def count(report: Path) -> dict[str, int]:
    """Totals over every <testcase> of the report: ran, skipped, failed."""
    root = ET.parse(report).getroot()
    totals = {"cases": 0, "skipped": 0, "failed": 0}
    for case in root.iter("testcase"):
        totals["cases"] += 1
        # ctest marks a disabled or not-run test with status="disabled"/"notrun".
        status = case.get("status", "")
        if case.find("skipped") is not None or status in ("disabled", "notrun"):
            totals["skipped"] += 1
        elif case.find("failure") is not None or case.find("error") is not None or status == "fail":
            totals["failed"] += 1
    return totals


DOCTEST_SUMMARY = re.compile(
    r"\[doctest\] test cases:\s*(\d+) \|\s*(\d+) passed \|\s*(\d+) failed \|\s*(\d+) skipped")


def doctest_counts(report: Path) -> dict[str, dict[str, int]]:
    """Per ctest test that ran a doctest executable: its doctest case totals."""
    out = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        text = "".join(node.text or "" for node in case.iter("system-out"))
        match = DOCTEST_SUMMARY.search(text)
        if match:
            total, passed, failed, skipped = map(int, match.groups())
            out[case.get("name", "")] = {"cases": total, "skipped": skipped, "failed": failed}
    return out


def check(suite: str, totals: dict[str, int], floor: int | None) -> list[str]:
    problems = []
    if floor is None:
        problems.append(f"no floor for suite '{suite}' in the floor file")
    ran = totals["cases"] - totals["skipped"]
    if totals["skipped"]:
        problems.append(f"{totals['skipped']} test(s) skipped; every test must run")
    if totals["failed"]:
        problems.append(f"{totals['failed']} test(s) failed")
    if floor is not None and ran < floor:
        problems.append(f"only {ran} test(s) ran, the floor is {floor}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite")
    parser.add_argument("report", type=Path)
    parser.add_argument("--floor", type=Path, default=DEFAULT_FLOOR)
    args = parser.parse_args(argv)
    if not args.report.is_file():
        print(f"check_counts: {args.suite}: no report {args.report}", file=sys.stderr)
        return 1
    totals = count(args.report)
    floors = read_floor(args.floor)
    problems = check(args.suite, totals, floors.get(args.suite))
    ran = totals["cases"] - totals["skipped"]
    nested = doctest_counts(args.report)
    for key in sorted(k for k in floors if k.startswith(args.suite + "/")):
        name = key.split("/", 1)[1]
        if name not in nested:
            problems.append(f"no doctest summary from test '{name}' (floor {key})")
    for name, sub in nested.items():
        problems += [f"{name}: {p}" for p in check(f"{args.suite}/{name}", sub,
                                                    floors.get(f"{args.suite}/{name}"))]
    if problems:
        for p in problems:
            print(f"check_counts: {args.suite}: {p}", file=sys.stderr)
        return 1
    print(f"check_counts: {args.suite}: {ran} test(s) ran, none skipped (floor ok)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
