"""cardgen shares nothing with kartoteka: it imports nothing of it, and kartoteka never imports cardgen.

Checked on the source (no import runs): every import in src/cardgen is the standard library or cardgen
itself, so no name table, transliteration or clerk rule of kartoteka can leak into the test data; and no
module of src/kartoteka imports cardgen, so the product never depends on its test-data generator.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def imported_modules(file: Path) -> list[tuple[int, str]]:
    """(line, top-level module) of every absolute import in ``file``, also those inside functions."""
    found = []
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"), filename=str(file))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def test_cardgen_imports_only_the_standard_library_and_itself() -> None:
    files = sorted((SRC / "cardgen").rglob("*.py"))
    assert files, "src/cardgen has no modules"
    offending = [f"{file.relative_to(SRC)}:{line} imports {module}" for file in files
                 for line, module in imported_modules(file)
                 if module != "cardgen" and module not in sys.stdlib_module_names]
    assert not offending, "cardgen must share nothing with kartoteka (standard library only):\n" + "\n".join(offending)


def test_kartoteka_never_imports_cardgen() -> None:
    offending = [f"{file.relative_to(SRC)}:{line}" for file in sorted((SRC / "kartoteka").rglob("*.py"))
                 for line, module in imported_modules(file) if module == "cardgen"]
    assert not offending, "kartoteka must not depend on its test-data generator:\n" + "\n".join(offending)


def test_the_check_sees_an_import_of_kartoteka(tmp_path: Path) -> None:
    """The walker finds imports in functions too (else the tests above would pass on anything)."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from kartoteka.names import x\n    import kartoteka\n", encoding="utf-8")
    assert sorted(imported_modules(module)) == [(2, "kartoteka"), (3, "kartoteka")]
