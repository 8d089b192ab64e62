"""`bik measure` on many images in one process: a rank-4 (B,Z,Y,X) dataset, or a --list file
of dataset pairs. The output is one table with an `image` column; each image's rows must equal
a single-image run on the same data (itself checked against cp_measure by tests/parity) and the
integrated intensity numpy's sum over the object. Also --schedule, which picks a thread or a
team of threads per object.
"""
import os
import subprocess

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

BIK_EXE = os.environ.get("BIK_EXE")
if not BIK_EXE:
    if os.environ.get("CI"):
        raise RuntimeError("BIK_EXE must name the bik executable in CI")
    pytest.skip("set BIK_EXE to the built `bik` executable", allow_module_level=True)


def run(*args):
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    return subprocess.run([BIK_EXE, *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=300)


def read_table(path):
    with h5py.File(path) as f:
        return {name: f[name][:] for name in f}


def make_images(count, shape, seed):
    """`count` label/pixel pairs: blobs of labels 1..6 (some absent) over uint16-like pixels."""
    rng = np.random.default_rng(seed)
    labels = np.zeros((count, *shape), np.int32)
    pixels = rng.integers(0, 4000, size=(count, *shape)).astype(np.float64)
    for b in range(count):
        for label in rng.choice(np.arange(1, 7), size=4, replace=False):
            y, x = rng.integers(0, shape[-2] - 8), rng.integers(0, shape[-1] - 8)
            labels[b, ..., y:y + 8, x:x + 8] = label
    return labels, pixels


def single_run(tmp_path, name, labels, pixels, *extra):
    path = tmp_path / f"{name}.h5"
    with h5py.File(path, "w") as f:
        f["labels"] = labels
        f["pixels"] = pixels
    out = tmp_path / f"{name}.out.h5"
    r = run("measure", "--pixels", f"{path}:/pixels", "--labels", f"{path}:/labels", "--out", out,
            *extra)
    assert r.returncode == 0, r.stderr
    return read_table(out)


def check_against_single_runs(tmp_path, table, labels, pixels):
    images = table["image"]
    assert table["image"].dtype == np.int64
    assert list(np.unique(images)) == list(range(len(labels)))
    assert np.all(np.diff(images) >= 0), "rows are grouped by image"
    for b in range(len(labels)):
        rows = images == b
        one = single_run(tmp_path, f"single{b}", labels[b], pixels[b])
        np.testing.assert_array_equal(table["label"][rows], one["label"])
        for name, values in one.items():
            np.testing.assert_array_equal(table[name][rows], values, err_msg=f"{name} image {b}")
        for k, label in enumerate(one["label"]):
            want = np.sum(pixels[b][labels[b] == label])
            assert table["Intensity_IntegratedIntensity"][rows][k] == want


@pytest.mark.parametrize("shape", [(1, 24, 31), (3, 16, 20)], ids=["2d", "3d"])
def test_rank4_dataset_is_a_batch(tmp_path, shape):
    labels, pixels = make_images(7, shape, seed=len(shape) + shape[0])
    path = tmp_path / "batch.h5"
    with h5py.File(path, "w") as f:
        f["labels"] = labels
        f["pixels"] = pixels
    out = tmp_path / "out.h5"
    r = run("measure", "--pixels", f"{path}:/pixels", "--labels", f"{path}:/labels", "--out", out,
            "--legacy")
    assert r.returncode == 0, r.stderr
    assert "7 images" in r.stdout
    assert "images=7" in r.stderr
    table = read_table(out)
    # --legacy makes a 2D element (MAD at q = 1/2) differ from a 3D one (q = 1/3); compare the
    # same way.
    images = table["image"]
    for b in range(len(labels)):
        one = single_run(tmp_path, f"s{b}", labels[b, 0] if shape[0] == 1 else labels[b],
                         pixels[b, 0] if shape[0] == 1 else pixels[b], "--legacy")
        for name, values in one.items():
            np.testing.assert_array_equal(table[name][images == b], values, err_msg=name)


@pytest.mark.parametrize("same_shape", [True, False], ids=["batched", "ragged"])
def test_list_file(tmp_path, same_shape):
    labels, pixels = make_images(5, (30, 26), seed=4)
    lines = ["# pixels labels", ""]
    label_list, pixel_list = [], []
    for b in range(5):
        l, p = labels[b], pixels[b]
        if not same_shape and b == 2:
            l, p = l[:, :20], p[:, :20]
        label_list.append(l)
        pixel_list.append(p)
        path = tmp_path / f"in{b}.h5"
        with h5py.File(path, "w") as f:
            f["l"] = l
            f["p"] = p
        lines.append(f"{path}:/p {path}:/l")
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.h5"
    r = run("measure", "--list", listing, "--out", out)
    assert r.returncode == 0, r.stderr
    check_against_single_runs(tmp_path, read_table(out), label_list, pixel_list)

    csv = tmp_path / "out.csv"
    assert run("measure", "--list", listing, "--out", csv).returncode == 0
    header = csv.read_text().splitlines()[0]
    assert header.startswith("image,label,Intensity_IntegratedIntensity")


@pytest.mark.parametrize("shapes", [[(9, 13), (17, 6), (4, 21)],
                                    [(2, 9, 13), (5, 4, 7), (3, 11, 5)]], ids=["2d", "3d"])
def test_ragged_list_equals_single_runs(tmp_path, shapes):
    """A ragged --list (measured as one batch padded to the largest extents): labels in blocks
    that reach every border (the padding must not add edge voxels), pixels of three types with
    a NaN (left out, like the padding); each image's rows equal its single run, --legacy too."""
    rng = np.random.default_rng(len(shapes[0]))
    lines, label_list, pixel_list = [], [], []
    for b, shape in enumerate(shapes):
        index = np.indices(shape)
        block = index[-1] // 4 + 5 * (index[-2] // 3) + (3 * index[0] if len(shape) == 3 else 0)
        labels = np.where(block % 5 == 4, 0, block % 6 + 1).astype(np.int32)
        dtype = [np.uint16, np.float32, np.float64][b]
        pixels = rng.integers(0, 4000, size=shape).astype(dtype)
        if b > 0:
            pixels.flat[7] = np.nan
        path = tmp_path / f"in{b}.h5"
        with h5py.File(path, "w") as f:
            f["l"] = labels
            f["p"] = pixels
        lines.append(f"{path}:/p {path}:/l")
        label_list.append(labels)
        pixel_list.append(pixels)
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(lines) + "\n")
    for extra in [(), ("--legacy",)]:
        out = tmp_path / "out.h5"
        r = run("measure", "--list", listing, "--out", out, "--overwrite", *extra)
        assert r.returncode == 0, r.stderr
        table = read_table(out)
        for b in range(len(shapes)):
            one = single_run(tmp_path, f"one{b}_{len(extra)}", label_list[b], pixel_list[b],
                             *extra)
            rows = table["image"] == b
            assert rows.sum() == len(one["label"]) > 0
            for name, values in one.items():
                np.testing.assert_array_equal(table[name][rows], values, err_msg=f"{name} {b}")


