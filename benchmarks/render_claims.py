#!/usr/bin/env python3
"""Renders the measured numbers of README.md and benchmarks/README.md from results JSON files.

Every number about speed in those files sits between markers

    <!-- bench:NAME -->
    ...generated text...
    <!-- /bench:NAME -->

and is produced here from the JSON the benchmark scripts wrote (compare/compare_intensity.py
--json, kernels/run_kernels.py), which names the git commit measured. Nothing between markers is
written by hand: `--check` fails when a region differs from what the JSON renders, or when the
measured code changed since the commit the JSON names.

    python benchmarks/render_claims.py                      # rewrite the regions in place
    python benchmarks/render_claims.py --check              # verify, change nothing

Regions: compare-context, compare-1080, compare-all (from --compare), kernels-context,
kernels-summary, kernels-all (from --kernels), and targets (every issue's speed target, from
all results files of --results and --native-results, see targets.py). A region whose JSON is
absent renders as a note saying it has not been measured at this commit.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import REPO, changed_since  # noqa: E402
import targets  # noqa: E402

DEFAULT_FILES = [REPO / "README.md", REPO / "benchmarks" / "README.md"]
DEFAULT_COMPARE = REPO / "benchmarks" / "results" / "compare.json"
DEFAULT_KERNELS = REPO / "benchmarks" / "results" / "kernels.json"
DEFAULT_RESULTS = REPO / "benchmarks" / "results"
DEFAULT_NATIVE_RESULTS = DEFAULT_RESULTS / "native"
REGION = re.compile(r"(<!-- bench:([\w-]+) -->\n)(.*?)(<!-- /bench:\2 -->)", re.DOTALL)


# ------------------------------------------------------------------------------------------
# Formatting


def fmt_ms(ms: float) -> str:
    """Milliseconds with three significant digits (12.3, 5.92, 0.917, 118)."""
    if ms >= 100:
        return f"{ms:.0f}"
    if ms >= 10:
        return f"{ms:.1f}"
    if ms >= 1:
        return f"{ms:.2f}"
    return f"{ms:.3f}"


def recorded(side: dict, key: str) -> bool:
    """Whether a results entry holds a finite number under `key` (old results files lack the
    spread keys; bik's median is NaN when its timing line had none)."""
    value = side.get(key)
    return isinstance(value, (int, float)) and math.isfinite(value)


def fmt_spread(side: dict) -> str:
    """The minimum of the repeats, then the median and maximum where recorded:
    `79.2 (median 83.8, max 90.1)`."""
    extra = [f"{name} {fmt_ms(side[key])}" for key, name in (("median_ms", "median"),
                                                             ("max_ms", "max"))
             if recorded(side, key)]
    return fmt_ms(side["ms"]) + (f" ({', '.join(extra)})" if extra else "")


def fmt_ratio(x: float) -> str:
    return f"{x:.2f}×"


def short(commit: str | None) -> str:
    return commit[:7] if commit else "unknown"


def provenance_line(data: dict) -> str:
    git = data.get("git") or {}
    dirty = " with uncommitted changes" if git.get("dirty") else ""
    return f"commit `{short(git.get('commit'))}`{dirty}, {data.get('date', 'date unknown')}"


# ------------------------------------------------------------------------------------------
# compare_intensity.py results


def scene_title(scene: dict) -> str:
    shape = "×".join(str(n) for n in scene["shape"])
    return f"{shape}, {scene['objects']} objects, edges {'on' if scene['edges'] else 'off'}"


def exact_text(row: dict) -> str:
    if row["name"] == "cp_measure numpy":
        return "reference"
    if "identical" not in row:
        return "not checked"
    if row["identical"]:
        return "identical"
    text = f"max {row['max_ulp']} ULP"
    if not row.get("nan_positions_equal", True):
        text += ", NaN positions differ"
    if not row.get("zero_signs_equal", True):
        text += ", signs of zero differ"
    return text


def compare_rows(scene: dict) -> list[str]:
    rows = scene["results"]
    numpy_ms = next((r["ms"] for r in rows if r["name"] == "cp_measure numpy" and r["ms"]), None)
    numba_ms = next((r["ms"] for r in rows if r["name"] == "cp_measure numba" and r["ms"]), None)
    out = []
    for r in rows:
        if r.get("ms") is None:
            out.append(f"| {r['name']} | – | – | – | – | {r.get('check', 'not run')} |")
            continue
        vs_numpy = fmt_ratio(numpy_ms / r["ms"]) if numpy_ms else "–"
        vs_numba = fmt_ratio(numba_ms / r["ms"]) if numba_ms else "–"
        out.append(f"| {r['name']} | {r['threads']} | {fmt_spread(r)} | {vs_numpy} | "
                   f"{vs_numba} | {exact_text(r)} |")
    return out


def render_compare_context(data: dict) -> str:
    m, v = data.get("machine", {}), data.get("versions", {})
    libs = ", ".join(f"{k} {val}" for k, val in v.items() if val)
    settings = data.get("settings", {})
    rows = [r for scene in data.get("scenes", []) for r in scene.get("results", [])]
    spread = (" (in brackets their median and, where recorded, maximum)"
              if any(recorded(r, "median_ms") for r in rows) else "")
    return (f"Measured at {provenance_line(data)} on {m.get('cpu', '?')} "
            f"({m.get('usable_cpus', '?')} usable CPUs); Python {m.get('python', '?')}, {libs}; "
            f"ms = minimum of {settings.get('repeats', '?')} calls{spread}, bik times are the "
            f"computation alone (`bik measure --repeat`). Command: "
            f"`{data.get('command', '?')}`.\n")


def render_compare_table(data: dict, scene_names: list[str] | None) -> str:
    lines = ["| scene | implementation | threads | ms | vs numpy | vs numba | vs numpy, exactly |",
             "|---|---|---|---|---|---|---|"]
    for scene in data["scenes"]:
        if scene_names is not None and scene["scene"] not in scene_names:
            continue
        for i, row in enumerate(compare_rows(scene)):
            lines.append(f"| {scene_title(scene) if i == 0 else ''} {row}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------
# bik_bench_kernels results (Google Benchmark JSON inside the run_kernels.py wrapper)


def kernel_runs(data: dict) -> dict[tuple[str, str, str], dict]:
    """(case, scene, space) -> the run to report: the median aggregate when the run had
    repetitions, else the single iteration row."""
    runs: dict[tuple[str, str, str], dict] = {}
    for b in data["google_benchmark"]["benchmarks"]:
        parts = b.get("run_name", b["name"]).split("/")
        if len(parts) < 3:
            continue
        key = (parts[0], parts[1], parts[2])
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                runs[key] = b
        elif key not in runs or runs[key].get("run_type") != "aggregate":
            runs[key] = b
    return runs


def kernel_stddevs(data: dict) -> dict[tuple[str, str, str], float]:
    """(case, scene, space) -> standard deviation (ms) of the repetitions, for runs that had
    repetitions."""
    out = {}
    for b in data["google_benchmark"]["benchmarks"]:
        parts = b.get("run_name", b["name"]).split("/")
        if len(parts) >= 3 and b.get("aggregate_name") == "stddev":
            out[(parts[0], parts[1], parts[2])] = to_ms(b)
    return out


def to_ms(b: dict) -> float:
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b.get("time_unit", "ns")]
    return b["real_time"] * scale


def fmt_kernel_time(b: dict, stddev: float | None) -> str:
    """`7.25 ms`, or `7.25 ± 0.120 ms` when the run's repetitions give a standard deviation."""
    return f"{fmt_ms(to_ms(b))} ± {fmt_ms(stddev)} ms" if stddev is not None \
        else f"{fmt_ms(to_ms(b))} ms"


def fmt_rate(bytes_per_second: float) -> str:
    return f"{bytes_per_second / 1e9:.1f} GB/s"


def render_kernels_context(data: dict) -> str:
    ctx = data["google_benchmark"].get("context", {})
    spread = (" Times are the median of the repetitions ± their standard deviation."
              if kernel_stddevs(data) else "")
    return (f"Measured at {provenance_line(data)} with `{data.get('command', '?')}`: "
            f"{ctx.get('num_cpus', '?')} CPUs at {ctx.get('mhz_per_cpu', '?')} MHz, Kokkos "
            f"{ctx.get('kokkos_version', '?')}, OpenMP threads {ctx.get('openmp_threads', '?')}, "
            f"load average {ctx.get('load_avg', '?')}.{spread}\n")


def render_kernels_summary(data: dict, scene: str) -> str:
    runs, stddevs = kernel_runs(data), kernel_stddevs(data)
    labels = [("copy", "copy"), ("label_lut", "label LUT"), ("flatten", "LUT + flatten"),
              ("intensity", "intensity, edges on (workspace reused)"),
              ("intensity_alloc", "intensity, edges on (fresh allocations)")]
    spaces = sorted({k[2] for k in runs if k[1] == scene}, key=lambda s: (s != "Serial", s))
    lines = ["| kernel | " + " | ".join(spaces) + " |", "|---" * (len(spaces) + 1) + "|"]
    for case, label in labels:
        cells = []
        for space in spaces:
            b = runs.get((case, scene, space))
            if b is None:
                cells.append("–")
                continue
            cells.append(fmt_kernel_time(b, stddevs.get((case, scene, space))))
            if case == "copy" and "bytes_per_second" in b:
                cells[-1] += f" ({fmt_rate(b['bytes_per_second'])})"
        if any(c != "–" for c in cells):
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render_kernels_all(data: dict) -> str:
    runs, stddevs = kernel_runs(data), kernel_stddevs(data)
    lines = ["| case | scene | space | time | bytes/s | × copy |", "|---|---|---|---|---|---|"]
    for (case, scene, space), b in runs.items():
        copy = runs.get(("copy", scene, space))
        ratio = f"{to_ms(b) / to_ms(copy):.1f}" if copy else "–"
        rate = fmt_rate(b["bytes_per_second"]) if "bytes_per_second" in b else "–"
        time = fmt_kernel_time(b, stddevs.get((case, scene, space)))
        lines.append(f"| {case} | {scene} | {space} | {time} | {rate} | {ratio} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------


def not_measured(source: Path) -> str:
    return (f"*Not measured at this commit: run the benchmark that writes `{source.name}` on a "
            f"quiet machine, then `python benchmarks/render_claims.py`.*\n")


def render_targets_context(portable: dict[str, dict], native: dict[str, dict]) -> str:
    def commits(results: dict[str, dict]) -> str:
        found = sorted({short(measured_commit(d)) for d in results.values()})
        return ", ".join(found) if found else "not measured"
    return (f"Portable build measured at {commits(portable)}; host-ISA build (`native` preset) "
            f"at {commits(native)}. Each ratio comes from one run of its script, bik and the "
            f"reference side by side.\n")


def renderers(compare: dict | None, kernels: dict | None, compare_path: Path,
              kernels_path: Path, portable: dict[str, dict] | None = None,
              native: dict[str, dict] | None = None) -> dict:
    def need(data, path, fn):
        return (lambda: fn(data)) if data is not None else (lambda: not_measured(path))

    return {
        "compare-context": need(compare, compare_path, render_compare_context),
        "compare-1080": need(compare, compare_path, lambda d: render_compare_table(d, ["1080"])),
        "compare-all": need(compare, compare_path, lambda d: render_compare_table(d, None)),
        "kernels-context": need(kernels, kernels_path, render_kernels_context),
        "kernels-summary": need(kernels, kernels_path,
                                lambda d: render_kernels_summary(d, "1080x1080_144obj")),
        "kernels-all": need(kernels, kernels_path, render_kernels_all),
        "targets-context": lambda: render_targets_context(portable or {}, native or {}),
        "targets": lambda: targets.render(portable or {}, native or {}),
    }


def render_text(text: str, table: dict, where: str = "") -> str:
    def replace(match: re.Match) -> str:
        name = match.group(2)
        if name not in table:
            raise KeyError(f"{where}: unknown region '{name}'")
        return match.group(1) + table[name]() + match.group(4)

    return REGION.sub(replace, text)


def load(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.is_file() else None


def measured_commit(data: dict) -> str | None:
    """The commit a results file names (`git.commit`, or `commit` for compare_n4.py)."""
    return (data.get("git") or {}).get("commit") or data.get("commit")


def stale(data: dict | None, path: Path) -> list[str]:
    if data is None:
        return []
    commit = measured_commit(data)
    if not commit:
        return [f"{path}: names no git commit"]
    changed = changed_since(commit)
    if changed is None:
        return [f"{path}: cannot compare commit {short(commit)} with the working tree"]
    if changed:
        return [f"{path}: measured at {short(commit)}, but measured code changed since: "
                + ", ".join(changed[:8]) + (" ..." if len(changed) > 8 else "")]
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--compare", type=Path, default=DEFAULT_COMPARE)
    parser.add_argument("--kernels", type=Path, default=DEFAULT_KERNELS)
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS,
                        help="directory of the portable build's results (targets region)")
    parser.add_argument("--native-results", type=Path, default=DEFAULT_NATIVE_RESULTS,
                        help="directory of the host-ISA build's results (targets region)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; fail if a region or a result is out of date")
    parser.add_argument("--no-stale-check", action="store_true",
                        help="do not compare the results' commit with the working tree")
    args = parser.parse_args(argv)
    compare, kernels = load(args.compare), load(args.kernels)
    portable = targets.load_results(args.results)
    native = targets.load_results(args.native_results)
    table = renderers(compare, kernels, args.compare, args.kernels, portable, native)
    problems = []
    if not args.no_stale_check:
        problems += stale(compare, args.compare) + stale(kernels, args.kernels)
        for directory, results in ((args.results, portable), (args.native_results, native)):
            for name, data in results.items():
                path = directory / f"{name}.json"
                if path not in (args.compare, args.kernels):
                    problems += stale(data, path)
    for path in args.files:
        text = path.read_text()
        rendered = render_text(text, table, str(path))
        if rendered == text:
            continue
        if args.check:
            problems.append(f"{path}: regions differ from what the results render")
        else:
            path.write_text(rendered)
            print(f"rendered {path}")
    for p in problems:
        print(f"render_claims: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
