#!/usr/bin/env python3
"""Compares two output directories of `bik demo` (or of any bik runs) bit for bit.

Every HDF5 dataset (dtype, shape and bytes) and every CSV file of the first directory must be
present and identical in the second. cmake/check-host-isa.sh uses it to show that a host-ISA build
gives the same bits as the portable one. Exit status 0 when identical, 1 with the differences
listed otherwise.
"""
import argparse
import pathlib
import sys

import h5py
import numpy as np


def datasets(path):
    found = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: found.__setitem__(name, obj[()])
                     if isinstance(obj, h5py.Dataset) else None)
    return found


def same_bits(x, y):
    if x.dtype != y.dtype or x.shape != y.shape:
        return False
    if x.dtype.kind == "O":  # variable-length strings: compare the values, not the pointers
        return x.tolist() == y.tolist()
    return x.tobytes() == y.tobytes()


def count_differing(x, y):
    if x.dtype != y.dtype or x.shape != y.shape or x.dtype.kind == "O" or x.size == 0:
        return ""
    bytes_x = np.ascontiguousarray(x).reshape(-1).view(np.uint8).reshape(x.size, -1)
    bytes_y = np.ascontiguousarray(y).reshape(-1).view(np.uint8).reshape(y.size, -1)
    return f" ({int((bytes_x != bytes_y).any(axis=1).sum())} of {x.size} values differ)"


def compare(a_dir, b_dir):
    """Returns (differences, number of datasets and CSV files compared)."""
    differences, compared = [], 0
    files = sorted(p for p in a_dir.iterdir() if p.suffix in (".h5", ".csv"))
    if not files:
        return [f"{a_dir}: no .h5 or .csv outputs"], 0
    for a in files:
        b = b_dir / a.name
        if not b.exists():
            differences.append(f"{a.name}: missing in {b_dir}")
            continue
        if a.suffix == ".csv":
            compared += 1
            if a.read_bytes() != b.read_bytes():
                differences.append(f"{a.name}: contents differ")
            continue
        da, db = datasets(a), datasets(b)
        for name in sorted(set(da) | set(db)):
            if name not in da or name not in db:
                differences.append(f"{a.name}:/{name}: only in one directory")
                continue
            x, y = np.asarray(da[name]), np.asarray(db[name])
            compared += 1
            if not same_bits(x, y):
                differences.append(f"{a.name}:/{name}: {x.dtype}{x.shape} vs {y.dtype}{y.shape}"
                                   f"{count_differing(x, y)}")
    return differences, compared


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=pathlib.Path)
    parser.add_argument("second", type=pathlib.Path)
    args = parser.parse_args()
    differences, compared = compare(args.first, args.second)
    for d in differences:
        print(f"differs: {d}", file=sys.stderr)
    if differences:
        return 1
    print(f"same bits: {compared} datasets and CSV files of {args.first} and {args.second}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
