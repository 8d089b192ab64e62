"""The issues' speed targets, read off the results JSON files the benchmark scripts wrote.

Each target names the results file it is read from, how to compute the measured value from it
and the bound it must meet. render_claims.py renders them as the `targets` region, one column
for the portable build (benchmarks/results/) and one for the host-ISA build
(benchmarks/results/native/, the `native` preset: what a Spack install with the machine's
target= gets). A target whose file or entry is missing shows as not measured.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

RESULT_FILES = ("compare", "batch", "granularity", "zernike", "kernels", "n4", "n4_sections_memory")


@dataclass(frozen=True)
class Target:
    issue: int
    what: str
    source: str                                  # one of RESULT_FILES
    measure: Callable[[dict], float | None]      # the measured value, from the loaded JSON
    bound: float
    at_least: bool                               # True: value >= bound, False: value <= bound
    unit: str = "×"


def _row(rows: list[dict], **match) -> dict | None:
    return next((r for r in rows if all(r.get(k) == v for k, v in match.items())), None)


def _intensity(reference: str) -> Callable[[dict], float | None]:
    def measure(data: dict) -> float | None:
        scene = _row(data.get("scenes", []), scene="1080")
        if scene is None:
            return None
        ref = _row(scene["results"], name=reference)
        bik = _row(scene["results"], name="bik openmp")
        return ref["ms"] / bik["ms"] if ref and bik and bik.get("ms") else None
    return measure


def _granularity(setting: str, field: str) -> Callable[[dict], float | None]:
    def measure(data: dict) -> float | None:
        rows = data.get("settings", {}).get(setting, {}).get("rows", [])
        bik = _row(rows, name="bik openmp")
        return bik.get(field) if bik else None
    return measure


def _zernike(scene: str, feature: str, versus_numba: bool) -> Callable[[dict], float | None]:
    def measure(data: dict) -> float | None:
        row = _row(data.get("rows", []), scene=scene, feature=feature)
        if row is None or "openmp" not in row.get("bik", {}):
            return None
        bik = row["bik"]["openmp"]
        return row["numba_pr58_scaled_ms"] / bik["ms"] if versus_numba else bik["speedup_vs_numpy"]
    return measure


def _kernel_ratio(case: str, base: str, scene: str, space: str,
                  base_space: str | None = None) -> Callable[[dict], float | None]:
    def measure(data: dict) -> float | None:
        times: dict[tuple[str, str, str], float] = {}
        for b in data.get("google_benchmark", {}).get("benchmarks", []):
            parts = b.get("run_name", b["name"]).split("/")
            if len(parts) < 3 or (b.get("run_type") == "aggregate"
                                  and b.get("aggregate_name") != "median"):
                continue
            scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b.get("time_unit", "ns")]
            times[(parts[0], parts[1], parts[2])] = b["real_time"] * scale
        a, b = times.get((case, scene, space)), times.get((base, scene, base_space or space))
        return a / b if a and b else None
    return measure


def _n4(shape: str) -> Callable[[dict], float | None]:
    def measure(data: dict) -> float | None:
        row = _row(data.get("rows", []), shape=shape, shrink=2)
        return row.get("speedup") if row else None
    return measure


SCENE = "1080x1080_144obj"
TARGETS = [
    Target(6, "intensity 1080²/144, OpenMP vs cp_measure numpy", "compare",
           _intensity("cp_measure numpy"), 12, True),
    Target(6, "intensity 1080²/144, OpenMP vs cp_measure numba", "compare",
           _intensity("cp_measure numba"), 8, True),
    Target(6, "batch 64×512², compute vs a Python loop of numpy", "batch",
           lambda d: d.get("compute_ratio"), 20, True),
    Target(6, "batch 64×512², end to end vs the same loop", "batch",
           lambda d: d.get("end_to_end_ratio"), 5, True),
    Target(9, "granularity default, OpenMP vs numpy", "granularity",
           _granularity("default", "vs_numpy"), 20, True),
    Target(9, "granularity full resolution, OpenMP vs numpy", "granularity",
           _granularity("fullres", "vs_numpy"), 10, True),
    Target(9, "granularity default, OpenMP vs numba PR #56 (scaled)", "granularity",
           _granularity("default", "vs_numba_scaled"), 1, True),
    Target(9, "granularity full resolution, OpenMP vs numba PR #56 (scaled)", "granularity",
           _granularity("fullres", "vs_numba_scaled"), 1, True),
    Target(9, "erosion disk(10) time / copy time, Serial", "kernels",
           _kernel_ratio("erode_r10", "copy", SCENE, "Serial"), 3, False),
    Target(9, "reconstruction Serial time / OpenMP time", "kernels",
           _kernel_ratio("reconstruct", "reconstruct", SCENE, "Serial", "OpenMP"), 1.5, True),
    *[Target(10, f"Zernike {kind}, {scene}, OpenMP vs {versus}", "zernike",
             _zernike(f"1080x1080_144{scene}", feature, versus != "numpy"), bound, True)
      for versus, bound in (("numpy", 50), ("numba PR #58 (scaled)", 1))
      for scene in ("ellipses", "squares")
      for kind, feature in (("shape", "zernike"), ("radial", "radial-zernike"))],
    Target(11, "N4 128×256×256 shrink 2, OpenMP vs SimpleITK (2 threads)", "n4",
           _n4("128x256x256"), 10, True),
    Target(11, "N4 full-resolution apply / copy, 128×256×256 Serial", "kernels",
           _kernel_ratio("n4_apply", "n4_copy", "128x256x256", "Serial"), 3, False),
    Target(11, "N4 full-resolution apply / copy, 128×256×256 OpenMP", "kernels",
           _kernel_ratio("n4_apply", "n4_copy", "128x256x256", "OpenMP"), 3, False),
    Target(11, "N4 `--sections` peak memory / input, 1 GiB float32 (with and without the global "
           "pass)", "n4_sections_memory",
           lambda d: max((r["peak_over_input"] for r in d.get("rows", [])), default=None), 2,
           False),
]


def load_results(directory: Path) -> dict[str, dict]:
    found = {}
    for name in RESULT_FILES:
        path = directory / f"{name}.json"
        if path.is_file():
            found[name] = json.loads(path.read_text())
    return found


def measured(target: Target, results: dict[str, dict]) -> float | None:
    data = results.get(target.source)
    if data is None:
        return None
    try:
        return target.measure(data)
    except (KeyError, TypeError, ZeroDivisionError):
        return None


def met(target: Target, value: float) -> bool:
    return value >= target.bound if target.at_least else value <= target.bound


def cell(target: Target, value: float | None) -> str:
    if value is None:
        return "not measured"
    return f"{value:.2f}{target.unit} ({'met' if met(target, value) else 'not met'})"


def render(portable: dict[str, dict], native: dict[str, dict]) -> str:
    lines = ["| issue | target | bound | portable build | host-ISA build |",
             "|---|---|---|---|---|"]
    for t in TARGETS:
        bound = f"{'≥' if t.at_least else '≤'} {t.bound:g}{t.unit}"
        lines.append(f"| {t.issue} | {t.what} | {bound} | {cell(t, measured(t, portable))} | "
                     f"{cell(t, measured(t, native))} |")
    return "\n".join(lines) + "\n"
