"""The Spack recipe agrees with the CMake project (no Spack needed): options, variants and
dependencies on both sides match, Kokkos stays general, and the repository has the Spack >= 1.0
layout. The negative cases rename or drop something on one side only, in memory, and expect
the checker to object; they guard the checker itself.

Run: python -m pytest -q tests/packaging
"""

import ast
from pathlib import Path

import pytest

import spack_recipe_check as check

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def texts():
    return check.load_texts(ROOT)


def test_recipe_is_valid_python(texts):
    recipe_text, _ = texts
    ast.parse(recipe_text, filename=str(check.RECIPE))


def test_recipe_matches_cmake_project(texts):
    recipe_text, cmake_texts = texts
    problems = check.check_recipe(recipe_text, cmake_texts)
    assert problems == [], "\n".join(problems)


def test_repository_layout():
    problems = check.check_repo_layout(ROOT / "spack")
    assert problems == [], "\n".join(problems)


def test_checker_sees_the_whole_build(texts):
    """Guards against a checker that passes because it read nothing."""
    recipe_text, cmake_texts = texts
    project = check.parse_project(cmake_texts)
    assert {"Kokkos", "KokkosKernels", "fmt", "HDF5", "doctest", "benchmark"} <= project.find_names()
    assert {"BIK_ENABLE_HDF5", "BIK_ENABLE_CLI", "BIK_ENABLE_TESTS", "BIK_ENABLE_BENCHMARKS"} <= set(
        project.options
    )
    recipe = check.parse_recipe(recipe_text)
    assert {"hdf5", "cli", "tests", "benchmarks"} <= set(recipe.variants)
    names = {name for name, _ in recipe.dependencies}
    assert {"kokkos", "kokkos-kernels", "hdf5", "fmt", "doctest", "benchmark"} <= names
    hdf5 = next(f for f in project.finds if f.name == "HDF5")
    assert any("BIK_ENABLE_HDF5" in g for g in hdf5.guards)


# (what changes, which side, old text, new text, a phrase the checker must report)
ONE_SIDED_CHANGES = [
    ("option renamed in CMake", "CMakeLists.txt",
     "option(BIK_ENABLE_HDF5", "option(BIK_WITH_HDF5", "BIK_ENABLE_HDF5, which is no option()"),
    ("option renamed in the recipe", "recipe",
     'define_from_variant("BIK_ENABLE_CLI"', 'define_from_variant("BIK_ENABLE_COMMANDLINE"',
     "BIK_ENABLE_COMMANDLINE, which is no option()"),
    ("option renamed in the recipe (CMake side unset)", "recipe",
     'define_from_variant("BIK_ENABLE_TESTS"', 'define_from_variant("BIK_BUILD_TESTS"',
     "option BIK_ENABLE_TESTS is not set"),
    ("new CMake feature option", "CMakeLists.txt",
     "option(BIK_ENABLE_TESTS", 'option(BIK_ENABLE_ETI "ETI" ON)\noption(BIK_ENABLE_TESTS',
     "option BIK_ENABLE_ETI is not set"),
    ("variant without an option", "recipe",
     'variant("hdf5"', 'variant("mpi", default=False, description="x")\n    variant("hdf5"',
     "variant 'mpi' is not passed"),
    ("dependency renamed in CMake", "cmake/bikDependencies.cmake",
     "find_package(fmt REQUIRED CONFIG)", "find_package(spdlog REQUIRED CONFIG)",
     "no find_package(fmt)"),
    ("CMake dependency missing from the recipe", "cmake/bikDependencies.cmake",
     "find_package(fmt REQUIRED CONFIG)", "find_package(fmt REQUIRED CONFIG)\nfind_package(CLI11 REQUIRED)",
     "find_package(CLI11) has no depends_on"),
    ("dependency dropped from the recipe", "recipe",
     'depends_on("doctest", type="build", when="+tests")', "",
     "find_package(doctest) has no depends_on('doctest')"),
    ("dependency renamed in the recipe", "recipe",
     'depends_on("benchmark@1.5:", when="+benchmarks")', 'depends_on("google-benchmark", when="+benchmarks")',
     "depends_on('google-benchmark') has no known CMake package name"),
    ("unconditional CMake find, conditional recipe dependency", "recipe",
     'depends_on("fmt")', 'depends_on("fmt", when="+hdf5")',
     "find_package(fmt REQUIRED) is unconditional"),
    ("conditional recipe dependency under the wrong variant", "recipe",
     'depends_on("hdf5@1.10:", when="+hdf5")', 'depends_on("hdf5@1.10:", when="+cli")',
     "does not depend on BIK_ENABLE_CLI"),
    ("config file finds something the build does not", "cmake/bikConfig.cmake.in",
     "find_dependency(fmt CONFIG)", "find_dependency(fmt CONFIG)\n  find_dependency(ZLIB)",
     "find_dependency(ZLIB) is not a dependency of the build"),
    ("Kokkos backend pinned", "recipe",
     'depends_on("kokkos@3.4:5")', 'depends_on("kokkos@3.4:5+openmp")', "pins Kokkos (openmp)"),
    ("cuda_lambda asked of Kokkos 5", "recipe",
     'when="^kokkos@:4+cuda"', 'when="^kokkos+cuda"', "cuda_lambda is asked of every Kokkos"),
    ("compiler not from Kokkos", "recipe",
     'self.define("CMAKE_CXX_COMPILER", kokkos.kokkos_cxx)', 'self.define("CMAKE_CXX_COMPILER", "g++")',
     "kokkos_cxx"),
    ("cli allowed without hdf5", "recipe",
     'conflicts("+cli", when="~hdf5", msg="the bik program reads and writes HDF5: use +hdf5 or ~cli")', "",
     "+cli go with ~hdf5"),
    ("invalid Python", "recipe", "def cmake_args(self):", "def cmake_args(self)", "not valid Python"),
]


@pytest.mark.parametrize("change", ONE_SIDED_CHANGES, ids=[c[0] for c in ONE_SIDED_CHANGES])
def test_checker_catches_one_sided_change(texts, change):
    _, side, old, new, expected = change
    recipe_text, cmake_texts = texts
    cmake_texts = dict(cmake_texts)
    if side == "recipe":
        assert old in recipe_text, f"test out of date: {old!r} not in package.py"
        recipe_text = recipe_text.replace(old, new, 1)
    else:
        assert old in cmake_texts[side], f"test out of date: {old!r} not in {side}"
        cmake_texts[side] = cmake_texts[side].replace(old, new, 1)
    problems = check.check_recipe(recipe_text, cmake_texts)
    assert any(expected in p for p in problems), f"expected {expected!r} in:\n" + "\n".join(problems)


def test_layout_checker_rejects_old_layout(tmp_path):
    repo = tmp_path / "spack_repo" / "bik"
    (repo / "packages" / "bik-tools").mkdir(parents=True)
    (repo / "packages" / "bik-tools" / "package.py").write_text("")
    (repo / "repo.yaml").write_text("repo:\n  namespace: other\n")
    problems = check.check_repo_layout(tmp_path)
    assert any("namespace" in p for p in problems)
    assert any("api must be v2.x" in p for p in problems)
    assert any("module-safe" in p for p in problems)
