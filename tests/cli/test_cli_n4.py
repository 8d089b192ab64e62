"""End-to-end tests of `bik n4` (N4 bias-field correction; its parity with SimpleITK is in
tests/parity/test_n4_parity.py). The executable comes from BIK_EXE, as for test_cli.py."""
import os
import re
import subprocess

import numpy as np
import pytest

# The CLI suite's executable and h5py, with its rule: under CI a suite that cannot run fails.
from test_cli import BIK_EXE, h5py

PROGRESS = re.compile(r"^n4: level (\d+)/(\d+) iteration (\d+)/(\d+) convergence (\S+)$",
                      re.MULTILINE)


def run(*args, **environment):
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"), **environment)
    return subprocess.run([BIK_EXE, *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.fixture
def image(tmp_path):
    """A 2D two-class image times a smooth bias, a mask, and variants."""
    y, x = np.indices((40, 50)) / 40.0
    truth = np.where((y - 0.5) ** 2 + (x - 0.6) ** 2 < 0.1, 1.0, 0.4)
    pixels = truth * np.exp(0.3 * x - 0.2 * y)
    mask = np.ones((40, 50), np.uint8)
    mask[:2] = 0
    path = tmp_path / "in.h5"
    with h5py.File(path, "w") as f:
        f["pixels"] = pixels
        f["pixels32"] = pixels.astype(np.float32)
        f["mask"] = mask
        f["mask2"] = mask * 2
        f["mask_other_shape"] = mask[:, :49]
        bad = pixels.copy()
        bad[10, 10] = -1.0
        f["negative"] = bad
    return {"dir": tmp_path, "file": path, "pixels": pixels}


def test_help_lists_n4():
    proc = run("--help")
    assert proc.returncode == 0 and "n4 " in proc.stdout
    proc = run("n4", "--help")
    assert proc.returncode == 0 and proc.stdout.startswith("usage: bik n4 IN.h5:/dataset")


def test_writes_corrected_and_bias(image):
    out = image["dir"] / "out.h5"
    proc = run("n4", f"{image['file']}:/pixels", "--mask", f"{image['file']}:/mask",
               "--iterations", "3x2", "--convergence", "0", "--out", f"{out}:/corrected",
               "--bias-out", f"{out}:/bias")
    assert proc.returncode == 0, proc.stderr
    progress = PROGRESS.findall(proc.stderr)
    # Convergence 0 is never met: 3 iterations at level 1, then 2 at level 2.
    assert [(int(a), int(c)) for a, _, c, _, _ in progress] == [(1, 1), (1, 2), (1, 3), (2, 1),
                                                                (2, 2)]
    assert "iterations per level 3x2" in proc.stdout
    with h5py.File(out, "r") as f:
        corrected, bias = f["corrected"][...], f["bias"][...]
    assert corrected.shape == bias.shape == (40, 50)
    assert corrected.dtype == np.float64
    # corrected = input / exp(log bias) at every voxel, masked or not.
    np.testing.assert_allclose(corrected, image["pixels"] / np.exp(bias), rtol=1e-14)
    # The recovered bias follows the true one (0.3 x - 0.2 y, up to a constant).
    y, x = np.indices((40, 50)) / 40.0
    assert np.corrcoef(bias.ravel(), (0.3 * x - 0.2 * y).ravel())[0, 1] > 0.95


def test_float32_input_and_nonzero_mask(image):
    out = image["dir"] / "out32.h5"
    proc = run("n4", f"{image['file']}:/pixels32", "--mask", f"{image['file']}:/mask2",
               "--mask-label", "nonzero", "--iterations", "2", "--quiet", "--out",
               f"{out}:/corrected")
    assert proc.returncode == 0, proc.stderr
    assert PROGRESS.search(proc.stderr) is None  # --quiet
    with h5py.File(out, "r") as f:
        assert f["corrected"].shape == (40, 50)
    # Label 1 (the default) selects nothing in a mask of 0s and 2s.
    proc = run("n4", f"{image['file']}:/pixels32", "--mask", f"{image['file']}:/mask2", "--out",
               f"{image['dir'] / 'none.h5'}:/c")
    assert proc.returncode == 2 and "selects no voxel" in proc.stderr


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--iterations", "50x0"], "--iterations must be counts >= 1"),
        (["--control-points", "3"], "--control-points"),
        (["--shrink", "30"], "shrink factor 30 leaves fewer than 2 samples"),
        (["--mask", "{file}:/mask_other_shape"], "shape mismatch: mask"),
        (["--fwhm", "abc"], "--fwhm must be a number"),
    ],
)
def test_bad_arguments(image, extra, message):
    extra = [e.format(file=image["file"]) for e in extra]
    out = image["dir"] / "bad.h5"
    proc = run("n4", f"{image['file']}:/pixels", "--out", f"{out}:/c", *extra)
    assert proc.returncode == 2
    assert message in proc.stderr, proc.stderr
    assert not out.exists()


