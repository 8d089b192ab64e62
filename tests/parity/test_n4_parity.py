"""Parity of ``bik n4`` with SimpleITK's N4BiasFieldCorrectionImageFilter (spec n4.md §2, §8.2).

Both run on the synthetic phantom of spec §7.1 (two classes times a smooth bias, float32), 2D
and 3D, with and without a mask, shrink 2, with identical parameters. SimpleITK runs as the spec
§2.8 describes: ``sitk.Shrink`` of image and mask, ``Execute`` on the shrunk images, then
``GetLogBiasFieldAsImage(full image)`` and ``image / exp(log bias)`` at full resolution.
bik is driven through its command-line program (env BIK_EXE), on every host backend.

Metrics (issue 11): Pearson correlation of the log-bias fields >= 0.99 inside the mask (or the
whole image without one); median relative difference of the mean-normalised corrected images
<= 1%; the same number of iterations at every level, with convergence disabled (threshold 0)
and with the default threshold 0.001 (SimpleITK's iteration events give its per-level counts);
and, against the phantom's known bias, a coefficient of variation of the recovered bias ratio
no worse than SimpleITK's. bik also claims more, checked by ``test_bik_claim_*``: every
convergence value printed matches SimpleITK's to 5e-3 relative, and the log-bias fields agree
to 1e-4 after removing their means. ITK computes in float32 (and its multi-threaded
accumulation order varies between runs), bik in double: that separates the convergence values,
by up to ~1.3e-3 relative seen. A convergence value that close to the threshold could end a
level one iteration apart; it does not happen on these phantoms.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

import parity_util as pu
from n4_phantom import phantom

_EXE, _SKIP_REASON = pu.bik_exe_from_env()
if _EXE is None:
    pu.skip_or_fail(_SKIP_REASON, module_level=True)
try:
    import SimpleITK as sitk
except ImportError:  # pragma: no cover - the pinned venv has it
    pu.skip_or_fail("SimpleITK is not installed (tests/parity/requirements.txt pins it)", True)

SHRINK = 2
BACKENDS = ["serial", "openmp"]
SHAPES = {"3d": (24, 32, 40), "2d": (96, 128)}


def run_simpleitk(image, mask, iterations, convergence):
    full = sitk.GetImageFromArray(image)
    corrector = sitk.N4BiasFieldCorrectionImageFilter()
    corrector.SetMaximumNumberOfIterations(iterations)
    corrector.SetConvergenceThreshold(convergence)
    log = []
    corrector.AddCommand(
        sitk.sitkIterationEvent,
        lambda: log.append(
            (corrector.GetCurrentLevel(), corrector.GetCurrentConvergenceMeasurement())
        ),
    )
    shrunk = sitk.Shrink(full, [SHRINK] * image.ndim)
    if mask is None:
        corrector.Execute(shrunk)
    else:
        corrector.Execute(shrunk, sitk.Shrink(sitk.GetImageFromArray(mask), [SHRINK] * image.ndim))
    log_bias = sitk.GetArrayFromImage(corrector.GetLogBiasFieldAsImage(full)).astype(np.float64)
    return log_bias, image / np.exp(log_bias), log


def run_bik_n4(workdir: Path, tag: str, image, mask, options, threads=pu.OMP_THREADS):
    """`bik n4` on image (and mask) with the given options and OpenMP thread count; (log bias,
    corrected, the (level, convergence value) pairs of its progress lines)."""
    inputs, out = workdir / f"{tag}.in.h5", workdir / f"{tag}.out.h5"
    with h5py.File(inputs, "w") as f:
        f["image"] = image
        if mask is not None:
            f["mask"] = mask
    cmd = [_EXE, "n4", f"{inputs}:/image", "--out", f"{out}:/corrected", "--bias-out",
           f"{out}:/log_bias", "--overwrite", *options]
    if mask is not None:
        cmd += ["--mask", f"{inputs}:/mask"]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        pytest.fail(pu.describe_failure(proc), pytrace=False)
    log = [(int(level) - 1, float(value)) for level, value in
           re.findall(r"level (\d+)/\d+ iteration \d+/\d+ convergence (\S+)", proc.stderr)]
    with h5py.File(out, "r") as f:
        return f["log_bias"][...], f["corrected"][...], log


def run_bik(workdir: Path, image, mask, iterations, convergence, backend, extra=(),
            threads=pu.OMP_THREADS):
    tag = (f"n4.{image.ndim}d.m{int(mask is not None)}.c{convergence}.{backend}{''.join(extra)}"
           f".t{threads}")
    return run_bik_n4(workdir, tag, image, mask,
                      ["--shrink", str(SHRINK), "--iterations", "x".join(map(str, iterations)),
                       "--convergence", str(convergence), "--backend", backend, *extra], threads)


def per_level(log, levels):
    return [sum(1 for level, _ in log if level == L) for L in range(levels)]


CASES = [(dim, masked, conv) for dim in SHAPES for masked in (True, False) for conv in (0.0, 0.001)]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    cache, sitk_runs = {}, {}
    workdir = tmp_path_factory.mktemp("n4")

    def get(dim, masked, convergence, backend, threads=pu.OMP_THREADS):
        key = (dim, masked, convergence, backend, threads)
        if key not in cache:
            image, mask, bias = phantom(SHAPES[dim])
            iterations = [8, 8, 8, 8]
            m = mask if masked else None
            case = (dim, masked, convergence)
            if case not in sitk_runs:
                sitk_runs[case] = run_simpleitk(image, m, iterations, convergence)
            cache[key] = {
                "sitk": sitk_runs[case],
                "bik": run_bik(workdir, image, m, iterations, convergence, backend,
                               threads=threads),
                "inside": mask.astype(bool) if masked else np.ones(image.shape, bool),
                "bias": bias,
                "levels": len(iterations),
            }
        return cache[key]

    return get


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dim,masked,convergence", CASES)
def test_n4_matches_simpleitk(results, dim, masked, convergence, backend):
    check_n4_parity(results(dim, masked, convergence, backend), convergence)


@pytest.mark.parametrize("threads", ["1", "3", "4"])
@pytest.mark.parametrize("convergence", [0.0, 0.001])
def test_n4_matches_simpleitk_at_other_thread_counts(results, convergence, threads):
    """The 3D masked case on OpenMP at 1, 3 and 4 threads (the cases above run at 2)."""
    check_n4_parity(results("3d", True, convergence, "openmp", threads), convergence)


def check_n4_parity(r, convergence):
    (ls, cs, log_s), (lb, cb, log_b), inside = r["sitk"], r["bik"], r["inside"]
    rho = np.corrcoef(ls[inside], lb[inside])[0, 1]
    assert rho >= 0.99, f"log-bias correlation {rho}"
    a, b = cs[inside] / cs[inside].mean(), cb[inside] / cb[inside].mean()
    rel = np.median(np.abs(a - b) / np.abs(a))
    assert rel <= 0.01, f"median relative difference of corrected images {rel}"
    assert per_level(log_b, r["levels"]) == per_level(log_s, r["levels"])
    if convergence == 0.0:
        assert per_level(log_b, r["levels"]) == [8] * r["levels"]
    # Against the known bias (identifiable up to scale): bik's error is no worse than ITK's.
    truth = r["bias"][inside]
    cv = lambda est: np.std(est / truth) / np.mean(est / truth)  # noqa: E731
    assert cv(np.exp(lb[inside])) <= cv(np.exp(ls[inside])) * 1.001 + 1e-6


@pytest.mark.parametrize("dim,masked,convergence", CASES)
def test_bik_claim_n4_convergence_values_and_field(results, dim, masked, convergence):
    r = results(dim, masked, convergence, "openmp")
    (ls, _, log_s), (lb, _, log_b), inside = r["sitk"], r["bik"], r["inside"]
    assert len(log_b) == len(log_s)
    got = np.array([v for _, v in log_b])
    want = np.array([v for _, v in log_s])
    np.testing.assert_allclose(got, want, rtol=5e-3)
    diff = (lb - lb[inside].mean()) - (ls - ls[inside].mean())
    assert np.abs(diff[inside]).max() <= 1e-4


def test_bik_claim_n4_one_iteration_field_at_a_million_voxels(tmp_path):
    """On a 64x128x128 working grid (~280k voxels in the mask), one iteration gives the same
    log-bias field as SimpleITK to float32 rounding. The convergence values then differ (ITK's
    is ~35% higher here: its running mean, stored in float32, drifts over that many voxels;
    bik sums in double; see the test above), so with a threshold the levels of a large volume can
    end after different iteration counts; with convergence disabled they cannot."""
    image, mask, _ = phantom((64, 128, 128))
    ls, _, _ = run_simpleitk_unshrunk(image, mask)
    lb, _, log_b = run_bik_unshrunk(tmp_path, image, mask)
    assert len(log_b) == 1
    assert np.abs(ls - lb)[mask.astype(bool)].max() <= 1e-6


def itk_convergence_float32(old, new, inside):
    """ITK's CalculateConvergenceMeasurement with its RealType, float: exp(old - new) in float,
    then a running mean and variance stored in float after every voxel (the 1.0 / N and N - 1.0
    terms are double, as C++ promotes them). Double arithmetic rounded to float after each
    operation gives float's own (correctly rounded) result."""
    f = lambda x: float(np.float32(x))  # noqa: E731
    ratio = np.exp((old[inside] - new[inside]).astype(np.float64)).astype(np.float32)  # as expf
    mu = sigma = n = 0.0
    for p in ratio.astype(np.float64).tolist():
        n += 1.0
        if n > 1.0:
            sigma = f(sigma + f(f(p - mu) ** 2) * (n - 1.0) / n)
        mu = f(mu * (1.0 - 1.0 / n) + f(p / n))
    return f(f(np.sqrt(sigma / (n - 1.0))) / mu)


