"""Parity of bik's Zernike features with cp_measure's numpy get_zernike / get_radial_zernikes
(spec §8, §9.2), and of bik's circle and basis fixture with centrosome.

bik runs through its command-line program (env BIK_EXE) with ``--backend serial``,
``--backend openmp`` and ``--backend openmp --schedule team``; the three must be bit-identical
(bik's sums do not depend on the schedule) and agree with cp_measure within:

* shape ``Zernike_n_m``: rtol 1e-9;
* radial magnitudes: rtol 1e-8;
* radial phases: atan2 of the same sums, compared (modulo 2 pi) with atol 1e-8 where the
  moment is not round-off: where |S| / count <= 1e-9 the sum is cancellation noise and its
  phase is arbitrary in every implementation.

Magnitudes also get atol 1e-12 for the same cancellation noise (odd moments of symmetric
objects). The enclosing circles and basis values are bit-exact (test_zernike_golden.cpp); the
sums differ from cp_measure's by summation order (and bik's fused sums, like cp_measure, build
z^m by repeated products where centrosome squares), hence the tolerances.

cp_measure's functions expect labels 1..N (its entry points sanitize them first), so the
reference runs on the sanitized labels and its rows are mapped back to the present labels.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import parity_util as pu
from scenes import get_scene

_EXE, _SKIP_REASON = pu.bik_exe_from_env()
if _EXE is None:
    pu.skip_or_fail(_SKIP_REASON, module_level=True)

from cp_measure.core.measureobjectintensitydistribution import get_radial_zernikes  # noqa: E402
from cp_measure.core.measureobjectsizeshape import get_zernike  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ["serial", "openmp", "openmp+team"]
SHAPE_RTOL = 1e-9
RADIAL_RTOL = 1e-8
ATOL = 1e-12
PHASE_ATOL = 1e-8
NOISE = 1e-9


def _blobs(seed: int, size: int = 160, count: int = 30):
    """Random discs and ellipses (some touching, some cut by the border) over random pixels."""
    rng = np.random.default_rng(seed)
    labels = np.zeros((size, size), np.int32)
    yy, xx = np.mgrid[0:size, 0:size]
    for k in range(count):
        cy, cx = rng.uniform(-5, size + 5, 2)
        ry, rx = rng.uniform(1.0, 14.0, 2)
        inside = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
        labels[inside] = k + 1
    pixels = rng.random((size, size)) + 0.3 * np.outer(
        np.sin(np.arange(size) / 4), np.cos(np.arange(size) / 5)
    )
    return labels, pixels


def _grid_squares():
    """spec §9.3's radial scene, scaled down: a grid of squares with random pixels."""
    rng = np.random.default_rng(3)
    labels = np.zeros((200, 200), np.int32)
    k = 0
    for r in range(0, 200, 40):
        for c in range(0, 200, 40):
            k += 1
            labels[r + 3 : r + 3 + 30, c + 5 : c + 5 + 30] = k
    return labels, rng.random((200, 200))


SCENES = {
    "blobs": lambda: _blobs(1),
    "blobs_gapped": lambda: _gapped(*_blobs(2)),
    "grid_squares": _grid_squares,
}
PARITY_SCENES_2D = [
    "squares_2d",
    "label_gaps_2d",
    "single_pixel_2d",
    "touching_2d",
    "border_2d",
    "fill_whole_2d",
    "nan_2d",
    "ties_2d",
    "voronoi_2d",
    "no_objects_2d",
]


def _gapped(labels: np.ndarray, pixels: np.ndarray):
    """Labels multiplied by 3 (gaps everywhere) and a missing label."""
    out = labels.astype(np.int64) * 3
    out[out == 9] = 0
    return out, pixels


def _scene(name: str):
    if name in SCENES:
        return SCENES[name]()
    scene = get_scene(name)
    return scene.labels, scene.pixels


