"""End-to-end tests of the `bik` command-line program.

The executable comes from the BIK_EXE environment variable, e.g.
    BIK_EXE=build/io/src/cli/bik python -m pytest -q tests/cli
Inputs are written with h5py into pytest's tmp_path; expected values come from numpy.
"""
import os
import re
import subprocess

import numpy as np
import pytest

# Under CI (CI=true) a suite that cannot run fails instead of skipping: a green run must have
# run these tests.
_IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
try:
    import h5py
except ImportError:
    if _IN_CI:
        raise
    pytest.skip("h5py is not installed", allow_module_level=True)

BIK_EXE = os.environ.get("BIK_EXE")
if not BIK_EXE:
    _reason = "set BIK_EXE to the path of the built `bik` executable to run the CLI tests"
    if _IN_CI:
        pytest.fail(_reason + " (CI=true: the CLI suite must run)", pytrace=False)
    pytest.skip(_reason, allow_module_level=True)

CORE = [
    "Intensity_IntegratedIntensity", "Intensity_MeanIntensity", "Intensity_StdIntensity",
    "Intensity_MinIntensity", "Intensity_MaxIntensity", "Intensity_MassDisplacement",
    "Intensity_LowerQuartileIntensity", "Intensity_MedianIntensity", "Intensity_MADIntensity",
    "Intensity_UpperQuartileIntensity", "Location_CenterMassIntensity_X",
    "Location_CenterMassIntensity_Y", "Location_CenterMassIntensity_Z", "Location_MaxIntensity_X",
    "Location_MaxIntensity_Y", "Location_MaxIntensity_Z",
]
EDGE = [
    "Intensity_IntegratedIntensityEdge", "Intensity_MeanIntensityEdge",
    "Intensity_StdIntensityEdge", "Intensity_MinIntensityEdge", "Intensity_MaxIntensityEdge",
]
TIMING = re.compile(
    r"^timing read_ms=\d+\.\d{3} transfer_ms=\d+\.\d{3} compute_ms_min=\d+\.\d{3} "
    r"compute_ms_median=\d+\.\d{3} write_ms=\d+\.\d{3} repeats=(\d+) images=(\d+) "
    r"backend=(\w+) threads=(\d+)$",
    re.MULTILINE,
)


