"""Parity of bik's granularity and its building blocks with the Python references (spec §4-7).

* Erosion and dilation by disk(r) and ball(r), and reconstruction by dilation with the cross,
  against scikit-image: bit-exact (min and max select input values).
* Order-1 sampling against scipy.ndimage.map_coordinates(order=1): exact on boundary and
  overshoot points, <= 1e-15 relative elsewhere.
* get_granularity through ``bik measure --features granularity`` against cp_measure's numpy
  get_granularity: rtol=1e-6, atol=1e-9, equal_nan (spec §9.2). 3D with background sampling,
  where CellProfiler's geometry and cp_measure's differ (§4.4): the default against a numpy
  transcription of CellProfiler's, ``--cp-measure-3d-background`` against cp_measure.

The building blocks run through bik_kernel_probe (built next to bik: build/<preset>/tests/parity/
probe/bik_kernel_probe, or env BIK_KERNEL_PROBE) under --backend serial and openmp (2 threads).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest
import scipy.ndimage as ndi
import skimage.morphology as morph
from cp_measure.core import measuregranularity
from cp_measure.core.measuregranularity import get_granularity

import parity_util as pu

_EXE, _SKIP_REASON = pu.bik_exe_from_env()
if _EXE is None:
    pu.skip_or_fail(_SKIP_REASON, module_level=True)
_PROBE = os.environ.get("BIK_KERNEL_PROBE") or str(
    Path(_EXE).resolve().parents[2] / "tests" / "parity" / "probe" / "bik_kernel_probe"
)
if not os.access(_PROBE, os.X_OK):
    pu.skip_or_fail(f"bik_kernel_probe not found at {_PROBE}", module_level=True)

BACKENDS = ["serial", "openmp"]
_ENV = dict(os.environ, OMP_NUM_THREADS="2", KOKKOS_NUM_THREADS="2", OMP_PROC_BIND="false")


def _probe(tmp_path: Path, args: list[str], inputs: list[np.ndarray], count: int,
           threads: str = "2") -> np.ndarray:
    files = []
    for i, a in enumerate(inputs):
        f = tmp_path / f"in{i}.bin"
        np.ascontiguousarray(a, dtype=np.float64).tofile(f)
        files.append(str(f))
    out = tmp_path / "out.bin"
    proc = subprocess.run(
        [_PROBE, *args, *files, str(out)], capture_output=True, text=True,
        env=dict(_ENV, OMP_NUM_THREADS=threads, KOKKOS_NUM_THREADS=threads),
    )
    assert proc.returncode == 0, proc.stderr
    got = np.fromfile(out, dtype=np.float64)
    assert got.size == count
    return got


def _image(kind: str, shape: tuple[int, ...], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "random":
        return rng.random(shape)
    if kind == "ties":
        return rng.integers(0, 5, shape).astype(np.float64)
    if kind == "gradient":
        return np.indices(shape).sum(axis=0).astype(np.float64)
    if kind == "border_hot":
        img = rng.random(shape)
        edge = np.zeros(shape, bool)
        for axis in range(len(shape)):
            index = [slice(None)] * len(shape)
            for end in (0, -1):
                index[axis] = end
                edge[tuple(index)] = True
        img[edge] = 7.0
        return img
    img = np.ones(shape)  # single spike
    img[tuple(s // 2 for s in shape)] = 9.0
    return img


KINDS = ["random", "ties", "gradient", "border_hot", "spike"]
# (131, 1100): three column tiles (one read in place) and two row strips of the disk kernel
# (disk_rows.hpp) at 2 threads.
SHAPES_2D = [(23, 19), (1, 17), (17, 1), (30, 31), (131, 1100)]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("op", ["erode", "dilate"])
@pytest.mark.parametrize("radius", [0, 1, 2, 3, 5, 7, 10])
def test_disk_morphology_bit_exact(tmp_path, backend, op, radius):
    reference = morph.erosion if op == "erode" else morph.dilation
    for shape in SHAPES_2D:
        for k, kind in enumerate(KINDS):
            img = _image(kind, shape, 10 * radius + k)
            want = reference(img, morph.disk(radius))
            got = _probe(tmp_path, [op, backend, "1", *map(str, shape), "1", str(radius)], [img],
                         img.size).reshape(shape)
            np.testing.assert_array_equal(got, want, err_msg=f"{kind} {shape}")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("op", ["erode", "dilate"])
@pytest.mark.parametrize("radius", [1, 2, 3])
def test_ball_morphology_bit_exact(tmp_path, backend, op, radius):
    reference = morph.erosion if op == "erode" else morph.dilation
    # Odd sizes, and thin volumes: one plane, one row, one column, thinner than the ball.
    for shape in [(9, 11, 10), (1, 12, 9), (7, 1, 13), (6, 11, 1), (2, 3, 17)]:
        for k, kind in enumerate(KINDS):
            img = _image(kind, shape, 100 * radius + k)
            want = reference(img, morph.ball(radius))
            got = _probe(tmp_path, [op, backend, *map(str, shape), str(shape[0]), str(radius)],
                         [img], img.size).reshape(shape)
            np.testing.assert_array_equal(got, want, err_msg=f"{kind} {shape}")


def _maze(n: int = 41) -> tuple[np.ndarray, np.ndarray]:
    """A serpentine corridor (long geodesic) and a seed at its start."""
    mask = np.zeros((n, n))
    mask[::2, :] = 5.0
    for y in range(1, n, 2):
        mask[y, n - 1 if (y // 2) % 2 == 0 else 0] = 5.0
    seed = np.zeros_like(mask)
    seed[0, 0] = 3.0
    return seed, mask


def _reconstruction_cases(ndim: int):
    shape = (23, 19) if ndim == 2 else (9, 12, 11)
    footprint = morph.disk(1) if ndim == 2 else morph.ball(1)
    for k, kind in enumerate(KINDS):
        mask = _image(kind, shape, 7 + k)
        yield f"{kind}-eroded", morph.erosion(mask, footprint), mask
        seed = np.minimum(_image("random", shape, 70 + k), mask)  # skimage needs seed <= mask
        yield f"{kind}-random", seed, mask
    if ndim == 2:
        yield ("maze", *_maze())
        big = _image("random", (200, 190), 5)
        yield "large", morph.erosion(big, footprint), big


# Reconstruction's parallel schedule (tiles, their queues and wake-ups) depends on the thread
# count, its result must not: OpenMP at 1 to 4 threads.
BACKEND_THREADS = [("serial", "1"), *(("openmp", t) for t in "1234")]


@pytest.mark.parametrize("backend,threads", BACKEND_THREADS, ids=lambda v: v)
@pytest.mark.parametrize("ndim", [2, 3])
def test_reconstruction_bit_exact(tmp_path, backend, threads, ndim):
    footprint = morph.disk(1) if ndim == 2 else morph.ball(1)
    for name, seed, mask in _reconstruction_cases(ndim):
        want = morph.reconstruction(seed, mask, method="dilation", footprint=footprint)
        shape3 = (1, *mask.shape) if ndim == 2 else mask.shape
        planes = "1" if ndim == 2 else str(mask.shape[0])
        got = _probe(tmp_path, ["reconstruct", backend, *map(str, shape3), planes], [seed, mask],
                     mask.size, threads).reshape(mask.shape)
        np.testing.assert_array_equal(got, want, err_msg=name)


@pytest.mark.parametrize("backend", BACKENDS)
def test_reconstruction_cascade_bit_exact(tmp_path, backend):
    """Five granularity steps: cumulative cross erosions, each reconstructed under the image."""
    mask = _image("random", (37, 41), 3)
    ero = mask
    for step in range(5):
        ero = morph.erosion(ero, morph.disk(1))
        want = morph.reconstruction(ero, mask, method="dilation", footprint=morph.disk(1))
        got = _probe(tmp_path, ["reconstruct", backend, "1", "37", "41", "1"], [ero, mask],
                     mask.size).reshape(mask.shape)
        np.testing.assert_array_equal(got, want, err_msg=f"step {step}")


@pytest.mark.parametrize("backend", BACKENDS)
def test_map_coordinates_points(tmp_path, backend):
    rng = np.random.default_rng(1)
    ny, nx = 13, 9
    img = rng.random((ny, nx))
    edge = [
        (0, 0), (ny - 1, nx - 1), (ny - 1, 0), (0, nx - 1),  # corners: the mirrored weight-0 read
        (np.nextafter(ny - 1, np.inf), 3.0), (3.0, np.nextafter(nx - 1, np.inf)),  # 1 ULP out: 0
        (np.nextafter(0.0, -1.0), 2.0), (-0.5, 2.0), (ny - 0.5, 2.0), (2.0, nx),
        (63 * (12 / 159) * 159 / 63, 4.0),  # a rounded scale product near the border
    ]
    inner = np.column_stack([rng.uniform(0, ny - 1, 500), rng.uniform(0, nx - 1, 500)])
    points = np.vstack([np.array(edge, dtype=np.float64), inner])
    want = ndi.map_coordinates(img, points.T, order=1, mode="constant", cval=0.0)
    got = _probe(tmp_path, ["points", backend, str(ny), str(nx)], [img, points.ravel()],
                 len(points))
    n = len(edge)
    np.testing.assert_array_equal(got[:n], want[:n])
    np.testing.assert_allclose(got[n:], want[n:], rtol=1e-15, atol=0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_map_coordinates_grids(tmp_path, backend):
    """The grids granularity samples: subsample by 1/s, background up-sample, read-back."""
    rng = np.random.default_rng(2)
    for (ny, nx), cy, cx in [
        ((160, 160), np.arange(64) / 0.4, np.arange(64) / 0.4),
        ((17, 17), np.arange(64) * (16.0 / 63), np.arange(64) * (16.0 / 63)),
        ((64, 64), np.arange(160) * (63.0 / 159), np.arange(160) * (63.0 / 159)),  # overshoot
        ((68, 68), np.arange(270) * (66.5 / 269), np.arange(270) * (66.5 / 269)),
    ]:
        img = rng.random((ny, nx))
        yy, xx = np.meshgrid(cy, cx, indexing="ij")
        want = ndi.map_coordinates(img, [yy, xx], order=1)
        got = _probe(tmp_path, ["grid", backend, str(ny), str(nx)], [img, cy, cx],
                     cy.size * cx.size).reshape(cy.size, cx.size)
        np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)
        outside = want == 0
        np.testing.assert_array_equal(got[outside], 0.0)


# --- get_granularity through the bik program --------------------------------------------------


def _disks_scene(size: int = 160, seed: int = 0):
    """The main granularity test's scene: disks on smoothed noise; one touches the far corner."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size]
    labels = np.zeros((size, size), np.int32)
    for k, (cy, cx, r) in enumerate([(40, 40, 25), (100, 60, 30), (60, 120, 20), (159, 159, 30)]):
        labels[(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = k + 1
    pixels = ndi.gaussian_filter(rng.random((size, size)), 3) + 0.3 * rng.random((size, size))
    return labels, pixels


def _measure(inp: Path, out: Path, features: str, *extra: str,
             threads: str = "2") -> subprocess.CompletedProcess:
    """`bik measure` on the /pixels and /labels datasets of `inp`, OpenMP on `threads`."""
    return subprocess.run(
        [_EXE, "measure", "--pixels", f"{inp}:/pixels", "--labels", f"{inp}:/labels",
         "--features", features, "--out", str(out), *extra],
        capture_output=True, text=True,
        env=dict(_ENV, OMP_NUM_THREADS=threads, KOKKOS_NUM_THREADS=threads),
    )


def _run_bik(tmp_path: Path, labels, pixels, backend="openmp", extra=(), threads="2"):
    inp, out = tmp_path / "in.h5", tmp_path / "out.h5"
    pu.write_inputs(inp, labels, pixels)
    proc = _measure(inp, out, "granularity", "--backend", backend, "--overwrite", *extra,
                    threads=threads)
    assert proc.returncode == 0, proc.stderr
    with h5py.File(out) as f:
        return {k: f[k][()] for k in f}


def _check(got, ref, length, present):
    np.testing.assert_array_equal(got["label"], present)
    assert sorted(k for k in got if k != "label") == sorted(f"Granularity_{g}" for g in range(1, length + 1))
    for g in range(1, length + 1):
        want = np.asarray(ref[f"Granularity_{g}"])[present - 1]
        np.testing.assert_allclose(got[f"Granularity_{g}"], want, rtol=1e-6, atol=1e-9,
                                   equal_nan=True, err_msg=f"Granularity_{g}")


SAMPLINGS = [(1.0, 1.0), (0.25, 0.25), (0.5, 0.25), (0.25, 1.0), (0.4, 0.25)]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("element_size", [1, 5, 10])
@pytest.mark.parametrize("sampling", SAMPLINGS, ids=lambda s: f"{s[0]}-{s[1]}")
def test_granularity_matches_cp_measure(tmp_path, backend, element_size, sampling):
    labels, pixels = _disks_scene()
    sub, img = sampling
    ref = get_granularity(labels, pixels, sub, img, element_size, 16)
    got = _run_bik(tmp_path, labels, pixels, backend,
                   ["--subsample-size", str(sub), "--image-sample-size", str(img),
                    "--element-size", str(element_size)])
    _check(got, ref, 16, np.arange(1, 5))


def _clamped_read_back(orig_shape, new_shape, orig_mask):
    """A stand-in for cp_measure's per-step read-back (rec -> per-object mean at full scale) that
    clamps each source coordinate into the grid instead of reading 0 past it: what the overshoot
    rule (spec §4.3) is not."""
    i, j = np.mgrid[0:orig_shape[0], 0:orig_shape[1]].astype(float)
    i = np.minimum(i * (float(new_shape[0] - 1) / float(orig_shape[0] - 1)), new_shape[0] - 1)
    j = np.minimum(j * (float(new_shape[1] - 1) / float(orig_shape[1] - 1)), new_shape[1] - 1)
    objects = np.arange(1, int(orig_mask.max()) + 1)
    return lambda rec: np.asarray(
        ndi.mean(ndi.map_coordinates(rec, (i, j), order=1), orig_mask, objects))


@pytest.mark.parametrize("threads,schedule", [("1", "thread"), ("3", "thread"), ("4", "thread"),
                                              ("2", "team")])
def test_granularity_matches_cp_measure_at_other_thread_counts(tmp_path, threads, schedule):
    """OpenMP at 1, 3 and 4 threads, and a team per object (the GPU shape), 2D and 3D (the
    cases above run at 2 threads, a thread per object)."""
    labels, pixels = _disks_scene()
    _check(_run_bik(tmp_path, labels, pixels, extra=["--schedule", schedule], threads=threads),
           get_granularity(labels, pixels), 16, np.arange(1, 5))
    labels, pixels = _volume_scene()
    options = ["--subsample-size", "0.5", "--image-sample-size", "1", "--element-size", "2",
               "--granular-spectrum-length", "6", "--schedule", schedule]
    _check(_run_bik(tmp_path, labels, pixels, extra=options, threads=threads),
           get_granularity(labels, pixels, 0.5, 1.0, 2, 6), 6, np.array([1, 2]))


def test_granularity_overshoot_object_reads_zero_past_the_grid(tmp_path, monkeypatch):
    """160 px at 0.4: 159 * (63/159) = 63.00000000000001 > 63, so the last row and column read
    0 but count. Object 4 covers that corner, and there a clamped read-back differs from
    cp_measure by more than the tolerance, so the match below tells the two rules apart."""
    assert 159 * (63 / 159) > 63
    labels, pixels = _disks_scene()
    assert (labels[-1] == 4).any() and (labels[:, -1] == 4).any()
    ref = get_granularity(labels, pixels, 0.4, 0.25, 10, 16)
    got = _run_bik(tmp_path, labels, pixels, extra=["--subsample-size", "0.4"])
    _check(got, ref, 16, np.arange(1, 5))
    monkeypatch.setattr(measuregranularity, "_make_fused_upsample_mean", _clamped_read_back)
    clamped = get_granularity(labels, pixels, 0.4, 0.25, 10, 16)
    off = [abs(clamped[f"Granularity_{g}"][3] - ref[f"Granularity_{g}"][3])
           - (1e-9 + 1e-6 * abs(ref[f"Granularity_{g}"][3])) for g in range(1, 17)]
    assert max(off) > 0, "a clamped read-back would pass the tolerance: the case checks nothing"
    # Control: where no coordinate passes the grid (0.25: 159 * (39/159) == 39), the stand-in is
    # cp_measure's read-back.
    assert 159 * (39 / 159) == 39
    control = get_granularity(labels, pixels, 0.25, 0.25, 10, 16)
    monkeypatch.undo()
    _check({"label": np.arange(1, 5), **control}, get_granularity(labels, pixels), 16,
           np.arange(1, 5))


def test_granularity_batch_and_list_match_cp_measure(tmp_path):
    """Several images in one run: a (B,1,Y,X) batch (one pipeline over all images) and a --list
    of files, two of one shape (stacked) and one of another; each image's rows against
    cp_measure on that image alone."""
    images = [_disks_scene(seed=s) for s in (0, 3)]
    small = _disks_scene(120, seed=5)
    options = ["--subsample-size", "0.5", "--element-size", "5", "--granular-spectrum-length", "8"]

    def check(table, scenes):
        assert list(np.unique(table["image"])) == list(range(len(scenes)))
        for b, (labels, pixels) in enumerate(scenes):
            rows = table["image"] == b
            got = {k: v[rows] for k, v in table.items() if k != "image"}
            _check(got, get_granularity(labels, pixels, 0.5, 0.25, 5, 8), 8,
                   np.unique(labels[labels > 0]))

    batch = tmp_path / "batch.h5"
    pu.write_inputs(batch, np.stack([l[None] for l, _ in images]),
                    np.stack([p[None] for _, p in images]))
    out = tmp_path / "batch.out.h5"
    proc = _measure(batch, out, "granularity", *options)
    assert proc.returncode == 0, proc.stderr
    with h5py.File(out) as f:
        check({k: f[k][()] for k in f}, images)

    lines = []
    for b, (labels, pixels) in enumerate(images + [small]):
        path = tmp_path / f"image{b}.h5"
        pu.write_inputs(path, labels, pixels)
        lines.append(f"{path}:/pixels {path}:/labels")
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(lines) + "\n")
    out = tmp_path / "list.out.h5"
    proc = subprocess.run([_EXE, "measure", "--list", str(listing), "--features", "granularity",
                           "--out", str(out), *options], capture_output=True, text=True, env=_ENV)
    assert proc.returncode == 0, proc.stderr
    with h5py.File(out) as f:
        check({k: f[k][()] for k in f}, images + [small])


def test_granularity_label_gaps_and_one_pixel_objects(tmp_path):
    labels, pixels = _disks_scene(seed=3)
    labels[labels == 2] = 0  # a gap: labels 1, 3, 4 remain
    labels[5, 150] = 6  # one-pixel objects, 5 absent
    labels[150, 5] = 7
    ref = get_granularity(labels, pixels, 0.25, 0.25, 10, 8)
    got = _run_bik(tmp_path, labels, pixels, extra=["--granular-spectrum-length", "8"])
    _check(got, ref, 8, np.array([1, 3, 4, 6, 7]))


def test_granularity_empty_mask(tmp_path):
    labels = np.zeros((40, 40), np.int32)
    pixels = np.random.default_rng(0).random((40, 40))
    ref = get_granularity(labels, pixels)
    assert all(len(v) == 0 for v in ref.values())
    got = _run_bik(tmp_path, labels, pixels)
    assert got["label"].size == 0 and len(got) == 17


def test_granularity_collapse_gives_nan(tmp_path):
    """7 x 17 at 0.25: trunc(7 * 0.25) = 1 < 2 samples, so every feature is NaN (cp_measure #91)."""
    labels = np.zeros((7, 17), np.int32)
    labels[1:5, 2:8] = 1
    labels[2:6, 10:15] = 2
    pixels = np.random.default_rng(0).random((7, 17))
    ref = get_granularity(labels, pixels)
    assert np.isnan(ref["Granularity_1"]).all()
    _check(_run_bik(tmp_path, labels, pixels), ref, 16, np.array([1, 2]))


@pytest.mark.parametrize("subsample", [1.0, 0.5])
def test_granularity_3d_where_geometries_agree(tmp_path, subsample):
    """Without background sampling cp_measure's 3D path and CellProfiler's geometry coincide."""
    labels, pixels = _volume_scene([(8, 12, 12, 6), (7, 22, 22, 7)])
    ref = get_granularity(labels, pixels, subsample, 1.0, 3, 6)
    got = _run_bik(tmp_path, labels, pixels,
                   extra=["--subsample-size", str(subsample), "--image-sample-size", "1",
                          "--element-size", "3", "--granular-spectrum-length", "6"])
    _check(got, ref, 6, np.array([1, 2]))


def _volume_scene(balls=((5, 9, 9, 4), (14, 29, 29, 4))):
    """Balls (z, y, x, radius), labels 1, 2, ..., on smoothed noise in a 16 x 32 x 32 volume; by
    default two, one near each corner."""
    rng = np.random.default_rng(4)
    zz, yy, xx = np.mgrid[:16, :32, :32]
    labels = np.zeros((16, 32, 32), np.int32)
    for k, (z, y, x, r) in enumerate(balls):
        labels[(zz - z) ** 2 + (yy - y) ** 2 + (xx - x) ** 2 < r * r] = k + 1
    pixels = ndi.gaussian_filter(rng.random(labels.shape), 1.5) + 0.2 * rng.random(labels.shape)
    return labels, pixels


def _cellprofiler_granularity(labels, pixels, subsample, image_sample, element_size, length):
    """CellProfiler's granularity (spec §4.2, §4.4) in numpy for 2D or 3D: the subsample grid k/s
    on N = trunc(O s) points, the background on ceil(N f) points at k/f, opened by disk (ball)
    of element_size and brought back at scale (N f - 1)/(N - 1), the spectrum by cross erosions
    and reconstructions, each read back at scale (N - 1)/(O - 1) and averaged per object. In 2D
    it is cp_measure's numpy geometry too (checked below); in 3D cp_measure differs (§4.4)."""
    def grid(shape, scale):
        return np.mgrid[tuple(slice(0, n) for n in shape)].astype(float) * np.reshape(
            scale, (-1,) + (1,) * len(shape))

    orig_shape = np.array(pixels.shape)
    ball = morph.disk if pixels.ndim == 2 else morph.ball
    objects = np.arange(1, labels.max() + 1)
    start = ndi.mean(pixels, labels, objects)
    current, start = start, np.maximum(start, np.finfo(float).eps)
    new_shape = orig_shape
    if subsample < 1:
        new_shape = (orig_shape * subsample).astype(int)
        pixels = ndi.map_coordinates(pixels, grid(new_shape, np.full(len(new_shape), 1 / subsample)),
                                     order=1)
    back = pixels
    if image_sample < 1:
        back_shape = new_shape * image_sample
        coarse = np.ceil(back_shape).astype(int)
        back = ndi.map_coordinates(pixels, grid(coarse, np.full(len(coarse), 1 / image_sample)),
                                   order=1)
    back = morph.dilation(morph.erosion(back, ball(element_size)), ball(element_size))
    if image_sample < 1:
        back = ndi.map_coordinates(back, grid(new_shape, (back_shape - 1) / (new_shape - 1)),
                                   order=1)
    pixels = np.maximum(pixels - back, 0)
    read_back = grid(orig_shape, (new_shape - 1) / (orig_shape - 1))
    ero, out = pixels, {}
    for g in range(1, length + 1):
        ero = morph.erosion(ero, ball(1))
        rec = morph.reconstruction(ero, pixels, footprint=ball(1))
        new = ndi.mean(ndi.map_coordinates(rec, read_back, order=1), labels, objects)
        out[f"Granularity_{g}"] = (current - new) * 100 / start
        current = new
    return out


@pytest.mark.parametrize("sampling", [(1.0, 0.5), (0.5, 0.5), (0.5, 0.25)],
                         ids=lambda s: f"{s[0]}-{s[1]}")
def test_granularity_3d_background_sampling(tmp_path, sampling):
    """3D with background sampling, where the two geometries differ (spec §4.4): by default bik
    follows CellProfiler's (a numpy transcription above, itself checked against cp_measure in
    2D, where the geometries coincide); with --cp-measure-3d-background, cp_measure's numpy 3D
    path."""
    sub, img = sampling
    labels2, pixels2 = _disks_scene()
    np.testing.assert_allclose(
        np.array([v for v in _cellprofiler_granularity(labels2, pixels2, sub, img, 5, 6).values()]),
        np.array([v for v in get_granularity(labels2, pixels2, sub, img, 5, 6).values()]),
        rtol=1e-9, atol=1e-12)
    labels, pixels = _volume_scene()
    options = ["--subsample-size", str(sub), "--image-sample-size", str(img),
               "--element-size", "1", "--granular-spectrum-length", "6"]
    cellprofiler = _cellprofiler_granularity(labels, pixels, sub, img, 1, 6)
    cp_measure = get_granularity(labels, pixels, sub, img, 1, 6)
    _check(_run_bik(tmp_path, labels, pixels, extra=options), cellprofiler, 6, np.array([1, 2]))
    _check(_run_bik(tmp_path, labels, pixels, extra=options + ["--cp-measure-3d-background"]),
           cp_measure, 6, np.array([1, 2]))
    gap = max(np.max(np.abs(cellprofiler[k] - cp_measure[k])) for k in cellprofiler)
    assert gap > 1e-3, "the geometries agree on this scene: the case tells nothing apart"


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--subsample-size", "0", "(0, 1]"),
        ("--subsample-size", "1.5", "(0, 1]"),
        ("--image-sample-size", "-0.25", "(0, 1]"),
        ("--image-sample-size", "0", "(0, 1]"),
        ("--image-sample-size", "2", "(0, 1]"),
        ("--subsample-size", "nan", "(0, 1]"),
        ("--element-size", "-1", ">= 0"),
        ("--granular-spectrum-length", "0", ">= 1"),
    ],
)
def test_granularity_bad_parameters(tmp_path, option, value, message):
    labels, pixels = _disks_scene(40)
    inp = tmp_path / "in.h5"
    pu.write_inputs(inp, labels, pixels)
    proc = _measure(inp, tmp_path / "o.h5", "granularity", option + "=" + value)
    assert proc.returncode == 2
    assert option in proc.stderr and message in proc.stderr
    assert not (tmp_path / "o.h5").exists()


