"""Helpers for the parity suite: the cp_measure reference, the bik command line, comparisons.

The bik side is driven only through its command-line program (path in ``BIK_EXE``):

    bik measure --pixels IN.h5:/pixels --labels IN.h5:/labels --features intensity
                [--no-edges] [--legacy] [--backend serial|openmp] [--schedule team] --out OUT.h5

OUT.h5 holds a root dataset ``label`` (int64, present labels ascending) and one float64
dataset per feature, named as cp_measure's dict keys.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import pytest

# cp_measure's intensity feature names in its dict order (spec §3.1).
CORE_FEATURES = [
    "Intensity_IntegratedIntensity",
    "Intensity_MeanIntensity",
    "Intensity_StdIntensity",
    "Intensity_MinIntensity",
    "Intensity_MaxIntensity",
    "Intensity_MassDisplacement",
    "Intensity_LowerQuartileIntensity",
    "Intensity_MedianIntensity",
    "Intensity_MADIntensity",
    "Intensity_UpperQuartileIntensity",
    "Location_CenterMassIntensity_X",
    "Location_CenterMassIntensity_Y",
    "Location_CenterMassIntensity_Z",
    "Location_MaxIntensity_X",
    "Location_MaxIntensity_Y",
    "Location_MaxIntensity_Z",
]
EDGE_FEATURES = [
    "Intensity_IntegratedIntensityEdge",
    "Intensity_MeanIntensityEdge",
    "Intensity_StdIntensityEdge",
    "Intensity_MinIntensityEdge",
    "Intensity_MaxIntensityEdge",
]


def expected_feature_names(edges: bool) -> list[str]:
    return CORE_FEATURES + (EDGE_FEATURES if edges else [])


# Order statistics: the same sorted values through the same formula, so bit-exact on float64
# input (spec §3.6, §9.2).
EXACT_FEATURES = frozenset(
    {
        "Intensity_MinIntensity",
        "Intensity_MaxIntensity",
        "Intensity_LowerQuartileIntensity",
        "Intensity_MedianIntensity",
        "Intensity_MADIntensity",
        "Intensity_UpperQuartileIntensity",
        "Intensity_MinIntensityEdge",
        "Intensity_MaxIntensityEdge",
    }
)

# bik's further claims (src/bik/measure/intensity.hpp): numpy's pairwise summation order for
# sums, means and standard deviations, numpy's orders for the location features.
CLAIMED_EXACT_SUMS = (
    "Intensity_IntegratedIntensity",
    "Intensity_MeanIntensity",
    "Intensity_StdIntensity",
    "Intensity_IntegratedIntensityEdge",
    "Intensity_MeanIntensityEdge",
    "Intensity_StdIntensityEdge",
)
CLAIMED_EXACT_MAX_LOCATIONS = tuple(n for n in CORE_FEATURES if n.startswith("Location_Max"))
CLAIMED_EXACT_CENTER_OF_MASS = tuple(n for n in CORE_FEATURES if n.startswith("Location_Center"))

RTOL = 1e-6
ATOL = 1e-8

# "openmp+team" runs OpenMP with a team per object (the shape GPUs use) instead of a thread.
BACKENDS = ("serial", "openmp", "openmp+team")
OMP_THREADS = "2"


# ------------------------------------------------------------------------------------------
# Reference


def cp_measure_intensity(labels: np.ndarray, pixels: np.ndarray, edges: bool, legacy: bool):
    """cp_measure's numpy get_intensity (the reference), as an ordered dict name -> array.

    Labels beyond 2^31 (which get_intensity's find_objects cannot size a table for) first go
    through cp_measure's own sanitize step, as its entry points do: it relabels them 1..N in
    ascending order, so row k is still the k-th present label (present_labels)."""
    from cp_measure.core.measureobjectintensity import get_intensity
    from cp_measure._sanitize import sanitize_masks

    labels = np.asarray(labels)
    if labels.size and int(labels.max()) > np.iinfo(np.int32).max:
        clean, ids = sanitize_masks(labels.copy())  # a writable copy: scenes are read-only
        # ids are int64 (a uint64 label above 2^63 wraps); the same bits as our present labels.
        assert np.array_equal(ids.view(np.uint64), present_labels(labels).astype(np.uint64))
        labels = clean
    return get_intensity(labels, np.asarray(pixels), edge_measurements=edges, legacy=legacy)


def present_labels(labels: np.ndarray) -> np.ndarray:
    """Labels > 0 that occur, ascending (what find_objects keeps), as bik writes them: uint64
    for uint64 labels (any value up to 2^64-1), int64 for every other integer type."""
    values = np.unique(labels)
    return values[values > 0].astype(label_dtype_for(labels.dtype))


def label_dtype_for(dtype) -> np.dtype:
    """The dtype of bik's output 'label' column for labels of `dtype`."""
    return np.dtype(np.uint64) if np.dtype(dtype) == np.uint64 else np.dtype(np.int64)


# ------------------------------------------------------------------------------------------
# bik command line


def bik_exe_from_env() -> tuple[str | None, str]:
    """(path, "") when BIK_EXE names an executable file, else (None, reason to skip)."""
    exe = os.environ.get("BIK_EXE")
    if not exe:
        return None, (
            "BIK_EXE is not set: point it at the bik command-line program "
            "(e.g. build/dev/src/cli/bik) to run the intensity parity suite"
        )
    if not os.path.isfile(exe) or not os.access(exe, os.X_OK):
        return None, f"BIK_EXE={exe!r} is not an executable file"
    return exe, ""


def in_ci() -> bool:
    """Whether this is a CI run (CI=true or 1), where a suite that cannot run is a failure."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason: str, module_level: bool = False) -> None:
    """Skips with `reason` on a developer machine; fails under CI, which must run everything."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a suite that cannot run is a failure)", pytrace=False)
    pytest.skip(reason, allow_module_level=module_level)


