"""The synthetic N4 phantom of spec n4.md §7.1, shared by the N4 parity tests and the N4
side-by-side benchmarks (benchmarks/compare/compare_n4.py, n4_convergence_trace.py)."""

import numpy as np


def phantom(shape, strength=0.6, seed=0):
    """Spec §7.1: truth 1.0 inside r < 1 else 0.3, plus N(0, 0.02); mask r < 1.2; bias
    1 + a (n_z + n_y/2 - n_x/2) + a/2 cos(pi n_z) cos(pi n_y), clipped to [0.4, 2.5].
    2D or 3D `shape`; returns the float32 image, the uint8 mask and the bias."""
    rng = np.random.default_rng(seed)
    g = np.indices(shape).astype(np.float64)
    centre = [s / 2 for s in shape]
    r = np.sqrt(sum(((g[i] - centre[i]) / (shape[i] / 3)) ** 2 for i in range(len(shape))))
    truth = np.where(r < 1, 1.0, 0.3) + rng.normal(0, 0.02, shape)
    mask = (r < 1.2).astype(np.uint8)
    n = [(g[i] - centre[i]) / shape[i] for i in range(len(shape))]
    nz, ny, nx = n if len(shape) == 3 else [np.zeros(shape)] + n
    bias = 1 + strength * (nz + 0.5 * ny - 0.5 * nx)
    bias = np.clip(bias + 0.5 * strength * np.cos(np.pi * nz) * np.cos(np.pi * ny), 0.4, 2.5)
    return (truth * bias).astype(np.float32), mask, bias