def run(*args, cwd=None):
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    return subprocess.run([BIK_EXE, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


def write_int_bits_outside_element(path, shape):
    """An int32 dataset /pixels whose datatype message is corrupted to say its 32 value bits
    start at bit 4000 of each 4-byte element (HDF5 1.10.8 reads that, out of bounds)."""
    with h5py.File(path, "w") as f:
        f["pixels"] = np.ones(shape, np.int32)
    data = bytearray(path.read_bytes())
    # Datatype message, version 1 fixed-point: class/version, flags (signed LE), size 4, then
    # the bit offset and precision (uint16 each).
    message = bytes.fromhex("10080000" "04000000" "0000" "2000")
    at = data.find(message)
    assert at >= 0 and data.find(message, at + 1) < 0
    data[at + 8:at + 10] = (4000).to_bytes(2, "little")
    path.write_bytes(bytes(data))


@pytest.fixture
def scene(tmp_path):
    """A 64x64 float64 image with three objects (labels 2, 5, 9) and a file of bad datasets."""
    rng = np.random.default_rng(42)
    pixels = rng.random((64, 64))
    pixels[12, 12] = np.nan  # inside label 2: dropped from every reduction
    labels = np.zeros((64, 64), np.uint16)
    labels[8:24, 8:24] = 2
    labels[30:50, 10:20] = 5
    labels[40:44, 40:60] = 9
    path = tmp_path / "in.h5"
    with h5py.File(path, "w") as f:
        f["pixels"] = pixels
        f["labels"] = labels
        f["pixels_other_shape"] = rng.random((64, 60))
        f["rank1"] = np.arange(10, dtype=np.int32)
        f["rank5"] = np.zeros((1, 1, 1, 64, 64), np.int32)
        f["float_labels"] = labels.astype(np.float32)
        f["negative"] = labels.astype(np.int16) - 1
        f["strings"] = np.array([b"ab", b"cd"])
        f["empty"] = np.zeros((0, 64), np.uint8)
        f["stack"] = np.stack([pixels, 2 * pixels, 3 * pixels])
        f.create_group("group")
    return {"dir": tmp_path, "file": path, "pixels": pixels, "labels": labels}


def measure(scene, out, *extra, pixels="/pixels", labels="/labels"):
    f = scene["file"]
    return run("measure", "--pixels", f"{f}:{pixels}", "--labels", f"{f}:{labels}",
               "--out", out, *extra)


def leftovers(directory, name):
    """Files in `directory` that are `name` or a temporary for it."""
    return [p for p in os.listdir(directory) if p == name or p.startswith("." + name)]


def test_version():
    r = run("--version")
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(r"bik \d+\.\d+\.\d+\n", r.stdout)
    assert run("version").stdout == r.stdout


def test_help():
    r = run("--help")
    assert r.returncode == 0
    assert "measure" in r.stdout and "demo" in r.stdout
    r = run("measure", "--help")
    assert r.returncode == 0
    assert "--pixels" in r.stdout and "--repeat" in r.stdout
    assert run("demo", "--help").returncode == 0


def test_info():
    r = run("info")
    assert r.returncode == 0, r.stderr
    assert "serial" in r.stdout and "openmp" in r.stdout
    assert re.search(r"Kokkos \d+\.\d+\.\d+", r.stdout)
    assert "default backend:" in r.stdout
    assert re.search(r"^CPU vector loops: (wide|narrow) ", r.stdout, re.MULTILINE)
    narrow = subprocess.run([BIK_EXE, "info"], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, BIK_HOST_VECTORS="narrow"))
    assert re.search(r"^CPU vector loops: narrow ", narrow.stdout, re.MULTILINE), narrow.stdout


def test_measure_hdf5(scene):
    out = scene["dir"] / "out.h5"
    r = measure(scene, out)
    assert r.returncode == 0, r.stderr
    assert "3 objects" in r.stdout and str(out) in r.stdout
    with h5py.File(out) as f:
        assert list(f["label"][:]) == [2, 5, 9]
        assert f["label"].dtype == np.int64
        assert set(f.keys()) == {"label", *CORE, *EDGE}
        for name in CORE + EDGE:
            assert f[name].dtype == np.float64 and f[name].shape == (3,)
        assert f.attrs["features"] == "intensity"
        assert f.attrs["edges"] == "true"
        assert f.attrs["pixels"] == f"{scene['file']}:/pixels"
        assert "bik_version" in f.attrs and "backend" in f.attrs
        values = {name: f[name][:] for name in CORE + EDGE}
    p, lab = scene["pixels"], scene["labels"]
    sel = p[lab == 2]
    sel = sel[np.isfinite(sel)]
    assert values["Intensity_MeanIntensity"][0] == pytest.approx(sel.mean(), rel=1e-12)
    assert values["Intensity_IntegratedIntensity"][0] == pytest.approx(sel.sum(), rel=1e-12)
    assert values["Intensity_StdIntensity"][0] == pytest.approx(sel.std(), rel=1e-12)
    assert values["Intensity_MinIntensity"][0] == sel.min()
    assert values["Intensity_MaxIntensity"][0] == sel.max()
    sel5 = p[lab == 5]
    assert values["Intensity_MeanIntensity"][1] == pytest.approx(sel5.mean(), rel=1e-12)
    ys, xs = np.nonzero(lab == 5)
    w = p[ys, xs]
    assert values["Location_CenterMassIntensity_X"][1] == pytest.approx((xs * w).sum() / w.sum())
    assert values["Location_CenterMassIntensity_Y"][1] == pytest.approx((ys * w).sum() / w.sum())
    assert np.all(values["Location_CenterMassIntensity_Z"] == 0)


def test_measure_csv_no_edges(scene):
    out = scene["dir"] / "out.csv"
    r = measure(scene, out, "--no-edges", "--backend", "serial")
    assert r.returncode == 0, r.stderr
    lines = out.read_text().splitlines()
    header = lines[0].split(",")
    assert header == ["label", *CORE]
    rows = [line.split(",") for line in lines[1:]]
    assert [int(row[0]) for row in rows] == [2, 5, 9]
    assert all(len(row) == 17 for row in rows)
    table = np.array([[float(v) for v in row[1:]] for row in rows])
    sel = scene["pixels"][scene["labels"] == 9]
    assert table[2, CORE.index("Intensity_MeanIntensity")] == pytest.approx(sel.mean(), rel=1e-12)
    assert table[2, CORE.index("Intensity_IntegratedIntensity")] == pytest.approx(sel.sum(),
                                                                                  rel=1e-12)


def test_csv_with_edges_has_21_features(scene):
    out = scene["dir"] / "edges.csv"
    assert measure(scene, out, "--legacy").returncode == 0
    assert out.read_text().splitlines()[0].split(",") == ["label", *CORE, *EDGE]


def test_backends_agree(scene):
    a, b = scene["dir"] / "a.h5", scene["dir"] / "b.h5"
    assert measure(scene, a, "--backend", "serial").returncode == 0
    assert measure(scene, b, "--backend", "openmp").returncode == 0
    with h5py.File(a) as fa, h5py.File(b) as fb:
        for name in CORE + EDGE:
            np.testing.assert_allclose(fa[name][:], fb[name][:], rtol=1e-12, atol=1e-12)


def test_2d_labels_over_3d_stack(scene):
    out = scene["dir"] / "stack.h5"
    r = measure(scene, out, pixels="/stack")
    assert r.returncode == 0, r.stderr
    with h5py.File(out) as f:
        assert list(f["label"][:]) == [2, 5, 9]
        stack = np.stack([scene["pixels"], 2 * scene["pixels"], 3 * scene["pixels"]])
        sel = stack[:, scene["labels"] == 5]
        assert f["Intensity_IntegratedIntensity"][1] == pytest.approx(sel.sum(), rel=1e-12)


def test_repeat_prints_timing_line(scene):
    r = measure(scene, scene["dir"] / "t.h5", "--repeat", "3", "--backend", "openmp")
    assert r.returncode == 0, r.stderr
    matches = TIMING.findall(r.stderr)
    assert len(matches) == 1, r.stderr
    repeats, images, backend, threads = matches[0]
    assert repeats == "3" and images == "1" and backend == "openmp" and int(threads) >= 1


@pytest.mark.parametrize(
    "case, expected",
    [
        ("missing_file", "no such file"),
        ("missing_dataset", "no dataset /nope"),
        ("group", "is a group, not a dataset"),
        ("shape_mismatch", "shape mismatch"),
        ("rank1", "got rank 1"),
        ("rank5", "got rank 5"),
        ("float_labels", "labels must be integers"),
        ("negative_labels", "labels must be >= 0"),
        ("string_dataset", "unsupported data type string"),
        ("empty_image", "empty"),
        ("unknown_feature", "unknown feature 'texture'"),
        ("unknown_backend", "unknown backend 'gpu'"),
        ("unknown_extension", "unknown output format"),
        ("corrupt_file", "not an HDF5 file"),
        ("int_bits_outside_element", "non-standard layout (32-bit precision at bit offset 4000)"),
        ("no_colon", "expected FILE.h5:/path/to/dataset"),
        ("missing_out_dir", "does not exist"),
    ],
)
def test_bad_inputs(scene, case, expected):
    d = scene["dir"]
    out_name = "out.txt" if case == "unknown_extension" else "out.h5"
    out = d / out_name
    if case == "missing_out_dir":
        out = d / "nowhere" / "out.h5"
    f = scene["file"]
    corrupt = d / "corrupt.h5"
    corrupt.write_bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    args = {
        "missing_file": dict(pixels=None, raw_pixels=f"{d / 'nope.h5'}:/pixels"),
        "missing_dataset": dict(labels="/nope"),
        "group": dict(labels="/group"),
        "shape_mismatch": dict(pixels="/pixels_other_shape"),
        "rank1": dict(labels="/rank1"),
        "rank5": dict(labels="/rank5"),
        "float_labels": dict(labels="/float_labels"),
        "negative_labels": dict(labels="/negative"),
        "string_dataset": dict(pixels="/strings"),
        "empty_image": dict(labels="/empty"),
        "corrupt_file": dict(pixels=None, raw_pixels=f"{corrupt}:/pixels"),
        "int_bits_outside_element": dict(pixels=None, raw_pixels=f"{d / 'layout.h5'}:/pixels"),
        "no_colon": dict(pixels=None, raw_pixels=str(f)),
    }.get(case, {})
    if case == "int_bits_outside_element":
        write_int_bits_outside_element(d / "layout.h5", scene["labels"].shape)
    pixels_arg = args.get("raw_pixels") or f"{f}:{args.get('pixels') or '/pixels'}"
    labels_arg = f"{f}:{args.get('labels', '/labels')}"
    extra = {
        "unknown_feature": ["--features", "intensity,texture"],
        "unknown_backend": ["--backend", "gpu"],
    }.get(case, [])
    r = run("measure", "--pixels", pixels_arg, "--labels", labels_arg, "--out", out, *extra)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.startswith("bik: error:"), r.stderr
    assert expected in r.stderr, r.stderr
    assert r.stdout == ""
    assert not leftovers(d, out_name), os.listdir(d)
    if out.parent.exists():
        assert not leftovers(out.parent, out.name)


@pytest.mark.parametrize(
    "args, expected",
    [
        (["frobnicate"], "unknown command 'frobnicate'"),
        ([], "no command given"),
        (["measure", "--bogus"], "unknown option '--bogus'"),
        (["measure", "--pixels", "a.h5:/p", "--labels", "a.h5:/l"], "missing required option '--out'"),
        (["measure", "--pixels", "a.h5:/p", "--labels", "a.h5:/l", "--out", "o.h5", "--repeat",
          "two"], "expects an integer"),
        (["measure", "--pixels"], "needs a value"),
        (["info", "extra"], "unexpected argument 'extra'"),
    ],
)
def test_usage_errors(tmp_path, args, expected):
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.startswith("bik: error:") and expected in r.stderr, r.stderr
    assert "--help" in r.stderr
    assert os.listdir(tmp_path) == []


def check_demo_n4(out, stdout):
    """The demo's N4 part: spec n4.md §7.1's phantom (amplitude 0.5) as specified, and the
    printed errors against its known bias recomputed here from the files."""
    with h5py.File(out / "n4phantom.h5") as f:
        image, mask, bias = f["image"][:], f["mask"][:].astype(bool), f["bias"][:]
    with h5py.File(out / "n4corrected.h5") as f:
        log_bias, corrected = f["log_bias"][:], f["corrected"][:]
    shape = image.shape
    assert shape == (32, 64, 64)
    g = np.indices(shape).astype(np.float64)
    c = [s / 2 for s in shape]
    r = np.sqrt(sum(((g[i] - c[i]) / (shape[i] / 3)) ** 2 for i in range(3)))
    nz, ny, nx = ((g[i] - c[i]) / shape[i] for i in range(3))
    want = 1 + 0.5 * (nz + 0.5 * ny - 0.5 * nx) + 0.25 * np.cos(np.pi * nz) * np.cos(np.pi * ny)
    np.testing.assert_allclose(bias, np.clip(want, 0.4, 2.5), rtol=1e-14)
    np.testing.assert_array_equal(mask, r < 1.2)
    noise = image / bias - np.where(r < 1, 1.0, 0.3)
    assert abs(noise.std() - 0.02) < 0.001 and abs(noise.mean()) < 0.001
    np.testing.assert_allclose(corrected, image / np.exp(log_bias), rtol=1e-14)
    ratio = np.exp(log_bias[mask]) / bias[mask]
    cv = ratio.std() / ratio.mean()
    uncorrected = (1 / bias[mask]).std() / (1 / bias[mask]).mean()
    rho = np.corrcoef(log_bias[mask], np.log(bias[mask]))[0, 1]
    m = re.search(r"CV\(recovered / true\) = (\S+) \(uncorrected: (\S+)\), correlation of log "
                  r"bias = (\S+);", stdout)
    assert m, stdout
    np.testing.assert_allclose([float(v) for v in m.groups()], [cv, uncorrected, rho], atol=1e-4)
    # N4 recovers most of the bias: what is left is a fraction of what was there.
    assert cv < 0.25 * uncorrected and rho > 0.95


def test_demo(tmp_path):
    out = tmp_path / "demo"
    r = run("demo", "--out", out, "--backend", "serial")
    assert r.returncode == 0, r.stderr
    names = {"scene2d.h5", "scene3d.h5", "intensity2d.h5", "intensity2d.csv", "intensity3d.h5",
             "zernike2d.h5", "granularity2d.h5", "granularity2d.csv", "granularity3d.h5",
             "n4phantom.h5", "n4corrected.h5"}
    assert set(os.listdir(out)) == names
    assert "timings (ms): synthesis=" in r.stdout
    with h5py.File(out / "scene2d.h5") as f:
        assert f["pixels"].shape == (1080, 1080) and f["pixels"].dtype == np.float64
        assert f["labels"].shape == (1080, 1080) and f["labels"].dtype == np.int64
        labels2d = f["labels"][:]
        assert np.isnan(f["pixels"][:]).any()
    present = np.unique(labels2d[labels2d > 0])
    assert 120 <= len(present) <= 160
    assert present.max() > len(present)  # some label numbers are skipped
    with h5py.File(out / "scene3d.h5") as f:
        assert f["pixels"].shape == (16, 96, 96)
        labels3d = f["labels"][:]
    with h5py.File(out / "intensity2d.h5") as f:
        np.testing.assert_array_equal(f["label"][:], present)
        assert len(f.keys()) == 22
    with h5py.File(out / "intensity3d.h5") as f:
        np.testing.assert_array_equal(f["label"][:], np.unique(labels3d[labels3d > 0]))
    with h5py.File(out / "zernike2d.h5") as f:  # 30 shape + 60 radial Zernike features
        np.testing.assert_array_equal(f["label"][:], present)
        assert len(f.keys()) == 1 + 30 + 60
        assert "Zernike_9_9" in f and "RadialDistribution_ZernikePhase_9_9" in f
    assert "zernike2d: " in r.stdout
    lines = (out / "intensity2d.csv").read_text().splitlines()
    assert len(lines) == 1 + len(present)
    assert len(lines[0].split(",")) == 22
    # Granularity: the same objects, label + Granularity_1..16.
    with h5py.File(out / "granularity2d.h5") as f:
        np.testing.assert_array_equal(f["label"][:], present)
        assert len(f.keys()) == 17 and f.attrs["element_size"] in ("10", b"10")
    with h5py.File(out / "granularity3d.h5") as f:
        np.testing.assert_array_equal(f["label"][:], np.unique(labels3d[labels3d > 0]))
    check_demo_n4(out, r.stdout)
    # Deterministic: a second run gives the same scene and the same table.
    r2 = run("demo", "--out", tmp_path / "again", "--backend", "openmp")
    assert r2.returncode == 0, r2.stderr
    with h5py.File(out / "scene2d.h5") as a, h5py.File(tmp_path / "again" / "scene2d.h5") as b:
        np.testing.assert_array_equal(a["labels"][:], b["labels"][:])
        np.testing.assert_array_equal(a["pixels"][:], b["pixels"][:])
