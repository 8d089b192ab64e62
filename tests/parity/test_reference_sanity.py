"""Checks of the reference and of the scenes themselves; they do not need bik.

They pin the cp_measure behaviour the parity tests rely on (feature order, the legacy anchor,
zeros for objects without finite pixels, no edges for an object filling the image) and make
sure each scene exercises what its name says, so a parity pass means something.
"""

from __future__ import annotations

import numpy as np
import pytest

import parity_util as pu
from scenes import get_scene, scene_names


@pytest.mark.parametrize("edges", [True, False], ids=["edges", "noedges"])
def test_cp_measure_keys_are_the_spec_order(edges):
    s = get_scene("squares_2d")
    assert list(pu.cp_measure_intensity(s.labels, s.pixels, edges, False)) == (
        pu.expected_feature_names(edges)
    )


@pytest.mark.parametrize("name", scene_names())
def test_cp_measure_runs_on_scene(name):
    s = get_scene(name)
    assert s.labels.shape == s.pixels.shape or (
        s.labels.ndim == 2 and s.pixels.ndim == 3 and s.labels.shape == s.pixels.shape[1:]
    )
    n = pu.present_labels(s.labels).size
    for edges, legacy in [(True, False), (False, True)]:
        ref = pu.cp_measure_intensity(s.labels, s.pixels, edges, legacy)
        assert all(v.shape == (n,) and v.dtype == np.float64 for v in ref.values())


@pytest.mark.parametrize("legacy", [False, True], ids=["new", "legacy"])
def test_cp_measure_legacy_anchor(legacy):
    s = get_scene("anchor_0123")
    ref = pu.cp_measure_intensity(s.labels, s.pixels, True, legacy)
    quartiles = [
        ref[f"Intensity_{q}Intensity"][0] for q in ("LowerQuartile", "Median", "UpperQuartile")
    ]
    assert quartiles == ([1.0, 2.0, 3.0] if legacy else [0.75, 1.5, 2.25])
    assert ref["Intensity_MADIntensity"][0] == 1.0


def test_scene_properties():
    # An object filling the image has no edge voxels.
    for name in ("fill_whole_2d", "fill_whole_3d"):
        s = get_scene(name)
        ref = pu.cp_measure_intensity(s.labels, s.pixels, True, False)
        assert all((ref[n] == 0).all() for n in pu.EDGE_FEATURES), name
        assert s.labels.size > 8192, "meant to exceed numpy's 8192-element buffer"
    # Objects whose pixels are all non-finite get 0 for every feature.
    for name, label in [("nan_2d", 3), ("inf_2d", 2), ("nan_3d", None)]:
        s = get_scene(name)
        present = pu.present_labels(s.labels)
        label = present[1] if label is None else label
        assert not np.isfinite(s.pixels[s.labels == label]).any()
        ref = pu.cp_measure_intensity(s.labels, s.pixels, True, False)
        row = int(np.flatnonzero(present == label)[0])
        assert all(v[row] == 0 for v in ref.values()), name
    # nan_2d object 4 has exactly one finite pixel; inf_2d object 4 has no finite edge pixel.
    s = get_scene("nan_2d")
    assert np.isfinite(s.pixels[s.labels == 4]).sum() == 1
    s = get_scene("inf_2d")
    ref = pu.cp_measure_intensity(s.labels, s.pixels, True, False)
    assert ref["Intensity_IntegratedIntensityEdge"][3] == 0
    assert ref["Intensity_IntegratedIntensity"][3] != 0
    # ties_2d: an object with zero integrated intensity has NaN centre of mass.
    s = get_scene("ties_2d")
    ref = pu.cp_measure_intensity(s.labels, s.pixels, True, False)
    zero = ref["Intensity_IntegratedIntensity"] == 0
    assert zero.sum() >= 2
    assert np.isnan(ref["Location_CenterMassIntensity_X"][zero]).all()
    assert np.isnan(ref["Intensity_MassDisplacement"][zero]).all()
    # Label gaps and several objects in the big scenes.
    assert list(pu.present_labels(get_scene("label_gaps_2d").labels)) == [1, 3, 7]
    assert pu.present_labels(get_scene("voronoi_2d").labels).size >= 30
    assert (get_scene("voronoi_2d").labels == 0).any()
    assert pu.present_labels(get_scene("balls_3d").labels).size >= 8