def test_non_positive_inside_the_mask(image):
    out = image["dir"] / "neg.h5"
    proc = run("n4", f"{image['file']}:/negative", "--out", f"{out}:/c")
    assert proc.returncode == 2 and "values <= 0 inside the mask" in proc.stderr
    assert not out.exists()


def test_existing_output_is_kept_without_overwrite(image):
    out = image["dir"] / "exists.h5"
    out.write_bytes(b"keep me")
    args = ["n4", f"{image['file']}:/pixels", "--iterations", "1", "--out", f"{out}:/c"]
    proc = run(*args)
    assert proc.returncode == 2 and "already exists" in proc.stderr
    assert out.read_bytes() == b"keep me"
    assert run(*args, "--overwrite").returncode == 0
    with h5py.File(out, "r") as f:
        assert f["c"].shape == (40, 50)


def test_float32_output_follows_the_input(image):
    """float32 in, float32 out (corrected and bias); the values are input / exp(bias) up to
    float32 rounding: the bias rounded to float32 (|bias| < 0.5: a quarter ulp of exp), exp in
    float32 (2 ulp), the division and the output (an ulp together)."""
    out = image["dir"] / "f32.h5"
    proc = run("n4", f"{image['file']}:/pixels32", "--iterations", "3", "--out",
               f"{out}:/corrected", "--bias-out", f"{out}:/bias")
    assert proc.returncode == 0, proc.stderr
    with h5py.File(out, "r") as f:
        corrected, bias = f["corrected"][...], f["bias"][...]
    assert corrected.dtype == bias.dtype == np.float32
    pixels32 = image["pixels"].astype(np.float32).astype(np.float64)
    want = pixels32 / np.exp(bias.astype(np.float64))
    assert np.abs(bias).max() < 0.5
    np.testing.assert_allclose(corrected.astype(np.float64), want, rtol=4 * 2.0 ** -23, atol=0)


@pytest.fixture
def volume(tmp_path):
    """A 3D two-class volume times a bias smooth within each half along Z, and its mask."""
    z, y, x = np.indices((12, 20, 24)) / 20.0
    truth = np.where((y - 0.5) ** 2 + (x - 0.6) ** 2 < 0.1, 1.0, 0.4)
    pixels = (truth * np.exp(0.3 * x - 0.2 * y + 0.5 * z)).astype(np.float32)
    mask = np.ones(pixels.shape, np.uint8)
    mask[:, :2] = 0
    path = tmp_path / "vol.h5"
    with h5py.File(path, "w") as f:
        f["pixels"] = pixels
        f["pixels64"] = pixels.astype(np.float64)
        f["mask"] = mask
        f["half"] = pixels[:6]
        f["half_mask"] = mask[:6]
    return {"dir": tmp_path, "file": path, "pixels": pixels}


N4_ARGS = ["--iterations", "3x2", "--convergence", "0", "--shrink", "2", "--quiet"]


def read_outputs(path):
    with h5py.File(path, "r") as f:
        return f["corrected"][...], f["bias"][...]


@pytest.mark.parametrize("dataset", ["pixels", "pixels64"])
def test_one_section_is_the_unsectioned_run(volume, dataset):
    outs = []
    for extra in ([], ["--sections", "1"]):
        out = volume["dir"] / f"one{len(extra)}.h5"
        proc = run("n4", f"{volume['file']}:/{dataset}", "--mask", f"{volume['file']}:/mask",
                   *N4_ARGS, *extra, "--out", f"{out}:/corrected", "--bias-out", f"{out}:/bias")
        assert proc.returncode == 0, proc.stderr
        assert re.search(r"peak_rss_mib=\d+(\.\d+)?", proc.stderr), proc.stderr
        outs.append(read_outputs(out))
    (c0, b0), (c1, b1) = outs
    assert c0.dtype == c1.dtype == (np.float32 if dataset == "pixels" else np.float64)
    np.testing.assert_array_equal(c0, c1)
    np.testing.assert_array_equal(b0, b1)


