"""tests/check_counts.py, the guard against vacuous green runs, on small hand-written reports."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import check_counts  # noqa: E402

PYTEST_REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="0" failures="0" skipped="{skipped}" tests="3">
<testcase classname="a" name="t1"/>
<testcase classname="a" name="t2">{second}</testcase>
<testcase classname="a" name="t3"/>
</testsuite></testsuites>
"""

CTEST_REPORT = """<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="(empty)" tests="2" failures="0" disabled="0" skipped="0">
<testcase name="unit" classname="unit" status="{status}"><system-out>[doctest] test cases:    {cases} |    {cases} passed | 0 failed | 0 skipped
</system-out></testcase>
<testcase name="consumer" classname="consumer" status="run"><system-out>ok</system-out></testcase>
</testsuite>
"""


def run(tmp_path, suite, report_text, floor_text):
    report = tmp_path / "report.xml"
    report.write_text(report_text)
    floor = tmp_path / "floor.txt"
    floor.write_text(floor_text)
    return check_counts.main([suite, str(report), "--floor", str(floor)])


def test_all_ran_at_the_floor_passes(tmp_path, capsys):
    assert run(tmp_path, "pytest", PYTEST_REPORT.format(skipped=0, second=""), "pytest 3\n") == 0
    assert "3 test(s) ran" in capsys.readouterr().out


def test_a_skip_fails(tmp_path, capsys):
    text = PYTEST_REPORT.format(skipped=1, second='<skipped message="no BIK_EXE"/>')
    assert run(tmp_path, "pytest", text, "pytest 2\n") == 1
    assert "1 test(s) skipped" in capsys.readouterr().err


def test_a_failure_fails(tmp_path):
    text = PYTEST_REPORT.format(skipped=0, second='<failure message="boom"/>')
    assert run(tmp_path, "pytest", text, "pytest 3\n") == 1


def test_below_the_floor_fails(tmp_path, capsys):
    assert run(tmp_path, "pytest", PYTEST_REPORT.format(skipped=0, second=""), "pytest 4\n") == 1
    assert "only 3 test(s) ran, the floor is 4" in capsys.readouterr().err


def test_a_suite_without_floor_fails(tmp_path):
    assert run(tmp_path, "pytest", PYTEST_REPORT.format(skipped=0, second=""), "ctest 1\n") == 1


def test_missing_report_fails(tmp_path):
    floor = tmp_path / "floor.txt"
    floor.write_text("pytest 1\n")
    assert check_counts.main(["pytest", str(tmp_path / "none.xml"), "--floor", str(floor)]) == 1


@pytest.mark.parametrize("cases, status, expected", [(40, "run", 0), (39, "run", 1), (40, "disabled", 1)])
def test_ctest_and_the_doctest_cases_inside(tmp_path, cases, status, expected):
    text = CTEST_REPORT.format(cases=cases, status=status)
    assert run(tmp_path, "ctest", text, "ctest 2\nctest/unit 40  # doctest cases\n") == expected


def test_a_floored_doctest_test_that_printed_nothing_fails(tmp_path, capsys):
    text = CTEST_REPORT.format(cases=40, status="run")
    assert run(tmp_path, "ctest", text, "ctest 2\nctest/unit 40\nctest/io 12\n") == 1
    assert "no doctest summary from test 'io'" in capsys.readouterr().err


def test_the_committed_floor_file_parses():
    floors = check_counts.read_floor(check_counts.DEFAULT_FLOOR)
    assert floors["pytest"] > 0 and floors["ctest"] > 0
