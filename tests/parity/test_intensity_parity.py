"""Parity of bik's intensity features with cp_measure's numpy get_intensity (spec §3, §9.2).

bik is driven through its command-line program (env BIK_EXE). Every case runs with
``--backend serial``, ``--backend openmp`` and ``--backend openmp --schedule team`` (a team of
threads per object, the GPU shape; OMP_NUM_THREADS=2); all must match cp_measure and be
identical to each other.

Tolerances (spec §9.2): ``assert_allclose(rtol=1e-6, atol=1e-8, equal_nan=True)``, and bit-exact
for the order statistics (min, max, quartiles, median, MAD, edge min/max) on float64 input.
bik's stronger claims (bit-exact sums/means/stds and Location_* on float64 input) are checked by
the separately named ``test_bik_claim_*`` tests.
"""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import parity_util as pu
from scenes import HUGE_LABEL_SCENES, LABEL_DTYPES, get_scene

_EXE, _SKIP_REASON = pu.bik_exe_from_env()
if _EXE is None:
    pu.skip_or_fail(_SKIP_REASON, module_level=True)


# Float64 scenes run with every combination of edges on/off and legacy on/off.
FLOAT64_SCENES = [
    "squares_2d",
    "cubes_3d",
    "label_gaps_2d",
    "single_pixel_2d",
    "single_voxel_3d",
    "touching_2d",
    "touching_3d",
    "border_2d",
    "border_3d",
    "fill_whole_2d",
    "fill_whole_3d",
    "nan_2d",
    "nan_3d",
    "inf_2d",
    "ties_2d",
    "ties_3d",
    "voronoi_2d",
    "balls_3d",
    "broadcast_2d_labels_3d_pixels",
    "flat_3d",
    "no_objects_2d",
    "anchor_0123",
]
OPTIONS = [(True, False), (True, True), (False, False), (False, True)]
CASES = [(scene, edges, legacy) for scene in FLOAT64_SCENES for edges, legacy in OPTIONS]


def _case_id(case) -> str:
    scene, edges, legacy = case
    return f"{scene}-{'edges' if edges else 'noedges'}-{'legacy' if legacy else 'new'}"


CASE_IDS = [_case_id(c) for c in CASES]


def _assert_layout(out: pu.BikOutput, ref: dict, scene_name: str) -> None:
    """Labels, dataset names and dtypes of bik's output against cp_measure's."""
    scene = get_scene(scene_name)
    want = pu.label_dtype_for(scene.labels.dtype)
    assert out.label_dtype == want, f"'label' has dtype {out.label_dtype}, want {want}"
    np.testing.assert_array_equal(
        out.labels, pu.present_labels(scene.labels), err_msg="'label' != present labels ascending"
    )
    missing = [n for n in ref if n not in out.features]
    extra = [n for n in out.features if n not in ref]
    assert not missing and not extra, f"missing datasets {missing}, unexpected datasets {extra}"
    wrong = {n: str(d) for n, d in out.feature_dtypes.items() if d != np.float64}
    assert not wrong, f"feature datasets that are not float64: {wrong}"
    for name, values in out.features.items():
        assert values.shape == (out.labels.size,), f"{name}: shape {values.shape}"


# ------------------------------------------------------------------------------------------
# The main matrix


@pytest.mark.parametrize("backend", pu.BACKENDS)
@pytest.mark.parametrize("scene,edges,legacy", CASES, ids=CASE_IDS)
def test_intensity_matches_cp_measure(bik_runner, scene, edges, legacy, backend):
    out = bik_runner.output(scene, edges, legacy, backend)
    ref = bik_runner.reference(scene, edges, legacy)
    _assert_layout(out, ref, scene)
    problems = pu.compare_features(out.labels, out.features, ref)
    pu.fail_if(problems, "bik differs from cp_measure:")


@pytest.mark.parametrize("other", [b for b in pu.BACKENDS if b != "serial"])
@pytest.mark.parametrize("scene,edges,legacy", CASES, ids=CASE_IDS)
def test_backends_identical(bik_runner, scene, edges, legacy, other):
    serial = bik_runner.output(scene, edges, legacy, "serial")
    theirs = bik_runner.output(scene, edges, legacy, other)
    np.testing.assert_array_equal(serial.labels, theirs.labels)
    assert list(serial.features) == list(theirs.features)
    differing = [
        name
        for name in serial.features
        if not pu.arrays_identical(serial.features[name], theirs.features[name])
    ]
    assert not differing, f"serial and {other} outputs differ in {differing}"