@pytest.mark.parametrize("dataset", ["pixels", "pixels64"])
def test_narrow_cpu_loops_give_the_same_bits(volume, dataset):
    """BIK_HOST_VECTORS=narrow keeps the full-resolution pass on its SSE2 loops where the CPU
    would take the AVX2 entry (src/bik/core/host_vectors.hpp): the same operations, the same
    bits (on a CPU without AVX2 both runs are narrow)."""
    outs = []
    for width in ("narrow", "default"):
        out = volume["dir"] / f"{width}.h5"
        proc = run("n4", f"{volume['file']}:/{dataset}", "--mask", f"{volume['file']}:/mask",
                   *N4_ARGS, "--out", f"{out}:/corrected", "--bias-out", f"{out}:/bias",
                   BIK_HOST_VECTORS=width)
        assert proc.returncode == 0, proc.stderr
        outs.append(read_outputs(out))
    (c0, b0), (c1, b1) = outs
    assert c0.view(np.uint8).tobytes() == c1.view(np.uint8).tobytes()
    assert b0.view(np.uint8).tobytes() == b1.view(np.uint8).tobytes()


def test_sections_are_corrected_independently(volume):
    """--sections 2 on 12 planes: planes [0, 6) are exactly the run on those planes alone, and
    the bias and corrected outputs go to separate files."""
    out, bias = volume["dir"] / "two.h5", volume["dir"] / "two_bias.h5"
    proc = run("n4", f"{volume['file']}:/pixels", "--mask", f"{volume['file']}:/mask", *N4_ARGS,
               "--sections", "2", "--out", f"{out}:/corrected", "--bias-out", f"{bias}:/bias")
    assert proc.returncode == 0, proc.stderr
    assert "in 2 sections along Z" in proc.stdout and "[0, 6) 3x2, [6, 12) 3x2" in proc.stdout
    half = volume["dir"] / "half.h5"
    proc = run("n4", f"{volume['file']}:/half", "--mask", f"{volume['file']}:/half_mask",
               *N4_ARGS, "--out", f"{half}:/corrected", "--bias-out", f"{half}:/bias")
    assert proc.returncode == 0, proc.stderr
    with h5py.File(out, "r") as f, h5py.File(bias, "r") as g:
        corrected, log_bias = f["corrected"][...], g["bias"][...]
    half_corrected, half_bias = read_outputs(half)
    np.testing.assert_array_equal(corrected[:6], half_corrected)
    np.testing.assert_array_equal(log_bias[:6], half_bias)
    # The two sections' fields are independent: each has its own (near-zero-mean) fit.
    assert not np.array_equal(log_bias[6:], log_bias[:6])


def test_sections_global_pass(volume):
    """--sections 2 --sections-global: the sections, then a global pass on the whole volume
    shrunk by 2 (6 x 10 x 12), progress for each fit on stderr, float32 outputs of the input's
    shape, corrected = input / exp(log bias) where the log bias is the sum of both fields: it
    differs from the sections' alone by one smooth field, which (unlike the sections' fields)
    does not jump between planes 5 and 6."""
    args = ["--iterations", "3x2", "--convergence", "0", "--shrink", "2"]
    fields = {}
    for extra in ([], ["--sections-global"]):
        out = volume["dir"] / f"global{len(extra)}.h5"
        proc = run("n4", f"{volume['file']}:/pixels", "--mask", f"{volume['file']}:/mask", *args,
                   "--sections", "2", *extra, "--out", f"{out}:/corrected", "--bias-out",
                   f"{out}:/bias")
        assert proc.returncode == 0, proc.stderr
        assert re.search(r"peak_rss_mib=\d+(\.\d+)?", proc.stderr), proc.stderr
        corrected, bias = read_outputs(out)
        assert corrected.dtype == bias.dtype == np.float32
        assert corrected.shape == bias.shape == (12, 20, 24)
        want = volume["pixels"].astype(np.float64) / np.exp(bias.astype(np.float64))
        np.testing.assert_allclose(corrected.astype(np.float64), want, rtol=4 * 2.0 ** -23,
                                   atol=0)
        fields[bool(extra)] = bias.astype(np.float64)
    assert "then a global pass on the working grid (6, 10, 12)" in proc.stdout, proc.stdout
    stages = re.findall(r"^n4: (section \d/2|global pass) level 1/2 iteration 1/3", proc.stderr,
                        re.MULTILINE)
    assert stages == ["section 1/2", "section 2/2", "global pass"], proc.stderr
    global_part = fields[True] - fields[False]
    step = np.abs(np.diff(global_part, axis=0)).max(axis=(1, 2))  # between planes z and z + 1
    sections_step = np.abs(fields[False][6] - fields[False][5]).max()
    assert step[5] <= 1.5 * max(step[4], step[6]) + 1e-6, step
    assert sections_step > step[5]