def _reference(labels: np.ndarray, pixels: np.ndarray, degree: int):
    """cp_measure's shape and radial features for the present labels, ascending."""
    present = pu.present_labels(labels)
    relabel = np.zeros(int(labels.max(initial=0)) + 1, np.int64)
    relabel[present] = np.arange(1, present.size + 1)
    dense = relabel[labels].astype(np.int32)
    pixels = np.asarray(pixels, np.float64)
    shape = get_zernike(dense, pixels, degree)
    radial = get_radial_zernikes(dense, pixels, degree)
    return present, shape, radial


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("zernike_parity")


_RUNS: dict = {}


def _bik(workdir: Path, name: str, degree: int, backend: str) -> pu.BikOutput:
    key = (name, degree, backend)
    if key in _RUNS:
        return _RUNS[key]
    labels, pixels = _scene(name)
    inputs = workdir / f"{name}.in.h5"
    if not inputs.exists():
        pu.write_inputs(inputs, labels, pixels)
    out = workdir / f"{name}.d{degree}.{backend}.h5"
    space, _, schedule = backend.partition("+")
    cmd = [
        _EXE, "measure", "--pixels", f"{inputs}:/pixels", "--labels", f"{inputs}:/labels",
        "--features", "zernike,radial-zernike", "--zernike-degree", str(degree),
        "--backend", space, "--out", str(out), "--overwrite",
    ]
    if schedule:
        cmd += ["--schedule", schedule]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "OMP_NUM_THREADS": pu.OMP_THREADS})
    if proc.returncode != 0:
        pytest.fail(pu.describe_failure(proc), pytrace=False)
    _RUNS[key] = pu.read_output(out)
    return _RUNS[key]


def _compare(got: pu.BikOutput, present, shape, radial) -> list[str]:
    problems = []
    if not np.array_equal(got.labels, present):
        return [f"labels {got.labels.tolist()} vs present {present.tolist()}"]
    if set(got.features) != set(shape) | set(radial):
        problems.append(f"columns {sorted(got.features)[:4]}... vs cp_measure's keys")
    for name, want in shape.items():
        g = got.features.get(name)
        try:
            np.testing.assert_allclose(g, want, rtol=SHAPE_RTOL, atol=ATOL, equal_nan=True)
        except AssertionError as exc:
            problems.append(f"{name}: {str(exc).strip().splitlines()[-3:]}")
    for name, want in radial.items():
        g = np.asarray(got.features.get(name))
        if "_ZernikeMagnitude_" in name:
            try:
                np.testing.assert_allclose(g, want, rtol=RADIAL_RTOL, atol=ATOL, equal_nan=True)
            except AssertionError as exc:
                problems.append(f"{name}: {str(exc).strip().splitlines()[-3:]}")
            continue
        magnitude = np.asarray(radial[name.replace("_ZernikePhase_", "_ZernikeMagnitude_")])
        signal = np.isfinite(magnitude) & (magnitude > NOISE)
        same_nan = np.array_equal(np.isnan(g), np.isnan(want))
        diff = np.abs(np.angle(np.exp(1j * (g[signal] - want[signal]))))
        if not same_nan or (diff.size and diff.max() > PHASE_ATOL):
            problems.append(f"{name}: phase differs by up to {diff.max() if diff.size else 'NaN'}")
    return problems


ALL_SCENES = list(SCENES) + PARITY_SCENES_2D
# Degrees 0..12 sum moments, 13 evaluates the basis per pixel (bik::kZernikeMomentDegree).
CASES = [(s, 9) for s in ALL_SCENES] + [
    (s, d) for s in ("blobs", "grid_squares") for d in range(14) if d != 9
]


@pytest.mark.parametrize("scene,degree", CASES, ids=[f"{s}-d{d}" for s, d in CASES])
def test_zernike_matches_cp_measure(workdir, scene, degree):
    labels, pixels = _scene(scene)
    present, shape, radial = _reference(labels, pixels, degree)
    outputs = {b: _bik(workdir, scene, degree, b) for b in BACKENDS}
    problems = _compare(outputs["serial"], present, shape, radial)
    for backend in BACKENDS[1:]:
        for name, values in outputs["serial"].features.items():
            if not pu.arrays_identical(values, outputs[backend].features[name]):
                problems.append(f"{name}: {backend} differs from serial")
    pu.fail_if(problems, f"{scene}, degree {degree}")


