#!/usr/bin/env python3
"""Side-by-side timing of N4 bias-field correction: SimpleITK's N4BiasFieldCorrectionImageFilter
and bik (its command-line program, `bik n4`), on the same masked 3D phantom, with the same
parameters and the same thread count, in one run.

For each volume shape the script
  1. builds the phantom of spec n4.md §7.1 (two classes times a smooth bias, float32, fixed seed)
     and its mask, and writes them to HDF5,
  2. times SimpleITK as the spec §2.8 describes, with its global thread count set to --threads:
     sitk.Shrink of image and mask, Execute, GetLogBiasFieldAsImage(full image) and the
     full-resolution division (time.perf_counter around all of it, input already in memory),
  3. runs `bik n4 ... --backend openmp` with OMP_NUM_THREADS=--threads and reads compute_ms
     from the `timing ...` line bik prints to stderr (everything but file reading and writing),
  4. compares the two results with the parity metrics of tests/parity/test_n4_parity.py
     (Pearson correlation of log-bias fields inside the mask, median relative difference of the
     mean-normalised corrected images, iterations per level), and
  5. prints a table and, with --json, writes everything with the machine, the versions, the git
     commit and the load average at the start and end.

Usage (from the repository root, with the Python environment of tests/parity/requirements.txt):
  python benchmarks/compare/compare_n4.py --bik build/dev/src/cli/bik \
      --shape 64x128x128 --shape 128x256x256 --shape 256x512x512 --shrink 2 --shrink 4 \
      --json benchmarks/results/n4.json
Timings on a shared machine are indicative; the load average is recorded with them.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np
import SimpleITK as sitk

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "parity"))
from n4_phantom import phantom  # noqa: E402


def run_simpleitk(image, mask, shrink, iterations, threads):
    sitk.ProcessObject.SetGlobalDefaultNumberOfThreads(threads)
    counts = [0] * len(iterations)
    start = time.perf_counter()
    full = sitk.GetImageFromArray(image)
    corrector = sitk.N4BiasFieldCorrectionImageFilter()
    corrector.SetMaximumNumberOfIterations(iterations)
    corrector.AddCommand(sitk.sitkIterationEvent,
                         lambda: counts.__setitem__(corrector.GetCurrentLevel(),
                                                    counts[corrector.GetCurrentLevel()] + 1))
    corrector.Execute(sitk.Shrink(full, [shrink] * 3),
                      sitk.Shrink(sitk.GetImageFromArray(mask), [shrink] * 3))
    log_bias = sitk.GetArrayFromImage(corrector.GetLogBiasFieldAsImage(full))
    corrected = image / np.exp(log_bias)
    seconds = time.perf_counter() - start
    return seconds, log_bias.astype(np.float64), corrected, counts


def run_bik(exe, workdir, image, mask, shrink, iterations, threads):
    inputs, out = workdir / "in.h5", workdir / "out.h5"
    with h5py.File(inputs, "w") as f:
        f["image"] = image
        f["mask"] = mask
    cmd = [exe, "n4", f"{inputs}:/image", "--mask", f"{inputs}:/mask", "--shrink", str(shrink),
           "--iterations", "x".join(map(str, iterations)), "--out", f"{out}:/corrected",
           "--bias-out", f"{out}:/log_bias", "--backend", "openmp", "--overwrite"]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), KOKKOS_NUM_THREADS=str(threads))
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    compute_ms = float(re.search(r"compute_ms=([0-9.]+)", proc.stderr).group(1))
    levels = [int(m) - 1 for m in re.findall(r"level (\d+)/\d+ iteration", proc.stderr)]
    counts = [levels.count(L) for L in range(len(iterations))]
    with h5py.File(out, "r") as f:
        return compute_ms / 1000.0, f["log_bias"][...], f["corrected"][...], counts


def git_commit():
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bik", required=True, help="the bik program")
    parser.add_argument("--shape", action="append", help="ZxYxX (repeatable)")
    parser.add_argument("--shrink", type=int, action="append",
                        help="shrink factor (repeatable; default 2)")
    parser.add_argument("--iterations", default="50x50x50x50")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    shapes = [tuple(int(v) for v in s.split("x")) for s in (args.shape or ["64x128x128"])]
    shrinks = args.shrink or [2]
    iterations = [int(v) for v in args.iterations.split("x")]
    load_start = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for shape in shapes:
            image, mask, _ = phantom(shape)
            inside = mask.astype(bool)
            for shrink in shrinks:
                t_sitk, ls, cs, n_sitk = run_simpleitk(image, mask, shrink, iterations,
                                                       args.threads)
                t_bik, lb, cb, n_bik = run_bik(args.bik, Path(tmp), image, mask, shrink,
                                               iterations, args.threads)
                rho = float(np.corrcoef(ls[inside], lb[inside])[0, 1])
                a, b = cs[inside] / cs[inside].mean(), cb[inside] / cb[inside].mean()
                rel = float(np.median(np.abs(a - b) / np.abs(a)))
                rows.append({"shape": "x".join(map(str, shape)), "shrink": shrink,
                             "iterations": args.iterations, "threads": args.threads,
                             "simpleitk_s": t_sitk, "bik_openmp_s": t_bik,
                             "speedup": t_sitk / t_bik, "log_bias_pearson": rho,
                             "corrected_median_rel_diff": rel, "iterations_simpleitk": n_sitk,
                             "iterations_bik": n_bik})
                print(f"{rows[-1]['shape']:>12} shrink {shrink}: SimpleITK {t_sitk:8.3f} s, "
                      f"bik openmp {t_bik:8.3f} s, x{t_sitk / t_bik:6.2f}; r={rho:.6f}, "
                      f"median rel diff {rel:.2e}, iterations {n_sitk} / {n_bik}", flush=True)
    result = {
        "what": "N4 bias-field correction, SimpleITK vs bik n4 (OpenMP), masked phantom",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "processor": platform.processor(),
                    "cpus": os.cpu_count(), "load_average_start": load_start,
                    "load_average_end": os.getloadavg()},
        "versions": {"simpleitk": sitk.Version.VersionString(), "numpy": np.__version__,
                     "python": platform.python_version()},
        "commit": git_commit(),
        "command": " ".join(sys.argv),
        "environment": {k: os.environ[k] for k in ("OMP_WAIT_POLICY", "OMP_PROC_BIND")
                        if k in os.environ},
        "rows": rows,
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
