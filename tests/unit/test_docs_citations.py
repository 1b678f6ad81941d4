"""
The repository stands alone: its venue notes live in ``docs/`` and nothing points outside it.

- Every citation ``bitget-protocol.md <n>`` / ``bitget-protocol-uta.md <n>`` /
  ``architecture.md <n>`` in any file of the
  repository (code, tests, docs, READMEs) names a numbered heading of that file in ``docs/``.
  Lists (``5.6, 5.8``), ranges (``5.4-5.11``) and citations wrapped onto the next comment or
  docstring line are followed; a bare file mention without a number is not a citation.
- No file refers to material that is not in the repository (the internal reference files and
  sample folder the notes were compiled from).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[2]
DOCS_DIR = ROOT / "docs"
DOC_NAMES = ("bitget-protocol.md", "bitget-protocol-uta.md", "architecture.md")

# Directories that are not part of the repository's content.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".venv",
        "venv",
        "__pycache__",
        ".pytest_cache",
        ".ruff_cache",
        ".mypy_cache",
        "build",
        "dist",
        "node_modules",
    },
)

# References to things outside the repository. Spelled in pieces so that this file does not match
# its own scan (and a plain grep of the repository stays clean).
FORBIDDEN = (
    "../" + "shared",
    "bitget-" + "api.md",  # the internal reference files, under any path
    "bitget-uta-" + "api.md",
    "shared/" + "samples",
    "nautilus-notes" + ".md",
    "BITGET_NT" + "_SAMPLES",
)

_HEADING = re.compile(r"^#{1,6}[ \t]+(\d+(?:\.\d+)*)\.?(?=\s)", re.MULTILINE)
_DOC_REF = re.compile(r"(?:bitget-protocol(?:-uta)?|architecture)\.md")
# A citation continued on the next line of a comment or docstring: newline, indent, optional "#".
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*(?:#+[ \t]*)?")
_SECTION = r"(?:§[ \t]*)?\d+(?:\.\d+)*"
_JOIN = r"[ \t]*(?:,|/|-|\u2013|and)[ \t]*"  # lists and ranges: "5.6, 5.8", "5.4-5.11", "4.4 / 6.1"
_CITED = re.compile(rf"[ \t]*(?:sections?[ \t]+)?(?P<list>{_SECTION}(?:{_JOIN}{_SECTION})*)")
_NUMBER = re.compile(r"\d+(?:\.\d+)*")


def headings(doc: Path) -> list[str]:
    """Return the section numbers of the numbered headings of ``doc``, in order."""
    return _HEADING.findall(doc.read_text(encoding="utf-8"))


def cited_sections(text: str) -> Iterator[tuple[int, str, str]]:
    """Yield ``(line, doc name, section)`` for every section cited in ``text``."""
    for ref in _DOC_REF.finditer(text):
        tail = _LINE_BREAK.sub(" ", text[ref.end() : ref.end() + 160])
        cited = _CITED.match(tail)
        if cited is None:
            continue
        line = text.count("\n", 0, ref.start()) + 1
        for number in _NUMBER.findall(cited.group("list")):
            yield line, ref.group(0), number


def repository_files() -> Iterator[Path]:
    """Yield every text file of the repository (binary files and tool directories skipped)."""
    stack = [ROOT]
    while stack:
        directory = stack.pop()
        for path in sorted(directory.iterdir()):
            if path.is_dir():
                if path.name not in SKIP_DIRS and not path.name.endswith(".egg-info"):
                    stack.append(path)
            elif path.is_file():
                yield path


def read_text(path: Path) -> str | None:
    """Return the text of ``path``, or None for a binary or non-UTF-8 file."""
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _texts() -> list[tuple[Path, str]]:
    texts = []
    for path in repository_files():
        text = read_text(path)
        if text is not None:
            texts.append((path, text))
    return texts


TEXTS = _texts()


@pytest.mark.parametrize("name", DOC_NAMES)
def test_doc_exists_with_unique_numbered_headings(name: str) -> None:
    numbers = headings(DOCS_DIR / name)
    assert numbers, f"docs/{name} has no numbered headings"
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    assert not duplicates, f"docs/{name}: duplicate section headings {duplicates}"


def test_docs_readme_exists() -> None:
    assert (DOCS_DIR / "README.md").is_file()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(bitget-protocol.md 5.7).", ["5.7"]),
        ("(bitget-protocol.md 5.6, 5.8)", ["5.6", "5.8"]),
        ("(bitget-protocol.md 5.4-5.11)", ["5.4", "5.11"]),
        ("(bitget-protocol.md 4.4 / 6.1 ``ticker``)", ["4.4", "6.1"]),
        ("(bitget-protocol.md 6.1 and 9.6).", ["6.1", "9.6"]),
        ("(bitget-protocol.md section 10 example", ["10"]),
        ('(bitget-protocol.md sections 2,\n    3.2).\n"""', ["2", "3.2"]),
        ("(bitget-protocol-uta.md\n# 3.1) has", ["3.1"]),
        ("(bitget-protocol.md 1.2 A)", ["1.2"]),
        ("the v3 layer (bitget-protocol-uta.md): REST", []),
        ("see [bitget-protocol-uta.md](bitget-protocol-uta.md)", []),
    ],
)
def test_citation_parser(text: str, expected: list[str]) -> None:
    assert [number for _, _, number in cited_sections(text)] == expected


def test_every_citation_names_a_heading() -> None:
    sections = {name: set(headings(DOCS_DIR / name)) for name in DOC_NAMES}
    missing = []
    counts = dict.fromkeys(DOC_NAMES, 0)
    for path, text in TEXTS:
        for line, name, number in cited_sections(text):
            counts[name] += 1
            if number not in sections[name]:
                missing.append(f"{path.relative_to(ROOT)}:{line}: {name} {number}")
    assert not missing, "citations without a heading in docs/:\n" + "\n".join(missing)
    # the scan itself works: the code cites both files
    assert all(counts.values()), counts


def test_no_reference_outside_the_repository() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{lineno}: {needle}"
        for path, text in TEXTS
        for lineno, line in enumerate(text.splitlines(), start=1)
        for needle in FORBIDDEN
        if needle in line
    ]
    assert not found, "references to files outside the repository:\n" + "\n".join(found)
