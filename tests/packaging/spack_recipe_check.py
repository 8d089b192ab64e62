"""Checks bik's Spack recipe (spack/spack_repo/bik/packages/bik/package.py) against bik's
CMake project, without Spack.

The recipe is read with `ast` (never imported: spack_repo and spack.package exist only inside
Spack); the CMake files are read with a small command scanner that follows add_subdirectory()
and include() from the top-level CMakeLists.txt and tracks the if() conditions around every
find_package(). Both inputs are plain texts, so tests can check modified copies.

Entry points: load_texts(), check_recipe(recipe_text, cmake_texts) and
check_repo_layout(spack_dir); each check returns a list of problems (empty means consistent).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

RECIPE = Path("spack/spack_repo/bik/packages/bik/package.py")

# Spack package name -> the name bik's CMake gives find_package().
SPACK_TO_CMAKE = {
    "kokkos": "Kokkos",
    "kokkos-kernels": "KokkosKernels",
    "hdf5": "HDF5",
    "fmt": "fmt",
    "doctest": "doctest",
    "benchmark": "benchmark",
}
# Spack dependencies that are languages or build tools, not CMake packages.
NOT_CMAKE_PACKAGES = {"c", "cxx", "fortran", "cmake", "ninja", "gmake"}
# CMake packages that are not Spack dependencies (they come with the compiler or the system).
NOT_SPACK_DEPS = {"Python", "Python3", "OpenMP", "Threads"}
# Plain CMake variables the recipe may set besides BIK_* options and per-package variables.
CMAKE_VARIABLES = {"CMAKE_CXX_COMPILER", "CMAKE_C_COMPILER", "BUILD_SHARED_LIBS", "CMAKE_BUILD_TYPE"}
# Per-package CMake variables: <Name>_ROOT, <Name>_DIR, CMAKE_{DISABLE,REQUIRE}_FIND_PACKAGE_<Name>.
PACKAGE_VARIABLE = re.compile(
    r"^(?:(?P<root>\w+?)_(?:ROOT|DIR)|CMAKE_(?:DISABLE|REQUIRE)_FIND_PACKAGE_(?P<find>\w+))$"
)
KOKKOS_BACKENDS = ("serial", "openmp", "cuda", "rocm", "sycl", "threads", "hpx", "openmptarget")


# ---------------------------------------------------------------------------------------------
# The recipe
# ---------------------------------------------------------------------------------------------
@dataclass
class Directive:
    kind: str  # depends_on, requires, conflicts, variant, version
    args: list  # positional arguments (strings where they are string constants)
    kwargs: dict
    when: str  # the when= condition, combined with enclosing `with when(...)` blocks
    line: int


@dataclass
class Define:
    variable: str
    variant: str | None  # define_from_variant's variant
    mentioned_variants: set  # variants named in a define()'s value (spec.satisfies("+x"))
    source: str
    line: int


@dataclass
class Recipe:
    class_name: str = ""
    bases: list = field(default_factory=list)
    imports: list = field(default_factory=list)  # (module, names)
    attributes: dict = field(default_factory=dict)  # class-level NAME = "string"
    directives: list = field(default_factory=list)
    defines: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def of_kind(self, kind):
        return [d for d in self.directives if d.kind == kind]

    @property
    def variants(self):
        return {d.args[0]: d for d in self.of_kind("variant")}

    @property
    def dependencies(self):
        return [(spec_name(d.args[0]), d) for d in self.of_kind("depends_on")]


def spec_name(spec: str) -> str:
    """The package name a spec string starts with: 'kokkos@4:+openmp' -> 'kokkos'."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9_.-]*)", spec)
    return match.group(1) if match else ""


def own_variants(when: str) -> set:
    """Variants of the package itself that a when= condition turns on ('+hdf5 ^kokkos+cuda'
    -> {'hdf5'}); conditions on dependencies (after '^') are not included."""
    own = when.split("^", 1)[0]
    return set(re.findall(r"\+\s*(\w+)", own))


def _constant(node):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_constant(e) for e in node.elts)
    return None


