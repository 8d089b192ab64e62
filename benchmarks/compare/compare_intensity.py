#!/usr/bin/env python3
"""Side-by-side timing of per-object intensity features: cp_measure (numpy), cp_measure (numba)
and bik (its command-line program, serial and OpenMP backends), on identical inputs in one run.

For each scene the script
  1. generates a Cell-Painting-like labelled image with numpy (fixed seed) and writes it to HDF5,
  2. times cp_measure's numpy get_intensity and its numba backend (JIT warmed first) on a single
     thread: the minimum of --repeats calls, time.perf_counter (their median, maximum and
     every call are recorded too: timing.py),
  3. runs `bik measure ... --features intensity --repeat N` once per backend and reads the
     compute_ms_min and compute_ms_median from the one `timing ...` line bik prints to stderr
     (kernel time only, no file I/O),
  4. checks bik's output file against numpy's result (rtol=1e-6, atol=1e-8, NaN == NaN) and
     measures how far it is: the largest distance in units in the last place (ULP) over every
     feature and object, and whether NaNs sit at the same places; "identical" means 0 ULP,
     equal NaN positions and the same labels (computed here, never written by hand), and
  5. prints a table: implementation, threads, ms, speed-up vs numpy and vs numba, with the
     machine, the library versions and the git commit; --json writes all of it (the input of
     benchmarks/render_claims.py).

Usage (from the repository root, with the Python environment that has cp_measure):
  python benchmarks/compare/compare_intensity.py --bik build/dev/src/cli/bik
  python benchmarks/compare/compare_intensity.py --scene 1080 --scene 1024 --scene 3d \
      --repeats 7 --json results.json
If the bik program is missing, the numpy and numba rows are still measured and bik is reported
as skipped (use --require-bik to make that an error).
"""

import os

# Single-threaded Python baselines: fix every thread pool before numpy (or numba) is imported.
# OPENBLAS_CORETYPE, if set, is left alone (get_intensity does not use BLAS).
SINGLE_THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                      "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMBA_NUM_THREADS")
for _var in SINGLE_THREAD_VARS:
    os.environ[_var] = "1"

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import scipy.ndimage as ndi  # noqa: E402

from cp_measure.core.measureobjectintensity import get_intensity as numpy_get_intensity  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
from provenance import git_stamp  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from exactness import describe_exactness, exactness  # noqa: E402
from timing import bik_spread, parse_timing, time_calls  # noqa: E402

RTOL, ATOL = 1e-6, 1e-8  # cp_measure's backend-correctness tolerance (spec section 9.2)

# name -> (shape, objects). 2D scenes are (Y, X); the 3D scene is (Z, Y, X).
SCENES = {
    "1080": ((1080, 1080), 144),
    "1024": ((1024, 1024), 64),
    "3d": ((32, 240, 240), 16),
}


# --------------------------------------------------------------------------------------------
# Scenes


