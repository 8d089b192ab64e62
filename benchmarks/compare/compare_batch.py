#!/usr/bin/env python3
"""Many small images in one run: a batch of --images images (default 64) of --size^2 pixels
(default 512; uint16 pixels, int32 labels, about 100 objects each), measured by

  1. a Python loop of cp_measure's numpy get_intensity over the in-memory arrays (one thread,
     the minimum of --repeats loops), and
  2. one `bik measure` process on a rank-4 (B,1,Y,X) HDF5 file of the same images:
     compute = the minimum compute_ms of `--repeat N` (kernels and the copy of the results to
     the host; inputs stay on the backend), and end to end = the wall time of a
     `bik measure --repeat 1` process (start, HDF5 read, transfer, compute, HDF5 write; the
     minimum of --repeats processes).

Every bik value is checked against numpy's (max ULP distance, NaN positions), and the table
prints the ratios of the minima next to each side's spread (min / median / max; bik's compute
side has only the min and median its timing line prints); --json records the same.

Usage, from the repository root with the Python environment that has cp_measure:
  python benchmarks/compare/compare_batch.py --bik build/dev/src/cli/bik --threads 2
"""

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"  # the Python baseline runs on one thread

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402

from cp_measure.core.measureobjectintensity import get_intensity  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from provenance import git_stamp  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import bik_spread, describe, parse_timing, time_calls  # noqa: E402


def make_batch(images, size, objects, seed):
    """`images` label/pixel pairs: `objects` non-touching discs per image on a jittered grid,
    uint16 pixels (a dim background, brighter cells, Poisson-like noise)."""
    rng = np.random.default_rng(seed)
    side = int(round(np.sqrt(objects)))
    cell = size / side
    yy, xx = np.mgrid[0:size, 0:size]
    labels = np.zeros((images, 1, size, size), np.int32)
    pixels = np.zeros((images, 1, size, size), np.uint16)
    for b in range(images):
        image = np.zeros((size, size), np.int32)
        signal = np.full((size, size), 300.0)
        for k in range(side * side):
            gy, gx = divmod(k, side)
            cy = (gy + 0.5 + rng.uniform(-0.1, 0.1)) * cell
            cx = (gx + 0.5 + rng.uniform(-0.1, 0.1)) * cell
            r = rng.uniform(0.25, 0.4) * cell
            inside = (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
            image[inside] = k + 1
            signal[inside] += rng.uniform(500, 3000)
        labels[b, 0] = image
        pixels[b, 0] = np.clip(rng.poisson(signal), 0, 65535).astype(np.uint16)
    return labels, pixels


def python_loop(labels, pixels):
    return [get_intensity(labels[b, 0], pixels[b, 0]) for b in range(len(labels))]


def ulp_distance(a, b):
    """Largest distance in units in the last place between equal-shaped float64 arrays with NaN
    at the same positions (None if the NaN positions differ)."""
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    if not np.array_equal(nan_a, nan_b):
        return None
    a, b = a[~nan_a], b[~nan_b]
    if a.size == 0:
        return 0
    ia = a.view(np.int64)
    ib = b.view(np.int64)
    ia = np.where(ia < 0, np.int64(-2**63) - ia, ia)  # monotone integer order of the doubles
    ib = np.where(ib < 0, np.int64(-2**63) - ib, ib)
    return int(np.max(np.abs(ia - ib)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bik", required=True, help="the bik program")
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--objects", type=int, default=100, help="objects per image (a square)")
    parser.add_argument("--repeats", type=int, default=3, help="Python loops and bik processes")
    parser.add_argument("--bik-repeat", type=int, default=10, help="bik --repeat for compute")
    parser.add_argument("--threads", type=int, default=2, help="bik OpenMP threads")
    parser.add_argument("--backend", default="openmp")
    parser.add_argument("--json", help="write the results here too")
    args = parser.parse_args(argv)

    labels, pixels = make_batch(args.images, args.size, args.objects, seed=1)
    loops, reference = time_calls(lambda: python_loop(labels, pixels), args.repeats)
    python_ms = loops["ms"]

    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), OMP_PROC_BIND="false")
    with tempfile.TemporaryDirectory() as work:
        h5 = Path(work) / "batch.h5"
        with h5py.File(h5, "w") as f:
            f["labels"] = labels
            f["pixels"] = pixels
        out = Path(work) / "out.h5"
        base = [args.bik, "measure", "--pixels", f"{h5}:/pixels", "--labels", f"{h5}:/labels",
                "--backend", args.backend, "--out", str(out)]

        def run(extra=()):
            out.unlink(missing_ok=True)
            proc = subprocess.run(base + list(extra), env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                sys.exit(f"bik failed:\n{proc.stderr}")
            return proc

        walls, _ = time_calls(run, args.repeats)
        fields = parse_timing(run(["--repeat", str(args.bik_repeat)]).stderr)
        if fields is None:
            sys.exit("no timing line in bik's stderr")
        with h5py.File(out) as f:
            image_column, label_column = f["image"][:], f["label"][:]
            worst, nan_mismatch, compared = 0, [], 0
            for b, ref in enumerate(reference):
                rows = image_column == b
                present = np.unique(labels[b, 0])
                present = present[present > 0]
                if not np.array_equal(label_column[rows], present):
                    sys.exit(f"image {b}: labels differ")
                for name, values in ref.items():
                    d = ulp_distance(np.asarray(f[name][:][rows], np.float64),
                                     np.asarray(values, np.float64))
                    compared += 1
                    if d is None:
                        nan_mismatch.append(f"{name}@{b}")
                    else:
                        worst = max(worst, d)

    compute = bik_spread(fields)
    compute_ms, wall_ms = compute["ms"], walls["ms"]
    results = {
        "images": args.images, "size": args.size, "objects_per_image": args.objects,
        "backend": args.backend, "threads": args.threads,
        "python_loop_ms": python_ms, "bik_compute_ms": compute_ms,
        "bik_transfer_ms": float(fields["transfer_ms"]), "bik_end_to_end_ms": wall_ms,
        "compute_ratio": python_ms / compute_ms, "end_to_end_ratio": python_ms / wall_ms,
        "python_loop": loops, "bik_compute": compute, "bik_end_to_end": walls,
        "max_ulp": worst, "nan_mismatches": nan_mismatch, "columns_compared": compared,
        "git": git_stamp(), "load_average": list(os.getloadavg()),
    }
    print(f"batch of {args.images} images {args.size}x{args.size}, ~{args.objects} objects each, "
          f"uint16 pixels, int32 labels; bik {args.backend} with {args.threads} threads")
    print(f"  cp_measure numpy, Python loop (1 thread): {python_ms:10.1f} ms          "
          f"{describe(loops)}")
    print(f"  bik compute (min of {args.bik_repeat}):            {compute_ms:10.1f} ms  "
          f"{results['compute_ratio']:6.1f}x  {describe(compute)}")
    print(f"  bik end to end (process, min of {args.repeats}):     {wall_ms:10.1f} ms  "
          f"{results['end_to_end_ratio']:6.1f}x  {describe(walls)}")
    print(f"  identical: max {worst} ULP over {compared} columns, NaN positions "
          f"{'equal' if not nan_mismatch else 'DIFFER in ' + ', '.join(nan_mismatch[:5])}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0 if not nan_mismatch else 1


if __name__ == "__main__":
    sys.exit(main())
