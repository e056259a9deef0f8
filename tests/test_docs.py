"""The docs keep up with the code: generated pages current, every command and setting documented, no dead links.

- The CLI and settings reference pages are what ``scripts/gen_cli_docs.py`` generates from the code now.
- Every command a user runs is shown in README.md or a page under docs/ other than the generated reference
  (a tutorial or how-to line such as ``kartoteka -d a.sqlite link``): a new command fails here until someone
  writes about it.
- Every relative link in README.md and docs/**/*.md reaches an existing file (and heading, for ``#anchors``).
- Every setting has a row in the settings page, and what that page says (environment names, the TOML example,
  the order of precedence) is what ``load_settings`` does.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import unicodedata
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from kartoteka.core.settings import ENV_PREFIX, SETTINGS_TABLE, Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"


@cache
def generator() -> ModuleType:
    """scripts/gen_cli_docs.py imported as a module (scripts/ is not a package)."""
    path = ROOT / "scripts" / "gen_cli_docs.py"
    spec = importlib.util.spec_from_file_location("gen_cli_docs", path)
    assert spec is not None and spec.loader is not None, f"cannot load {path}"
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_cli_docs", module)
    spec.loader.exec_module(module)
    return module


def markdown_files() -> list[Path]:
    """README.md and every page under docs/, in a stable order."""
    return [README, *sorted(DOCS.rglob("*.md"))]


def generated_pages() -> set[Path]:
    return {ROOT / page for page in generator().rendered_pages()}


# ---------------------------------------------------------------- (a) the generated pages are current


def test_generated_reference_pages_are_current():
    stale = generator().stale_pages(ROOT)
    assert not stale, (
        "The generated reference is out of date with the code. Run `python scripts/gen_cli_docs.py` "
        "and commit the result.\n\n" + generator().diff_summary(stale)
    )


def test_check_mode_reports_pages_that_differ_from_the_code(tmp_path):
    (tmp_path / "docs" / "reference").mkdir(parents=True)
    (tmp_path / generator().CLI_PAGE).write_text("# CLI reference\n\nout of date\n", encoding="utf-8")
    stale = generator().stale_pages(tmp_path)
    assert set(stale) == {generator().CLI_PAGE, generator().SETTINGS_PAGE}
    summary = generator().diff_summary(stale)
    assert "-out of date" in summary and "python scripts/gen_cli_docs.py" in summary


def test_the_walker_finds_top_level_and_nested_commands():
    paths = generator().leaf_command_paths()
    assert {"import", "link", "names read", "names compare"} <= set(paths), paths
    assert "names" not in paths, "a group is not a command a user runs"
    assert len(paths) == len(set(paths))


# ---------------------------------------------------------------- (b) every command is shown outside the reference


def mention_pattern(command_path: str) -> re.Pattern[str]:
    """`kartoteka`, any program options (`-d x.sqlite`, `--quiet`), then the command's words."""
    options = []
    for spellings, takes_value in generator().global_options():
        names = "|".join(re.escape(spelling) for spelling in sorted(spellings, key=len, reverse=True))
        options.append(rf"(?:{names})(?:=|\s+)\S+" if takes_value else rf"(?:{names})")
    global_option = "|".join(options) or "(?!)"
    words = r"\s+".join(re.escape(word) for word in command_path.split())
    return re.compile(rf"\bkartoteka(?:\s+(?:{global_option}))*\s+{words}(?![\w-])")


@pytest.mark.parametrize(
    ("text", "command", "found"),
    [
        ("run `kartoteka link` now", "link", True),
        ("kartoteka -d tut.sqlite --quiet import arch", "import", True),
        ("kartoteka --database=a.sqlite names read 東條", "names read", True),
        ("kartoteka names compare A B", "names read", False),
        ("kartoteka linker", "link", False),
        ("the kartoteka review-queue", "review", False),
    ],
)
def test_a_mention_is_the_program_then_its_options_then_the_command(text, command, found):
    assert bool(mention_pattern(command).search(text)) is found


def test_every_command_is_shown_in_the_readme_or_a_docs_page():
    pages = [path for path in markdown_files() if path not in generated_pages() and path.exists()]
    text = "\n".join(path.read_text(encoding="utf-8") for path in pages)
    missing = [path for path in generator().leaf_command_paths() if not mention_pattern(path).search(text)]
    assert not missing, (
        "These commands are in the CLI but no page shows them being run (README.md, docs/ other than the "
        "generated reference): " + ", ".join(f"`kartoteka {path}`" for path in missing)
        + ".\nAdd a line that runs each one to the tutorial, a how-to or the README."
    )


# ---------------------------------------------------------------- (c) relative links reach their target

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^()\s<>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _without_code(text: str) -> str:
    """Blank out fenced blocks and inline code (keeping line numbers): links there are examples, not links."""
    text = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return INLINE_CODE.sub(lambda m: " " * len(m.group(0)), text)


