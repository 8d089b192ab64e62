"""How exactly one set of per-object features equals another: ULP distances and NaN positions.

compare_intensity.py fills its "identical" column from these, so the column is computed from the
outputs. numpy only; tested in tests/benchmarks/test_exactness.py.
"""

from __future__ import annotations

import numpy as np


def ordered_bits(values):
    """float64 values as integers in the order of the reals: adjacent doubles differ by 1, and
    -0.0 and +0.0 both map to 0. Python ints, so differences cannot overflow."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.int64).ravel()
    return [int(b) if b >= 0 else -(int(b) & 0x7FFFFFFFFFFFFFFF) for b in bits]


def ulp_distance(got, ref):
    """(largest ULP distance over the positions where neither is NaN, NaN positions equal).
    Infinities count as the value after the largest double."""
    got = np.asarray(got, dtype=np.float64).ravel()
    ref = np.asarray(ref, dtype=np.float64).ravel()
    if got.shape != ref.shape:
        raise ValueError(f"shapes differ: {got.shape} vs {ref.shape}")
    nan_got, nan_ref = np.isnan(got), np.isnan(ref)
    both = ~(nan_got | nan_ref)
    worst = 0
    for a, b in zip(ordered_bits(got[both]), ordered_bits(ref[both])):
        worst = max(worst, abs(a - b))
    return worst, bool(np.array_equal(nan_got, nan_ref))


def exactness(reference, got, labels_ok=True):
    """{"max_ulp", "nan_positions_equal", "zero_signs_equal", "identical"} of a result against
    the reference, over every feature the reference has. "identical" means bit for bit apart
    from NaN payloads: 0 ULP, NaNs at the same places, the same sign on every zero, every feature
    present with the reference's size, and the labels equal (labels_ok)."""
    max_ulp, nan_equal, zeros_equal, complete = 0, True, True, labels_ok
    for key, ref in reference.items():
        if key not in got or np.asarray(got[key]).size != np.asarray(ref).size:
            complete = False
            continue
        g = np.asarray(got[key], dtype=np.float64).ravel()
        r = np.asarray(ref, dtype=np.float64).ravel()
        ulp, same_nan = ulp_distance(g, r)
        max_ulp = max(max_ulp, ulp)
        nan_equal &= same_nan
        numbers = ~(np.isnan(g) | np.isnan(r))
        zeros_equal &= bool(np.array_equal(np.signbit(g[numbers]), np.signbit(r[numbers])))
    return {"max_ulp": max_ulp, "nan_positions_equal": nan_equal,
            "zero_signs_equal": zeros_equal,
            "identical": complete and nan_equal and zeros_equal and max_ulp == 0}


def describe_exactness(e):
    if e["identical"]:
        return "identical"
    text = f"max {e['max_ulp']} ULP"
    if not e["nan_positions_equal"]:
        text += ", NaN positions differ"
    if not e.get("zero_signs_equal", True):
        text += ", signs of zero differ"
    return text