def write_inputs(path: Path, labels: np.ndarray, pixels: np.ndarray) -> None:
    with h5py.File(path, "w") as f:
        f.create_dataset("labels", data=labels)
        f.create_dataset("pixels", data=pixels)


def bik_command(exe: str, inputs: Path, out: Path, edges: bool, legacy: bool, backend: str):
    cmd = [
        exe,
        "measure",
        "--pixels",
        f"{inputs}:/pixels",
        "--labels",
        f"{inputs}:/labels",
        "--features",
        "intensity",
    ]
    if not edges:
        cmd.append("--no-edges")
    if legacy:
        cmd.append("--legacy")
    space, _, schedule = backend.partition("+")
    cmd += ["--backend", space, "--out", str(out)]
    if schedule:
        cmd += ["--schedule", schedule]
    return cmd


def run_bik(exe: str, inputs: Path, out: Path, edges: bool, legacy: bool, backend: str):
    """Runs bik measure; returns the CompletedProcess (check returncode yourself)."""
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = OMP_THREADS
    return subprocess.run(
        bik_command(exe, inputs, out, edges, legacy, backend),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def describe_failure(proc: subprocess.CompletedProcess) -> str:
    return (
        f"bik exited with {proc.returncode}\n$ {' '.join(proc.args)}\n"
        f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}"
    )


@dataclass
class BikOutput:
    labels: np.ndarray
    features: dict[str, np.ndarray]  # root datasets other than `label`, in the file's order
    label_dtype: np.dtype
    feature_dtypes: dict[str, np.dtype]
    creation_order: list[str] | None  # root link names in creation order, if tracked
    features_attr: list[str] | None  # the root attribute `features`, if present


def read_output(path: Path) -> BikOutput:
    with h5py.File(path, "r") as f:
        if "label" not in f:
            raise AssertionError(f"{path}: no root dataset 'label' (has {list(f.keys())})")
        label_ds = f["label"]
        features, dtypes = {}, {}
        for name, obj in f.items():
            if name == "label" or not isinstance(obj, h5py.Dataset):
                continue
            features[name] = obj[()]
            dtypes[name] = obj.dtype
        order: list[str] | None = []
        try:
            f.id.links.iterate(lambda n: order.append(n.decode()), idx_type=h5py.h5.INDEX_CRT_ORDER)
        except RuntimeError:
            order = None
        attr = None
        if "features" in f.attrs:
            raw = np.atleast_1d(f.attrs["features"])
            attr = [v.decode() if isinstance(v, bytes) else str(v) for v in raw]
        return BikOutput(label_ds[()], features, label_ds.dtype, dtypes, order, attr)


def read_csv_output(path: Path) -> tuple[list[str], np.ndarray, dict[str, np.ndarray]]:
    """(header, labels, name -> values) of a CSV table written by `bik measure --out X.csv`."""
    import csv

    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    labels = np.array([int(r[0]) for r in body], np.int64)
    columns = {
        name: np.array([float(r[c]) for r in body], np.float64)
        for c, name in enumerate(header)
        if c > 0
    }
    return header, labels, columns


# ------------------------------------------------------------------------------------------
# Comparison


def _diff_summary(name: str, labels: np.ndarray, got: np.ndarray, want: np.ndarray) -> str:
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    bad = np.flatnonzero(~same)
    lines = [f"{name}: {bad.size} of {got.size} objects differ"]
    for i in bad[:5]:
        lines.append(
            f"    label {labels[i]}: bik {float(got[i])!r} vs cp_measure {float(want[i])!r} "
            f"(diff {got[i] - want[i]:.3g})"
        )
    return "\n".join(lines)


def compare_features(
    labels: np.ndarray,
    got: dict[str, np.ndarray],
    want: dict[str, np.ndarray],
    exact: frozenset[str] | set[str] | tuple[str, ...] = EXACT_FEATURES,
    rtol: float = RTOL,
    atol: float = ATOL,
    names=None,
) -> list[str]:
    """Problems found comparing bik's features with the reference; empty when they agree.

    Names in `exact` must agree bit for bit (NaN matching NaN); the others within
    assert_allclose(rtol, atol, equal_nan=True). `names` restricts the comparison.
    """
    problems = []
    for name in names if names is not None else want:
        if name not in got:
            problems.append(f"{name}: missing from bik's output")
            continue
        g, w = np.asarray(got[name]), np.asarray(want[name])
        if g.shape != w.shape:
            problems.append(f"{name}: shape {g.shape} vs cp_measure {w.shape}")
            continue
        try:
            if name in exact:
                np.testing.assert_array_equal(g, w)
            else:
                np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, equal_nan=True)
        except AssertionError:
            kind = "bit-exact" if name in exact else f"rtol={rtol:g}, atol={atol:g}"
            problems.append(f"[{kind}] " + _diff_summary(name, labels, g, w))
    return problems


def fail_if(problems: list[str], header: str) -> None:
    """Fails the calling test with every problem listed, if there are any."""
    if problems:
        import pytest

        pytest.fail(header + "\n" + "\n".join(problems), pytrace=False)


def arrays_identical(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
