#!/usr/bin/env python3
"""Side-by-side timing of the Zernike shape and radial features: cp_measure 0.3.0 numpy
(get_zernike, get_radial_zernikes; PyPI's cp-measure has no numba Zernike) against bik's
command-line program (serial and OpenMP backends), on identical inputs in one run.

Scenes (1080 x 1080, 144 objects, spec §9.3):
  * ellipses: the kernel benchmarks' scene (benchmarks/kernels/scenes.cpp): a 12 x 12 grid of
    ellipses with semi-axes 0.35 of the cell, labels 1..144 in raster order of the centres;
  * squares: the radial/coloc scene of cp_measure's plans: a 12 x 12 grid of 67 x 67 squares,
    step 90.
Pixels are uniform random (numpy default_rng(0)).

For each scene and feature the script times cp_measure's numpy function on one thread (minimum
of --repeats calls, after one warm-up; median, maximum and every call recorded too), runs
`bik measure --features F --repeat N` per backend and reads compute_ms_min and
compute_ms_median from bik's `timing` line (kernels and the copy of the results to the host; no
file I/O), checks bik's values against numpy (shape rtol 1e-9, radial magnitudes rtol
1e-8, atol 1e-12; phases where the moment is not round-off), and prints and optionally writes
(--json, default benchmarks/results/zernike.json) a table of ms and speed-ups.

The issue's numba targets (cp_measure PR #58: 22 ms shape, 23 ms radial at 1080^2/144 on its
machine, where numpy took 632 and 476 ms) are scaled by the numpy time ratio between that
machine and this one and reported next to bik's times.

Usage (repository root, the parity venv):
  python benchmarks/compare/compare_zernike.py --bik build/dev/src/cli/bik --repeats 5
"""

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402

from cp_measure.core.measureobjectintensitydistribution import get_radial_zernikes  # noqa: E402
from cp_measure.core.measureobjectsizeshape import get_zernike  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
from provenance import git_stamp  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import bik_spread, describe, parse_timing, time_calls  # noqa: E402

# cp_measure PR #58 (spec §9.1): numpy and numba ms on that PR's machine, 1080^2 / 144 objects.
PR58 = {"zernike": {"numpy": 632.0, "numba": 22.0}, "radial-zernike": {"numpy": 476.0, "numba": 23.0}}


def ellipses(size=1080, objects=144):
    side = int(round(objects ** 0.5))
    cell = size / side
    r = 0.35 * cell
    yy, xx = np.mgrid[0:size, 0:size]
    gy, gx = (yy / cell).astype(int), (xx / cell).astype(int)
    dy = (yy + 0.5 - (gy + 0.5) * cell) / r
    dx = (xx + 0.5 - (gx + 0.5) * cell) / r
    inside = (gy < side) & (gx < side) & (dy * dy + dx * dx < 1.0)
    return np.where(inside, gy * side + gx + 1, 0).astype(np.int32)


def squares(size=1080, side=67, step=90):
    labels = np.zeros((size, size), np.int32)
    k = 0
    for r in range(0, size, step):
        for c in range(0, size, step):
            k += 1
            labels[r : r + side, c : c + side] = k
    return labels


def run_bik(bik, inputs, out, feature, backend, repeats, threads):
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = str(threads)
    env["OMP_PROC_BIND"] = "false"
    cmd = [bik, "measure", "--pixels", f"{inputs}:/pixels", "--labels", f"{inputs}:/labels",
           "--features", feature, "--backend", backend, "--repeat", str(repeats),
           "--out", str(out), "--overwrite"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    fields = parse_timing(proc.stderr)
    if fields is None:
        raise RuntimeError(f"no timing line on the stderr of {' '.join(cmd)}:\n{proc.stderr}")
    return bik_spread(fields), int(fields["threads"])


def check(out, reference):
    """Largest relative error of bik's values against numpy's, per kind of column."""
    worst = {"shape": 0.0, "magnitude": 0.0, "phase": 0.0}
    with h5py.File(out, "r") as f:
        for name, want in reference.items():
            got = f[name][()]
            if "Phase" in name:
                mag = reference[name.replace("Phase", "Magnitude")]
                keep = np.isfinite(mag) & (mag > 1e-9)
                diff = np.abs(np.angle(np.exp(1j * (got[keep] - want[keep]))))
                worst["phase"] = max(worst["phase"], float(diff.max(initial=0.0)))
                continue
            scale = np.maximum(np.abs(want), 1e-12 / 1e-9)
            rel = np.abs(got - want) / scale
            kind = "magnitude" if "Magnitude" in name else "shape"
            worst[kind] = max(worst[kind], float(np.nanmax(rel, initial=0.0)))
    return worst


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bik", default=str(REPO / "build/dev/src/cli/bik"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", default=str(REPO / "benchmarks/results/zernike.json"))
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    scenes = {"1080x1080_144ellipses": ellipses(), "1080x1080_144squares": squares()}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for scene, labels in scenes.items():
            pixels = rng.random(labels.shape)
            inputs = Path(tmp) / f"{scene}.h5"
            with h5py.File(inputs, "w") as f:
                f.create_dataset("labels", data=labels)
                f.create_dataset("pixels", data=pixels)
            for feature, fn in (("zernike", lambda: get_zernike(labels, pixels, 9)),
                                ("radial-zernike", lambda: get_radial_zernikes(labels, pixels, 9))):
                fn()  # warm-up
                numpy_times, reference = time_calls(fn, args.repeats)
                numpy_ms = numpy_times["ms"]
                scale = numpy_ms / PR58[feature]["numpy"]
                row = {"scene": scene, "feature": feature, "objects": int(labels.max()),
                       "labelled_pixels": int((labels > 0).sum()),
                       "numpy_ms": numpy_ms, "numpy": numpy_times,
                       "numba_pr58_scaled_ms": PR58[feature]["numba"] * scale, "bik": {}}
                for backend, threads in (("serial", 1), ("openmp", args.threads)):
                    out = Path(tmp) / f"{scene}.{feature}.{backend}.h5"
                    times, used = run_bik(args.bik, inputs, out, feature, backend, args.repeats,
                                          threads)
                    row["bik"][backend] = {**times, "threads": used,
                                           "speedup_vs_numpy": numpy_ms / times["ms"],
                                           "max_error": check(out, reference)}
                rows.append(row)
                print(f"{scene:24s} {feature:15s} numpy {numpy_ms:8.1f} ms | numba(PR58, scaled) "
                      f"{row['numba_pr58_scaled_ms']:6.1f} ms | " + " | ".join(
                          f"bik {b} ({v['threads']}t) {v['ms']:7.2f} ms x{v['speedup_vs_numpy']:.0f}"
                          for b, v in row["bik"].items()))
                print(f"{'':40s} numpy {describe(numpy_times)} | " + " | ".join(
                    f"bik {b} {describe(v)}" for b, v in row["bik"].items()))
    result = {
        "what": "Zernike shape and radial features, degree 9: cp_measure 0.3.0 numpy vs bik",
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "loadavg": os.getloadavg()},
        "versions": {"numpy": np.__version__, "python": platform.python_version()},
        "git": git_stamp(),
        "repeats": args.repeats,
        "rows": rows,
    }
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