def test_list_file_errors(tmp_path):
    out = tmp_path / "out.h5"
    r = run("measure", "--list", tmp_path / "missing.txt", "--out", out)
    assert r.returncode == 2 and "cannot open the --list file" in r.stderr
    bad = tmp_path / "bad.txt"
    bad.write_text("only_one_word.h5:/x\n")
    r = run("measure", "--list", bad, "--out", out)
    assert r.returncode == 2 and "bad.txt:1: expected" in r.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n\n")
    r = run("measure", "--list", empty, "--out", out)
    assert r.returncode == 2 and "names no image pairs" in r.stderr
    r = run("measure", "--list", empty, "--pixels", "a.h5:/p", "--out", out)
    assert r.returncode == 2 and "--list replaces --pixels" in r.stderr
    assert not out.exists()


def test_schedules_agree(tmp_path):
    labels, pixels = make_images(1, (48, 40), seed=9)
    want = single_run(tmp_path, "thread", labels[0], pixels[0], "--schedule", "thread")
    for schedule in ["team", "team:1", "team:2"]:
        got = single_run(tmp_path, schedule.replace(":", ""), labels[0], pixels[0], "--schedule",
                         schedule)
        for name, values in want.items():
            np.testing.assert_array_equal(got[name], values, err_msg=f"{schedule}: {name}")
    for bad in ["teams", "team:0", "team:x", "thread:2"]:
        r = run("measure", "--pixels", "a.h5:/p", "--labels", "a.h5:/l", "--out",
                tmp_path / "o.h5", "--schedule", bad)
        assert r.returncode == 2 and "--schedule must be" in r.stderr, (bad, r.stderr)