def test_bik_claim_n4_convergence_is_itk_definition_in_double(tmp_path):
    """README (N4, differences from SimpleITK): both compute the coefficient of variation of
    exp(old - new log bias) over the mask after every iteration; ITK in float, whose running
    mean stops following small updates once the voxel count is large, bik in double. On
    SimpleITK's own per-iteration fields, its reported values are that float computation (to
    float rounding of exp), and bik's are the same definition in double (to 1e-3: the fields
    differ by float rounding); the float and double values differ by more than the first
    tolerance, so the first check tells them apart."""
    image, mask, _ = phantom((32, 64, 64))
    iterations = [20, 5]
    full = sitk.GetImageFromArray(image)
    shrunk = sitk.Shrink(full, [SHRINK] * 3)
    corrector = sitk.N4BiasFieldCorrectionImageFilter()
    corrector.SetMaximumNumberOfIterations(iterations)
    corrector.SetConvergenceThreshold(0.0)
    values, fields = [], [np.zeros(sitk.GetArrayViewFromImage(shrunk).shape, np.float32)]

    def on_iteration():
        values.append(corrector.GetCurrentConvergenceMeasurement())
        fields.append(sitk.GetArrayFromImage(corrector.GetLogBiasFieldAsImage(shrunk)))

    corrector.AddCommand(sitk.sitkIterationEvent, on_iteration)
    inside = sitk.Shrink(sitk.GetImageFromArray(mask), [SHRINK] * 3)
    corrector.Execute(shrunk, inside)
    inside = sitk.GetArrayFromImage(inside).astype(bool)
    _, _, log_b = run_bik(tmp_path, image, mask, iterations, 0.0, "openmp")
    assert len(values) == len(log_b) == sum(iterations)
    emulated = [itk_convergence_float32(a, b, inside) for a, b in zip(fields, fields[1:])]
    np.testing.assert_allclose(values, emulated, rtol=1e-5)
    ratios = [np.exp(a[inside].astype(np.float64) - b[inside]) for a, b in zip(fields, fields[1:])]
    in_double = np.array([r.std(ddof=1) / r.mean() for r in ratios])
    np.testing.assert_allclose([v for _, v in log_b], in_double, rtol=1e-3)
    assert np.abs(np.array(values) / in_double - 1).max() > 1e-5


