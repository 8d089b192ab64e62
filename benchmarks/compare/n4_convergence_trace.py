#!/usr/bin/env python3
"""Per-iteration N4 convergence values of SimpleITK and bik on the masked phantom of
compare_n4.py, convergence disabled (both run every iteration), with SimpleITK's value
recomputed from SimpleITK's own per-iteration log-bias fields two ways: as ITK computes it
(CalculateConvergenceMeasurement with RealType float: a running mean and variance stored in float
after every voxel) and in double. See README, "N4: ITK semantics and linumpy's".

Usage (from the repository root, with the Python environment of tests/parity/requirements.txt):
  python benchmarks/compare/n4_convergence_trace.py --bik build/dev/src/cli/bik \
      --shape 64x128x128 --iterations 50x30
SimpleITK runs on one thread, so its fields are reproducible; the script holds every field of the
working grid in memory (4 bytes a voxel an iteration).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
from pathlib import Path

import h5py
import numba
import numpy as np
import SimpleITK as sitk

from compare_n4 import phantom


@numba.njit
def itk_float(old, new, inside):
    """ITK's loop in float: N - 1.0 and 1.0 / N are double (C++ promotion), pixel / N is float,
    and every assignment rounds to float."""
    mu = np.float32(0.0)
    sigma = np.float32(0.0)
    n = np.float32(0.0)
    for i in range(old.size):
        if inside[i]:
            pixel = np.float32(np.exp(np.float32(old[i] - new[i])))
            n = np.float32(n + 1.0)
            if n > 1.0:
                d = np.float32(pixel - mu)
                sigma = np.float32(np.float64(sigma) + np.float64(np.float32(d * d)) *
                                   (np.float64(n) - 1.0) / np.float64(n))
            mu = np.float32(np.float64(mu) * (1.0 - 1.0 / np.float64(n)) +
                            np.float64(np.float32(pixel / n)))
    sigma = np.float32(np.sqrt(np.float64(sigma) / (np.float64(n) - 1.0)))
    return sigma / mu


def in_double(old, new, inside):
    ratio = np.exp(old[inside].astype(np.float64) - new[inside])
    return ratio.std(ddof=1) / ratio.mean()


def run_simpleitk(image, mask, shrink, iterations):
    """(level, iteration, value) per iteration, the field before the first and after every
    iteration on the shrunk grid, and the shrunk mask."""
    sitk.ProcessObject.SetGlobalDefaultNumberOfThreads(1)
    shrunk = sitk.Shrink(sitk.GetImageFromArray(image), [shrink] * 3)
    small_mask = sitk.Shrink(sitk.GetImageFromArray(mask), [shrink] * 3)
    corrector = sitk.N4BiasFieldCorrectionImageFilter()
    corrector.SetMaximumNumberOfIterations(iterations)
    corrector.SetConvergenceThreshold(0.0)
    log, fields = [], [np.zeros(sitk.GetArrayViewFromImage(shrunk).shape, np.float32)]

    def on_iteration():
        log.append((corrector.GetCurrentLevel(), corrector.GetElapsedIterations(),
                    corrector.GetCurrentConvergenceMeasurement()))
        fields.append(sitk.GetArrayFromImage(corrector.GetLogBiasFieldAsImage(shrunk)))

    corrector.AddCommand(sitk.sitkIterationEvent, on_iteration)
    corrector.Execute(shrunk, small_mask)
    return log, fields, sitk.GetArrayFromImage(small_mask).astype(bool)


def run_bik(exe, image, mask, shrink, iterations):
    with tempfile.TemporaryDirectory() as tmp:
        inputs, out = Path(tmp) / "in.h5", Path(tmp) / "out.h5"
        with h5py.File(inputs, "w") as f:
            f["image"] = image
            f["mask"] = mask
        cmd = [exe, "n4", f"{inputs}:/image", "--mask", f"{inputs}:/mask", "--shrink",
               str(shrink), "--iterations", "x".join(map(str, iterations)), "--convergence", "0",
               "--out", f"{out}:/corrected", "--backend", "serial"]
        stderr = subprocess.run(cmd, capture_output=True, text=True, check=True).stderr
    return [float(v) for v in re.findall(r"iteration \d+/\d+ convergence (\S+)", stderr)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bik", required=True, help="the bik program")
    parser.add_argument("--shape", default="64x128x128", help="ZxYxX")
    parser.add_argument("--shrink", type=int, default=2)
    parser.add_argument("--iterations", default="50x30")
    parser.add_argument("--threshold", type=float, default=0.001,
                        help="report the first iteration of each level at or below it")
    args = parser.parse_args()
    shape = tuple(int(v) for v in args.shape.split("x"))
    iterations = [int(v) for v in args.iterations.split("x")]
    image, mask, _ = phantom(shape)
    log, fields, inside = run_simpleitk(image, mask, args.shrink, iterations)
    bik = run_bik(args.bik, image, mask, args.shrink, iterations)
    flat = inside.ravel()
    print(f"# {args.shape} shrink {args.shrink}: working grid {inside.shape}, "
          f"{int(flat.sum())} voxels in the mask")
    print("level iteration  SimpleITK     ITK in float  in double     bik")
    crossing = {}
    for j, (level, iteration, value) in enumerate(log):
        old, new = fields[j].ravel(), fields[j + 1].ravel()
        row = (value, itk_float(old, new, flat), in_double(old, new, flat), bik[j])
        print(f"{level:5d} {iteration:9d}  " + "  ".join(f"{v:.6e}" for v in row))
        for name, v in zip(("SimpleITK", "in double", "bik"), (row[0], row[2], row[3])):
            if v <= args.threshold:
                crossing.setdefault((level, name), iteration)
    for level in range(len(iterations)):
        print(f"# level {level}: first iteration <= {args.threshold}: " + ", ".join(
            f"{name} {crossing.get((level, name), '-')}"
            for name in ("SimpleITK", "in double", "bik")))


if __name__ == "__main__":
    main()
