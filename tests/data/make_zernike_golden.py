"""Writes tests/data/zernike_golden.txt: centrosome's minimum enclosing circles, convex hulls and
Zernike basis values, the independent reference for tests/unit/test_zernike_golden.cpp.

Every expected value is what centrosome (the pinned version in tests/parity/requirements.txt)
returns: `cpmorphology.convex_hull` and `cpmorphology.minimum_enclosing_circle` called with all
labels of an image at once (as cp_measure does), and `zernike.construct_zernike_polynomials`.
Inputs are stored in the file, floats as exact hex, so the C++ test reads what centrosome saw.
Run from the repository root with the parity venv:

    python tests/data/make_zernike_golden.py            # rewrites the file
    python tests/data/make_zernike_golden.py --check    # exits 1 if the file differs

Format: '#' comment lines, then records:
    image <name> <H> <W> <H*W labels, raster order>
    shapes <name> <H> <W> <count> <count primitives: kind label a b c d>
        (a large label image drawn from integer primitives, later ones over earlier ones:
         ellipse: (2y - a)^2 d^2 + (2x - b)^2 c^2 <= c^2 d^2 (centre and axes doubled);
         rect: a <= y < a + c, b <= x < b + d; diamond: |y - a| + |x - b| <= c;
         pixel: y = a, x = b)
    circle <label> <centre row> <centre column> <radius> <hull count> <hull rows and columns>
        (one per label 1..max of the preceding image; floats as float.hex)
    basis <degree> <x> <y> <re, im of each (n, m) pair in centrosome's order>
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from centrosome import cpmorphology, zernike

OUT = Path(__file__).resolve().parent / "zernike_golden.txt"
BASIS_DEGREE = 12


def disc(radius: float, size: int) -> np.ndarray:
    c = (size - 1) / 2
    yy, xx = np.mgrid[0:size, 0:size]
    return ((yy - c) ** 2 + (xx - c) ** 2 <= radius * radius).astype(np.int32)


def diamond(half: int) -> np.ndarray:
    size = 2 * half + 1
    yy, xx = np.mgrid[0:size, 0:size]
    return (np.abs(yy - half) + np.abs(xx - half) <= half).astype(np.int32)


def padded(mask: np.ndarray, pad: int = 1) -> np.ndarray:
    return np.pad(mask, pad).astype(np.int32)


def images() -> list[tuple[str, np.ndarray]]:
    """The label images: one object each for the named shapes, then grids of random blobs."""
    out: list[tuple[str, np.ndarray]] = []
    for side in (1, 2, 3, 4, 5, 8, 12, 24):
        out.append((f"square_{side}", padded(np.ones((side, side)))))
    for h, w in ((1, 2), (2, 1), (1, 7), (7, 1), (2, 5), (5, 2), (3, 8), (9, 4), (6, 13)):
        out.append((f"rectangle_{h}x{w}", padded(np.ones((h, w)))))
    for radius, size in ((1, 3), (1.5, 4), (2, 5), (2.5, 6), (3, 7), (5, 11), (7.5, 16), (12, 25)):
        out.append((f"disc_{radius}", padded(disc(radius, size))))
    for half in (1, 2, 3, 6):
        out.append((f"diamond_{half}", padded(diamond(half))))
    two_three = {
        "pair_horizontal": [[1, 1]],
        "pair_vertical": [[1], [1]],
        "pair_diagonal": [[1, 0], [0, 1]],
        "pair_antidiagonal": [[0, 1], [1, 0]],
        "triple_line": [[1, 1, 1]],
        "triple_l": [[1, 1], [1, 0]],
        "triple_diagonal": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
        "triple_apart": [[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0]],
    }
    for name, mask in two_three.items():
        out.append((name, padded(np.array(mask))))
    # Cocircular vertices: octagons (a square with cut corners), crosses and rings.
    octagon = np.ones((7, 7), np.int32)
    for i, j in ((0, 0), (0, 6), (6, 0), (6, 6)):
        octagon[i, j] = 0
    out.append(("octagon_7", padded(octagon)))
    cross = np.zeros((5, 5), np.int32)
    cross[2, :] = 1
    cross[:, 2] = 1
    out.append(("cross_5", padded(cross)))
    ring = disc(6, 13) - disc(4, 13)
    out.append(("ring_6", padded(ring)))
    # Several objects in one image (touching, and on the border): centrosome handles them
    # together.
    many = np.zeros((20, 24), np.int32)
    many[0:5, 0:5] = 1
    many[0:5, 5:9] = 2
    many[8:13, 3:8] = disc(2, 5) * 3
    many[12:20, 15:24] = 4
    many[2:4, 18:22] = 5
    many[15, 2] = 6
    many[17:19, 6:7] = 7
    out.append(("several", many))
    rng = np.random.default_rng(20261129)
    for g in range(12):
        cells, cell, blob = 10, 8, 6
        labels = np.zeros((cells * cell, cells * cell), np.int32)
        for k in range(cells * cells):
            density = rng.uniform(0.15, 0.95)
            mask = rng.random((blob, blob)) < density
            if not mask.any():
                mask[blob // 2, blob // 2] = True
            r0, c0 = (k // cells) * cell + 1, (k % cells) * cell + 1
            labels[r0 : r0 + blob, c0 : c0 + blob][mask] = k + 1
        out.append((f"random_blobs_{g}", labels))
    # Larger random blobs: smoothed noise thresholded, so hulls have many vertices.
    for g in range(4):
        size = 40
        noise = rng.random((size, size))
        for _ in range(4):
            noise = (noise + np.roll(noise, 1, 0) + np.roll(noise, 1, 1)) / 3
        mask = (noise > np.quantile(noise, 0.55)).astype(np.int32)
        mask[[0, -1], :] = 0
        mask[:, [0, -1]] = 0
        out.append((f"smooth_blob_{g}", mask))
    return out


def draw(shape: tuple[int, int], primitives: list[tuple]) -> np.ndarray:
    """Rasterises the primitives of a `shapes` record exactly (integer arithmetic)."""
    labels = np.zeros(shape, np.int32)
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.int64)
    for kind, label, a, b, c, d in primitives:
        if kind == "ellipse":
            inside = ((2 * yy - a) * d) ** 2 + ((2 * xx - b) * c) ** 2 <= (c * d) ** 2
        elif kind == "rect":
            inside = (yy >= a) & (yy < a + c) & (xx >= b) & (xx < b + d)
        elif kind == "diamond":
            inside = np.abs(yy - a) + np.abs(xx - b) <= c
        else:
            inside = (yy == a) & (xx == b)
        labels[inside] = label
    return labels


def large_shapes() -> list[tuple[str, tuple[int, int], list[tuple]]]:
    """Objects 200 to 1000 columns wide, where bik builds hulls and circles by teams: discs,
    ellipses, squares, thin bars and a one-row line (all collinear: U-turns), diamonds (long
    collinear edges), point clouds (empty columns), split objects and random blobs."""
    out: list[tuple[str, tuple[int, int], list[tuple]]] = []
    out.append(("large_disc_1000", (1004, 1004), [("ellipse", 1, 1003, 1003, 999, 999)]))
    out.append(("large_disc_offcentre", (520, 520), [("ellipse", 1, 514, 517, 498, 498)]))
    out.append(("large_ellipse_900x300", (320, 920), [("ellipse", 1, 319, 919, 299, 899)]))
    out.append(("large_ellipse_250x700", (720, 270), [("ellipse", 1, 719, 269, 699, 249)]))
    out.append(("large_square_600", (602, 602), [("rect", 1, 1, 1, 600, 600)]))
    out.append(("large_bar_20x1000", (22, 1002), [("rect", 1, 1, 1, 20, 1000)]))
    out.append(("large_line_1x1000", (3, 1002), [("rect", 1, 1, 1, 1, 1000)]))
    out.append(("large_line_2x777", (4, 779), [("rect", 1, 1, 1, 2, 777)]))
    out.append(("large_diamond_300", (603, 603), [("diamond", 1, 301, 301, 300, 0)]))
    out.append(
        (
            "large_split",
            (200, 900),
            [("ellipse", 1, 200, 200, 150, 150), ("rect", 1, 20, 600, 150, 250)],
        )
    )
    rng = np.random.default_rng(202611291)
    for g, width in enumerate((200, 350, 500, 800, 1000)):
        height = int(rng.integers(width // 3, width + 1))
        prims: list[tuple] = []
        for _ in range(int(rng.integers(4, 12))):
            ay = int(rng.integers(10, max(11, height // 2)))
            ax = int(rng.integers(10, max(11, width // 2)))
            cy = int(rng.integers(ay + 2, 2 * height - ay))
            cx = int(rng.integers(ax + 2, 2 * width - ax))
            prims.append(("ellipse", 1, cy, cx, ay, ax))
        for _ in range(int(rng.integers(0, 40))):
            prims.append(("pixel", 1, int(rng.integers(1, height)), int(rng.integers(1, width)), 0, 0))
        out.append((f"large_blob_{g}", (height + 2, width + 2), prims))
    for g, width in enumerate((300, 800)):
        prims = [
            ("pixel", 1, int(rng.integers(1, width)), int(rng.integers(1, width)), 0, 0)
            for _ in range(int(rng.integers(50, 400)))
        ]
        out.append((f"large_cloud_{g}", (width + 1, width + 1), prims))
    return out


def circle_records(labels: np.ndarray) -> list[str]:
    indexes = np.arange(1, int(labels.max()) + 1, dtype=np.int32)
    hull, counts = cpmorphology.convex_hull(labels, indexes)
    centers, radii = cpmorphology.minimum_enclosing_circle(labels, indexes)
    lines = []
    start = 0
    for k, label in enumerate(indexes):
        n = int(counts[k])
        vertices = hull[start : start + n]
        start += n
        assert np.all(vertices[:, 0] == label)
        coords = " ".join(f"{int(i)} {int(j)}" for i, j in vertices[:, 1:])
        lines.append(
            f"circle {label} {float(centers[k, 0]).hex()} {float(centers[k, 1]).hex()} "
            f"{float(radii[k]).hex()} {n} {coords}".rstrip()
        )
    return lines


def basis_points(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Points inside the unit circle, on it (as computed from angles and from pixel offsets),
    just outside it, and the centre."""
    n = 50
    radius = np.sqrt(rng.random(n))
    angle = rng.uniform(0, 2 * np.pi, n)
    xs = [radius * np.cos(angle)]
    ys = [radius * np.sin(angle)]
    t = rng.uniform(0, 2 * np.pi, 16)
    xs.append(np.cos(t))
    ys.append(np.sin(t))
    # Pixel offsets over the radius of small enclosing circles: many land at r^2 = 1 +- ulps.
    for r in (0.5, 1.5, 2.5, np.sqrt(5.0) / 2):
        grid = np.arange(-3, 4, dtype=float)
        yy, xx = np.meshgrid(grid, grid, indexing="ij")
        keep = (yy * yy + xx * xx) <= (r + 1) ** 2
        xs.append(xx[keep] / r)
        ys.append(yy[keep] / r)
    xs.append(np.array([0.0, 1.0, -1.0, 0.0, 0.0, 1e-300, 0.6, 0.8]))
    ys.append(np.array([0.0, 0.0, 0.0, 1.0, -1.0, 0.0, 0.8, -0.6]))
    return np.concatenate(xs), np.concatenate(ys)