def make_scene(shape, n_objects, seed=0):
    """A jittered sqrt(n) x sqrt(n) grid of ellipses (2D) or ellipsoids (3D), labelled 1..n in
    grid order, over float64 pixels that look like a stained cell image: a slowly varying
    background, brighter domed cells of different brightness, fine texture and noise.

    Objects never touch each other (semi-axes <= 0.38 of a cell, centre jitter <= 0.08), so the
    labels are exactly 1..n, as cp_measure requires."""
    rng = np.random.default_rng(seed)
    if len(shape) == 2:
        nz, (ny, nx) = 1, shape
    else:
        nz, ny, nx = shape
    side = int(round(np.sqrt(n_objects)))
    if side * side != n_objects:
        raise ValueError(f"n_objects must be a perfect square, got {n_objects}")
    cell_y, cell_x = ny / side, nx / side

    labels = np.zeros((nz, ny, nx), dtype=np.int32)
    dome = np.zeros((nz, ny, nx), dtype=np.float64)
    zz = np.arange(nz, dtype=np.float64)[:, None, None]
    for k in range(n_objects):
        gy, gx = divmod(k, side)
        cy = (gy + 0.5 + rng.uniform(-0.08, 0.08)) * cell_y
        cx = (gx + 0.5 + rng.uniform(-0.08, 0.08)) * cell_x
        a = rng.uniform(0.26, 0.38) * cell_y  # semi-axis along the rotated first axis
        b = rng.uniform(0.26, 0.38) * cell_x
        theta = rng.uniform(0.0, np.pi)
        brightness = rng.uniform(0.3, 1.0)
        y0, y1 = max(int(cy - 0.5 * cell_y), 0), min(int(cy + 0.5 * cell_y) + 1, ny)
        x0, x1 = max(int(cx - 0.5 * cell_x), 0), min(int(cx + 0.5 * cell_x) + 1, nx)
        yy = np.arange(y0, y1, dtype=np.float64)[None, :, None] + 0.5 - cy
        xx = np.arange(x0, x1, dtype=np.float64)[None, None, :] + 0.5 - cx
        u = (yy * np.cos(theta) + xx * np.sin(theta)) / a
        v = (-yy * np.sin(theta) + xx * np.cos(theta)) / b
        if nz > 1:
            cz = 0.5 * (nz - 1) + rng.uniform(-0.05, 0.05) * nz
            w = (zz - cz) / (rng.uniform(0.3, 0.45) * nz)
        else:
            w = np.zeros((1, 1, 1))
        r2 = u * u + v * v + w * w
        inside = r2 < 1.0
        box = (slice(None), slice(y0, y1), slice(x0, x1))
        labels[box][inside] = k + 1
        dome[box] += np.where(inside, brightness * np.sqrt(np.clip(1.0 - r2, 0.0, None)), 0.0)

    z, y, x = np.meshgrid(np.arange(nz), np.arange(ny), np.arange(nx), indexing="ij")
    background = 0.08 + 0.04 * np.sin(x / 53.0) * np.cos(y / 37.0) + 0.01 * np.cos(z / 7.0)
    texture = ndi.gaussian_filter(rng.random((nz, ny, nx)), 1.5)
    noise = rng.standard_normal((nz, ny, nx))
    pixels = background + dome * (0.7 + 0.6 * texture) + 0.01 * noise
    if len(shape) == 2:
        return labels[0], pixels[0]
    return labels, pixels


def write_scene(path, labels, pixels):
    with h5py.File(path, "w") as f:
        f.create_dataset("labels", data=labels)
        f.create_dataset("pixels", data=pixels)


# --------------------------------------------------------------------------------------------
# Implementations


def load_numba_get_intensity():
    """cp_measure's numba get_intensity, or (None, reason)."""
    errors = []
    for module in ("cp_measure.core.numba.measureobjectintensity", "cp_measure.core.numba"):
        try:
            mod = __import__(module, fromlist=["get_intensity"])
            return mod.get_intensity, None
        except (ImportError, AttributeError) as e:
            errors.append(f"{module}: {e}")
    return None, "; ".join(errors)


def run_bik(bik, h5, out, backend, repeats, edges, threads):
    """Runs `bik measure` once; returns (timing fields, None) or (None, error message)."""
    cmd = [str(bik), "measure", "--pixels", f"{h5}:/pixels", "--labels", f"{h5}:/labels",
           "--features", "intensity", "--backend", backend, "--repeat", str(repeats),
           "--out", str(out), "--overwrite"]
    if not edges:
        cmd.append("--no-edges")
    env = dict(os.environ)
    # Both variables work with every Kokkos version; the command-line flag does not
    # (--kokkos-threads up to 3.6, --kokkos-num-threads from 3.7).
    env["OMP_NUM_THREADS"] = str(threads)
    env["KOKKOS_NUM_THREADS"] = str(threads)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return None, (f"`{' '.join(cmd)}` exited with {proc.returncode}:\n"
                      f"{proc.stderr.strip()}")
    timing = parse_timing(proc.stderr)
    if timing is None or "compute_ms_min" not in timing:
        return None, f"no `timing ... compute_ms_min=...` line on stderr of `{' '.join(cmd)}`:\n" \
                     f"{proc.stderr.strip()}"
    return timing, None


