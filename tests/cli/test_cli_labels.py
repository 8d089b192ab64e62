"""`bik measure` with labels of any integer type and value (issue 7).

uint64 labels up to 2^64-1, int64 labels near 2^63 and sparse ones such as 2^40 are measured as
they are: the HDF5 'label' column is uint64 for uint64 input and int64 otherwise, holding the
exact values, and CSV has their exact decimals. Expected features come from numpy on the same
objects; the rows are the present labels ascending (numpy.unique). Negative labels stay an error.
"""
import os
import subprocess

import numpy as np
import pytest

# The CLI suite's executable and h5py, with its rule: under CI a suite that cannot run fails.
from test_cli import BIK_EXE, h5py

TOP = 2**64 - 1
HIGH = 2**63 - 1


def run(*args):
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    return subprocess.run([BIK_EXE, *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=300)


def scene(dtype, values):
    """A 20x24 image with four objects labelled `values` (in this raster order) and pixels."""
    labels = np.zeros((20, 24), dtype)
    labels[1:6, 2:9] = values[0]
    labels[8:15, 1:5] = values[1]
    labels[9:12, 10:22] = values[2]
    labels[18, 23] = values[3]  # one pixel
    pixels = np.random.default_rng(3).random((20, 24))
    return labels, pixels


def measure(tmp_path, labels, pixels, out_name, *extra):
    inputs = tmp_path / "in.h5"
    with h5py.File(inputs, "w") as f:
        f["labels"] = labels
        f["pixels"] = pixels
    out = tmp_path / out_name
    r = run("measure", "--pixels", f"{inputs}:/pixels", "--labels", f"{inputs}:/labels",
            "--out", out, "--overwrite", *extra)
    return r, out


def check_features(f, labels, pixels, present):
    """Mean, sum, min and max of every row against numpy on that label's pixels."""
    for row, label in enumerate(present):
        sel = pixels[labels == label]
        assert f["Intensity_IntegratedIntensity"][row] == pytest.approx(sel.sum(), rel=1e-12)
        assert f["Intensity_MeanIntensity"][row] == pytest.approx(sel.mean(), rel=1e-12)
        assert f["Intensity_MinIntensity"][row] == sel.min()
        assert f["Intensity_MaxIntensity"][row] == sel.max()


CASES = {
    "uint64_top": (np.uint64, [TOP, 2**63, 2**40, 1]),
    "uint64_small": (np.uint64, [3, 1, 2, 7]),
    "int64_high": (np.int64, [HIGH, HIGH - 1, 2**40, 5]),
    "int64_sparse": (np.int64, [2**40, 2**40 + 1, 2**40 + 3, 2**41]),
    "uint32_top": (np.uint32, [2**32 - 1, 2**31, 70000, 1]),
    "int32_top": (np.int32, [2**31 - 1, 2**30, 12, 1]),
    "uint8": (np.uint8, [255, 254, 17, 1]),
    "int8": (np.int8, [127, 100, 17, 1]),
    "int16": (np.int16, [32767, 300, 17, 1]),
}


@pytest.mark.parametrize("backend", ["serial", "openmp", "openmp+team"])
@pytest.mark.parametrize("case", list(CASES))
def test_labels_keep_their_values_and_dtype(tmp_path, case, backend):
    dtype, values = CASES[case]
    labels, pixels = scene(dtype, values)
    space, _, schedule = backend.partition("+")
    extra = ["--backend", space] + (["--schedule", schedule] if schedule else [])
    r, out = measure(tmp_path, labels, pixels, "out.h5", *extra)
    assert r.returncode == 0, r.stderr
    present = np.unique(labels)
    present = present[present > 0]
    with h5py.File(out) as f:
        want = np.uint64 if dtype == np.uint64 else np.int64
        assert f["label"].dtype == want
        assert [int(v) for v in f["label"][:]] == sorted(int(v) for v in values)
        check_features(f, labels, pixels, present)


@pytest.mark.parametrize("case", ["uint64_top", "int64_high"])
def test_csv_labels_are_exact_decimals(tmp_path, case):
    dtype, values = CASES[case]
    labels, pixels = scene(dtype, values)
    r, out = measure(tmp_path, labels, pixels, "out.csv")
    assert r.returncode == 0, r.stderr
    rows = out.read_text().splitlines()[1:]
    assert [row.split(",")[0] for row in rows] == [str(v) for v in sorted(values)]


def test_batch_keeps_uint64_labels(tmp_path):
    """A --list of two uint64 label images: one table, the image column, exact labels."""
    a_labels, a_pixels = scene(np.uint64, CASES["uint64_top"][1])
    b_labels, b_pixels = scene(np.uint64, [9, 2**50, TOP - 1, 4])
    for name, labels, pixels in [("a", a_labels, a_pixels), ("b", b_labels, b_pixels)]:
        with h5py.File(tmp_path / f"{name}.h5", "w") as f:
            f["labels"] = labels
            f["pixels"] = pixels
    listing = tmp_path / "pairs.txt"
    listing.write_text("".join(f"{tmp_path / n}.h5:/pixels {tmp_path / n}.h5:/labels\n"
                               for n in "ab"))
    out = tmp_path / "batch.h5"
    r = run("measure", "--list", listing, "--out", out)
    assert r.returncode == 0, r.stderr
    with h5py.File(out) as f:
        assert f["label"].dtype == np.uint64
        want = sorted(CASES["uint64_top"][1]) + sorted([9, 2**50, TOP - 1, 4])
        assert [int(v) for v in f["label"][:]] == want
        assert list(f["image"][:]) == [0] * 4 + [1] * 4


def test_sparse_and_small_labels_give_identical_features(tmp_path):
    """The same objects under labels 1..4 (dense table) and under 2^64-1... (sort-unique)."""
    small_labels, pixels = scene(np.uint64, [4, 3, 2, 1])
    big_labels, _ = scene(np.uint64, [TOP, TOP - 1, 2**63, 2**40])
    (tmp_path / "s").mkdir()
    (tmp_path / "b").mkdir()
    r1, small = measure(tmp_path / "s", small_labels, pixels, "small.h5")
    r2, big = measure(tmp_path / "b", big_labels, pixels, "big.h5")
    assert r1.returncode == 0 and r2.returncode == 0, (r1.stderr, r2.stderr)
    with h5py.File(small) as fs, h5py.File(big) as fb:
        assert [int(v) for v in fb["label"][:]] == [2**40, 2**63, TOP - 1, TOP]
        for name in fs:
            if name != "label":
                assert np.array_equal(fs[name][:], fb[name][:], equal_nan=True), name


@pytest.mark.parametrize(
    "dtype, bad",
    [(np.int64, -(2**63)), (np.int64, -1), (np.int8, -128), (np.int32, -5)],
)
def test_negative_labels_are_an_error(tmp_path, dtype, bad):
    labels, pixels = scene(dtype, [1, 2, 3, 4])
    labels[0, 0] = bad
    r, out = measure(tmp_path, labels, pixels, "out.h5")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.startswith("bik: error:") and "labels must be >= 0" in r.stderr, r.stderr
    assert str(bad) in r.stderr
    assert not out.exists()


@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (0, 0), (2, 0, 5)])
def test_empty_extents_are_an_error(tmp_path, shape):
    labels = np.zeros(shape, np.uint64)
    pixels = np.zeros(shape)
    r, out = measure(tmp_path, labels, pixels, "out.h5")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "empty" in r.stderr, r.stderr
    assert not out.exists()
