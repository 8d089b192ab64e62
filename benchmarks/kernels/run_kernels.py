#!/usr/bin/env python3
"""Runs bik_bench_kernels and writes its Google Benchmark JSON, stamped with the git commit and
the command, as a results file for benchmarks/render_claims.py.

    python benchmarks/kernels/run_kernels.py --exe build/dev/benchmarks/kernels/bik_bench_kernels \\
        --out benchmarks/results/kernels.json -- --benchmark_repetitions=5

Arguments after `--` go to bik_bench_kernels (Google Benchmark and --kokkos-* flags). Measure on
a quiet machine: the README's numbers are rendered from this file.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from provenance import REPO, git_stamp  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exe", type=Path,
                        default=REPO / "build/dev/benchmarks/kernels/bik_bench_kernels")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/results/kernels.json")
    parser.add_argument("extra", nargs="*", help="arguments for bik_bench_kernels (after --)")
    args = parser.parse_args(argv)
    stamp = git_stamp()
    with tempfile.TemporaryDirectory(prefix="bik_kernels_") as tmp:
        raw = Path(tmp) / "raw.json"
        cmd = [str(args.exe), f"--benchmark_out={raw}", "--benchmark_out_format=json",
               *args.extra]
        proc = subprocess.run(cmd, env=dict(os.environ))
        if proc.returncode != 0:
            print(f"error: {' '.join(cmd)} exited with {proc.returncode}", file=sys.stderr)
            return 1
        data = json.loads(raw.read_text())
    result = {
        "tool": "bik_bench_kernels",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git": stamp,
        "command": " ".join([Path(args.exe).name, *args.extra]),
        "env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OMP_PROC_BIND", "OMP_PLACES")},
        "google_benchmark": data,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"results written to {args.out} (commit {stamp['describe']})")
    if stamp["dirty"]:
        print("warning: uncommitted changes in measured files; the results name the commit but "
              "not your edits", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