def test_golden_fixture_is_centrosome_output():
    """tests/data/zernike_golden.txt (the unit tests' circles, hulls and basis values) is what
    the pinned centrosome computes now."""
    script = ROOT / "tests" / "data" / "make_zernike_golden.py"
    proc = subprocess.run([sys.executable, str(script), "--check"], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def test_3d_input_is_refused_with_a_clear_message(workdir):
    scene = get_scene("cubes_3d")
    inputs = workdir / "cubes_3d.in.h5"
    pu.write_inputs(inputs, scene.labels, scene.pixels)
    for feature in ("zernike", "radial-zernike"):
        proc = subprocess.run(
            [_EXE, "measure", "--pixels", f"{inputs}:/pixels", "--labels", f"{inputs}:/labels",
             "--features", feature, "--out", str(workdir / "x.h5"), "--overwrite"],
            capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2
        assert "2D only" in proc.stderr, proc.stderr
        assert not (workdir / "x.h5").exists()


def test_bad_degree_is_refused(workdir):
    labels, pixels = _scene("blobs")
    inputs = workdir / "blobs.in.h5"
    if not inputs.exists():
        pu.write_inputs(inputs, labels, pixels)
    for degree, text in (("-1", "expects an integer >= 0"), ("100", "[0, 99]")):
        proc = subprocess.run(
            [_EXE, "measure", "--pixels", f"{inputs}:/pixels", "--labels", f"{inputs}:/labels",
             "--features", "zernike", "--zernike-degree", degree, "--out",
             str(workdir / "y.h5")], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2
        assert text in proc.stderr, proc.stderr


def _csv_run(workdir: Path, inputs: Path, features: str, degree: int = 9):
    out = workdir / f"order.{features.replace(',', '_')}.d{degree}.csv"
    proc = subprocess.run(
        [_EXE, "measure", "--pixels", f"{inputs}:/pixels", "--labels", f"{inputs}:/labels",
         "--features", features, "--zernike-degree", str(degree), "--backend", "serial",
         "--out", str(out), "--overwrite"],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return pu.read_csv_output(out)


def test_column_order_is_cp_measures(workdir):
    """The CSV header lists the columns in cp_measure's dict order: get_zernike's keys, then
    get_radial_zernikes' (magnitude and phase interleaved per pair)."""
    labels, pixels = _scene("blobs")
    inputs = workdir / "blobs.order.h5"
    pu.write_inputs(inputs, labels, pixels)
    for degree in (0, 4, 9):
        _, shape, radial = _reference(labels, pixels, degree)
        header, got_labels, _ = _csv_run(workdir, inputs, "zernike,radial-zernike", degree)
        assert header == ["label"] + list(shape) + list(radial)
        assert np.array_equal(got_labels, pu.present_labels(labels))


def test_columns_join_with_intensity_per_label(workdir):
    """--features intensity,zernike: one row per present label, intensity columns then
    Zernike columns, each equal to the feature set measured alone."""
    labels, pixels = _scene("blobs_gapped")
    inputs = workdir / "blobs_gapped.join.h5"
    pu.write_inputs(inputs, labels, pixels)
    runs = {f: _csv_run(workdir, inputs, f) for f in ("intensity,zernike", "intensity", "zernike")}
    header, got_labels, columns = runs["intensity,zernike"]
    assert np.array_equal(got_labels, pu.present_labels(labels))
    assert header == runs["intensity"][0] + runs["zernike"][0][1:]
    assert len(header) == 1 + 21 + 30
    for part in ("intensity", "zernike"):
        for name, values in runs[part][2].items():
            assert pu.arrays_identical(columns[name], values), name