class _RecipeVisitor(ast.NodeVisitor):
    DIRECTIVES = {"depends_on", "requires", "conflicts", "variant", "version"}

    def __init__(self, text, recipe):
        self.text = text
        self.recipe = recipe
        self.when = []

    def visit_ImportFrom(self, node):
        self.recipe.imports.append((node.module, [a.name for a in node.names]))

    def visit_ClassDef(self, node):
        if self.recipe.class_name:
            return
        self.recipe.class_name = node.name
        self.recipe.bases = [ast.unparse(b) for b in node.bases]
        for statement in node.body:
            self._class_statement(statement)

    def _class_statement(self, statement):
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                self.recipe.attributes[target.id] = _constant(statement.value)
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            self._directive(statement.value)
        elif isinstance(statement, ast.With):
            conditions = []
            for item in statement.items:
                call = item.context_expr
                if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "when":
                    conditions.append(str(_constant(call.args[0])))
            self.when.extend(conditions)
            for inner in statement.body:
                self._class_statement(inner)
            del self.when[len(self.when) - len(conditions):]
        elif isinstance(statement, ast.For):
            self.recipe.problems.append(
                f"package.py:{statement.lineno}: directives in a for loop are not checked"
            )
        elif isinstance(statement, ast.FunctionDef) and statement.name == "cmake_args":
            self._cmake_args(statement)

    def _directive(self, call):
        name = getattr(call.func, "id", None)
        if name not in self.DIRECTIVES:
            return
        args = [_constant(a) for a in call.args]
        kwargs = {k.arg: _constant(k.value) for k in call.keywords}
        if any(a is None for a in args[:1]) or (args[:1] and not isinstance(args[0], str)):
            self.recipe.problems.append(
                f"package.py:{call.lineno}: {name}() needs a string constant as its first argument"
            )
            return
        when = " ".join(self.when + ([kwargs["when"]] if kwargs.get("when") else []))
        self.recipe.directives.append(Directive(name, args, kwargs, when, call.lineno))

    def _cmake_args(self, function):
        for node in ast.walk(function):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            method = node.func.attr
            if method not in ("define", "define_from_variant") or not node.args:
                continue
            variable = _constant(node.args[0])
            if not isinstance(variable, str):
                self.recipe.problems.append(
                    f"package.py:{node.lineno}: {method}() needs a string constant variable name"
                )
                continue
            source = ast.get_source_segment(self.text, node) or ""
            if method == "define_from_variant":
                variant = _constant(node.args[1]) if len(node.args) > 1 else variable.lower()
                self.recipe.defines.append(Define(variable, variant, set(), source, node.lineno))
            else:
                mentioned = set()
                for inner in ast.walk(node.args[1]) if len(node.args) > 1 else []:
                    value = _constant(inner) if isinstance(inner, ast.Constant) else None
                    if isinstance(value, str):
                        mentioned |= set(re.findall(r"[+~]\s*(\w+)", value.split("^", 1)[0]))
                self.recipe.defines.append(Define(variable, None, mentioned, source, node.lineno))


def parse_recipe(text: str) -> Recipe:
    """Reads package.py without importing it. Raises SyntaxError if it is not valid Python."""
    tree = ast.parse(text, filename="package.py")
    recipe = Recipe()
    _RecipeVisitor(text, recipe).visit(tree)
    return recipe


# ---------------------------------------------------------------------------------------------
# The CMake project
# ---------------------------------------------------------------------------------------------
@dataclass
class Find:
    name: str
    file: str
    line: int
    guards: tuple  # conditions of the enclosing if()s, in this file and in the files that led here
    required: bool


@dataclass
class Project:
    options: dict = field(default_factory=dict)  # name -> file
    finds: list = field(default_factory=list)
    config_finds: list = field(default_factory=list)  # find_dependency() in *.cmake.in: (name, file)
    visited: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def find_names(self):
        return {f.name for f in self.finds}


def strip_cmake_comments(text: str) -> str:
    """Removes '#' comments (and #[[ ]] bracket comments) outside quoted strings."""
    text = re.sub(r"#\[(=*)\[.*?\]\1\]", "", text, flags=re.S)
    out, in_quote, i = [], False, 0
    while i < len(text):
        c = text[i]
        if c == "\\" and in_quote:
            out.append(text[i:i + 2])
            i += 2
            continue
        if c == '"':
            in_quote = not in_quote
        elif c == "#" and not in_quote:
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def cmake_commands(text: str):
    """Yields (command in lower case, argument text, line) for every command invocation."""
    text = strip_cmake_comments(text)
    for match in re.finditer(r"(?m)^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(", text):
        depth, i, in_quote = 1, match.end(), False
        while i < len(text) and depth:
            c = text[i]
            if c == '"' and text[i - 1] != "\\":
                in_quote = not in_quote
            elif not in_quote and c == "(":
                depth += 1
            elif not in_quote and c == ")":
                depth -= 1
            i += 1
        line = text.count("\n", 0, match.start()) + 1
        yield match.group(1).lower(), text[match.end():i - 1], line


