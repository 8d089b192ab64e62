# Spack recipe for bik, in the Spack >= 1.0 layout (package API v2). This repository is not
# Spack's builtin one: add it with `spack repo add <checkout>/spack/spack_repo/bik`, see
# spack/README.md, which also lists the Spack commands this recipe was checked with.
# tests/packaging/test_spack_recipe.py checks its variants and dependencies against the CMake
# project without needing Spack.

import os

from spack_repo.builtin.build_systems.cmake import CMakePackage

from spack.package import *


def _enclosing_checkout():
    """file:// URL of the bik checkout this recipe sits in (it is
    <checkout>/spack/spack_repo/bik/packages/bik/package.py), or None when it sits in none."""
    root = os.path.abspath(__file__)
    for _ in range(6):
        root = os.path.dirname(root)
    if os.path.exists(os.path.join(root, ".git")) and os.path.isfile(
        os.path.join(root, "cmake", "bikDependencies.cmake")
    ):
        return "file://" + root
    return None


class Bik(CMakePackage):
    """Bioimage Kernels on Kokkos: per-object image measurements (CellProfiler-compatible
    intensity features) and their building blocks as a C++ library for HPC codes, plus the
    `bik` command-line program. Runs on whatever backends the Kokkos it is built against
    has (Serial, OpenMP, CUDA)."""

    # bik has no public repository URL yet. Until it has one, `main` is fetched from the git
    # checkout that holds this recipe (the one `spack repo add` was given). Another source:
    # `packages: bik: package_attributes: git: <URL>` in packages.yaml, or `spack develop`.
    # TODO: set homepage and git here once the repository is published.
    git = _enclosing_checkout()

    # Releases will be git tags vX.Y.Z matching the top-level project() version and
    # CHANGELOG.md, each added as version("X.Y.Z", tag="vX.Y.Z", commit="<full hash>").
    version("main", branch="main")

    variant("hdf5", default=True, description="Build bik::io (HDF5 and CSV readers/writers)")
    variant("cli", default=True, description="Build the bik command-line program (needs +hdf5)")
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
    # CMAKE_REQUIRE_FIND_PACKAGE_<Name> (below) is CMake 3.22's.
    depends_on("cmake@3.22:", type="build", when="+kokkoskernels")

    # A general Kokkos: its backends decide where bik runs (see spack/README.md). Set the
    # system's Kokkos once in packages.yaml, as Kokkos' Spack.md recommends. bik builds
    # against Kokkos 3.4 to 5.x (Spack itself has >= 3.7.02; 3.4 can be an external).
    depends_on("kokkos@3.4:5")
    # bik instantiates its kernels for Serial, OpenMP and CUDA (backends/) and its CMake stops
    # on a Kokkos with none of them; say so at concretization instead. Asked as "a host
    # backend bik has kernels for": with CUDA as a way out, the concretizer would turn CUDA on
    # and report `cuda_arch=none` instead of this message. (A CUDA Kokkos has Serial unless
    # its host backend is Threads or HPX, which bik has no kernels for.) Conflicts, not
    # requires(..., policy="any_of"): the concretizer weighs any_of choices by their order.
    conflicts(
        "^kokkos~serial~openmp",
        msg="bik needs a Kokkos with the Serial or OpenMP backend (bik has kernels for "
        "Serial, OpenMP and CUDA only): use ^kokkos+serial or ^kokkos+openmp",
    )
    conflicts("^kokkos+rocm", msg="bik does not support the Kokkos HIP backend yet")
    conflicts("^kokkos+sycl", msg="bik does not support the Kokkos SYCL backend yet")
    # bik compiles CUDA code with Kokkos' nvcc_wrapper (see cmake_args).
    conflicts(
        "^kokkos+cuda~wrapper",
        msg="bik compiles CUDA Kokkos code with nvcc_wrapper: use ^kokkos+cuda+wrapper",
    )
    # CUDA Kokkos <= 4.0 needs extended lambdas; from 4.1 they are always on, and Kokkos 5 has
    # no such variant, so this is asked of Kokkos 4 and older only.
    requires("^kokkos+cuda_lambda", when="^kokkos@:4+cuda")
    # Shared bik libraries link Kokkos in: a static Kokkos must then be position independent.
    # (With requires(any_of), `bik ^kokkos~shared+pic` concretized to bik~shared.)
    conflicts(
        "^kokkos~shared~pic",
        when="+shared",
        msg="shared bik libraries need a shared or position-independent Kokkos: "
        "use ^kokkos+shared, ^kokkos+pic or bik~shared",
    )

    # Optional: bik's CMake picks up Kokkos Kernels when it is there. Note that
    # kokkos-kernels@X pins kokkos@X.
    depends_on("kokkos-kernels", when="+kokkoskernels")

    # Serial HDF5 API; an MPI-enabled hdf5 (Spack's default) works too.
    depends_on("hdf5@1.10:", when="+hdf5")
    depends_on("fmt")  # found unconditionally by bik's CMake; used by bik::io and the CLI
    # Unit tests (BIK_ENABLE_TESTS) are built when Spack runs tests: `spack install --test=root`.
    depends_on("doctest", type="test")
    depends_on("benchmark@1.5:", type="build", when="+benchmarks")  # benchmarks aren't installed

    def _kokkos_compiler(self):
        """The compiler Kokkos asks for: its nvcc_wrapper for a CUDA Kokkos, else None (Spack's
        C++ compiler). Not Kokkos' kokkos_cxx, which fails for an external Kokkos."""
        kokkos = self.spec["kokkos"]
        if not kokkos.satisfies("+cuda+wrapper"):
            return None
        candidates = [join_path(kokkos.prefix.bin, "nvcc_wrapper")]  # installed by Kokkos
        if "kokkos-nvcc-wrapper" in self.spec:  # a Kokkos that Spack built
            candidates.append(join_path(self.spec["kokkos-nvcc-wrapper"].prefix.bin, "nvcc_wrapper"))
        for path in candidates:
            if os.path.isfile(path):
                return path
        raise InstallError(f"no nvcc_wrapper for the CUDA Kokkos: looked for {', '.join(candidates)}")

    def cmake_args(self):
        args = [
            self.define("Kokkos_ROOT", self.spec["kokkos"].prefix),
            self.define_from_variant("BIK_ENABLE_HDF5", "hdf5"),
            self.define_from_variant("BIK_ENABLE_CLI", "cli"),
            self.define("BIK_ENABLE_TESTS", self.run_tests),
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
        compiler = self._kokkos_compiler()
        if compiler:
            args.append(self.define("CMAKE_CXX_COMPILER", compiler))
        if self.spec.satisfies("+hdf5"):
            args.append(self.define("HDF5_ROOT", self.spec["hdf5"].prefix))
        return args

    # Stand-alone tests (`spack test run bik`): the installed program on this machine.
    def _bik(self):
        if self.spec.satisfies("~cli"):
            raise SkipTest("bik was built without its program (~cli)")
        return Executable(self.prefix.bin.bik)

    def test_info(self):
        """bik info: version, Kokkos and the backends bik was built for"""
        out = self._bik()("info", output=str, error=str)
        for expected in ("backends:", "default backend:"):
            assert expected in out, f"`bik info` printed no {expected!r}:\n{out}"

    def test_demo(self):
        """bik demo: synthesise the built-in demo scenes and measure them"""
        out = self._bik()("demo", "--out", "bik-demo", output=str, error=str)
        for expected in ("intensity2d", "intensity3d", "timings (ms):"):
            assert expected in out, f"`bik demo` printed no {expected!r}:\n{out}"