GLOBAL_DISTANCE = "applies to --sections-global with --semantics linumpy"


@pytest.mark.parametrize("extra,message", [
    (["--sections-global"], "--sections-global needs --sections N"),
    (["--sections", "2", "--sections-global", "--global-spline-distance-mm", "5"],
     GLOBAL_DISTANCE),
    (["--sections", "2", "--semantics", "linumpy", "--global-spline-distance-mm", "5"],
     GLOBAL_DISTANCE),
    (["--semantics", "linumpy", "--global-spline-distance-mm", "5"], GLOBAL_DISTANCE),
    (["--sections", "2", "--sections-global", "--semantics", "linumpy",
      "--global-spline-distance-mm", "0"], "the global pass's spline distance must be finite"),
    (["--sections", "2", "--sections-global", "--semantics", "linumpy",
      "--global-spline-distance-mm", "ten"], "--global-spline-distance-mm must be a number"),
    (["--sections", "2", "--sections-global", "--semantics", "linumpy", "--shrink", "13"],
     "shrink factor 13 leaves fewer than 2 samples on an axis of the volume of shape "
     "(12, 20, 24) for the global pass"),
])
def test_sections_global_flag_errors(volume, extra, message):
    out = volume["dir"] / "bad_global.h5"
    proc = run("n4", f"{volume['file']}:/pixels", *extra, "--out", f"{out}:/c")
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert not out.exists()


LINUMPY_ARGS = ["--semantics", "linumpy", "--iterations", "4x3", "--shrink", "2", "--quiet"]


def test_linumpy_one_section_and_global_pass_is_two_runs(volume):
    """linumpy's two-pass script with one section is N4 on the volume, then N4 with the global
    spline distance on its float32 output: --sections 1 --sections-global gives that output bit
    for bit, and the sum of the two runs' log biases up to float32 rounding: each run writes its
    field within 6 R 2^-24 of the exact one (R its largest control value, apply_bias.hpp), the
    sum is rounded once; R is taken as the field's largest value with a margin (8, not 6)."""
    d = volume["dir"]
    mask = ["--mask", f"{volume['file']}:/mask"]
    first, second, both = d / "first.h5", d / "second.h5", d / "both.h5"
    runs = [
        [f"{volume['file']}:/pixels", *mask, *LINUMPY_ARGS, "--spline-distance-mm", "4",
         "--out", f"{first}:/corrected"],
        [f"{first}:/corrected", *mask, *LINUMPY_ARGS, "--spline-distance-mm", "7", "--out",
         f"{second}:/corrected"],
        [f"{volume['file']}:/pixels", *mask, *LINUMPY_ARGS, "--spline-distance-mm", "4",
         "--sections", "1", "--sections-global", "--global-spline-distance-mm", "7", "--out",
         f"{both}:/corrected"],
    ]
    for args, out in zip(runs, (first, second, both)):
        proc = run("n4", *args, "--bias-out", f"{out}:/bias")
        assert proc.returncode == 0, proc.stderr
    (_, b1), (c2, b2), (c, b) = (read_outputs(p) for p in (first, second, both))
    assert c.dtype == b.dtype == np.float32
    np.testing.assert_array_equal(c, c2)
    total = b1.astype(np.float64) + b2.astype(np.float64)
    bound = 2.0**-24 * (8 * (np.abs(b1).max() + np.abs(b2).max()) + np.abs(total).max())
    assert np.abs(b - total).max() <= bound
    assert np.abs(b2).max() > 1e-3  # the second pass is not a no-op


