"""tests/fuzz/classify_crash.py: only crashes inside libhdf5 itself count as upstream."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fuzz"))
import classify_crash  # noqa: E402

HDF5_SEGV = """INFO: Seed: 1
==1850==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc 0x7f52 bp 0x7fff sp 0x7fff T0)
==1850==The signal is caused by a READ memory access.
    #0 0x7f527a268809 in __memcpy_avx512_unaligned_erms string/../sysdeps/x86_64/multiarch/memmove-vec-unaligned-erms.S:273
    #1 0x558564d3d747 in __interceptor_memcpy (/work/build/fuzz_read_hdf5+0x92747)
    #2 0x7f527aaf54de in H5F__accum_read (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0xf54de)
    #3 0x7f527aa6ea1d  (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0x6ea1d)
    #4 0x558564deafff in bik::io::members_of(long, std::string const&) /src/io/read_image.cpp:48:7
SUMMARY: AddressSanitizer: SEGV
"""


def test_segv_inside_hdf5_is_upstream():
    assert classify_crash.is_upstream_hdf5(HDF5_SEGV)


def test_bus_error_inside_hdf5_is_upstream():
    # A wild read by HDF5's own type conversion (seen in CI: H5T__bit_copy under H5Dread).
    head = "==29380==ERROR: AddressSanitizer: BUS on unknown address (pc 0x7fe4 bp 0x6020 sp 0x7fff T0)\n"
    hdf5 = ("    #0 0x7fe496e43f1a in H5T__bit_copy (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0x243f1a)\n"
            "    #1 0x7fe496cc7f74 in H5Dread (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0xc7f74)\n")
    bik = "    #2 0x55f7f6c773c4 in bik::io::read_pixels(bik::io::DatasetSpec const&) /src/io/read_image.cpp:244:10\n"
    assert classify_crash.is_upstream_hdf5(head + hdf5 + bik)
    assert not classify_crash.is_upstream_hdf5(head + bik)


def test_segv_in_bik_is_bik():
    text = HDF5_SEGV.replace("    #2 0x7f527aaf54de in H5F__accum_read "
                             "(/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0xf54de)\n", "")
    text = text.replace("    #3 0x7f527aa6ea1d  (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0x6ea1d)\n",
                        "")
    assert not classify_crash.is_upstream_hdf5(text)


def test_memory_errors_are_never_upstream():
    # An overflow of a buffer bik passed to HDF5 shows HDF5 frames innermost, but is bik's bug.
    text = HDF5_SEGV.replace("AddressSanitizer: SEGV on unknown address",
                             "AddressSanitizer: heap-buffer-overflow on address")
    assert not classify_crash.is_upstream_hdf5(text)


def test_harness_abort_is_bik():
    text = """==7==ERROR: libFuzzer: deadly signal
    #0 0x55 in __sanitizer_print_stack_trace (/x/fuzz_read_hdf5+0x1)
    #1 0x55 in fuzzer::PrintStackTrace() (/x/fuzz_read_hdf5+0x2)
    #2 0x7f in raise (/lib/x86_64-linux-gnu/libc.so.6+0x3)
    #3 0x7f in abort (/lib/x86_64-linux-gnu/libc.so.6+0x4)
    #4 0x55 in LLVMFuzzerTestOneInput /tests/fuzz/fuzz_read_hdf5.cpp:70:5
"""
    assert not classify_crash.is_upstream_hdf5(text)


def test_no_report_is_not_upstream():
    assert not classify_crash.is_upstream_hdf5("INFO: Done 100 runs in 1 second(s)\n")