# ------------------------------------------------------------------------------------------
# bik's bit-exactness claims beyond the spec's tolerances (float64 input)

CLAIM_SCENES = FLOAT64_SCENES


def _check_claim(bik_runner, scene, names):
    out = bik_runner.output(scene, True, False, "serial")
    ref = bik_runner.reference(scene, True, False)
    problems = pu.compare_features(out.labels, out.features, ref, exact=names, names=names)
    pu.fail_if(problems, "bit-exact claim fails:")


@pytest.mark.parametrize("scene", CLAIM_SCENES)
def test_bik_claim_bit_exact_sums_means_stds(bik_runner, scene):
    """bik claims numpy's pairwise summation order: Integrated/Mean/Std (and their edge
    versions) equal cp_measure bit for bit on float64 input."""
    _check_claim(bik_runner, scene, pu.CLAIMED_EXACT_SUMS)


@pytest.mark.parametrize("scene", CLAIM_SCENES)
def test_bik_claim_bit_exact_max_locations(bik_runner, scene):
    """bik claims numpy's argmax rule: Location_MaxIntensity_* equal cp_measure exactly."""
    _check_claim(bik_runner, scene, pu.CLAIMED_EXACT_MAX_LOCATIONS)


@pytest.mark.parametrize("scene", CLAIM_SCENES)
def test_bik_claim_bit_exact_center_of_mass(bik_runner, scene):
    """bik claims numpy's summation orders for the intensity-weighted centre of mass:
    Location_CenterMassIntensity_* equal cp_measure bit for bit on float64 input.

    Note: cp_measure computes ``(coords * vals[:, None]).sum(axis=0)`` on an (n, 3) array; with
    numpy 2.x that is a pairwise sum down each column, not a sequential one."""
    _check_claim(bik_runner, scene, pu.CLAIMED_EXACT_CENTER_OF_MASS)


# ------------------------------------------------------------------------------------------
# Names and order


@pytest.mark.parametrize("edges", [True, False], ids=["edges", "noedges"])
def test_feature_names_and_order(bik_runner, edges):
    ref = bik_runner.reference("squares_2d", edges, False)
    # cp_measure's dict order is the spec's (§3.1): 16 features, 21 with edges.
    assert list(ref) == pu.expected_feature_names(edges)
    out = bik_runner.output("squares_2d", edges, False, "serial")
    assert sorted(out.features) == sorted(ref)
    assert len(out.features) == (21 if edges else 16)
    # In HDF5 the order is visible only through a `features` attribute that lists the feature
    # names (bik's lists the feature groups, e.g. "intensity") or a creation-order index; the
    # CSV header (test_csv_output_order_and_values) shows it directly.
    if out.features_attr is not None and set(out.features_attr) & set(ref):
        assert out.features_attr == list(ref), "root attribute 'features' is not cp_measure's order"
    if out.creation_order is not None:
        created = [n for n in out.creation_order if n != "label"]
        assert created == list(ref), "datasets were not created in cp_measure's order"


@pytest.mark.parametrize("edges", [True, False], ids=["edges", "noedges"])
def test_csv_output_order_and_values(bik_runner, tmp_path, edges):
    """`--out X.csv` (header 'label,<features>'): the columns come in cp_measure's dict order,
    and the values (shortest round-trip text, 'nan', 'inf') equal the HDF5 output exactly."""
    scene = "ties_2d"  # has NaN centres of mass
    ref = bik_runner.reference(scene, edges, False)
    out_csv = tmp_path / "out.csv"
    proc = pu.run_bik(bik_runner.exe, bik_runner.inputs(scene), out_csv, edges, False, "serial")
    assert proc.returncode == 0, pu.describe_failure(proc)
    header, labels, columns = pu.read_csv_output(out_csv)
    assert header == ["label"] + list(ref)
    h5 = bik_runner.output(scene, edges, False, "serial")
    np.testing.assert_array_equal(labels, h5.labels)
    differing = [n for n in ref if not pu.arrays_identical(columns[n], h5.features[n])]
    assert not differing, f"CSV and HDF5 values differ in {differing}"


# ------------------------------------------------------------------------------------------
# Anchors and literal expectations (independent of both implementations)

