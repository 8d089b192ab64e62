"""tests/same_outputs.py, the host-ISA check's bit-for-bit comparison, on small made-up outputs."""
import sys
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import same_outputs  # noqa: E402


def write_outputs(directory, values, names=("a", "b")):
    directory.mkdir()
    with h5py.File(directory / "table.h5", "w") as f:
        f["features/MeanIntensity"] = values
        f["features/names"] = np.array(names, dtype=h5py.string_dtype())
    (directory / "table.csv").write_text("label,MeanIntensity\n1,0.5\n")
    return directory


def test_identical_outputs_pass(tmp_path):
    values = np.array([0.1, 0.2, np.nan])
    a = write_outputs(tmp_path / "a", values)
    b = write_outputs(tmp_path / "b", values.copy())
    differences, compared = same_outputs.compare(a, b)
    assert differences == []
    assert compared == 3  # two datasets and one CSV file


def test_one_ulp_is_a_difference(tmp_path):
    values = np.array([0.1, 0.2, 0.3])
    a = write_outputs(tmp_path / "a", values)
    b = write_outputs(tmp_path / "b", np.array([0.1, np.nextafter(0.2, 1.0), 0.3]))
    differences, _ = same_outputs.compare(a, b)
    assert differences == ["table.h5:/features/MeanIntensity: float64(3,) vs float64(3,) "
                           "(1 of 3 values differ)"]


def test_dtype_strings_and_missing_files_are_differences(tmp_path):
    a = write_outputs(tmp_path / "a", np.array([1.0, 2.0]))
    b = write_outputs(tmp_path / "b", np.array([1.0, 2.0], dtype=np.float32), names=("a", "c"))
    (a / "extra.csv").write_text("x\n")
    differences, _ = same_outputs.compare(a, b)
    assert "extra.csv: missing in " + str(b) in differences
    assert any(d.startswith("table.h5:/features/MeanIntensity: float64(2,) vs float32(2,)")
               for d in differences)
    assert "table.h5:/features/names: object(2,) vs object(2,)" in differences


def test_an_empty_directory_is_not_a_pass(tmp_path):
    (tmp_path / "empty").mkdir()
    differences, compared = same_outputs.compare(tmp_path / "empty", tmp_path / "empty")
    assert compared == 0 and len(differences) == 1
