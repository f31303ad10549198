"""The bilingual glossary (bplib/course/glossary.json): one list of terms that both editions of chapter 00 show."""
import json
from pathlib import Path

import nbformat
import pytest

from bplib import i18n
from bplib.course.glossary import glossary_markdown, glossary_table, load_glossary

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = {p.name[:2]: p for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))}
ENTRIES = load_glossary()


def _chapter_text(number):
    nb = nbformat.read(CHAPTERS[number], as_version=4)
    return "\n".join(cell.source for cell in nb.cells).lower()


def test_entries_are_well_formed():
    assert len(ENTRIES) >= 40
    allowed = {"zh", "en", "chapter", "also", "symbol", "variants", "article"}
    for entry in ENTRIES:
        assert {"zh", "en", "chapter"} <= set(entry) <= allowed, entry
        assert all(isinstance(entry[key], str) and entry[key].strip() for key in ("zh", "en", "chapter")), entry
        assert "|" not in json.dumps(entry, ensure_ascii=False), f"a '|' would break the Markdown table: {entry}"


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["en"] for e in ENTRIES])
def test_every_chapter_of_a_term_exists_and_uses_the_term(entry):
    for number in [entry["chapter"], *entry.get("also", [])]:
        assert number in CHAPTERS, f"{entry['en']}: no chapter {number} in notebooks/"
        text = _chapter_text(number)
        names = [entry["en"], entry["zh"], *entry.get("variants", [])]
        assert any(name.lower() in text for name in names), (
            f"chapter {number} ({CHAPTERS[number].name}) mentions none of {names}")


def test_no_term_twice():
    for key in ("zh", "en"):
        terms = [entry[key].lower() for entry in ENTRIES]
        assert len(terms) == len(set(terms)), f"duplicate {key} terms: " \
            f"{sorted({t for t in terms if terms.count(t) > 1})}"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_both_renderings_contain_every_term(language):
    table = glossary_markdown(language)
    lines = table.strip().splitlines()
    assert len(lines) == 2 + len(ENTRIES)                  # header, rule, one row per term
    for entry, line in zip(ENTRIES, lines[2:]):
        assert entry["en"] in line and entry["zh"] in line, (entry, line)
        if entry.get("article"):
            assert entry["article"] in line


def test_each_language_puts_its_own_column_first():
    assert glossary_markdown("en").startswith("| English | 中文 |")
    assert glossary_markdown("zh").startswith("| 中文 | English | 章节 |")
    with pytest.raises(ValueError):
        glossary_markdown("fr")


def test_the_default_follows_the_current_language():
    previous = i18n.get_language()
    try:
        i18n.set_language("zh")
        assert glossary_table().data == glossary_markdown("zh")
        i18n.set_language("en")
        assert glossary_table().data == glossary_markdown("en")
    finally:
        i18n.set_language(previous)


def test_chapter_00_shows_the_glossary_from_the_data_file():
    nb = nbformat.read(CHAPTERS["00"], as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and "glossary_table()" in c.source]
    assert len(code) == 1
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "| 中文 | English |" not in markdown, "the glossary lives in glossary.json, not in a markdown table"
    shown = "".join(o.get("data", {}).get("text/markdown", "") for o in code[0].outputs)
    assert shown == glossary_markdown("en"), "re-execute notebooks/00_start_here.ipynb"