def run_simpleitk_unshrunk(image, mask):
    full = sitk.GetImageFromArray(image)
    corrector = sitk.N4BiasFieldCorrectionImageFilter()
    corrector.SetMaximumNumberOfIterations([1])
    corrector.SetConvergenceThreshold(0.0)
    corrector.Execute(full, sitk.GetImageFromArray(mask))
    log_bias = sitk.GetArrayFromImage(corrector.GetLogBiasFieldAsImage(full)).astype(np.float64)
    return log_bias, image / np.exp(log_bias), None


def run_bik_unshrunk(workdir, image, mask):
    inputs, out = workdir / "n4.big.in.h5", workdir / "n4.big.out.h5"
    with h5py.File(inputs, "w") as f:
        f["image"] = image
        f["mask"] = mask
    cmd = [_EXE, "n4", f"{inputs}:/image", "--mask", f"{inputs}:/mask", "--iterations", "1",
           "--convergence", "0", "--out", f"{out}:/corrected", "--bias-out", f"{out}:/log_bias",
           "--backend", "openmp", "--overwrite"]
    env = dict(os.environ, OMP_NUM_THREADS=pu.OMP_THREADS)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        pytest.fail(pu.describe_failure(proc), pytrace=False)
    log = re.findall(r"convergence (\S+)", proc.stderr)
    with h5py.File(out, "r") as f:
        return f["log_bias"][...], f["corrected"][...], log


@pytest.mark.parametrize("backend", BACKENDS)
def test_n4_sections_match_simpleitk_per_section(tmp_path, backend):
    """Per-section mode (spec §6.1): two stacked phantoms, each with its own smooth bias (so the
    volume's bias is separable along Z, discontinuous between the sections), corrected with
    `--sections 2`; each section matches SimpleITK run on that section alone, with the parity
    metrics above and the same iterations per level (convergence disabled)."""
    halves = [phantom((12, 32, 40), strength=0.6, seed=0), phantom((12, 32, 40), 0.3, seed=1)]
    image = np.concatenate([h[0] for h in halves])
    mask = np.concatenate([h[1] for h in halves])
    iterations = [8, 8, 8]
    lb, cb, log_b = run_bik(tmp_path, image, mask, iterations, 0.0, backend,
                            extra=("--sections", "2"))
    assert per_level(log_b, 3) == [16, 16, 16]  # both sections, every iteration
    for k, (img, m, _) in enumerate(halves):
        ls, cs, _ = run_simpleitk(img, m, iterations, 0.0)
        part = slice(12 * k, 12 * (k + 1))
        inside = m.astype(bool)
        rho = np.corrcoef(ls[inside], lb[part][inside])[0, 1]
        assert rho >= 0.99, f"section {k}: log-bias correlation {rho}"
        a = cs[inside] / cs[inside].mean()
        b = cb[part][inside] / cb[part][inside].mean()
        rel = np.median(np.abs(a - b) / np.abs(a))
        assert rel <= 0.01, f"section {k}: median relative difference {rel}"
