"""Static checks of bik's Spack recipe against the CMake project (no Spack needed).

They guard what drifts silently when one side changes: CMake options vs variants, what CMake
finds (and under which option) vs depends_on, the CMake floor, the Kokkos backends bik's CMake
accepts, and the recipe bugs a real Spack caught (see spack/README.md for the Spack commands the
recipe is checked with by hand). The recipe is read with `ast`, never imported: its imports
exist only inside Spack.

Run: python -m pytest -q tests/packaging
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "spack/spack_repo/bik/packages/bik/package.py"

# Spack package -> the name bik's CMake gives find_package().
CMAKE_NAME = {"kokkos": "Kokkos", "kokkos-kernels": "KokkosKernels", "hdf5": "HDF5",
              "fmt": "fmt", "doctest": "doctest", "benchmark": "benchmark"}
# CMake options for developers, not packagers.
# (BIK_CONSUMER_RUN: the CUDA leg builds the consumer test without running it; default ON.)
DEVELOPER_OPTIONS = {"BIK_WARNINGS_AS_ERRORS", "BIK_BUILD_FUZZERS", "BIK_CONSUMER_RUN"}


def recipe():
    """(directives, source) where directives are (name, args, kwargs) of the class body calls
    with constant arguments, and source is the recipe text."""
    text = RECIPE.read_text()
    cls = next(n for n in ast.parse(text).body if isinstance(n, ast.ClassDef) and n.name == "Bik")
    directives = []
    for node in cls.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            args = [a.value for a in call.args if isinstance(a, ast.Constant)]
            kwargs = {k.arg: k.value.value for k in call.keywords if isinstance(k.value, ast.Constant)}
            directives.append((call.func.id, args, kwargs))
    return directives, text


def cmake_commands(path, guards=()):
    """(command, arguments, guards) for every command reached from `path` through
    add_subdirectory() and include(); guards are the BIK_* options of the enclosing if()s."""
    text = re.sub(r"#[^\n]*", "", path.read_text())
    stack = []
    for name, arguments in re.findall(r"\b(\w+)\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)", text):
        name, words = name.lower(), arguments.split()
        current = tuple(guards) + tuple(g for g in stack if g)
        if name == "if":
            stack.append(next((w for w in words if w.startswith("BIK_")), None))
        elif name == "endif":
            stack.pop()
        elif name == "add_subdirectory":
            yield from cmake_commands(path.parent / words[0] / "CMakeLists.txt", current)
        elif name == "include" and (ROOT / "cmake" / f"{words[0]}.cmake").is_file():
            yield from cmake_commands(ROOT / "cmake" / f"{words[0]}.cmake", current)
        else:
            yield name, words, current


def test_cmake_options_and_variants_agree():
    directives, text = recipe()
    commands = list(cmake_commands(ROOT / "CMakeLists.txt"))
    options = {w[0] for n, w, _ in commands if n == "option" and w[0].startswith("BIK_")}
    passed = set(re.findall(r'define(?:_from_variant)?\(\s*"(BIK_\w+)"', text))
    assert passed == options - DEVELOPER_OPTIONS, "BIK_* options set by cmake_args vs option()s"
    variants = {args[0] for name, args, _ in directives if name == "variant"}
    used = set(re.findall(r'define_from_variant\(\s*"\w+",\s*"(\w+)"', text))
    used |= set(re.findall(r'define\(\s*"\w+",\s*self\.spec\.satisfies\("[~+](\w+)"\)', text))
    assert variants == used, "every variant, and only variants, reach cmake_args"
    # Tests follow Spack's run_tests convention, not a variant.
    assert 'self.define("BIK_ENABLE_TESTS", self.run_tests)' in text


def test_dependencies_match_find_package():
    directives, _ = recipe()
    depends = {}
    for name, args, kwargs in directives:
        if name == "depends_on":
            spec = re.match(r"[\w-]+", args[0]).group()
            if spec in CMAKE_NAME:
                depends.setdefault(CMAKE_NAME[spec], []).append(kwargs)
    finds = {w[0]: guards for n, w, guards in cmake_commands(ROOT / "CMakeLists.txt")
             if n == "find_package"}
    assert set(finds) == set(depends), "find_package() names vs depends_on"
    variant_of = {"BIK_ENABLE_HDF5": "+hdf5", "BIK_ENABLE_BENCHMARKS": "+benchmarks"}
    for cmake_name, guards in finds.items():
        for kwargs in depends[cmake_name]:
            if "BIK_ENABLE_TESTS" in guards:
                assert kwargs.get("type") == "test", f"{cmake_name} is a test dependency"
            elif guards:
                assert kwargs.get("when") == variant_of[guards[-1]], f"{cmake_name} under {guards}"
    # Found QUIET (optional): only a variant brings it in.
    assert all(k.get("when") == "+kokkoskernels" for k in depends["KokkosKernels"])
    assert [k for k in depends["Kokkos"] if "when" not in k], "an unconditional kokkos"
    assert [k for k in depends["fmt"] if "when" not in k], "an unconditional fmt"
    assert all(k.get("type") == "build" for k in depends["benchmark"]), "benchmarks aren't installed"


def test_cmake_floor_and_kokkos_backends_agree():
    directives, text = recipe()
    top = (ROOT / "CMakeLists.txt").read_text()
    floor = re.search(r"cmake_minimum_required\(VERSION ([\d.]+)", top).group(1)
    assert ("depends_on", [f"cmake@{floor}:"], {"type": "build"}) in directives
    if "CMAKE_REQUIRE_FIND_PACKAGE_" in text:  # CMake 3.22's
        assert ("depends_on", ["cmake@3.22:"], {"type": "build", "when": "+kokkoskernels"}) in directives
    # The recipe asks Kokkos for a host backend bik's CMake accepts (CUDA needs one too).
    deps = (ROOT / "cmake/bikDependencies.cmake").read_text()
    cmake_backends = re.search(r"foreach\(_space ([A-Z ]+)\)", deps).group(1).lower().split()
    assert ("conflicts", ["^kokkos~serial~openmp"]) in [(n, a) for n, a, _ in directives]
    assert set(cmake_backends) == {"serial", "openmp", "cuda"}, "bik's backends changed: update the recipe"


def test_recipe_avoids_what_a_real_spack_rejected():
    directives, text = recipe()
    code = re.sub(r"#[^\n]*|\"\"\"[\s\S]*?\"\"\"", "", text)
    # kokkos_cxx and self["kokkos-nvcc-wrapper"] fail for an external Kokkos.
    assert ".kokkos_cxx" not in code
    assert code.count('["kokkos-nvcc-wrapper"]') <= code.count('"kokkos-nvcc-wrapper" in self.spec')
    assert re.search(r"^    git = ", text, re.M), "version('main', branch=...) needs a git URL"
    conflicts = [(a, k.get("when")) for n, a, k in directives if n == "conflicts"]
    assert (["^kokkos+cuda~wrapper"], None) in conflicts
    assert (["^kokkos~shared~pic"], "+shared") in conflicts
    # requires(..., policy="any_of") weighs its choices: the concretizer then flips variants.
    assert not [k for n, _, k in directives if n == "requires" and k.get("policy") == "any_of"]
    # Stand-alone tests (`spack test run bik`).
    assert {"test_info", "test_demo"} <= set(re.findall(r"^    def (test_\w+)\(", text, re.M))
    assert 'raise SkipTest("bik was built without its program (~cli)")' in text


def test_repository_layout():
    repo = ROOT / "spack/spack_repo/bik"
    assert re.search(r"namespace:\s*['\"]?bik\b", (repo / "repo.yaml").read_text())
    assert re.search(r"api:\s*['\"]?v2\.", (repo / "repo.yaml").read_text())
    assert [p.name for p in (repo / "packages").iterdir()] == ["bik"]
