#!/usr/bin/env python3
"""Peak memory of `bik n4 --sections` on a large float32 volume (issue 11: below 2x the input).

Writes the phantom of spec n4.md §7.1 (two classes times a smooth bias, float32) at the given
shape (default 256x1024x1024 = 1 GiB) to HDF5 a slab at a time, with its uint8 mask, runs
`bik n4 IN --mask MASK --sections N --out OUT`, then the same with `--sections-global` (the
global pass), and reports for each the peak resident memory bik prints on its `timing` line
(getrusage's ru_maxrss) next to the input size. Not a CI test (it needs several GiB of disk
and minutes); run it by hand and record the result:

  python benchmarks/compare/n4_sections_memory.py --bik build/dev/src/cli/bik --sections 8 \
      --json /tmp/n4_sections_memory.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from provenance import git_stamp  # noqa: E402
from timing import parse_timing  # noqa: E402


def write_phantom(path: Path, shape, slab=16, strength=0.6, seed=0):
    """Spec §7.1's phantom, written `slab` planes at a time (Python never holds the volume)."""
    rng = np.random.default_rng(seed)
    Z, Y, X = shape
    with h5py.File(path, "w") as f:
        image = f.create_dataset("image", shape, np.float32)
        mask = f.create_dataset("mask", shape, np.uint8)
        y, x = np.indices((Y, X)).astype(np.float64)
        for z0 in range(0, Z, slab):
            z = np.arange(z0, min(Z, z0 + slab), dtype=np.float64)[:, None, None]
            r = np.sqrt(((z - Z / 2) / (Z / 3)) ** 2 + ((y - Y / 2) / (Y / 3)) ** 2
                        + ((x - X / 2) / (X / 3)) ** 2)
            truth = np.where(r < 1, 1.0, 0.3) + rng.normal(0, 0.02, r.shape)
            nz, ny, nx = (z - Z / 2) / Z, (y - Y / 2) / Y, (x - X / 2) / X
            bias = 1 + strength * (nz + 0.5 * ny - 0.5 * nx)
            bias = np.clip(bias + 0.5 * strength * np.cos(np.pi * nz) * np.cos(np.pi * ny), 0.4,
                           2.5)
            image[z0:z0 + len(z)] = (truth * bias).astype(np.float32)
            mask[z0:z0 + len(z)] = (r < 1.2).astype(np.uint8)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bik", required=True)
    p.add_argument("--shape", default="256x1024x1024")
    p.add_argument("--sections", type=int, default=8)
    p.add_argument("--shrink", type=int, default=4)
    p.add_argument("--iterations", default="50x50x50x50")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--bias-out", action="store_true", help="also write the log bias field")
    p.add_argument("--modes", default="sections,global",
                   help="comma-separated: 'sections' (--sections N), 'global' (with "
                        "--sections-global)")
    p.add_argument("--workdir", default=None, help="where the HDF5 files go (default: a temp dir)")
    p.add_argument("--json", default=None)
    args = p.parse_args()
    shape = tuple(int(v) for v in args.shape.split("x"))
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        inputs, out = Path(tmp) / "in.h5", Path(tmp) / "out.h5"
        t0 = time.perf_counter()
        write_phantom(inputs, shape)
        print(f"phantom {args.shape} float32 written in {time.perf_counter() - t0:.1f} s",
              file=sys.stderr)
        input_mib = np.prod(shape) * 4 / 2**20
        results = []
        for mode in args.modes.split(","):
            if mode not in ("sections", "global"):
                sys.exit(f"unknown mode '{mode}'")
            cmd = [args.bik, "n4", f"{inputs}:/image", "--mask", f"{inputs}:/mask",
                   "--sections", str(args.sections), "--shrink", str(args.shrink),
                   "--iterations", args.iterations, "--backend", "openmp", "--quiet",
                   "--overwrite", "--out", f"{out}:/corrected"]
            if mode == "global":
                cmd.append("--sections-global")
            if args.bias_out:
                cmd += ["--bias-out", f"{out}:/log_bias"]
            env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), OMP_PROC_BIND="false")
            load = os.getloadavg()
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
            wall = time.perf_counter() - t0
            if proc.returncode != 0:
                sys.exit(f"bik failed ({proc.returncode}):\n{proc.stderr}")
            fields = parse_timing(proc.stderr)
            if fields is None:
                sys.exit(f"bik printed no timing line:\n{proc.stderr}")
            peak = float(fields["peak_rss_mib"])
            results.append({
                "mode": mode, "shape": args.shape, "sections": args.sections,
                "shrink": args.shrink, "iterations": args.iterations, "threads": args.threads,
                "bias_out": args.bias_out, "input_mib": input_mib, "peak_rss_mib": peak,
                "peak_over_input": peak / input_mib, "wall_s": wall, "timing": fields,
                "loadavg_start": load, "loadavg_end": os.getloadavg(), "command": " ".join(cmd),
            })
            flag = " --sections-global" if mode == "global" else ""
            print(f"input {input_mib:.0f} MiB, bik n4 --sections {args.sections}{flag}: peak RSS "
                  f"{peak:.0f} MiB = {peak / input_mib:.2f}x the input (target < 2x), wall "
                  f"{wall:.1f} s, load {load[0]:.2f}")
    if args.json:
        report = {"what": "peak resident memory of bik n4 --sections against the input size",
                  "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
                      timespec="seconds"),
                  "git": git_stamp(), "rows": results}
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0 if all(r["peak_rss_mib"] < 2 * r["input_mib"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
