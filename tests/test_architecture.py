"""The one-way dependency rule and the module-size guard, checked on the source itself (no imports run).

    cli, web ──▶ services (ingest, simulate, linkage, search, gazetteer, stats) ──▶ store, names ──▶ core

Each package under src/kartoteka may import only the kartoteka packages listed for it in ``ALLOWED``; only
linkage/ imports splink; every module stays under ``MAX_MODULE_LINES``. A failure names the file, the line
and the offending import. A new package needs a row in ``ALLOWED`` (the test says so).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "kartoteka"
MAX_MODULE_LINES = 600
ANYTHING = None  # the thin outer layers may import every package

SERVICE_DEPENDENCIES = frozenset({"store", "names", "core"})
ALLOWED: dict[str, frozenset[str] | None] = {
    "core": frozenset(),
    "names": frozenset({"core"}),
    "store": frozenset({"core"}),
    # the importer resolves the place texts of the records it writes through the gazetteer, in its transaction
    "ingest": frozenset({"store", "names", "core", "gazetteer"}),
    # the simulator writes files with the bundled mapping headers, so it may read ingest.mappings (only that)
    "simulate": frozenset({"names", "core", "ingest.mappings"}),
    "linkage": SERVICE_DEPENDENCIES,
    # search reads the persons of the linkage and its reading keys; link writes the index through a function
    # its caller passes (the CLI), so linkage never imports search
    "search": frozenset({"store", "names", "core", "linkage", "access"}),
    # the catalog: what pages, the API and exports read (public fields only, through access.policy)
    "catalog": frozenset({"store", "names", "core", "linkage", "search", "access"}),
    "access": frozenset({"core"}),
    "gazetteer": SERVICE_DEPENDENCIES,
    # the numbers: counts from the linked persons, camps resolved through the gazetteer
    "stats": frozenset({"store", "names", "core", "linkage", "gazetteer"}),
    # accounts, roles, sessions, tokens, access requests; the audit log is written by every layer
    "accounts": frozenset({"store", "core", "access", "audit"}),
    "audit": frozenset({"store", "core"}),
    "cli": ANYTHING,
    "web": ANYTHING,
}
# Modules directly under src/kartoteka (the package root, __main__, demo) are entry points: anything goes.
SPLINK_PACKAGES = {"linkage"}


@dataclass(frozen=True)
class Import:
    """One import statement's target, with where it is."""

    file: Path
    line: int
    target: str  # dotted module, e.g. "kartoteka.store.schema" or "splink.comparison_library"

    def where(self, root: Path) -> str:
        return f"{self.file.relative_to(root.parent)}:{self.line}"


