"""Tells a crash inside the HDF5 library itself from a crash that is bik's, in a libFuzzer log.

Debian 12's HDF5 (1.10.8) crashes on some corrupted files: it trusts sizes and addresses read
from the file's own metadata (for example a NULL read in H5F__accum_read under H5Gget_info).
bik cannot prevent that in-process, so cmake/check-fuzz.sh reports such crashes of
fuzz_read_hdf5 as upstream and keeps fuzzing instead of failing. Everything else fails:

  upstream  = a SEGV, bus error, stack overflow, deadly signal, out-of-memory or timeout whose innermost
              frame outside libc and the sanitizer runtime lies in libhdf5;
  bik's     = anything else (a bik frame innermost, or a memory error ASan attributes to an
              access, such as heap-buffer-overflow or use-after-free, wherever it happens).

    python tests/fuzz/classify_crash.py LOG        # prints the verdict; exit 0 if upstream
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

FRAME = re.compile(r"^\s*#\d+ 0x[0-9a-f]+ in (?P<what>.*)$|^\s*#\d+ 0x[0-9a-f]+ +\((?P<module>.*)\)$")
UPSTREAM_KINDS = ("AddressSanitizer: SEGV", "AddressSanitizer: BUS", "AddressSanitizer: stack-overflow",
                  "deadly signal", "out-of-memory", "ERROR: libFuzzer: timeout",
                  "AddressSanitizer: FPE", "AddressSanitizer: ABRT")
RUNTIME = ("libc.so", "/libc-", "sysdeps/", "string/", "__interceptor_", "libasan",
           "libclang_rt", "compiler-rt", "__sanitizer", "fuzzer::", "__libc_", "raise",
           "abort", "malloc", "calloc", "realloc")


def first_report(text: str) -> tuple[str, list[str]]:
    """(the error line, the frames of the first stack trace after it)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "ERROR: AddressSanitizer" in line or "ERROR: libFuzzer" in line or \
                "==ERROR: UndefinedBehaviorSanitizer" in line:
            frames = []
            for follow in lines[i + 1:]:
                if FRAME.match(follow):
                    frames.append(follow.strip())
                elif frames:
                    break
            return line, frames
    return "", []


def is_upstream_hdf5(text: str) -> bool:
    error, frames = first_report(text)
    if not error or not any(kind in error for kind in UPSTREAM_KINDS):
        return False
    for frame in frames:
        if any(marker in frame for marker in RUNTIME):
            continue
        return "libhdf5" in frame
    return False


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    text = Path(argv[0]).read_text(errors="replace")
    if is_upstream_hdf5(text):
        print("upstream: a crash inside libhdf5 on a corrupted file")
        return 0
    print("bik: not an HDF5-internal crash")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
