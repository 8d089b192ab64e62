"""benchmarks/render_claims.py renders marked regions from results JSON: a tiny fixture, with the
expected Markdown written out by hand from the fixture's numbers."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import render_claims  # noqa: E402

COMPARE = {
    "tool": "compare_intensity",
    "date": "2026-01-02T03:04:05+00:00",
    "git": {"commit": "0123456789abcdef0123456789abcdef01234567", "dirty": False},
    "machine": {"cpu": "Test CPU", "usable_cpus": 2, "python": "3.11.7"},
    "versions": {"numpy": "2.4.6", "numba": None},
    "command": "compare_intensity.py --scene 1080",
    "settings": {"repeats": 20},
    "scenes": [
        {"scene": "1080", "shape": [1080, 1080], "objects": 144, "edges": True, "results": [
            {"name": "cp_measure numpy", "threads": 1, "ms": 50.0, "check": "reference"},
            {"name": "cp_measure numba", "threads": None, "ms": None, "check": "skipped (x)"},
            {"name": "bik serial", "threads": 1, "ms": 12.5, "max_ulp": 0,
             "nan_positions_equal": True, "zero_signs_equal": True, "identical": True},
            {"name": "bik openmp", "threads": 2, "ms": 6.25, "max_ulp": 3,
             "nan_positions_equal": False, "zero_signs_equal": True, "identical": False},
        ]},
        {"scene": "3d", "shape": [32, 240, 240], "objects": 16, "edges": True, "results": [
            {"name": "cp_measure numpy", "threads": 1, "ms": 64.0, "check": "reference"}]},
    ],
}

KERNELS = {
    "tool": "bik_bench_kernels",
    "date": "2026-01-02T03:04:05+00:00",
    "git": {"commit": "fedcba9876543210fedcba9876543210fedcba98", "dirty": True},
    "command": "bik_bench_kernels --benchmark_repetitions=2",
    "google_benchmark": {
        "context": {"num_cpus": 2, "mhz_per_cpu": 2596, "kokkos_version": "3.4.1",
                    "openmp_threads": "2", "load_avg": [0.5]},
        "benchmarks": [
            {"name": "copy/1080x1080_144obj/Serial/manual_time", "run_type": "iteration",
             "run_name": "copy/1080x1080_144obj/Serial/manual_time", "real_time": 1000.0,
             "time_unit": "us", "bytes_per_second": 14.0e9},
            {"name": "copy/1080x1080_144obj/Serial/manual_time_median", "run_type": "aggregate",
             "aggregate_name": "median", "run_name": "copy/1080x1080_144obj/Serial/manual_time",
             "real_time": 900.0, "time_unit": "us", "bytes_per_second": 15.5e9},
            {"name": "intensity/1080x1080_144obj/Serial/manual_time", "run_type": "iteration",
             "run_name": "intensity/1080x1080_144obj/Serial/manual_time", "real_time": 12.0,
             "time_unit": "ms", "bytes_per_second": 1.2e9},
        ],
    },
}

DOC = """# Title
text before
<!-- bench:compare-1080 -->
stale table
<!-- /bench:compare-1080 -->
middle
<!-- bench:kernels-summary -->
<!-- /bench:kernels-summary -->
<!-- bench:compare-context -->
old
<!-- /bench:compare-context -->
<!-- bench:kernels-all -->
<!-- /bench:kernels-all -->
end
"""

EXPECTED = """# Title
text before
<!-- bench:compare-1080 -->
| scene | implementation | threads | ms | vs numpy | vs numba | vs numpy, exactly |
|---|---|---|---|---|---|---|
| 1080×1080, 144 objects, edges on | cp_measure numpy | 1 | 50.0 | 1.00× | – | reference |
|  | cp_measure numba | – | – | – | – | skipped (x) |
|  | bik serial | 1 | 12.5 | 4.00× | – | identical |
|  | bik openmp | 2 | 6.25 | 8.00× | – | max 3 ULP, NaN positions differ |
<!-- /bench:compare-1080 -->
middle
<!-- bench:kernels-summary -->
| kernel | Serial |
|---|---|
| copy | 0.900 ms (15.5 GB/s) |
| intensity, edges on (workspace reused) | 12.0 ms |
<!-- /bench:kernels-summary -->
<!-- bench:compare-context -->
Measured at commit `0123456`, 2026-01-02T03:04:05+00:00 on Test CPU (2 usable CPUs); Python 3.11.7, numpy 2.4.6; ms = minimum of 20 calls, bik times are the computation alone (`bik measure --repeat`). Command: `compare_intensity.py --scene 1080`.
<!-- /bench:compare-context -->
<!-- bench:kernels-all -->
| case | scene | space | time | bytes/s | × copy |
|---|---|---|---|---|---|
| copy | 1080x1080_144obj | Serial | 0.900 ms | 15.5 GB/s | 1.0 |
| intensity | 1080x1080_144obj | Serial | 12.0 ms | 1.2 GB/s | 13.3 |
<!-- /bench:kernels-all -->
end
"""


def write_fixture(tmp_path):
    compare, kernels, doc = tmp_path / "compare.json", tmp_path / "kernels.json", tmp_path / "doc.md"
    compare.write_text(json.dumps(COMPARE))
    kernels.write_text(json.dumps(KERNELS))
    doc.write_text(DOC)
    return ["--compare", str(compare), "--kernels", str(kernels), "--no-stale-check", str(doc)], doc


def test_renders_the_fixture(tmp_path):
    args, doc = write_fixture(tmp_path)
    assert render_claims.main(args) == 0
    assert doc.read_text() == EXPECTED
    # Rendering again changes nothing, and --check agrees.
    assert render_claims.main(args) == 0
    assert doc.read_text() == EXPECTED
    assert render_claims.main(["--check", *args]) == 0


def test_check_fails_on_a_hand_edit(tmp_path, capsys):
    args, doc = write_fixture(tmp_path)
    render_claims.main(args)
    doc.write_text(doc.read_text().replace("| 12.5 |", "| 10.0 |"))
    assert render_claims.main(["--check", *args]) == 1
    assert "regions differ" in capsys.readouterr().err
    assert "| 10.0 |" in doc.read_text()  # --check changes nothing


def test_missing_results_render_as_not_measured(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text("<!-- bench:compare-1080 -->\nold\n<!-- /bench:compare-1080 -->\n")
    assert render_claims.main(["--compare", str(tmp_path / "none.json"), "--kernels",
                               str(tmp_path / "none.json"), "--results", str(tmp_path),
                               "--native-results", str(tmp_path), str(doc)]) == 0
    assert "Not measured at this commit" in doc.read_text()
    assert "old" not in doc.read_text()


def test_targets_are_read_off_both_builds_results(tmp_path):
    # 51 ms numpy against 4 ms bik is 12.75x (>= 12: met); against 5 ms, 10.2x (not met). The
    # batch file of the portable build is absent, so its targets are not measured there.
    def intensity(bik_ms):
        return {"git": {"commit": None}, "scenes": [{"scene": "1080", "results": [
            {"name": "cp_measure numpy", "ms": 51.0}, {"name": "cp_measure numba", "ms": 45.0},
            {"name": "bik openmp", "ms": bik_ms}]}]}
    portable, native = tmp_path / "portable", tmp_path / "native"
    portable.mkdir()
    native.mkdir()
    (portable / "compare.json").write_text(json.dumps(intensity(5.0)))
    (native / "compare.json").write_text(json.dumps(intensity(4.0)))
    (native / "batch.json").write_text(json.dumps({"compute_ratio": 21.0, "end_to_end_ratio": 4.0}))
    doc = tmp_path / "doc.md"
    doc.write_text("<!-- bench:targets -->\n<!-- /bench:targets -->\n")
    assert render_claims.main(["--no-stale-check", "--results", str(portable), "--native-results",
                               str(native), str(doc)]) == 0
    rows = {line.split(" | ")[1]: line for line in doc.read_text().splitlines()
            if line.startswith("| 6 |")}
    assert "| 10.20× (not met) | 12.75× (met) |" in rows[
        "intensity 1080²/144, OpenMP vs cp_measure numpy"]
    assert "| not measured | 21.00× (met) |" in rows[
        "batch 64×512², compute vs a Python loop of numpy"]
    assert "| not measured | 4.00× (not met) |" in rows[
        "batch 64×512², end to end vs the same loop"]


def test_unknown_region_is_an_error(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text("<!-- bench:nonsense -->\n<!-- /bench:nonsense -->\n")
    try:
        render_claims.main(["--no-stale-check", str(doc)])
    except KeyError as e:
        assert "nonsense" in str(e)
    else:
        raise AssertionError("an unknown region was accepted")


def test_the_repository_markdown_is_rendered_from_its_results():
    # README.md and benchmarks/README.md hold exactly what the committed results render.
    assert render_claims.main(["--check", "--no-stale-check"]) == 0


def test_renders_each_sides_spread_where_recorded(tmp_path):
    # New results files: numpy's repeats 50, 52, 61 ms (min 50.0, median 52.0, max 61.0); bik's
    # timing line gives min 6.25 and median 7.5 and no maximum; bik serial has no spread (an old
    # row). The kernels run had repetitions: median 900 us ± stddev 12 us: 0.900 ± 0.012 ms.
    compare = json.loads(json.dumps(COMPARE))
    rows = compare["scenes"][0]["results"]
    rows[0].update(median_ms=52.0, max_ms=61.0, times_ms=[50.0, 52.0, 61.0])
    rows[3].update(median_ms=7.5)
    kernels = json.loads(json.dumps(KERNELS))
    kernels["google_benchmark"]["benchmarks"].append(
        {"name": "copy/1080x1080_144obj/Serial/manual_time_stddev", "run_type": "aggregate",
         "aggregate_name": "stddev", "run_name": "copy/1080x1080_144obj/Serial/manual_time",
         "real_time": 12.0, "time_unit": "us"})
    compare_path, kernels_path = tmp_path / "compare.json", tmp_path / "kernels.json"
    compare_path.write_text(json.dumps(compare))
    kernels_path.write_text(json.dumps(kernels))
    doc = tmp_path / "doc.md"
    doc.write_text(DOC)
    assert render_claims.main(["--compare", str(compare_path), "--kernels", str(kernels_path),
                               "--no-stale-check", str(doc)]) == 0
    text = doc.read_text()
    assert ("| 1080×1080, 144 objects, edges on | cp_measure numpy | 1 | "
            "50.0 (median 52.0, max 61.0) | 1.00× | – | reference |") in text
    assert "|  | bik serial | 1 | 12.5 | 4.00× |" in text  # no spread recorded: as before
    assert "|  | bik openmp | 2 | 6.25 (median 7.50) | 8.00× |" in text
    assert "ms = minimum of 20 calls (in brackets their median and, where recorded, maximum)," \
        in text
    assert "| copy | 0.900 ± 0.012 ms (15.5 GB/s) |" in text
    assert "| intensity, edges on (workspace reused) | 12.0 ms |" in text
    assert "| copy | 1080x1080_144obj | Serial | 0.900 ± 0.012 ms | 15.5 GB/s | 1.0 |" in text


def test_a_nan_median_is_left_out():
    row = {"ms": 4.0, "median_ms": float("nan")}
    assert render_claims.fmt_spread(row) == "4.00"
    assert render_claims.fmt_spread({"ms": 4.0, "median_ms": None, "max_ms": 9.5}) == \
        "4.00 (max 9.50)"