def compare_features(reference, path_or_dict, n_objects):
    """Compares a feature dict (or bik's output .h5) to the numpy reference. Returns
    (ok, worst relative difference, messages, exactness dict)."""
    messages, worst = [], 0.0
    labels_ok = True
    if isinstance(path_or_dict, dict):
        got = path_or_dict
    else:
        with h5py.File(path_or_dict, "r") as f:
            got = {name: f[name][()] for name in f.keys()}
        label = got.get("label")
        expected_labels = np.arange(1, n_objects + 1)
        if label is None:
            messages.append("output has no `label` dataset")
            labels_ok = False
        elif not np.array_equal(np.asarray(label).ravel(), expected_labels):
            messages.append(f"`label` is not 1..{n_objects}")
            labels_ok = False
    for key, ref in reference.items():
        if key not in got:
            messages.append(f"missing feature {key}")
            continue
        val = np.asarray(got[key], dtype=np.float64).ravel()
        ref = np.asarray(ref, dtype=np.float64).ravel()
        if val.shape != ref.shape:
            messages.append(f"{key}: shape {val.shape}, expected {ref.shape}")
            continue
        if not np.allclose(val, ref, rtol=RTOL, atol=ATOL, equal_nan=True):
            bad = ~np.isclose(val, ref, rtol=RTOL, atol=ATOL, equal_nan=True)
            i = int(np.flatnonzero(bad)[0])
            messages.append(f"{key}: {int(bad.sum())} objects differ, e.g. object {i + 1}: "
                            f"{val[i]!r} vs {ref[i]!r}")
        finite = np.isfinite(ref) & np.isfinite(val) & (ref != 0)
        if finite.any():
            worst = max(worst, float(np.max(np.abs(val[finite] - ref[finite]) /
                                            np.abs(ref[finite]))))
    return not messages, worst, messages, exactness(reference, got, labels_ok)


# --------------------------------------------------------------------------------------------
# Report


def machine_info():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {"cpu": model, "logical_cpus": os.cpu_count(), "usable_cpus": usable,
            "os": platform.platform(), "python": platform.python_version()}


def versions():
    out = {}
    for name in ("numpy", "scipy", "numba", "cp_measure", "skimage", "h5py"):
        try:
            mod = __import__(name)
            out[name] = getattr(mod, "__version__", "?")
        except ImportError:
            out[name] = None
    if out.get("cp_measure") in (None, "?"):
        try:
            from importlib.metadata import version
            out["cp_measure"] = version("cp_measure")
        except Exception:  # noqa: BLE001 - best effort only
            pass
    return out


def bik_version(bik):
    try:
        proc = subprocess.run([str(bik), "--version"], capture_output=True, text=True, timeout=30)
        text = (proc.stdout or proc.stderr).strip().splitlines()
        if proc.returncode != 0 or not text:
            return None
        return text[0][4:] if text[0].startswith("bik ") else text[0]
    except (OSError, subprocess.SubprocessError):
        return None


def print_table(rows):
    ref_numpy = next((r["ms"] for r in rows if r["name"] == "cp_measure numpy"), None)
    ref_numba = next((r["ms"] for r in rows if r["name"] == "cp_measure numba"), None)
    header = f"{'implementation':<20} {'threads':>7} {'ms (min)':>10} {'ms (median)':>12} " \
             f"{'ms (max)':>10} {'vs numpy':>9} {'vs numba':>9}  check"
    print(header)
    print("-" * len(header))
    for r in rows:
        if r["ms"] is None:
            print(f"{r['name']:<20} {'':>7} {'-':>10} {'-':>12} {'-':>10} {'':>9} {'':>9}  "
                  f"{r['check']}")
            continue
        vs_numpy = f"{ref_numpy / r['ms']:.2f}x" if ref_numpy else "-"
        vs_numba = f"{ref_numba / r['ms']:.2f}x" if ref_numba else "-"
        max_ms = f"{r['max_ms']:.2f}" if r.get("max_ms") is not None else "-"  # bik: none
        print(f"{r['name']:<20} {r['threads']:>7} {r['ms']:>10.2f} {r['median_ms']:>12.2f} "
              f"{max_ms:>10} {vs_numpy:>9} {vs_numba:>9}  {r['check']}")


# --------------------------------------------------------------------------------------------


