"""Parity of ``bik n4`` with SimpleITK's N4 on real MRI slices (issue 11): ``BrainT1Slice.png``
and ``BrainProtonDensitySlice.png`` of Debian's ``insighttoolkit5-examples`` (installed by
cmake/bootstrap-deps.sh), 217 x 181, 8-bit.

The PNGs are read with SimpleITK (stored as RGB with three equal channels: the first is used),
as float32; the mask is SimpleITK's Otsu threshold of the slice (the head, every value in it
> 0). Both programs then run as test_n4_parity.py runs them: shrink 2, identical parameters,
SimpleITK's log bias evaluated at full resolution. Metrics: Pearson correlation of the log-bias
fields >= 0.99 in the mask, median relative difference of the mean-normalised corrected images
<= 1%, and the same iteration counts per level with convergence disabled. The default threshold
(0.001, 50x50x50x50) is run too, for the field metrics only: ITK's float32 convergence values
differ from bik's double ones in the last digits, so a level ending near the threshold may end
one iteration apart.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import parity_util as pu
from test_n4_parity import per_level, run_bik, run_simpleitk, sitk

DATA = Path("/usr/share/doc/insighttoolkit5-examples/examples/Data")
SLICES = ["BrainT1Slice.png", "BrainProtonDensitySlice.png"]
BACKENDS = ["serial", "openmp"]
# (iterations, convergence threshold): convergence disabled, and SimpleITK's defaults.
RUNS = [([20, 20, 20, 20], 0.0), ([50, 50, 50, 50], 0.001)]


def load_slice(name):
    path = DATA / name
    if not path.is_file():
        pu.skip_or_fail(f"{path} is missing: install Debian's insighttoolkit5-examples "
                        "(cmake/bootstrap-deps.sh installs it)")
    pixels = sitk.GetArrayFromImage(sitk.ReadImage(str(path)))
    if pixels.ndim == 3:
        assert all((pixels[..., c] == pixels[..., 0]).all() for c in range(pixels.shape[-1]))
        pixels = pixels[..., 0]
    image = pixels.astype(np.float32)
    mask = sitk.GetArrayFromImage(sitk.OtsuThreshold(sitk.GetImageFromArray(image), 0, 1))
    return image, mask.astype(np.uint8)


@pytest.fixture(scope="module")
def sitk_results():
    cache = {}

    def get(name, iterations, convergence):
        key = (name, convergence)
        if key not in cache:
            image, mask = load_slice(name)
            cache[key] = (image, mask, run_simpleitk(image, mask, iterations, convergence))
        return cache[key]

    return get


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("iterations,convergence", RUNS)
@pytest.mark.parametrize("name", SLICES)
def test_n4_matches_simpleitk_on_mri(sitk_results, tmp_path, name, iterations, convergence,
                                     backend):
    image, mask, (ls, cs, log_s) = sitk_results(name, iterations, convergence)
    inside = mask.astype(bool)
    assert image[inside].min() > 0 and 0.3 < inside.mean() < 0.9
    lb, cb, log_b = run_bik(tmp_path, image, mask, iterations, convergence, backend)
    rho = np.corrcoef(ls[inside], lb[inside])[0, 1]
    assert rho >= 0.99, f"log-bias correlation {rho}"
    a, b = cs[inside] / cs[inside].mean(), cb[inside] / cb[inside].mean()
    rel = np.median(np.abs(a - b) / np.abs(a))
    assert rel <= 0.01, f"median relative difference of corrected images {rel}"
    if convergence == 0.0:
        levels = len(iterations)
        assert per_level(log_b, levels) == per_level(log_s, levels) == iterations
