"""`bik measure` and its output file: an existing file is kept unless --overwrite, and a run
interrupted by a signal leaves neither the output nor a temporary file.

    BIK_EXE=build/dev/src/cli/bik python -m pytest -q tests/cli/test_outputs.py
"""
import os
import signal
import subprocess
import time

import numpy as np
import pytest

from test_cli import BIK_EXE, h5py, leftovers, measure, scene  # noqa: F401 - scene is a fixture


@pytest.mark.parametrize("name", ["out.h5", "out.csv"])
def test_existing_output_is_kept_without_overwrite(scene, name):
    out = scene["dir"] / name
    out.write_bytes(b"an earlier result\n")
    r = measure(scene, out)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.startswith("bik: error:"), r.stderr
    assert "already exists" in r.stderr and "--overwrite" in r.stderr, r.stderr
    assert r.stdout == ""
    assert out.read_bytes() == b"an earlier result\n"
    assert leftovers(scene["dir"], name) == [name]  # no temporary file either


def test_dangling_symlink_counts_as_existing(scene):
    out = scene["dir"] / "link.h5"
    os.symlink(scene["dir"] / "nowhere.h5", out)
    r = measure(scene, out)
    assert r.returncode == 2 and "already exists" in r.stderr, r.stderr
    assert os.path.islink(out) and not (scene["dir"] / "nowhere.h5").exists()


@pytest.mark.parametrize("name", ["out.h5", "out.csv"])
def test_overwrite_replaces_an_existing_output(scene, name):
    out = scene["dir"] / name
    out.write_bytes(b"an earlier result\n")
    r = measure(scene, out, "--overwrite")
    assert r.returncode == 0, r.stderr
    if name.endswith(".h5"):
        with h5py.File(out) as f:
            assert f["label"][()].tolist() == [2, 5, 9]  # the scene's labels
    else:
        lines = out.read_text().splitlines()
        assert [line.split(",")[0] for line in lines[1:]] == ["2", "5", "9"]
    assert leftovers(scene["dir"], name) == [name]


def test_overwrite_takes_no_value(scene):
    r = measure(scene, scene["dir"] / "o.h5", "--overwrite=yes")
    assert r.returncode == 2 and "takes no value" in r.stderr


@pytest.fixture(scope="module")
def big_input(tmp_path_factory):
    """1024x512 float64 pixels with 262144 two-pixel objects: a few hundred ms of computation and
    a CSV output of about 90 MB that takes a while to write."""
    d = tmp_path_factory.mktemp("big")
    ny, nx = 1024, 512
    labels = (np.arange(ny * nx, dtype=np.int64).reshape(ny, nx) // 2 + 1).astype(np.int32)
    pixels = np.random.default_rng(3).random((ny, nx))
    path = d / "big.h5"
    with h5py.File(path, "w") as f:
        f["labels"] = labels
        f["pixels"] = pixels
    return path


def default_signal_dispositions():
    """In the child before exec: the signals at their defaults, as in a terminal. A test run
    started in the background of a non-interactive shell inherits SIGINT ignored, and bik (like
    any program) then keeps it ignored rather than install its handler."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def start_measure(big_input, out, *extra):
    env = dict(os.environ, OMP_NUM_THREADS="2")
    return subprocess.Popen(
        [BIK_EXE, "measure", "--pixels", f"{big_input}:/pixels", "--labels",
         f"{big_input}:/labels", "--out", str(out), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        preexec_fn=default_signal_dispositions)


def test_sigint_during_computation_leaves_nothing(big_input, tmp_path):
    out = tmp_path / "features.h5"
    proc = start_measure(big_input, out, "--repeat", "1000")
    time.sleep(1.5)
    assert proc.poll() is None, "bik finished before the signal; make the input larger"
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGINT  # died of the signal, as without bik's handler
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_while_writing_removes_the_temporary_file(big_input, tmp_path, sig):
    out = tmp_path / "features.csv"
    proc = start_measure(big_input, out)
    seen = []
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        seen = [p for p in os.listdir(tmp_path) if p.startswith(".features.csv.tmp-")]
        if seen:
            proc.send_signal(sig)
            break
        time.sleep(0.001)
    proc.communicate(timeout=120)
    assert seen, "never saw the temporary file while bik ran; make the output larger"
    assert proc.returncode == -sig
    assert os.listdir(tmp_path) == []
