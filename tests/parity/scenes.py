"""Synthetic scenes for the intensity parity suite.

Every scene is built deterministically from a numpy ``default_rng`` seed, in the spirit of
cp_measure's own test data (spec §9.3). A scene is a label image (2D ``(Y,X)`` or 3D
``(Z,Y,X)``, any integer dtype, 0 = background) and a pixel image of the same shape, except the
broadcast scene, whose 2D labels apply to every plane of a 3D pixel stack.

Scenes are looked up by name with :func:`get_scene`; the builders are cached, so a scene's
arrays are built once per session. Do not modify the returned arrays.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import ndimage


@dataclass(frozen=True)
class Scene:
    name: str
    labels: np.ndarray
    pixels: np.ndarray
    description: str


_BUILDERS: dict[str, Callable[[], Scene]] = {}


def _scene(name: str, description: str):
    def register(build: Callable[[], tuple[np.ndarray, np.ndarray]]):
        def make() -> Scene:
            labels, pixels = build()
            return Scene(name, labels, pixels, description)

        _BUILDERS[name] = make
        return build

    return register


@functools.lru_cache(maxsize=None)
def get_scene(name: str) -> Scene:
    scene = _BUILDERS[name]()
    scene.labels.setflags(write=False)
    scene.pixels.setflags(write=False)
    return scene


def scene_names() -> list[str]:
    return list(_BUILDERS)


# ------------------------------------------------------------------------------------------
# cp_measure-conftest-like scenes (spec §9.3)


def _stamp_positions(size: int, n: int) -> tuple[list[int], int]:
    """Top-left corners and side of n non-overlapping squares along the diagonal."""
    step = size // (n + 1)
    side = max(step // 2, 8)
    return [step * (i + 1) - side // 2 for i in range(n)], side


@_scene("squares_2d", "64x64, 3 squares, uniform random pixels (seed 42)")
def _squares_2d():
    rng = np.random.default_rng(42)
    labels = np.zeros((64, 64), np.int32)
    corners, side = _stamp_positions(64, 3)
    for i, c in enumerate(corners):
        labels[c : c + side, c : c + side] = i + 1
    return labels, rng.random((64, 64))


@_scene("cubes_3d", "8x32x32, 2 cubes over z depth//4..3*depth//4, uniform random pixels")
def _cubes_3d():
    rng = np.random.default_rng(42)
    depth, size = 8, 32
    labels = np.zeros((depth, size, size), np.int32)
    corners, side = _stamp_positions(size, 2)
    for i, c in enumerate(corners):
        labels[depth // 4 : 3 * depth // 4, c : c + side, c : c + side] = i + 1
    return labels, rng.random((depth, size, size))


# ------------------------------------------------------------------------------------------
# Edge cases


@_scene("label_gaps_2d", "labels 1, 3 and 7 only (7 in two disconnected parts)")
def _label_gaps_2d():
    rng = np.random.default_rng(1)
    labels = np.zeros((48, 48), np.int32)
    labels[4:14, 4:20] = 1
    labels[20:30, 10:40] = 3
    labels[34:44, 2:12] = 7
    labels[36:40, 30:46] = 7
    return labels, rng.random((48, 48))


@_scene("single_pixel_2d", "one-pixel objects (two in corners, two diagonal neighbours) and a 3x3 one")
def _single_pixel_2d():
    rng = np.random.default_rng(2)
    labels = np.zeros((24, 24), np.int32)
    for label, (y, x) in enumerate([(0, 0), (23, 23), (5, 9), (6, 10), (12, 3)], start=1):
        labels[y, x] = label
    labels[15:18, 15:18] = 6
    return labels, rng.random((24, 24))


@_scene("single_voxel_3d", "one-voxel objects in a 3x5x6 volume, plus a 2x2x2 object")
def _single_voxel_3d():
    rng = np.random.default_rng(3)
    labels = np.zeros((3, 5, 6), np.int32)
    for label, (z, y, x) in enumerate([(0, 0, 0), (2, 4, 5), (1, 2, 2), (2, 0, 5)], start=1):
        labels[z, y, x] = label
    labels[0:2, 3:5, 3:5] = 5
    return labels, rng.random((3, 5, 6))


@_scene("touching_2d", "two rectangles sharing a side, a third touching both from below")
def _touching_2d():
    rng = np.random.default_rng(4)
    labels = np.zeros((32, 40), np.int32)
    labels[5:20, 4:18] = 1
    labels[5:20, 18:33] = 2
    labels[20:28, 10:26] = 3
    return labels, rng.random((32, 40))


@_scene("touching_3d", "two boxes sharing a face across z")
def _touching_3d():
    rng = np.random.default_rng(5)
    labels = np.zeros((6, 16, 16), np.int32)
    labels[0:3, 3:12, 4:13] = 1
    labels[3:6, 3:12, 4:13] = 2
    return labels, rng.random((6, 16, 16))


@_scene("border_2d", "a cross touching all four borders, corner squares; normal pixels (some < 0)")
def _border_2d():
    rng = np.random.default_rng(6)
    h, w = 40, 36
    labels = np.zeros((h, w), np.int32)
    labels[18:22, :] = 1
    labels[:, 16:20] = 1
    labels[:6, :6] = 2
    labels[:6, -6:] = 3
    labels[-6:, :6] = 4
    labels[-6:, -6:] = 5
    return labels, rng.normal(1.0, 1.0, (h, w))


@_scene("border_3d", "a 3D cross touching all six faces, blocks in the eight corners")
def _border_3d():
    rng = np.random.default_rng(7)
    d, h, w = 10, 20, 24
    labels = np.zeros((d, h, w), np.int32)
    labels[:, 9:11, 11:13] = 1
    labels[4:6, :, 11:13] = 1
    labels[4:6, 9:11, :] = 1
    label = 2
    for zs in (slice(0, 3), slice(d - 3, d)):
        for ys in (slice(0, 4), slice(h - 4, h)):
            for xs in (slice(0, 4), slice(w - 4, w)):
                labels[zs, ys, xs] = label
                label += 1
    return labels, rng.random((d, h, w))


@_scene("fill_whole_2d", "one object filling a 96x96 image (9216 px, no edge pixels)")
def _fill_whole_2d():
    rng = np.random.default_rng(8)
    y, x = np.mgrid[0:96, 0:96]
    return np.ones((96, 96), np.int32), rng.random((96, 96)) + 0.01 * (y + x)


@_scene("fill_whole_3d", "label 5 filling a 4x48x48 volume (no edge voxels)")
def _fill_whole_3d():
    rng = np.random.default_rng(9)
    return np.full((4, 48, 48), 5, np.int32), rng.random((4, 48, 48))


@_scene("nan_2d", "NaN pixels inside objects and on edges; object 3 all NaN; object 4 one finite pixel")
def _nan_2d():
    rng = np.random.default_rng(10)
    labels = np.zeros((48, 48), np.int32)
    labels[2:20, 2:20] = 1
    labels[2:20, 24:46] = 2
    labels[26:34, 4:20] = 3
    labels[28:44, 26:44] = 4
    labels[38:46, 2:12] = 5
    pixels = rng.random((48, 48))
    pixels[rng.random((48, 48)) < 0.15] = np.nan
    pixels[2, 2:20] = np.nan  # the whole top edge of object 1
    pixels[labels == 3] = np.nan
    pixels[labels == 4] = np.nan
    pixels[35, 30] = 0.625  # object 4's only finite pixel, an interior one
    return labels, pixels


@_scene("nan_3d", "NaN voxels in random balls; one ball all NaN")
def _nan_3d():
    labels, pixels = _balls(np.random.default_rng(11), (8, 28, 28), count=5, radii=(3, 6))
    rng = np.random.default_rng(12)
    pixels = pixels.copy()
    pixels[rng.random(pixels.shape) < 0.1] = np.nan
    present = np.unique(labels[labels > 0])
    pixels[labels == present[1]] = np.nan
    return labels, pixels


@_scene("inf_2d", "+inf/-inf pixels; object 2 all non-finite; object 4 non-finite on its whole edge")
def _inf_2d():
    rng = np.random.default_rng(13)
    labels = np.zeros((40, 40), np.int32)
    labels[2:14, 2:14] = 1
    labels[2:14, 20:36] = 2
    labels[18:26, 3:17] = 3
    labels[22:38, 22:38] = 4
    pixels = rng.random((40, 40))
    u = rng.random((40, 40))
    pixels[u < 0.05] = np.inf
    pixels[(u >= 0.05) & (u < 0.10)] = -np.inf
    pixels[labels == 2] = np.where(rng.random((12, 16)) < 0.5, np.inf, -np.inf).ravel()
    pixels[22, 22:38] = np.inf
    pixels[37, 22:38] = -np.inf
    pixels[22:38, 22] = np.inf
    pixels[22:38, 37] = -np.inf
    return labels, pixels


@_scene(
    "ties_2d",
    "integer pixels in 0..4 (ties at max/min/quantiles); an all-zero object; a zero-sum object",
)
def _ties_2d():
    rng = np.random.default_rng(14)
    labels = np.zeros((64, 64), np.int32)
    corners, side = _stamp_positions(64, 3)
    for i, c in enumerate(corners):
        labels[c : c + side, c : c + side] = i + 1
    labels[2:6, 40:60] = 4
    labels[50:54, 2:6] = 5  # all zeros: IntegratedIntensity 0, so CMI and MassDisplacement NaN
    labels[56:60, 40:44] = 6  # +1/-1 checkerboard: sum exactly 0
    labels[40, 10] = 7
    pixels = rng.integers(0, 5, (64, 64)).astype(np.float64)
    pixels[labels == 5] = 0.0
    yy, xx = np.mgrid[56:60, 40:44]
    pixels[56:60, 40:44] = np.where((yy + xx) % 2 == 0, 1.0, -1.0)
    return labels, pixels


@_scene("ties_3d", "integer pixels in 0..4 in a 5x20x20 volume")
def _ties_3d():
    rng = np.random.default_rng(15)
    labels = np.zeros((5, 20, 20), np.int32)
    labels[0:4, 1:9, 1:9] = 1
    labels[1:5, 10:19, 3:15] = 2
    labels[2, 2:6, 12:18] = 3
    return labels, rng.integers(0, 5, (5, 20, 20)).astype(np.float64)


# ------------------------------------------------------------------------------------------
# Bigger random scenes


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    smooth = ndimage.gaussian_filter(rng.random(shape), 4.0)
    smooth = (smooth - smooth.min()) / (smooth.max() - smooth.min())
    grids = np.meshgrid(*[np.arange(n) for n in shape], indexing="ij")
    wave = np.sin(grids[-1] / 17.0) * np.sin(grids[-2] / 13.0) ** 2
    return smooth + 0.5 * wave + 0.1 * rng.random(shape)


@_scene("voronoi_2d", "256x256, nearest of 40 random seeds within radius 24, smooth + noise pixels")
def _voronoi_2d():
    rng = np.random.default_rng(16)
    size, count = 256, 40
    seeds = rng.integers(0, size, (count, 2))
    yy, xx = np.mgrid[0:size, 0:size]
    d2 = (yy[None] - seeds[:, 0, None, None]) ** 2 + (xx[None] - seeds[:, 1, None, None]) ** 2
    nearest = np.argmin(d2, axis=0)
    labels = (nearest + 1).astype(np.int32)
    labels[np.min(d2, axis=0) > 24**2] = 0
    return labels, _smooth_noise(rng, (size, size))


def _balls(rng, shape, count, radii):
    labels = np.zeros(shape, np.int32)
    grids = np.ogrid[tuple(slice(0, n) for n in shape)]
    for label in range(1, count + 1):
        center = [rng.integers(0, n) for n in shape]
        radius = rng.uniform(*radii)
        inside = sum((g - c) ** 2 for g, c in zip(grids, center)) <= radius**2
        labels[inside] = label  # later balls overwrite earlier ones
    return labels, _smooth_noise(rng, shape)


@_scene("balls_3d", "16x64x64, 14 random (overlapping) balls, smooth + noise pixels")
def _balls_3d():
    return _balls(np.random.default_rng(17), (16, 64, 64), count=14, radii=(4, 10))


# ------------------------------------------------------------------------------------------
# Shapes and dtypes


@_scene("broadcast_2d_labels_3d_pixels", "2D 40x40 labels over a 5x40x40 pixel stack")
def _broadcast():
    rng = np.random.default_rng(18)
    labels = np.zeros((40, 40), np.int32)
    labels[0:10, 0:40] = 1  # touches three borders
    labels[14:30, 5:20] = 2
    labels[14:30, 20:30] = 3  # shares a side with 2
    labels[34:38, 34:38] = 4
    return labels, rng.random((5, 40, 40))


@_scene("flat_3d", "a (1,Y,X) volume: 3D input with a single plane (legacy MAD uses 1/3)")
def _flat_3d():
    rng = np.random.default_rng(19)
    labels = np.zeros((1, 40, 40), np.int32)
    labels[0, 4:20, 4:20] = 1
    labels[0, 22:36, 10:38] = 2
    return labels, rng.random((1, 40, 40))


@_scene("no_objects_2d", "an empty label image")
def _no_objects_2d():
    rng = np.random.default_rng(20)
    return np.zeros((16, 16), np.int32), rng.random((16, 16))


@_scene("anchor_0123", "one 1x4 object with values {0,1,2,3} (legacy quantile anchor)")
def _anchor():
    rng = np.random.default_rng(21)
    labels = np.zeros((3, 6), np.int32)
    labels[1, 1:5] = 1
    pixels = rng.random((3, 6)) + 10.0  # background, ignored
    pixels[1, 1:5] = [2.0, 0.0, 3.0, 1.0]
    return labels, pixels


@_scene("voronoi_2d_float32", "voronoi_2d with float32 pixels")
def _voronoi_f32():
    scene = get_scene("voronoi_2d")
    return scene.labels, scene.pixels.astype(np.float32)


@_scene("balls_3d_uint16", "balls_3d with uint16 pixels (0..60000)")
def _balls_u16():
    scene = get_scene("balls_3d")
    p = scene.pixels
    scaled = (p - p.min()) / (p.max() - p.min()) * 60000.0
    return scene.labels, np.round(scaled).astype(np.uint16)


LABEL_DTYPES = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64"]


def _label_dtype_variant(dtype: str):
    def build():
        scene = get_scene("label_gaps_2d")
        return scene.labels.astype(dtype), scene.pixels

    return build


for _dtype in LABEL_DTYPES:
    _scene(f"label_gaps_2d_labels_{_dtype}", f"label_gaps_2d with {_dtype} labels")(
        _label_dtype_variant(_dtype)
    )


# Labels of any value (issue 7): the same objects as label_gaps_2d / cubes_3d under labels that
# no dense table holds. cp_measure measures them after its sanitize step relabels them to 1..N
# (parity_util.cp_measure_intensity); bik must measure them as they are and keep their values.
HUGE_LABEL_SCENES = ["huge_labels_uint64_2d", "huge_labels_int64_3d", "sparse_2p40_2d"]


def _mapped(labels: np.ndarray, mapping: dict[int, int], dtype) -> np.ndarray:
    out = np.zeros(labels.shape, dtype)
    for small, big in mapping.items():
        out[labels == small] = big
    return out


@_scene("huge_labels_uint64_2d", "label_gaps_2d with uint64 labels 2^40, 2^63 and 2^64-1")
def _huge_labels_uint64_2d():
    scene = get_scene("label_gaps_2d")
    labels = _mapped(scene.labels, {1: 2**40, 3: 2**63, 7: 2**64 - 1}, np.uint64)
    labels[0, 0] = 5  # a one-pixel object with a small label beside the huge ones
    return labels, scene.pixels


@_scene("huge_labels_int64_3d", "cubes_3d with int64 labels up to 2^63-1")
def _huge_labels_int64_3d():
    scene = get_scene("cubes_3d")
    present = [int(v) for v in np.unique(scene.labels) if v > 0]
    top = 2**63 - 1
    mapping = {small: top - (len(present) - 1 - i) * 2**40 for i, small in enumerate(present)}
    return _mapped(scene.labels, mapping, np.int64), scene.pixels


@_scene("sparse_2p40_2d", "a 9x11 image with labels 2^40, 2^40+1 and 3")
def _sparse_2p40_2d():
    rng = np.random.default_rng(40)
    labels = np.zeros((9, 11), np.int64)
    labels[1:4, 1:6] = 2**40
    labels[5:8, 3:10] = 2**40 + 1
    labels[4, 10] = 3
    return labels, rng.random((9, 11))