def _module_name(file: Path, root: Path) -> list[str]:
    parts = list(file.relative_to(root.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def imports_of(file: Path, root: Path) -> list[Import]:
    """Every import in the file (also inside functions and TYPE_CHECKING blocks), relative ones resolved."""
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    package = _module_name(file, root)
    if file.name != "__init__.py":
        package = package[:-1]
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(Import(file, node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            # "from kartoteka.ingest import mappings" imports the submodule: keep the name on the target
            found.extend(Import(file, node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return found


def _allowed(target: str, rule: frozenset[str], root: Path) -> bool:
    inside = target.split(".")[1:]
    names_a_module = inside and ((root / inside[0]).is_dir() or (root / f"{inside[0]}.py").exists())
    if not names_a_module:  # "kartoteka" itself: the root re-exports only the version and the error type
        return True
    for allowed in rule:
        parts = allowed.split(".")
        if inside[: len(parts)] == parts:
            return True
    return False


def dependency_violations(root: Path, package: str) -> list[str]:
    """Each import in one package that breaks the one-way rule, as "file:line imports X (...)"."""
    rule = ALLOWED[package]
    problems = []
    for file in sorted((root / package).rglob("*.py")):
        for item in imports_of(file, root):
            top = item.target.split(".")[0]
            if top == "splink" and package not in SPLINK_PACKAGES:
                problems.append(f"{item.where(root)} imports {item.target}: only linkage/ may import splink")
            elif top == root.name and rule is not ANYTHING and not _allowed(item.target, rule, root):
                own = item.target.split(".")[1] == package
                if not own:
                    allowed = ", ".join(sorted(rule)) or "no other kartoteka package"
                    problems.append(
                        f"{item.where(root)} imports {item.target}: {package}/ may import only {allowed}"
                    )
    return problems


def packages(root: Path) -> list[str]:
    """The packages (folders with an __init__.py) directly under the source root."""
    return sorted(p.parent.name for p in root.glob("*/__init__.py"))


def oversized_modules(root: Path, limit: int = MAX_MODULE_LINES) -> list[str]:
    """Modules with ``limit`` lines or more, as "path: N lines"."""
    problems = []
    for file in sorted(root.rglob("*.py")):
        count = len(file.read_text(encoding="utf-8").splitlines())
        if count >= limit:
            problems.append(f"{file.relative_to(root.parent)}: {count} lines (keep modules under {limit})")
    return problems


# --- the rule on the real source -------------------------------------------------------------------

def test_every_package_has_a_dependency_rule():
    missing = [name for name in packages(SRC) if name not in ALLOWED]
    assert not missing, (
        f"packages without a dependency rule: {missing}; add each to ALLOWED in tests/test_architecture.py "
        "(which kartoteka packages it may import)"
    )


@pytest.mark.parametrize("package", [name for name in packages(SRC) if name in ALLOWED])
def test_dependencies_point_one_way(package):
    problems = dependency_violations(SRC, package)
    assert not problems, "imports against the one-way rule:\n  " + "\n  ".join(problems)


def test_modules_stay_small():
    problems = oversized_modules(SRC)
    assert not problems, "modules too long (split them by concept):\n  " + "\n  ".join(problems)


# --- the checker catches what it should (on a throwaway source tree) -------------------------------

def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def fake_source(tmp_path: Path) -> Path:
    root = tmp_path / "kartoteka"
    for package in ("core", "names", "store", "ingest", "simulate", "linkage", "cli"):
        _write(root, f"{package}/__init__.py", "")
    _write(root, "core/dates.py", "import re\nfrom kartoteka.core.errors import KartotekaError\nfrom . import model\n")
    _write(root, "__init__.py", "from kartoteka.core.errors import KartotekaError\n")
    _write(root, "demo.py", "from kartoteka.cli import app\n")
    _write(root, "core/bad.py", "def f():\n    from kartoteka.store import open_store\n")
    _write(root, "core/root.py", "from kartoteka import KartotekaError\nfrom kartoteka import demo\n")
    _write(root, "names/keys.py", "from ..store.schema import records\n")
    _write(root, "simulate/write.py", "from kartoteka.ingest import mappings\nfrom kartoteka.ingest.readers import x\n")
    _write(root, "ingest/readers.py", "import splink\nfrom kartoteka.store import schema\n")
    _write(root, "linkage/model.py", "import splink.comparison_library as cl\nfrom kartoteka.store import schema\n")
    _write(root, "cli/app.py", "from kartoteka.linkage import model\nfrom kartoteka.simulate import write\n")
    _write(root, "store/big.py", "x = 1\n" * MAX_MODULE_LINES)
    return root


def test_checker_names_file_line_and_import_of_each_violation(fake_source):
    assert dependency_violations(fake_source, "core") == [
        "kartoteka/core/bad.py:2 imports kartoteka.store.open_store: core/ may import only no other kartoteka package",
        "kartoteka/core/root.py:2 imports kartoteka.demo: core/ may import only no other kartoteka package",
    ]
    assert dependency_violations(fake_source, "names") == [
        "kartoteka/names/keys.py:1 imports kartoteka.store.schema.records: names/ may import only core"
    ]
    assert dependency_violations(fake_source, "simulate") == [
        "kartoteka/simulate/write.py:2 imports kartoteka.ingest.readers.x: "
        "simulate/ may import only core, ingest.mappings, names"
    ]
    assert dependency_violations(fake_source, "ingest") == [
        "kartoteka/ingest/readers.py:1 imports splink: only linkage/ may import splink"
    ]
    assert dependency_violations(fake_source, "linkage") == []
    assert dependency_violations(fake_source, "cli") == []


def test_checker_resolves_relative_imports(fake_source):
    targets = [i.target for i in imports_of(fake_source / "core" / "dates.py", fake_source)]
    assert targets == ["re", "kartoteka.core.errors.KartotekaError", "kartoteka.core.model"]


def test_size_guard_names_the_long_module(fake_source):
    assert oversized_modules(fake_source) == [f"kartoteka/store/big.py: {MAX_MODULE_LINES} lines (keep modules under 600)"]