def basis_records() -> list[str]:
    rng = np.random.default_rng(7)
    x, y = basis_points(rng)
    indexes = zernike.get_zernike_indexes(BASIS_DEGREE + 1)
    values = zernike.construct_zernike_polynomials(x, y, indexes)
    lines = []
    for p in range(x.size):
        parts = [f"basis {BASIS_DEGREE} {float(x[p]).hex()} {float(y[p]).hex()}"]
        for q in range(len(indexes)):
            v = values[p, q]
            parts.append(f"{float(v.real).hex()} {float(v.imag).hex()}")
        lines.append(" ".join(parts))
    return lines


def render() -> str:
    lines = [
        "# Generated by tests/data/make_zernike_golden.py from centrosome; do not edit.",
        "# image <name> <H> <W> <labels>; circle <label> <ci> <cj> <r> <n> <hull i j ...>;",
        "# basis <degree> <x> <y> <re im per pair>",
    ]
    for name, labels in images():
        h, w = labels.shape
        lines.append(f"image {name} {h} {w} " + " ".join(str(int(v)) for v in labels.ravel()))
        lines.extend(circle_records(labels))
    for name, (h, w), prims in large_shapes():
        labels = draw((h, w), prims)
        fields = " ".join(" ".join(str(v) for v in p) for p in prims)
        lines.append(f"shapes {name} {h} {w} {len(prims)} {fields}")
        lines.extend(circle_records(labels))
    lines.extend(basis_records())
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs")
    args = parser.parse_args()
    text = render()
    if args.check:
        if not OUT.is_file() or OUT.read_text() != text:
            print(f"{OUT} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