# Object values {0, 1, 2, 3}, n = 4, 2-D (source_ndim 2). From the spec's interp formula:
#   new:    pos = (n-1)q = 0.75, 1.5, 2.25 -> quartiles (0.75, 1.5, 2.25);
#           |v - 1.5| sorted = [.5, .5, 1.5, 1.5], pos 1.5 -> MAD 1.0
#   legacy: pos = n q = 1, 2, 3 -> quartiles (1, 2, 3);
#           |v - 2| sorted = [0, 1, 1, 2], MAD fraction 1/ndim = 1/2, pos 2 -> MAD 1.0
ANCHOR = {
    False: {"Lower": 0.75, "Median": 1.5, "Upper": 2.25, "MAD": 1.0},
    True: {"Lower": 1.0, "Median": 2.0, "Upper": 3.0, "MAD": 1.0},
}


@pytest.mark.parametrize("legacy", [False, True], ids=["new", "legacy"])
@pytest.mark.parametrize("backend", pu.BACKENDS)
def test_legacy_quantile_anchor(bik_runner, legacy, backend):
    want = ANCHOR[legacy]
    literal = {
        "Intensity_LowerQuartileIntensity": want["Lower"],
        "Intensity_MedianIntensity": want["Median"],
        "Intensity_UpperQuartileIntensity": want["Upper"],
        "Intensity_MADIntensity": want["MAD"],
        "Intensity_MinIntensity": 0.0,
        "Intensity_MaxIntensity": 3.0,
    }
    ref = bik_runner.reference("anchor_0123", True, legacy)
    out = bik_runner.output("anchor_0123", True, legacy, backend)
    np.testing.assert_array_equal(out.labels, [1])
    for name, value in literal.items():
        assert ref[name][0] == value, f"cp_measure {name} = {ref[name][0]!r}, formula gives {value}"
        assert out.features[name][0] == value, f"bik {name} = {out.features[name][0]!r}, want {value}"


@pytest.mark.parametrize("scene", ["fill_whole_2d", "fill_whole_3d"])
def test_object_filling_image_has_zero_edge_features(bik_runner, scene):
    out = bik_runner.output(scene, True, False, "serial")
    for name in pu.EDGE_FEATURES:
        np.testing.assert_array_equal(out.features[name], 0.0, err_msg=name)


@pytest.mark.parametrize(
    "scene,label",
    [("nan_2d", 3), ("inf_2d", 2), ("nan_3d", None)],
    ids=["nan_2d-label3", "inf_2d-label2", "nan_3d-second"],
)
@pytest.mark.parametrize("edges", [True, False], ids=["edges", "noedges"])
def test_object_without_finite_pixels_is_all_zero(bik_runner, scene, label, edges):
    """cp_measure (numpy) leaves every feature of such an object at 0."""
    if label is None:
        label = pu.present_labels(get_scene(scene).labels)[1]
    out = bik_runner.output(scene, edges, False, "serial")
    (row,) = np.flatnonzero(out.labels == label)
    nonzero = {n: v[row] for n, v in out.features.items() if v[row] != 0}
    assert not nonzero, f"label {label}: features not 0: {nonzero}"


@pytest.mark.parametrize("scene", ["ties_2d", "ties_3d"])
def test_max_location_is_first_in_raster_order(bik_runner, scene):
    """Integer pixels in 0..4 tie at the max; the location is the first such voxel in raster
    order (numpy argmax), computed here directly from the scene."""
    s = get_scene(scene)
    labels = s.labels if s.labels.ndim == 3 else s.labels[None]
    pixels = s.pixels if s.pixels.ndim == 3 else s.pixels[None]
    out = bik_runner.output(scene, True, False, "serial")
    ties = 0
    for row, label in enumerate(out.labels):
        keep = (labels == label) & np.isfinite(pixels)
        coords = np.argwhere(keep)  # raster order
        values = pixels[keep]
        first = coords[np.flatnonzero(values == values.max())[0]]
        ties += np.count_nonzero(values == values.max()) > 1
        got = [out.features[f"Location_MaxIntensity_{a}"][row] for a in "ZYX"]
        assert got == [float(c) for c in first], f"label {label}: {got} vs first max at {first}"
    assert ties > 0, "scene has no tied maximum"


# ------------------------------------------------------------------------------------------
# Other pixel and label dtypes