def _words(arguments: str):
    return re.findall(r'"[^"]*"|[^\s"]+', arguments)


def _resolve(argument: str) -> str:
    for variable in ("${CMAKE_CURRENT_SOURCE_DIR}/", "${CMAKE_CURRENT_LIST_DIR}/"):
        argument = argument.replace(variable, "")
    return argument.strip('"')


def parse_project(texts: dict) -> Project:
    """Follows the build from CMakeLists.txt through add_subdirectory() and include() (modules
    in cmake/), recording option()s and guarded find_package()s. `texts` maps POSIX paths
    relative to the source root to file contents."""
    project = Project()

    def walk(path: str, inherited: tuple):
        if path in project.visited:
            return
        project.visited.append(path)
        directory = path.rsplit("/", 1)[0] if "/" in path else ""
        stack = []  # conditions of the open if()s in this file
        for command, arguments, line in cmake_commands(texts[path]):
            guards = inherited + tuple(stack)
            condition = " ".join(_words(arguments))
            if command == "if":
                stack.append(condition)
            elif command == "elseif":
                stack[-1] = f"NOT ({stack[-1]}) AND ({condition})"
            elif command == "else":
                stack[-1] = f"NOT ({stack[-1]})"
            elif command == "endif":
                stack.pop()
            elif command == "option":
                project.options[_words(arguments)[0]] = path
            elif command == "find_package":
                words = _words(arguments)
                project.finds.append(Find(words[0], path, line, guards, "REQUIRED" in words))
            elif command == "add_subdirectory":
                sub = _resolve(_words(arguments)[0])
                child = f"{directory}/{sub}/CMakeLists.txt".lstrip("/")
                if child in texts:
                    walk(child, guards)
                else:
                    project.problems.append(f"{path}:{line}: cannot follow add_subdirectory({sub})")
            elif command == "include":
                name = _resolve(_words(arguments)[0])
                for candidate in (f"cmake/{name}.cmake", f"cmake/{name}", name):
                    if candidate in texts:
                        walk(candidate, guards)
                        break

    if "CMakeLists.txt" not in texts:
        project.problems.append("no top-level CMakeLists.txt")
        return project
    walk("CMakeLists.txt", ())
    for path, text in sorted(texts.items()):
        if path.endswith(".cmake.in"):
            for command, arguments, _ in cmake_commands(text):
                if command == "find_dependency":
                    project.config_finds.append((_words(arguments)[0], path))
    return project


def load_texts(root: Path) -> tuple:
    """(recipe text, {relative path: text} of every CMake file outside build trees)."""
    root = Path(root)
    texts = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        if relative.split("/", 1)[0] in ("build", ".git") or not path.is_file():
            continue
        if path.name == "CMakeLists.txt" or path.name.endswith((".cmake", ".cmake.in")):
            texts[relative] = path.read_text()
    return (root / RECIPE).read_text(), texts


# ---------------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------------
def check_recipe(recipe_text: str, cmake_texts: dict) -> list:
    """Every problem found between the recipe and the CMake project; [] when they agree."""
    try:
        recipe = parse_recipe(recipe_text)
    except SyntaxError as error:
        return [f"package.py is not valid Python: {error}"]
    project = parse_project(cmake_texts)
    problems = list(recipe.problems) + list(project.problems)
    problems += _check_structure(recipe)
    problems += _check_options(recipe, project)
    problems += _check_variants(recipe)
    problems += _check_dependencies(recipe, project)
    problems += _check_kokkos(recipe)
    return problems


