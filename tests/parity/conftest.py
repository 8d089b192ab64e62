"""Shared fixtures for the parity suite.

`bik_runner` runs bik's command-line program at most once per (scene, edges, legacy, backend)
and cp_measure at most once per (scene, edges, legacy, reference dtype), so the several tests
that look at one case share the work.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import parity_util as pu
from scenes import get_scene


class BikRunner:
    def __init__(self, exe: str, workdir: Path):
        self.exe = exe
        self.workdir = workdir
        self._inputs: dict[str, Path] = {}
        self._outputs: dict[tuple, pu.BikOutput | str] = {}
        self._references: dict[tuple, dict] = {}

    def inputs(self, scene_name: str) -> Path:
        path = self._inputs.get(scene_name)
        if path is None:
            scene = get_scene(scene_name)
            path = self.workdir / f"{scene_name}.in.h5"
            pu.write_inputs(path, scene.labels, scene.pixels)
            self._inputs[scene_name] = path
        return path

    def output(self, scene_name: str, edges: bool, legacy: bool, backend: str) -> pu.BikOutput:
        """bik's output for the case; fails the calling test if bik failed."""
        key = (scene_name, edges, legacy, backend)
        if key not in self._outputs:
            out = self.workdir / f"{scene_name}.e{int(edges)}.l{int(legacy)}.{backend}.out.h5"
            proc = pu.run_bik(self.exe, self.inputs(scene_name), out, edges, legacy, backend)
            if proc.returncode != 0:
                self._outputs[key] = pu.describe_failure(proc)
            elif not out.is_file():
                self._outputs[key] = f"bik exited with 0 but wrote no {out}\n$ {' '.join(proc.args)}"
            else:
                try:
                    self._outputs[key] = pu.read_output(out)
                except Exception as exc:  # noqa: BLE001 - reported as the test failure
                    self._outputs[key] = f"cannot read {out}: {exc!r}"
        result = self._outputs[key]
        if isinstance(result, str):
            pytest.fail(result, pytrace=False)
        return result

    def reference(self, scene_name: str, edges: bool, legacy: bool, as_float64: bool = False):
        """cp_measure on the scene; with as_float64 the pixels are first up-cast to float64."""
        key = (scene_name, edges, legacy, as_float64)
        if key not in self._references:
            scene = get_scene(scene_name)
            pixels = scene.pixels.astype(np.float64) if as_float64 else scene.pixels
            self._references[key] = pu.cp_measure_intensity(scene.labels, pixels, edges, legacy)
        return self._references[key]


@pytest.fixture(scope="session")
def bik_runner(tmp_path_factory) -> BikRunner:
    exe, reason = pu.bik_exe_from_env()
    if exe is None:
        pu.skip_or_fail(reason)
    return BikRunner(exe, tmp_path_factory.mktemp("bik_parity"))