def test_granularity_mismatched_shapes(tmp_path):
    inp = tmp_path / "in.h5"
    with h5py.File(inp, "w") as f:
        f["labels"] = np.ones((20, 30), np.int32)
        f["pixels"] = np.zeros((4, 20, 30))
    proc = _measure(inp, tmp_path / "o.h5", "granularity")
    assert proc.returncode == 2 and "shape" in proc.stderr


def _measure_all(tmp_path, labels, pixels):
    """`bik measure --features all` on the scene, which must succeed: (input, output) paths."""
    inp, out = tmp_path / "in.h5", tmp_path / "out.h5"
    pu.write_inputs(inp, labels, pixels)
    proc = _measure(inp, out, "all")
    assert proc.returncode == 0, proc.stderr
    return inp, out


def test_all_features_join_intensity_and_granularity(tmp_path):
    labels, pixels = _disks_scene(80)
    _, out = _measure_all(tmp_path, labels, pixels)
    with h5py.File(out) as f:
        assert "Intensity_MeanIntensity" in f and "Granularity_16" in f
        ref = get_granularity(labels, pixels)
        np.testing.assert_allclose(f["Granularity_3"][()], ref["Granularity_3"][f["label"][()] - 1],
                                   rtol=1e-6, atol=1e-9, equal_nan=True)


@pytest.mark.parametrize("three_d", [False, True], ids=["2d", "3d"])
def test_all_features_leave_out_zernike_for_3d_only(tmp_path, three_d):
    # `all` is every feature set; cp_measure's featurizer skips the 2D-only Zernike sets for
    # 3D input, and so does bik (naming `zernike` explicitly on 3D input is an error instead).
    labels, pixels = _disks_scene(80)
    if three_d:
        labels, pixels = np.stack([labels, labels]), np.stack([pixels, pixels])
    inp, out = _measure_all(tmp_path, labels, pixels)
    with h5py.File(out) as f:
        assert "Intensity_MeanIntensity" in f and "Granularity_16" in f
        zernike = {"Zernike_0_0", "RadialDistribution_ZernikeMagnitude_0_0"}
        assert zernike.isdisjoint(f) if three_d else zernike <= set(f)
    explicit = _measure(inp, tmp_path / "z.h5", "all,zernike")
    if three_d:
        assert explicit.returncode == 2 and "2D only" in explicit.stderr
    else:
        assert explicit.returncode == 0, explicit.stderr