def _check_structure(recipe):
    problems = []
    if recipe.class_name != "Bik":
        problems.append(f"package.py defines class {recipe.class_name or '(none)'}, expected Bik")
    if "CMakePackage" not in recipe.bases:
        problems.append("class Bik does not derive from CMakePackage")
    if ("spack_repo.builtin.build_systems.cmake", ["CMakePackage"]) not in recipe.imports:
        problems.append("CMakePackage is not imported from spack_repo.builtin.build_systems.cmake")
    if ("spack.package", ["*"]) not in recipe.imports:
        problems.append("missing `from spack.package import *`")
    if not recipe.of_kind("version"):
        problems.append("the recipe declares no version")
    for attribute in ("homepage", "url", "git"):
        value = recipe.attributes.get(attribute)
        if isinstance(value, str) and re.search(r"example\.(org|com)", value):
            problems.append(f"{attribute} is a made-up URL ({value})")
    return problems


def _check_options(recipe, project):
    problems = []
    passed = {d.variable for d in recipe.defines}
    finds = project.find_names()
    for define in recipe.defines:
        variable = define.variable
        if variable.startswith("BIK_"):
            if variable not in project.options:
                problems.append(
                    f"package.py:{define.line}: passes {variable}, which is no option() in the CMake project"
                )
            continue
        package = PACKAGE_VARIABLE.match(variable)
        if package:
            name = package.group("root") or package.group("find")
            if name not in finds:
                problems.append(
                    f"package.py:{define.line}: passes {variable}, but the CMake project has no find_package({name})"
                )
        elif variable not in CMAKE_VARIABLES:
            problems.append(f"package.py:{define.line}: passes unknown CMake variable {variable}")
    for option, path in sorted(project.options.items()):
        if option.startswith("BIK_ENABLE_") and option not in passed:
            problems.append(f"{path}: option {option} is not set by the recipe's cmake_args")
    return problems


def _check_variants(recipe):
    problems = []
    mapped = {d.variant for d in recipe.defines if d.variant}
    for define in recipe.defines:
        mapped |= define.mentioned_variants
    for name, directive in sorted(recipe.variants.items()):
        if name not in mapped:
            problems.append(
                f"package.py:{directive.line}: variant '{name}' is not passed to CMake in cmake_args"
            )
    for define in recipe.defines:
        if define.variant and define.variant not in recipe.variants:
            problems.append(
                f"package.py:{define.line}: {define.variable} comes from variant '{define.variant}', which is not declared"
            )
    return problems


def _option_of_variant(recipe, variant):
    """The CMake variables a variant drives (define_from_variant, or define(..satisfies..))."""
    return {d.variable for d in recipe.defines if d.variant == variant or variant in d.mentioned_variants}


def _check_dependencies(recipe, project):
    problems = []
    finds = project.find_names()
    depended = {}
    for name, directive in recipe.dependencies:
        if name in NOT_CMAKE_PACKAGES:
            continue
        cmake_name = SPACK_TO_CMAKE.get(name)
        if cmake_name is None:
            problems.append(
                f"package.py:{directive.line}: depends_on('{name}') has no known CMake package name (SPACK_TO_CMAKE)"
            )
            continue
        depended.setdefault(cmake_name, []).append(directive)
        if cmake_name not in finds:
            problems.append(
                f"package.py:{directive.line}: depends_on('{name}'), but the CMake project has no find_package({cmake_name})"
            )
    cmake_to_spack = {v: k for k, v in SPACK_TO_CMAKE.items()}
    for find in project.finds:
        if find.name in NOT_SPACK_DEPS or find.name in depended:
            continue
        spack = cmake_to_spack.get(find.name, "?")
        problems.append(
            f"{find.file}:{find.line}: find_package({find.name}) has no depends_on('{spack}') in the recipe"
        )
    for cmake_name, directives in depended.items():
        these = [f for f in project.finds if f.name == cmake_name]
        if not these:
            continue
        unconditional = [d for d in directives if not own_variants(d.when)]
        # A dependency the recipe adds only under +variant must be one the build looks for only
        # when the matching option is on, or one the variant switches off explicitly.
        for directive in directives:
            for variant in own_variants(directive.when):
                variables = _option_of_variant(recipe, variant)
                disabled = f"CMAKE_DISABLE_FIND_PACKAGE_{cmake_name}" in variables
                guarded = all(any(v in g for v in variables for g in f.guards) for f in these)
                if not (disabled or guarded):
                    where = ", ".join(f"{f.file}:{f.line}" for f in these)
                    problems.append(
                        f"package.py:{directive.line}: depends_on('{spec_name(directive.args[0])}') only with "
                        f"+{variant}, but find_package({cmake_name}) ({where}) does not depend on "
                        f"{' or '.join(sorted(variables)) or 'a CMake option of that variant'}"
                    )
        # A REQUIRED find that no option guards needs the dependency in every configuration.
        for find in these:
            if find.required and not any("BIK_" in g for g in find.guards) and not unconditional:
                problems.append(
                    f"{find.file}:{find.line}: find_package({cmake_name} REQUIRED) is unconditional, "
                    f"but the recipe depends on it only when {directives[0].when}"
                )
    for name, path in project.config_finds:
        if name not in finds:
            problems.append(f"{path}: find_dependency({name}) is not a dependency of the build")
    return problems


