# Spack recipe for bik, in the Spack >= 1.0 layout (package API v2). This repository is not
# Spack's builtin one: add it with `spack repo add <checkout>/spack/spack_repo/bik`, see
# spack/README.md. tests/packaging/test_spack_recipe.py checks this file against the CMake
# project (options, variants, dependencies) without needing Spack.

from spack_repo.builtin.build_systems.cmake import CMakePackage

from spack.package import *


class Bik(CMakePackage):
    """Bioimage Kernels on Kokkos: per-object image measurements (CellProfiler-compatible
    intensity features) and their building blocks as a C++ library for HPC codes, plus the
    `bik` command-line program. Runs on whatever backends the Kokkos it is built against
    has (Serial, OpenMP, CUDA)."""

    # TODO: bik has no public homepage or repository URL yet. When it has one, set
    #   homepage = "<project page>"
    #   git = "<repository URL>"
    # here. Until then, build from a checkout with `spack develop`, or give the URL in
    # packages.yaml (packages: bik: package_attributes: git: <URL>); see spack/README.md.

    # "main" follows the branch. Releases are git tags vX.Y.Z matching the version in the
    # top-level project() call and CHANGELOG.md; add each as
    #   version("X.Y.Z", tag="vX.Y.Z", commit="<full hash>")
    version("main", branch="main")

    variant("hdf5", default=True, description="Build bik::io (HDF5 and CSV readers/writers)")
    variant("cli", default=True, description="Build the bik command-line program (needs +hdf5)")
    variant("tests", default=False, description="Build the unit tests and the install test")
    variant("benchmarks", default=False, description="Build the Google Benchmark kernels")
    variant("shared", default=True, description="Build shared libraries")
    variant(
        "kokkoskernels",
        default=False,
        description="Build against Kokkos Kernels (found when present; no kernel uses it yet)",
    )

    conflicts("+cli", when="~hdf5", msg="the bik program reads and writes HDF5: use +hdf5 or ~cli")

    depends_on("cxx", type="build")
    # bik's CMake enables C when it looks for HDF5 (FindHDF5 compiles a C probe).
    depends_on("c", type="build", when="+hdf5")
    depends_on("cmake@3.16:", type="build")
    depends_on("cmake@3.22:", type="build", when="^kokkos@5:")  # Kokkos 5's own floor

    # A general Kokkos: its backends decide where bik runs (see spack/README.md for serial,
    # OpenMP and CUDA builds). Set the system's Kokkos once in packages.yaml, as Kokkos'
    # Spack.md recommends. bik builds against Kokkos 3.4 to 5.x (Spack itself has >= 3.7.02).
    depends_on("kokkos@3.4:5")
    # CUDA Kokkos <= 4.0 needs extended lambdas; from 4.1 they are always on, and Kokkos 5 has
    # no such variant, so this is asked of Kokkos 4 and older only.
    requires("^kokkos+cuda_lambda", when="^kokkos@:4+cuda")
    # bik instantiates its kernels for Serial, OpenMP and CUDA (backends/); HIP and SYCL
    # builds of Kokkos would need their own compiler and instantiations.
    conflicts("^kokkos+rocm", msg="bik does not support the Kokkos HIP backend yet")
    conflicts("^kokkos+sycl", msg="bik does not support the Kokkos SYCL backend yet")

    # Optional: bik's CMake picks up Kokkos Kernels when it is there. Note that
    # kokkos-kernels@X pins kokkos@X.
    depends_on("kokkos-kernels", when="+kokkoskernels")

    # Serial HDF5 API; an MPI-enabled hdf5 (Spack's default) works too.
    depends_on("hdf5@1.10:", when="+hdf5")
    depends_on("fmt")  # found unconditionally by bik's CMake; used by bik::io and the CLI
    depends_on("doctest", type="build", when="+tests")
    depends_on("benchmark@1.5:", when="+benchmarks")

    def cmake_args(self):
        kokkos = self["kokkos"]
        args = [
            # The compiler Kokkos was built for (nvcc_wrapper for CUDA Kokkos with +wrapper,
            # else Spack's C++ compiler), and exactly that Kokkos.
            self.define("CMAKE_CXX_COMPILER", kokkos.kokkos_cxx),
            self.define("Kokkos_ROOT", kokkos.prefix),
            self.define_from_variant("BIK_ENABLE_HDF5", "hdf5"),
            self.define_from_variant("BIK_ENABLE_CLI", "cli"),
            self.define_from_variant("BIK_ENABLE_TESTS", "tests"),
            self.define_from_variant("BIK_ENABLE_BENCHMARKS", "benchmarks"),
            self.define_from_variant("BUILD_SHARED_LIBS", "shared"),
            # bik's CMake looks for Kokkos Kernels quietly: never let it pick up one Spack did
            # not provide, and make it an error if the one Spack provided is not found.
            self.define(
                "CMAKE_DISABLE_FIND_PACKAGE_KokkosKernels", self.spec.satisfies("~kokkoskernels")
            ),
            self.define(
                "CMAKE_REQUIRE_FIND_PACKAGE_KokkosKernels", self.spec.satisfies("+kokkoskernels")
            ),
        ]
        if self.spec.satisfies("+hdf5"):
            args.append(self.define("HDF5_ROOT", self["hdf5"].prefix))
        return args
