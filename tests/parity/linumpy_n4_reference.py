"""An independent numpy transcription of linumpy's GPU N4 (PR #116) from spec n4.md §3-4.

Written from the spec's text, not from linumpy's code, in float64 (linumpy computes in float32),
with dense per-axis basis matrices and tensor contractions (bik uses gathers per control point),
and numpy's real FFTs (bik has its own any-length DFT). It runs on (Z, Y, X) volumes; a 2D image
is passed as one plane, which is what linumpy would do with it.
"""

from __future__ import annotations

import numpy as np


def cubic_weights(t):
    """§4.1: B0..B3 at fraction t of a span."""
    return ((1 - t) ** 3 / 6, (3 * t**3 - 6 * t**2 + 4) / 6,
            (-3 * t**3 + 3 * t**2 + 3 * t + 1) / 6, t**3 / 6)


def axis_basis(n: int, c: int) -> np.ndarray:
    """§4.1: the dense (n x c) matrix; sample i at u = i (c - 3) / (n - 1) (0 for n = 1), its
    weights scatter-added into columns clip(floor(u) - 1 + k, 0, c - 1)."""
    if c < 4:
        raise ValueError("at least 4 control points")
    u = np.zeros(n) if n == 1 else np.arange(n) * (c - 3) / (n - 1)
    iu = np.floor(u).astype(np.int64)
    t = u - iu
    m = np.zeros((n, c))
    rows = np.arange(n)
    for k, w in enumerate(cubic_weights(t)):
        np.add.at(m, (rows, np.clip(iu - 1 + k, 0, c - 1)), w)
    return m


def contract(field, mz, my, mx):
    """sum over (z, y, x) of mz[z, a] my[y, b] mx[x, c] field[z, y, x] -> (a, b, c)."""
    return np.einsum("zyx,za,yb,xc->abc", field, mz, my, mx, optimize=True)


def evaluate(coeff, bases):
    """§4.4: out[z, y, x] = sum Mz[z, a] My[y, b] Mx[x, c] coeff[a, b, c]."""
    mz, my, mx = bases
    return np.einsum("abc,za,yb,xc->zyx", coeff, mz, my, mx, optimize=True)


def fit(values, weights, bases, eps=1e-8):
    """§4.2-4.3: num = contraction of g v / max(S, eps) with the cubed bases, den = contraction
    of g with the squared ones, coeff = num / max(den, eps); S = product of per-axis sums of
    squared basis rows."""
    mz, my, mx = bases
    s = ((mz**2).sum(1)[:, None, None] * (my**2).sum(1)[None, :, None]
         * (mx**2).sum(1)[None, None, :])
    psi = weights * values / np.maximum(s, eps)
    num = contract(psi, mz**3, my**3, mx**3)
    den = contract(weights, mz**2, my**2, mx**2)
    return num / np.maximum(den, eps)


def sharpen(v, mask, nb, fwhm, noise):
    """§3.3: nearest-bin histogram over the mask, 2 nb left-aligned padding, unit-sum Gaussian
    over +-nb/2 bins, Wiener deconvolution truncated to nb bins and clamped at 0, the E[u|v]
    map with its denominator clamped at 1e-12, looked up by nearest bin; the input outside."""
    lo, hi = v[mask].min(), v[mask].max()
    width = max(hi - lo, 1e-6) / (nb - 1)
    idx = np.clip(np.trunc((v - lo) / width + 0.5), 0, nb - 1).astype(np.int64)
    hist = np.bincount(idx.ravel(), weights=mask.ravel().astype(np.float64), minlength=nb)
    sigma = fwhm / 2.3548200450309493
    x = (np.arange(nb) - nb // 2) * width
    psf = np.exp(-(x**2) / (2 * sigma**2))
    psf /= psf.sum()
    pad = np.zeros(2 * nb)
    pad[:nb] = psf
    pad = np.roll(pad, -(nb // 2))
    gf = np.fft.rfft(pad)
    hf = np.fft.rfft(hist, n=2 * nb)
    sharp = np.fft.irfft(hf * np.conj(gf) / (np.abs(gf) ** 2 + noise), n=2 * nb)[:nb]
    sharp = np.maximum(sharp, 0)
    centres = lo + np.arange(nb) * width
    num = np.fft.irfft(np.fft.rfft(centres * sharp, n=2 * nb) * gf, n=2 * nb)[:nb]
    den = np.fft.irfft(np.fft.rfft(sharp, n=2 * nb) * gf, n=2 * nb)[:nb]
    lut = num / np.maximum(den, 1e-12)
    return np.where(mask, lut[idx], v)


def control_points(full_shape, small_shape, voxel_mm, spline_mm):
    """§3.2 step 4: max(4, min(max(4, round(extent / distance)), small size)), round() being
    Python's (halves to even)."""
    return tuple(max(4, min(max(4, round(f * v / spline_mm)), s))
                 for f, v, s in zip(full_shape, voxel_mm, small_shape))


def n4_linumpy(vol, mask=None, *, shrink=4, iterations=(25, 25, 25), spline_mm=10.0,
               voxel_mm=(1.0, 1.0, 1.0), nb=200, fwhm=0.15, noise=0.01, tol=1e-3):
    """§3.2: returns (corrected, log_bias, iterations per level, relative change per iteration,
    control points). ``vol`` is (Z, Y, X)."""
    vol = np.asarray(vol, dtype=np.float64)
    mask = np.ones(vol.shape, bool) if mask is None else np.asarray(mask) != 0
    s = shrink
    small = vol[::s, ::s, ::s]
    mask_small = mask[::s, ::s, ::s]
    log_v = np.log(np.maximum(small, 1e-6))
    nc = control_points(vol.shape, small.shape, voxel_mm, spline_mm)
    bases = [axis_basis(n, c) for n, c in zip(small.shape, nc)]
    weights = mask_small.astype(np.float64)
    coeff_total = np.zeros(nc)
    log_bias = np.zeros(small.shape)
    counts, changes = [], []
    for n_it in iterations:
        for i in range(n_it):
            current = log_v - log_bias
            current = (current - sharpen(current, mask_small, nb, fwhm, noise)) * weights
            coeffs = fit(current, weights, bases)
            update = evaluate(coeffs, bases)
            log_bias += update
            coeff_total += coeffs
            u2, f2 = (update**2).sum(), (log_bias**2).sum()
            changes.append(np.sqrt(u2 / f2) if f2 > 0 else np.inf)
            if ((i + 1) % 5 == 0 or i == n_it - 1) and f2 > 0 and u2 < tol**2 * f2:
                break
        counts.append(i + 1)
    full_log_bias = evaluate(coeff_total, [axis_basis(n, c) for n, c in zip(vol.shape, nc)])
    corrected = vol / np.maximum(np.exp(full_log_bias), 1e-6)
    return corrected, full_log_bias, counts, changes, nc
