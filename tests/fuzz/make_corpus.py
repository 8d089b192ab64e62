"""Writes the seed corpus of the libFuzzer targets into tests/fuzz/corpus/<target>/seed-*.

Seeds are small valid (and a few invalid) inputs from which the fuzzers mutate. Files named
crash-* or regress-* in the same folders are inputs that once crashed a target; they are kept
forever and replayed by ctest (see tests/fuzz/README.md). Needs h5py and numpy (the parity venv):

    python tests/fuzz/make_corpus.py
"""

from __future__ import annotations

import struct
from pathlib import Path

import h5py
import numpy as np

CORPUS = Path(__file__).resolve().parent / "corpus"


def write(target: str, name: str, data: bytes) -> None:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"seed-{name}").write_bytes(data)


def hdf5_seeds() -> None:
    folder = CORPUS / "fuzz_read_hdf5"
    folder.mkdir(parents=True, exist_ok=True)
    labels = np.array([[0, 1, 1], [2, 0, 3]], np.int32)
    pixels = np.array([[0.5, np.nan, 2.0], [np.inf, -1.0, 3.0]])

    def h5(name: str, fill) -> None:
        path = folder / f"seed-{name}.h5"
        with h5py.File(path, "w", libver="earliest") as f:
            fill(f)

    h5("2d", lambda f: (f.create_dataset("labels", data=labels),
                        f.create_dataset("pixels", data=pixels)))
    h5("3d_u64", lambda f: (f.create_dataset("labels", data=np.stack([labels] * 2).astype(np.uint64)),
                            f.create_dataset("pixels", data=np.stack([pixels] * 2).astype(np.float32))))
    h5("chunked_gzip", lambda f: (f.create_dataset("labels", data=labels, chunks=(1, 3),
                                                   compression="gzip"),
                                  f.create_dataset("pixels", data=pixels, chunks=(2, 1),
                                                   compression="gzip", shuffle=True)))
    h5("odd_types", lambda f: (f.create_dataset("labels", data=np.array([b"ab", b"cd"])),
                               f.create_dataset("pixels", data=np.zeros((0, 4), np.uint8)),
                               f.create_group("g").create_dataset("x", data=np.int8(-3)),
                               f.create_dataset("data", data=np.arange(4, dtype=">i2"))))
    h5("rank1_and_4", lambda f: (f.create_dataset("labels", data=np.arange(5, dtype=np.int64)),
                                 f.create_dataset("pixels", data=np.zeros((1, 1, 2, 2)))))
    # Not HDF5 at all, and a valid file cut short.
    write("fuzz_read_hdf5", "not_hdf5", b"\x89HDF\r\n\x1a\n" + bytes(range(64)))
    whole = (folder / "seed-2d.h5").read_bytes()
    write("fuzz_read_hdf5", "truncated.h5", whole[: len(whole) // 2])


def args_seeds() -> None:
    cases = {
        "full": ["--pixels", "in.h5:/pixels", "--labels", "in.h5:/labels", "--out", "o.csv",
                 "--features", "intensity", "--no-edges", "--legacy", "--backend", "serial",
                 "--repeat", "3", "--overwrite"],
        "inline": ["--pixels=a.h5:/p", "--labels=a.h5:/g/l", "--out=o.h5", "--repeat=2147483647"],
        "bad": ["--repeat", "-1", "--pixels", "nocolon", "--no-edges=1", "x", "--", "-h"],
        "twice": ["--out", "a.h5", "--out", "b.HDF5", "--labels"],
        "specs": ["--pixels", "C:\\dir\\f.h5:/d", "--labels", "f.h5:", "--out", ".csv"],
    }
    for name, args in cases.items():
        write("fuzz_cli_args", name, b"\0".join(a.encode() for a in args))


def intensity_seeds() -> None:
    # Byte streams as fuzz_intensity.cpp reads them: [space flag] [label type] [pixel type]
    # [3D flag] ([nz]) [ny] [nx] [edges] [legacy], then (label choice, pixel choice) per voxel.
    def stream(space, ltype, ptype, dims, edges, legacy, voxels) -> bytes:
        three_d = len(dims) == 3
        head = [space, ltype, ptype, int(three_d)]
        if three_d:
            head.append(dims[0] - 1)
        head += [dims[-2] - 1, dims[-1] - 1, edges, legacy]
        body = []
        for label_choice, pixel_choice in voxels:
            body += list(label_choice) + list(pixel_choice)
        return bytes(head + body)

    small = [(b"\x02", b"\x07"), (b"\x03", b"\x10"), (b"\x00", b"\x01"), (b"\x02", b"\x02")]
    write("fuzz_intensity", "serial_2d", stream(0, 0, 0, (2, 2), 1, 0, small))
    write("fuzz_intensity", "openmp_3d", stream(1, 1, 1, (2, 1, 2), 1, 1, small))
    write("fuzz_intensity", "one_pixel", stream(0, 2, 2, (1, 1), 1, 0, [(b"\x02", b"\x04")]))
    huge = [(b"\x04", b"\x05"), (b"\x07\x05", b"\x03"), (b"\x00", b"\x06"), (b"\x05", b"\x00")]
    write("fuzz_intensity", "huge_labels", stream(0, 3, 0, (2, 2), 0, 0, huge))
    raw = [(b"\x08" + struct.pack("<q", 2**40), b"\x00" + struct.pack("<d", float("nan")))]
    write("fuzz_intensity", "sparse_2p40", stream(0, 1, 0, (1, 1), 1, 0, raw))
    write("fuzz_intensity", "negative", stream(0, 4, 3, (1, 2), 1, 0, [(b"\x06", b"\x04")] * 2))


if __name__ == "__main__":
    hdf5_seeds()
    args_seeds()
    intensity_seeds()
    for target in sorted(CORPUS.iterdir()):
        files = sorted(target.iterdir())
        print(f"{target.name}: {len(files)} files, {sum(f.stat().st_size for f in files)} bytes")
