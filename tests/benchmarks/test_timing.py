"""benchmarks/compare/timing.py: the spread of a timed side, bik's timing line, and the printed
summary, on numbers whose minimum, median and maximum are known by construction."""
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "compare"))
from timing import bik_spread, describe, parse_timing, spread, time_calls  # noqa: E402


def test_spread_keeps_min_median_max_and_every_repeat():
    assert spread([30.0, 10.0, 20.0, 50.0]) == {
        "ms": 10.0, "median_ms": 25.0, "max_ms": 50.0, "times_ms": [30.0, 10.0, 20.0, 50.0]}


def test_time_calls_times_every_call_and_returns_the_last_result():
    calls = []
    times, result = time_calls(lambda: calls.append(len(calls)) or len(calls), 3)
    assert result == 3 and len(calls) == 3
    assert len(times["times_ms"]) == 3
    assert times["ms"] == min(times["times_ms"]) <= times["median_ms"] <= times["max_ms"]


def test_bik_timing_line_gives_min_and_median_only():
    stderr = ("measured 4 objects\n"
              "timing read_ms=1.000 transfer_ms=0.500 compute_ms_min=2.250 "
              "compute_ms_median=3.500 write_ms=0.100 repeats=5 images=1 backend=serial "
              "threads=1\n")
    fields = parse_timing(stderr)
    assert fields["threads"] == "1" and fields["repeats"] == "5"
    assert bik_spread(fields) == {"ms": 2.25, "median_ms": 3.5}
    assert parse_timing("no timing here\n") is None
    # A timing line without the median (an older CLI) records NaN, not an invented number.
    assert math.isnan(bik_spread({"compute_ms_min": "2.0"})["median_ms"])


def test_describe_names_what_was_recorded():
    assert describe({"ms": 10.0, "median_ms": 25.0, "max_ms": 50.0}) == \
        "min 10.00 / median 25.00 / max 50.00 ms"
    assert describe({"ms": 2.25, "median_ms": 3.5}) == "min 2.25 / median 3.50 ms"