@pytest.mark.parametrize("legacy", [False, True], ids=["new", "legacy"])
@pytest.mark.parametrize("backend", pu.BACKENDS)
def test_float32_pixels(bik_runner, backend, legacy):
    scene = "voronoi_2d_float32"
    out = bik_runner.output(scene, True, legacy, backend)
    ref = bik_runner.reference(scene, True, legacy)
    _assert_layout(out, ref, scene)
    # cp_measure reduces float32 input in float32 (numpy sums, means, stds and the quantile
    # interpolation all stay in the input dtype, spec §3.6), while bik up-casts every kept value
    # to float64 first (spec §2.3). The float32 rounding gives relative differences of up to
    # ~2e-7 on sums, means, stds and quantiles, hence rtol=1e-5 (atol=1e-6 for values near 0).
    # MassDisplacement is a difference of two centres (coordinates up to 255) whose float32
    # error is absolute, ~2e-5 px on this scene, so it gets atol=1e-4 px instead.
    md = "Intensity_MassDisplacement"
    problems = pu.compare_features(
        out.labels, out.features, ref, exact=frozenset(), rtol=1e-5, atol=1e-6,
        names=[n for n in ref if n != md],
    )
    problems += pu.compare_features(
        out.labels, out.features, ref, exact=frozenset(), rtol=1e-5, atol=1e-4, names=[md]
    )
    pu.fail_if(problems, "bik differs from cp_measure (float32):")
    # Since bik up-casts first, it must match cp_measure on the up-cast float64 pixels at the
    # float64 tolerances, including the bit-exact order statistics.
    ref64 = bik_runner.reference(scene, True, legacy, as_float64=True)
    problems = pu.compare_features(out.labels, out.features, ref64)
    pu.fail_if(problems, "bik differs from cp_measure on up-cast pixels:")


@pytest.mark.parametrize("legacy", [False, True], ids=["new", "legacy"])
@pytest.mark.parametrize("backend", pu.BACKENDS)
def test_uint16_pixels(bik_runner, backend, legacy):
    scene = "balls_3d_uint16"
    out = bik_runner.output(scene, True, legacy, backend)
    ref = bik_runner.reference(scene, True, legacy)
    _assert_layout(out, ref, scene)
    # Integer input: cp_measure sums exactly in integers and computes the rest in float64.
    problems = pu.compare_features(out.labels, out.features, ref, exact=frozenset())
    pu.fail_if(problems, "bik differs from cp_measure (uint16):")
    ref64 = bik_runner.reference(scene, True, legacy, as_float64=True)
    problems = pu.compare_features(out.labels, out.features, ref64)
    pu.fail_if(problems, "bik differs from cp_measure on up-cast pixels:")


@pytest.mark.parametrize("dtype", LABEL_DTYPES)
def test_label_dtypes(bik_runner, dtype):
    scene = f"label_gaps_2d_labels_{dtype}"
    out = bik_runner.output(scene, True, False, "serial")
    ref = bik_runner.reference(scene, True, False)
    _assert_layout(out, ref, scene)
    problems = pu.compare_features(out.labels, out.features, ref)
    pu.fail_if(problems, f"bik differs from cp_measure ({dtype} labels):")
    # The label dtype must not change anything.
    base = bik_runner.output("label_gaps_2d", True, False, "serial")
    np.testing.assert_array_equal(out.labels, base.labels)
    for name, values in base.features.items():
        assert pu.arrays_identical(out.features[name], values), name


@pytest.mark.parametrize("backend", pu.BACKENDS)
@pytest.mark.parametrize("edges,legacy", [(True, False), (False, True)])
@pytest.mark.parametrize("scene", HUGE_LABEL_SCENES)
def test_labels_of_any_value(bik_runner, scene, edges, legacy, backend):
    """Labels up to 2^64-1, near 2^63 and 2^40 (bik's sort-unique path) are measured as they
    are: the label column keeps their values and dtype, the features equal cp_measure's on
    the relabelled image."""
    out = bik_runner.output(scene, edges, legacy, backend)
    ref = bik_runner.reference(scene, edges, legacy)
    _assert_layout(out, ref, scene)
    assert out.labels.max() > 2**31  # the scene really has labels no dense table would hold
    problems = pu.compare_features(out.labels, out.features, ref)
    pu.fail_if(problems, f"bik differs from cp_measure ({scene}):")


# ------------------------------------------------------------------------------------------
# Errors


def test_mismatched_shapes_fail(bik_runner, tmp_path):
    inputs = tmp_path / "mismatch.h5"
    with h5py.File(inputs, "w") as f:
        f.create_dataset("labels", data=np.ones((10, 10), np.int32))
        f.create_dataset("pixels", data=np.ones((10, 12)))
    proc = pu.run_bik(bik_runner.exe, inputs, tmp_path / "out.h5", True, False, "serial")
    assert proc.returncode != 0, "bik accepted labels (10,10) with pixels (10,12)"
