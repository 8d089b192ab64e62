#!/usr/bin/env python3
"""Side-by-side timing of the granularity spectrum: cp_measure's numpy get_granularity and bik
(its command-line program, serial and OpenMP backends) on identical inputs in one run.

The scene is the one of cp_measure's granularity benchmarks (spec §9.3): a Voronoi tessellation
of 144 seeds from default_rng(0).integers(0, 1080, (144, 2)) on 1080 x 1080 (every pixel
labelled), pixels rng.random * 0.5 + 0.5 * sin(x / 17) * sin(y / 13)^2. Two settings: the
default (subsample_size = image_sample_size = 0.25) and full resolution (both 1.0); element
size 10, 16 steps. numpy runs single-threaded (minimum of --repeats calls; one call at full
resolution unless --repeats-fullres; median, maximum and every call recorded too); bik reports
compute_ms_min and compute_ms_median of `bik measure --repeat N`.
Every bik output is checked against numpy (rtol=1e-6, atol=1e-9, NaN == NaN).

cp_measure on PyPI has no numba granularity; the numba figures of cp_measure PR #56 (94 ms
default, 1369 ms full resolution, next to numpy 1178 ms and 9000 ms on that machine) are
reported scaled by this machine's numpy time over that machine's.

Usage: python benchmarks/compare/compare_granularity.py --bik build/dev/src/cli/bik \\
           --json benchmarks/results/granularity.json
"""

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402
from cp_measure.core.measuregranularity import get_granularity  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from compare_intensity import bik_version, default_bik, machine_info, versions  # noqa: E402
from provenance import git_stamp  # noqa: E402
from timing import bik_spread, describe, parse_timing, time_calls  # noqa: E402

RTOL, ATOL = 1e-6, 1e-9
SETTINGS = {"default": (0.25, 0.25), "fullres": (1.0, 1.0)}
PR56 = {"default": {"numpy_ms": 1178.0, "numba_ms": 94.0},
        "fullres": {"numpy_ms": 9000.0, "numba_ms": 1369.0}}


def voronoi_scene(size=1080, seeds=144):
    rng = np.random.default_rng(0)
    points = rng.integers(0, size, (seeds, 2))
    yy, xx = np.mgrid[:size, :size]
    labels = np.zeros((size, size), np.int32)
    best = np.full((size, size), np.inf)
    for k, (py, px) in enumerate(points):
        d = (yy - py) ** 2 + (xx - px) ** 2
        closer = d < best
        best[closer] = d[closer]
        labels[closer] = k + 1
    present = np.unique(labels)  # relabel 1..n (duplicate seeds leave gaps)
    lut = np.zeros(seeds + 1, np.int32)
    lut[present] = np.arange(1, present.size + 1)
    labels = lut[labels]
    pixels = rng.random((size, size)) * 0.5 + 0.5 * np.sin(xx / 17) * np.sin(yy / 13) ** 2
    return labels, pixels


def run_bik(bik, h5, out, backend, threads, repeats, sub, img):
    cmd = [str(bik), "measure", "--pixels", f"{h5}:/pixels", "--labels", f"{h5}:/labels",
           "--features", "granularity", "--subsample-size", str(sub), "--image-sample-size",
           str(img), "--backend", backend, "--repeat", str(repeats), "--out", str(out),
           "--overwrite"]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), KOKKOS_NUM_THREADS=str(threads),
               OMP_PROC_BIND="false")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    return bik_spread(parse_timing(proc.stderr))


def check(out, reference):
    with h5py.File(out) as f:
        labels = f["label"][()]
        worst = 0.0
        for key, ref in reference.items():
            got, want = f[key][()], np.asarray(ref)[labels - 1]
            if not np.allclose(got, want, rtol=RTOL, atol=ATOL, equal_nan=True):
                return f"{key} differs", None
            finite = np.isfinite(want) & (want != 0)
            if finite.any():
                worst = max(worst, float(np.max(np.abs(got[finite] - want[finite]) /
                                                np.abs(want[finite]))))
    return "ok", worst


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bik", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--repeats-fullres", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--setting", action="append", choices=sorted(SETTINGS))
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    bik = args.bik or default_bik()
    labels, pixels = voronoi_scene()
    results = {"tool": "compare_granularity", "scene": "voronoi 1080x1080, 144 seeds",
               "objects": int(labels.max()), "git": git_stamp(), "machine": machine_info(),
               "versions": versions(), "bik_version": bik_version(bik),
               "load_average": os.getloadavg(),
               "date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "settings": {}}
    with tempfile.TemporaryDirectory() as tmp:
        h5 = Path(tmp) / "scene.h5"
        with h5py.File(h5, "w") as f:
            f["labels"], f["pixels"] = labels, pixels
        for name in args.setting or ["default", "fullres"]:
            sub, img = SETTINGS[name]
            repeats = args.repeats if name == "default" else args.repeats_fullres
            numpy_times, reference = time_calls(
                lambda: get_granularity(labels, pixels, sub, img, 10, 16), repeats)
            np_min = numpy_times["ms"]
            rows = [{"name": "cp_measure numpy", "threads": 1, **numpy_times,
                     "check": "reference"}]
            scaled = PR56[name]["numba_ms"] * np_min / PR56[name]["numpy_ms"]
            rows.append({"name": "cp_measure numba (PR #56, scaled)", "threads": 1, "ms": scaled,
                         "median_ms": scaled, "check": "published figure x numpy ratio"})
            for backend, threads in (("serial", 1), ("openmp", args.threads)):
                out = Path(tmp) / f"{name}.{backend}.h5"
                times = run_bik(bik, h5, out, backend, threads, max(repeats, 3), sub, img)
                verdict, worst = check(out, reference)
                rows.append({"name": f"bik {backend}", "threads": threads, **times,
                             "check": verdict, "worst_rel_diff": worst})
            for r in rows:
                r["vs_numpy"] = np_min / r["ms"]
                r["vs_numba_scaled"] = scaled / r["ms"]
            results["settings"][name] = {"subsample_size": sub, "image_sample_size": img,
                                         "rows": rows}
            print(f"\n{name} (subsample {sub}, image sample {img}):")
            for r in rows:
                print(f"  {r['name']:<36} {r['threads']:>2} thr {r['ms']:>10.1f} ms "
                      f"{r['vs_numpy']:>7.2f}x numpy {r['vs_numba_scaled']:>7.2f}x numba  "
                      f"{r['check']}")
                if not r["name"].startswith("cp_measure numba"):  # a scaled figure, no repeats
                    print(f"  {'':<36} {describe(r)}")
    print(f"load average {os.getloadavg()}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