def test_linumpy_sections_global_pass(volume):
    """--semantics linumpy --sections 2 --sections-global: the global pass runs on the whole
    volume subsampled linumpy's way (every other voxel from 0: 6 x 10 x 12), with progress for
    each fit, and the output is the input divided by both biases."""
    out = volume["dir"] / "lin_global.h5"
    args = [a for a in LINUMPY_ARGS if a != "--quiet"]
    proc = run("n4", f"{volume['file']}:/pixels", "--mask", f"{volume['file']}:/mask", *args,
               "--spline-distance-mm", "4", "--sections", "2", "--sections-global", "--out",
               f"{out}:/corrected", "--bias-out", f"{out}:/bias")
    assert proc.returncode == 0, proc.stderr
    assert "then a global pass on the working grid (6, 10, 12)" in proc.stdout, proc.stdout
    stages = re.findall(r"^n4: (section \d/2|global pass) level 1/2 iteration 1/4", proc.stderr,
                        re.MULTILINE)
    assert stages == ["section 1/2", "section 2/2", "global pass"], proc.stderr
    corrected, bias = read_outputs(out)
    want = volume["pixels"].astype(np.float64) / np.exp(bias.astype(np.float64))
    # Two float32 divisions and a float32 log bias: a few float32 ulp.
    np.testing.assert_allclose(corrected.astype(np.float64), want, rtol=8 * 2.0**-23, atol=0)


@pytest.mark.parametrize("sections,message", [("0", "expects an integer >= 1, got '0'"),
                                              ("13", "between 1 and the 12 planes along Z")])
def test_bad_section_counts(volume, sections, message):
    out = volume["dir"] / "bad_sections.h5"
    proc = run("n4", f"{volume['file']}:/pixels", "--sections", sections, "--out", f"{out}:/c")
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr


def test_linumpy_semantics_defaults(image):
    """--semantics linumpy starts from linumpy's defaults: shrink 4 by striding from 0
    (ceil(40 / 4) x ceil(50 / 4) = 10 x 13 samples), 25x25x25 iterations, any non-zero mask
    value; values <= 0 in the mask are floored at 1e-6, not refused."""
    out = image["dir"] / "lin.h5"
    proc = run("n4", f"{image['file']}:/negative", "--mask", f"{image['file']}:/mask2",
               "--semantics", "linumpy", "--out", f"{out}:/corrected", "--bias-out",
               f"{out}:/bias")
    assert proc.returncode == 0, proc.stderr
    assert "(linumpy semantics)" in proc.stdout
    assert "working grid (1, 10, 13)" in proc.stdout
    levels = [int(a) for a, _, _, m, _ in PROGRESS.findall(proc.stderr) if int(m) == 25]
    assert set(levels) == {1, 2, 3}
    with h5py.File(out, "r") as f:
        corrected, bias = f["corrected"][...], f["bias"][...]
    bad = image["pixels"].copy()
    bad[10, 10] = -1.0
    np.testing.assert_allclose(corrected, bad / np.exp(bias), rtol=1e-14)


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--semantics", "sitk"], "--semantics must be 'itk' or 'linumpy'"),
        (["--spline-distance-mm", "5"], "--spline-distance-mm applies to --semantics linumpy"),
        (["--voxel-size-mm", "2"], "--voxel-size-mm applies to --semantics linumpy"),
        (["--semantics", "linumpy", "--control-points", "6"], "--control-points applies to"),
        (["--semantics", "linumpy", "--voxel-size-mm", "1,2"], "one size or three (z,y,x)"),
        (["--semantics", "linumpy", "--voxel-size-mm", "1,x,1"], "--voxel-size-mm must be a"),
        (["--semantics", "linumpy", "--spline-distance-mm", "0"], "spline distance must be"),
        (["--semantics", "linumpy", "--shrink", "50"], "shrink factor 50 leaves fewer than 2"),
    ],
)
def test_linumpy_bad_arguments(image, extra, message):
    out = image["dir"] / "bad.h5"
    proc = run("n4", f"{image['file']}:/pixels", "--out", f"{out}:/c", *extra)
    assert proc.returncode == 2
    assert message in proc.stderr, proc.stderr
    assert not out.exists()