def default_bik():
    if os.environ.get("BIK_EXE"):
        return Path(os.environ["BIK_EXE"])
    return REPO / "build" / "dev" / "src" / "cli" / "bik"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bik", type=Path, default=None,
                        help="the bik program (default: $BIK_EXE, else build/dev/src/cli/bik)")
    parser.add_argument("--scene", action="append", choices=sorted(SCENES),
                        help="scene(s) to run: 1080 (1080x1080, 144 objects; the default), "
                             "1024 (1024x1024, 64 objects), 3d (32x240x240, 16 objects); "
                             "repeat the flag for several")
    parser.add_argument("--repeats", type=int, default=5,
                        help="timed calls per implementation; the minimum is the headline, the "
                             "median and maximum are recorded too (default 5)")
    parser.add_argument("--no-edges", action="store_true",
                        help="edge_measurements=False (default: edges on)")
    parser.add_argument("--threads", type=int, default=2,
                        help="OpenMP threads for bik's openmp backend (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="scene seed (default 0)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the scene and output .h5 files here (default: a temp dir)")
    parser.add_argument("--json", type=Path, default=None, help="write all results to this file")
    parser.add_argument("--require-bik", action="store_true",
                        help="fail if the bik program is missing (default: skip its rows)")
    parser.add_argument("--no-numba", action="store_true", help="skip the numba backend")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)  # keep stdout and stderr lines in order
    scenes = args.scene or ["1080"]
    edges = not args.no_edges
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")

    bik = args.bik if args.bik is not None else default_bik()
    bik_ok = bik.is_file() and os.access(bik, os.X_OK)
    if not bik_ok:
        msg = f"bik program not found or not executable: {bik}"
        if args.require_bik:
            print(f"error: {msg}", file=sys.stderr)
            return 2
        print(f"warning: {msg}; bik rows are skipped", file=sys.stderr)

    numba_fn, numba_error = (None, "disabled by --no-numba") if args.no_numba \
        else load_numba_get_intensity()
    if numba_fn is not None:
        # Compile every kernel (2D and 3D, edges on and off) before anything is timed.
        for shape, n in (((64, 64), 4), ((8, 32, 32), 4)):
            lab, pix = make_scene(shape, n, seed=1)
            numba_fn(lab, pix, edge_measurements=True)
            numba_fn(lab, pix, edge_measurements=False)
    elif not args.no_numba:
        print(f"warning: cp_measure's numba backend is unavailable ({numba_error})",
              file=sys.stderr)

    info = {
        "tool": "compare_intensity",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git": git_stamp(),
        "machine": machine_info(),
        "versions": versions(),
        "bik": {"path": str(bik), "found": bik_ok,
                "version": bik_version(bik) if bik_ok else None},
        "command": " ".join([Path(sys.argv[0]).name] + (sys.argv[1:] if argv is None else argv)),
        "settings": {"repeats": args.repeats, "edges": edges, "bik_openmp_threads": args.threads,
                     "python_thread_env": {v: os.environ[v] for v in SINGLE_THREAD_VARS},
                     "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
                     "OMP_PROC_BIND": os.environ.get("OMP_PROC_BIND"),
                     "OMP_PLACES": os.environ.get("OMP_PLACES")},
        "scenes": [],
    }
    m, v = info["machine"], info["versions"]
    print(f"date     {info['date']}")
    print(f"machine  {m['cpu']}, {m['logical_cpus']} logical CPUs ({m['usable_cpus']} usable), "
          f"{m['os']}")
    print("versions " + ", ".join(f"{k} {val}" for k, val in v.items() if val) +
          f", python {m['python']}" + (f", bik {info['bik']['version']}"
                                       if info["bik"]["version"] else ""))
    print(f"git      {info['git']['describe']}" +
          (" (uncommitted changes in measured files!)" if info["git"]["dirty"] else ""))
    print(f"settings repeats={args.repeats} edges={'on' if edges else 'off'}; numpy/numba single "
          f"thread; bik openmp OMP_NUM_THREADS={args.threads}")

    failed = False
    tmp = None
    if args.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="bik_compare_")
        workdir = Path(tmp.name)
    else:
        workdir = args.workdir
        workdir.mkdir(parents=True, exist_ok=True)
    try:
        for name in scenes:
            shape, n_objects = SCENES[name]
            labels, pixels = make_scene(shape, n_objects, seed=args.seed)
            h5 = workdir / f"scene_{name}.h5"
            write_scene(h5, labels, pixels)
            title = f"{'x'.join(map(str, shape))}, {n_objects} objects, " \
                    f"{int((labels > 0).sum())} labelled voxels, edges {'on' if edges else 'off'}"
            print(f"\n== scene {name}: {title}")

            rows = []
            numpy_fn = lambda: numpy_get_intensity(labels, pixels, edge_measurements=edges)  # noqa: E731
            numpy_fn()  # warm-up (imports, caches)
            times, reference = time_calls(numpy_fn, args.repeats)
            rows.append({"name": "cp_measure numpy", "threads": 1, **times, "check": "reference"})

            if numba_fn is not None:
                call = lambda: numba_fn(labels, pixels, edge_measurements=edges)  # noqa: E731
                call()  # warm-up on this very scene
                times, result = time_calls(call, args.repeats)
                ok, worst, msgs, exact = compare_features(reference, result, n_objects)
                check = f"{'ok' if ok else 'DIFFERS'} (max rel diff {worst:.1e}, " \
                        f"{describe_exactness(exact)})"
                if not ok:
                    check += ": " + "; ".join(msgs[:3])
                rows.append({"name": "cp_measure numba", "threads": 1, **times, "check": check,
                             "max_rel_diff": worst, **exact})
            else:
                rows.append({"name": "cp_measure numba", "threads": None, "ms": None,
                             "median_ms": None, "check": f"skipped ({numba_error})"})

            for backend, threads in (("serial", 1), ("openmp", args.threads)):
                row_name = f"bik {backend}"
                if not bik_ok:
                    rows.append({"name": row_name, "threads": None, "ms": None, "median_ms": None,
                                 "check": "skipped (no bik program)"})
                    continue
                out = workdir / f"bik_{name}_{backend}.h5"
                timing, error = run_bik(bik, h5, out, backend, args.repeats, edges, threads)
                if error:
                    failed = True
                    print(f"error: {error}", file=sys.stderr)
                    rows.append({"name": row_name, "threads": threads, "ms": None,
                                 "median_ms": None, "check": "FAILED to run"})
                    continue
                ok, worst, msgs, exact = compare_features(reference, out, n_objects)
                failed |= not ok
                check = f"{'ok' if ok else 'DIFFERS'} (max rel diff {worst:.1e}, " \
                        f"{describe_exactness(exact)})"
                if not ok:
                    check += ": " + "; ".join(msgs[:3])
                rows.append({
                    "name": row_name,
                    "threads": int(timing.get("threads", threads)),
                    **bik_spread(timing),
                    "check": check,
                    "max_rel_diff": worst,
                    **exact,
                    "bik_timing": timing,
                })

            print_table(rows)
            bik_rows = [r for r in rows if r["name"].startswith("bik") and r.get("bik_timing")]
            for r in bik_rows:
                t = r["bik_timing"]
                print(f"  {r['name']}: read_ms={t.get('read_ms')} write_ms={t.get('write_ms')} "
                      f"repeats={t.get('repeats')} backend={t.get('backend')} "
                      f"(bik ms = compute only, no file I/O)")
            timed_bik = {r["name"]: r["ms"] for r in bik_rows}
            if timed_bik.get("bik openmp", 0) > 1.5 * timed_bik.get("bik serial", float("inf")):
                print("  note: bik openmp is much slower than bik serial; other processes are "
                      "probably using the cores (OpenMP barriers suffer most), repeat the run")
            info["scenes"].append({"scene": name, "shape": list(shape), "objects": n_objects,
                                   "labelled_voxels": int((labels > 0).sum()), "edges": edges,
                                   "results": rows})
    finally:
        if tmp is not None:
            tmp.cleanup()

    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(info, indent=2) + "\n")
        print(f"\nresults written to {args.json}")
    if failed:
        print("\nFAILED: bik did not run or its output differs from cp_measure (numpy)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
