"""``bik n4 --semantics linumpy`` against an independent numpy transcription of linumpy's GPU N4
(spec n4.md §3-4, ``linumpy_n4_reference.py``), on the float32 phantom of spec §7.1, 2D and 3D,
with and without a mask, under every host backend.

Both compute in double from the same float32 input, in different orders (bik: gathers per
control point and its own DFT; the transcription: dense contractions and numpy's FFT). Rounding
can move a voxel lying on a histogram bin boundary to the neighbouring bin, a discrete change,
so agreement is to float32 tolerance, not to the last bit: the log-bias fields within 2e-5, the
corrected images within 2e-5 relative, the relative changes per iteration within 1e-4 relative,
and the same iteration counts at every level, with a threshold that ends levels early and with
none (linumpy tests every 5th iteration).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import parity_util as pu
from linumpy_n4_reference import n4_linumpy
from n4_phantom import phantom
from test_n4_parity import run_bik_n4

_EXE, _SKIP_REASON = pu.bik_exe_from_env()
if _EXE is None:
    pu.skip_or_fail(_SKIP_REASON, module_level=True)

BACKENDS = ["serial", "openmp"]
# Shapes, spline distance and voxel size give meshes of several spans, shrink 2: 3D
# round(24 / 5, 32 / 5, 40 / 5) = 5 x 6 x 8 control points; 2D round(96 / 10, 128 / 10) = 10 x 13.
SHAPES = {"3d": (24, 32, 40), "2d": (96, 128)}
SETTINGS = {"3d": dict(spline_mm=5.0, voxel_mm=(1.0, 1.0, 1.0)),
            "2d": dict(spline_mm=10.0, voxel_mm=(1.0, 1.0, 1.0))}
SHRINK = 2
ITERATIONS = (12, 8, 7)


def run_bik(workdir: Path, image, mask, convergence, backend, settings):
    tag = f"lin.{image.ndim}d.m{int(mask is not None)}.c{convergence}.{backend}"
    return run_bik_n4(workdir, tag, image, mask,
                      ["--semantics", "linumpy", "--shrink", str(SHRINK), "--iterations",
                       "x".join(map(str, ITERATIONS)), "--convergence", str(convergence),
                       "--spline-distance-mm", str(settings["spline_mm"]), "--voxel-size-mm",
                       ",".join(map(str, settings["voxel_mm"])), "--backend", backend])


CASES = [(dim, masked, conv) for dim in SHAPES for masked in (True, False)
         for conv in (0.0, 0.05)]


@pytest.fixture(scope="module")
def reference():
    cache = {}

    def get(dim, masked, convergence):
        key = (dim, masked, convergence)
        if key not in cache:
            image, mask, bias = phantom(SHAPES[dim])
            vol = image if image.ndim == 3 else image[np.newaxis]
            m = None if not masked else (mask if mask.ndim == 3 else mask[np.newaxis])
            corrected, log_bias, counts, changes, nc = n4_linumpy(
                vol, m, shrink=SHRINK, iterations=ITERATIONS, tol=convergence, **SETTINGS[dim])
            cache[key] = dict(image=image, mask=mask, bias=bias, corrected=corrected.reshape(
                image.shape), log_bias=log_bias.reshape(image.shape), counts=counts,
                changes=np.array(changes), nc=nc)
        return cache[key]

    return get


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dim,masked,convergence", CASES)
def test_n4_linumpy_matches_numpy_transcription(reference, tmp_path, dim, masked, convergence,
                                                backend):
    ref = reference(dim, masked, convergence)
    lb, cb, log = run_bik(tmp_path, ref["image"], ref["mask"] if masked else None, convergence,
                          backend, SETTINGS[dim])
    counts = [sum(1 for level, _ in log if level == L) for L in range(len(ITERATIONS))]
    assert counts == ref["counts"]
    if convergence == 0.0:
        assert counts == list(ITERATIONS)
    np.testing.assert_allclose([v for _, v in log], ref["changes"], rtol=1e-4)
    assert np.abs(lb - ref["log_bias"]).max() <= 2e-5
    np.testing.assert_allclose(cb, ref["corrected"], rtol=2e-5)


def test_n4_linumpy_settings_give_several_spans_and_early_stops(reference):
    """The cases above exercise what they claim: meshes of several spans on every axis, and a
    threshold that ends some level before its maximum."""
    assert reference("3d", True, 0.0)["nc"] == (5, 6, 8)
    assert reference("2d", True, 0.0)["nc"] == (4, 10, 13)
    counts = reference("3d", True, 0.05)["counts"]
    assert counts != list(ITERATIONS) and all(c % 5 == 0 or c == m
                                              for c, m in zip(counts, ITERATIONS))
