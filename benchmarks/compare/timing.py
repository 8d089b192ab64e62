"""Timing helpers shared by the compare scripts: repeated wall-clock calls summarised by their
spread, and the `timing key=value ...` line `bik measure` prints to stderr.

A timed side is recorded as {"ms": minimum (the headline every ratio uses), "median_ms",
"max_ms", "times_ms": every repeat}. On a loaded machine repeats vary up to 2x, so the median
and the maximum let a reader judge a ratio of two minima. bik's side has only what its timing
line prints: compute_ms_min and compute_ms_median (no maximum, no list).
"""

from __future__ import annotations

import statistics
import time


def spread(times_ms: list[float]) -> dict:
    """Minimum, median and maximum of the repeats (ms), and the repeats themselves."""
    return {"ms": min(times_ms), "median_ms": statistics.median(times_ms),
            "max_ms": max(times_ms), "times_ms": list(times_ms)}


def time_calls(fn, repeats: int):
    """Calls fn `repeats` times (no warm-up); returns (spread of the wall times, last result)."""
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return spread(times), result


def parse_timing(stderr: str) -> dict | None:
    """The fields of bik's `timing key=value ...` stderr line (the last, if several), or
    None."""
    lines = [ln for ln in stderr.splitlines() if ln.startswith("timing ")]
    if not lines:
        return None
    fields = {}
    for item in lines[-1].split()[1:]:
        key, _, value = item.partition("=")
        fields[key] = value
    return fields


def bik_spread(fields: dict) -> dict:
    """bik's compute time from its timing fields: minimum and median of its --repeat calls."""
    return {"ms": float(fields["compute_ms_min"]),
            "median_ms": float(fields.get("compute_ms_median", "nan"))}


def describe(side: dict) -> str:
    """`min 12.3 / median 13.0 / max 15.2 ms`, leaving out what was not recorded."""
    parts = [f"min {side['ms']:.2f}"]
    for key, name in (("median_ms", "median"), ("max_ms", "max")):
        if side.get(key) is not None:
            parts.append(f"{name} {side[key]:.2f}")
    return " / ".join(parts) + " ms"
