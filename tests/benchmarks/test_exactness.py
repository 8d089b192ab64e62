"""benchmarks/compare/exactness.py: the "identical" column of the comparison is computed, so the
computation itself is checked here on values whose ULP distances are known by construction."""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "compare"))
from exactness import describe_exactness, exactness, ulp_distance  # noqa: E402


def test_ulp_distance_counts_representable_steps():
    one = np.array([1.0])
    assert ulp_distance(one, one) == (0, True)
    assert ulp_distance(np.nextafter(one, 2.0), one) == (1, True)
    three_up = np.nextafter(np.nextafter(np.nextafter(one, 2.0), 2.0), 2.0)
    assert ulp_distance(three_up, one)[0] == 3
    # Across zero: the smallest positive and negative denormals are 2 steps apart (via 0).
    tiny = np.array([5e-324])
    assert ulp_distance(tiny, -tiny)[0] == 2
    assert ulp_distance(np.array([-0.0]), np.array([0.0]))[0] == 0
    # The largest double and infinity are neighbours.
    assert ulp_distance(np.array([np.inf]), np.array([np.finfo(np.float64).max]))[0] == 1


def test_nan_positions():
    a = np.array([np.nan, 1.0, 2.0])
    assert ulp_distance(a, np.array([np.nan, 1.0, 2.0])) == (0, True)
    assert ulp_distance(a, np.array([1.0, np.nan, 2.0])) == (0, False)


def test_exactness_of_feature_tables():
    ref = {"A": np.array([1.0, 0.0, np.nan]), "B": np.array([2.0])}
    same = {"A": np.array([1.0, 0.0, np.nan]), "B": np.array([2.0])}
    assert exactness(ref, same)["identical"]
    assert describe_exactness(exactness(ref, same)) == "identical"
    off = {"A": np.array([1.0, 0.0, np.nan]), "B": np.nextafter(np.array([2.0]), 0.0)}
    e = exactness(ref, off)
    assert (e["max_ulp"], e["identical"]) == (1, False)
    assert describe_exactness(e) == "max 1 ULP"
    signed = {"A": np.array([1.0, -0.0, np.nan]), "B": np.array([2.0])}
    assert describe_exactness(exactness(ref, signed)) == "max 0 ULP, signs of zero differ"
    assert not exactness(ref, {"A": ref["A"]})["identical"]  # a feature is missing
    assert not exactness(ref, same, labels_ok=False)["identical"]