def links_in(text: str) -> list[tuple[int, str]]:
    """(line number, target) of every Markdown link outside code."""
    prose = _without_code(text)
    found = [(m.start(), m.group(1)) for m in INLINE_LINK.finditer(prose)]
    found += [(m.start(), m.group(1)) for m in REFERENCE_LINK.finditer(prose)]
    return sorted((prose.count("\n", 0, start) + 1, target) for start, target in found)


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    heading = re.sub(r"`|\*|_{2,}|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    kept = "".join(ch for ch in heading if ch in " -_" or unicodedata.category(ch)[0] in "LNM")
    return kept.replace(" ", "-")


def anchors_of(path: Path) -> set[str]:
    """Every heading anchor of a Markdown file, with GitHub's -1, -2 suffixes for repeated headings."""
    seen: dict[str, int] = {}
    anchors = set()
    for match in HEADING.finditer(FENCE.sub("", path.read_text(encoding="utf-8"))):
        slug = github_anchor(match.group(1))
        anchors.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
        seen[slug] = seen.get(slug, 0) + 1
    return anchors


def broken_links(page: Path) -> list[str]:
    """The relative links of one page that reach no file, or no heading of the file they name."""
    problems = []
    for line, target in links_in(page.read_text(encoding="utf-8")):
        if SCHEME.match(target):
            continue  # http(s), mailto: not checked here (no internet)
        file_part, _, anchor = target.partition("#")
        destination = (page.parent / file_part).resolve() if file_part else page
        where = f"{page.relative_to(ROOT)}:{line}: ({target})"
        if not destination.exists():
            problems.append(f"{where} -> no file {destination.relative_to(ROOT) if destination.is_relative_to(ROOT) else destination}")
        elif anchor and destination.suffix == ".md" and anchor.lower() not in anchors_of(destination):
            problems.append(f"{where} -> no heading #{anchor} in {destination.relative_to(ROOT)}")
    return problems


def test_links_are_found_outside_code_only():
    text = "see [a](a.md) and `[b](b.md)`\n```\n[c](c.md)\n```\n[d]: d.md#x\n![e](img/e.png \"t\")"
    assert links_in(text) == [(1, "a.md"), (5, "d.md#x"), (6, "img/e.png")]


def test_github_anchors():
    assert github_anchor("kartoteka names read") == "kartoteka-names-read"
    assert github_anchor("1. The standard: Polivanov (decision [0001](x.md))") == "1-the-standard-polivanov-decision-0001"
    assert github_anchor("`--same` and `--not-same`") == "--same-and---not-same"


@pytest.mark.parametrize("page", markdown_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_reaches_a_file(page):
    if not page.exists():
        pytest.fail(f"{page.relative_to(ROOT)} is missing", pytrace=False)
    problems = broken_links(page)
    assert not problems, "Broken links:\n" + "\n".join(problems)


# ---------------------------------------------------------------- (d) every setting is documented, truthfully


def documented_settings() -> dict[str, dict[str, str]]:
    """The rows of the settings table in docs/reference/settings.md, by setting name (cells without backticks)."""
    rows = {}
    text = (ROOT / generator().SETTINGS_PAGE).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    for line in lines[2:]:
        cells = [cell.strip().strip("`") for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        rows[cells[0]] = dict(zip(header, cells, strict=False))
    return rows


@pytest.fixture
def clean_environment(monkeypatch, tmp_path):
    """No KARTOTEKA_* variables and an empty working directory (no stray kartoteka.toml)."""
    for spec in SETTINGS_TABLE:
        monkeypatch.delenv(ENV_PREFIX + spec.name.upper(), raising=False)
    monkeypatch.delenv(ENV_PREFIX + "CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_every_setting_has_a_row_in_the_settings_page():
    documented = documented_settings()
    missing = [spec.name for spec in SETTINGS_TABLE if spec.name not in documented]
    assert not missing, f"settings not in docs/reference/settings.md: {missing}; run `python scripts/gen_cli_docs.py`"
    for spec in SETTINGS_TABLE:
        assert documented[spec.name]["help"], f"setting {spec.name!r} has no help text in the settings page"


def _another_value(spec):  # a value of the setting's type that is not its default
    if spec.type is bool:
        return not spec.default
    if spec.type is int:
        return spec.default + 1
    return f"{spec.default}-changed"


@pytest.mark.parametrize("spec", SETTINGS_TABLE, ids=lambda spec: spec.name)
def test_the_documented_environment_variable_sets_the_setting(spec, clean_environment):
    variable = documented_settings()[spec.name]["environment"]
    value = _another_value(spec)
    clean_environment.setenv(variable, str(value).lower() if isinstance(value, bool) else str(value))
    assert getattr(load_settings(), spec.name) == value


def test_the_documented_toml_example_loads_to_the_defaults(clean_environment, tmp_path):
    text = (ROOT / generator().SETTINGS_PAGE).read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", text, re.DOTALL)
    assert example, "the settings page has no ```toml example"
    (tmp_path / "kartoteka.toml").write_text(example.group(1), encoding="utf-8")
    assert load_settings() == Settings()
    assert {spec.name for spec in SETTINGS_TABLE} <= set(re.findall(r"^(\w+) =", example.group(1), re.MULTILINE))


def test_the_documented_precedence_holds(clean_environment, tmp_path):
    """defaults < kartoteka.toml < environment < flags, as the settings page says."""
    assert "defaults < `kartoteka.toml` < environment" in (ROOT / generator().SETTINGS_PAGE).read_text("utf-8")
    assert load_settings().database == Settings().database
    (tmp_path / "kartoteka.toml").write_text('database = "from-toml.sqlite"\n', encoding="utf-8")
    assert load_settings().database == "from-toml.sqlite"
    clean_environment.setenv(ENV_PREFIX + "DATABASE", "from-env.sqlite")
    assert load_settings().database == "from-env.sqlite"
    assert load_settings(database="from-flag.sqlite").database == "from-flag.sqlite"