def _check_kokkos(recipe):
    problems = []
    kokkos_deps = [d for name, d in recipe.dependencies if name == "kokkos"]
    if not kokkos_deps:
        problems.append("the recipe does not depend on kokkos")
    for directive in kokkos_deps:
        pinned = re.findall(r"[+~]\s*(\w+)|(cuda_arch)\s*=", directive.args[0])
        pinned = {a or b for a, b in pinned} & set(KOKKOS_BACKENDS + ("cuda_arch",))
        if pinned:
            problems.append(
                f"package.py:{directive.line}: depends_on('{directive.args[0]}') pins Kokkos "
                f"({', '.join(sorted(pinned))}); depend on a general kokkos"
            )
    for directive in recipe.of_kind("requires") + recipe.of_kind("depends_on"):
        text = " ".join(str(a) for a in directive.args)
        if "cuda_lambda" in text and not re.search(r"kokkos@:4\b|kokkos@[\d.]*:4\b", directive.when + text):
            problems.append(
                f"package.py:{directive.line}: cuda_lambda is asked of every Kokkos, but the variant "
                "only exists up to Kokkos 4 (add ^kokkos@:4 to when=)"
            )
        for backend in KOKKOS_BACKENDS:
            if re.search(rf"\^kokkos[^ ^]*\+{backend}\b", text) and not directive.when:
                problems.append(f"package.py:{directive.line}: requires a Kokkos backend ({backend}) always")
    sources = {d.variable: d.source for d in recipe.defines}
    if "kokkos_cxx" not in sources.get("CMAKE_CXX_COMPILER", ""):
        problems.append("cmake_args does not set CMAKE_CXX_COMPILER to Kokkos' kokkos_cxx")
    if "Kokkos_ROOT" not in sources:
        problems.append("cmake_args does not set Kokkos_ROOT")
    cli_needs_hdf5 = any(
        (d.kind == "conflicts" and d.args[0].strip() == "+cli" and "~hdf5" in d.when)
        or (d.kind == "requires" and d.args[0].strip() == "+hdf5" and "+cli" in d.when)
        for d in recipe.directives
    )
    if "cli" in recipe.variants and not cli_needs_hdf5:
        problems.append("the recipe lets +cli go with ~hdf5, which bik's CMake rejects")
    return problems


def check_repo_layout(spack_dir: Path) -> list:
    """The Spack >= 1.0 repository layout: spack_repo/<namespace>/repo.yaml with api v2.x and
    packages/<module-safe name>/package.py."""
    spack_dir = Path(spack_dir)
    problems = []
    repos = [p.parent for p in (spack_dir / "spack_repo").glob("*/repo.yaml")]
    if not repos:
        return [f"no spack_repo/<namespace>/repo.yaml under {spack_dir}"]
    for repo in repos:
        text = (repo / "repo.yaml").read_text()
        namespace = re.search(r"^\s+namespace:\s*['\"]?([\w.]+)", text, re.M)
        api = re.search(r"^\s+api:\s*['\"]?(v\d+\.\d+)", text, re.M)
        if not re.match(r"^repo:\s*$", text, re.M):
            problems.append(f"{repo}/repo.yaml has no top-level 'repo:' key")
        if not namespace or namespace.group(1) != repo.name:
            problems.append(f"{repo}/repo.yaml: namespace must equal the directory name '{repo.name}'")
        if not api or not api.group(1).startswith("v2."):
            problems.append(f"{repo}/repo.yaml: api must be v2.x (Spack >= 1.0)")
        for package in (repo / "packages").iterdir():
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", package.name):
                problems.append(f"{package}: package directories must be module-safe (underscores)")
            if not (package / "package.py").is_file():
                problems.append(f"{package}: no package.py")
    return problems
