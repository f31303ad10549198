"""The Chinese edition (中文版), one source for two editions: what keeps notebooks/zh/ from drifting.

a) Every English chapter has a complete translation that is not stale (translations/zh/NN_*.json, checked by
   tools/make_chinese_edition.py's `problems()`), and notebooks/zh/NN_*.ipynb holds exactly what the generator
   makes from the two (`build()` + `sources()`), executed and stored. These tests are strict for ALL chapters.
b) The mechanism itself, on temporary copies of notebooks/ and translations/: a changed English markdown cell is
   reported "stale" with its cell id, a removed translation "without a translation", an orphaned entry and a
   "replace" piece that no longer occurs in the code are reported, and `--check` exits 1 on each.
c) bplib's catalogues (bplib/locale/zh/*.json): every `tr(...)` call in bplib's source has a literal English
   template as its first argument, every literal has a Chinese entry and every entry its literal, placeholders
   match; on a temporary copy, a changed English template shows up as missing + orphaned (stale).
d) Student copies exist for both editions (tools/make_student_copies.py), the Chinese ones without NBVAL markers.
e) JupyterLab's own Chinese interface: the language pack in requirements.txt is installed, fits the installed
   JupyterLab, and a Jupyter server on 127.0.0.1 lists and serves it.
"""
import ast
import importlib.metadata
import importlib.util
import json
import re
import shutil
import string
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
EN_DIR = ROOT / "notebooks"
ZH_DIR = EN_DIR / "zh"
TRANSLATIONS = ROOT / "translations" / "zh"
BPLIB = ROOT / "bplib"
CHAPTERS = sorted(EN_DIR.glob("[0-9][0-9]_*.ipynb"))
IDS = [p.stem for p in CHAPTERS]
#: the chapter the mechanism tests work on (copied to a temporary folder)
SAMPLE = "01_forward_pass"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# maths in markdown: $$…$$ first, then $…$ (which may wrap onto the next line); code spans are removed first
MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+?\$", re.S)
CODE_SPAN = re.compile(r"```.*?```|`[^`\n]*`", re.S)
TEXT_IN_MATHS = re.compile(r"\\(?:text|textrm|textit|textbf|mathrm|mbox)\{[^{}]*\}")


def formulas(markdown):
    """The formulas of a markdown text, whitespace squeezed out and words in \\text{…} blanked (they are
    translated: `\\text{i.e.}` becomes `\\text{即}`); the mathematics itself must stay as it is."""
    found = MATH.findall(CODE_SPAN.sub(" ", markdown))
    return [TEXT_IN_MATHS.sub(r"\\text{}", re.sub(r"\s+", "", m)) for m in found]


def _load_tool(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_tool("make_chinese_edition")
copies = _load_tool("make_student_copies")
grader = _load_tool("grade")


def _read(path):
    return nbformat.read(path, as_version=4)


# ================================================================== a) every chapter, translated and generated
@pytest.mark.parametrize("en_path", CHAPTERS, ids=IDS)
def test_every_chapter_has_a_complete_current_translation(en_path):
    found = gen.problems(_read(en_path), gen.load_translation(en_path.stem, TRANSLATIONS))
    assert not found, (f"translations/zh/{en_path.stem}.json does not match the English chapter "
                       f"(python tools/make_chinese_edition.py --skeleton {en_path.stem} adds missing entries):\n  "
                       + "\n  ".join(found))


@pytest.mark.parametrize("en_path", CHAPTERS, ids=IDS)
def test_every_chinese_notebook_is_what_the_generator_makes(en_path):
    zh_path = ZH_DIR / en_path.name
    assert zh_path.exists(), (f"notebooks/zh/{en_path.name} is missing: run tools/make_chinese_edition.py, then "
                              f"tools/execute_notebooks.py notebooks/zh/{en_path.name}")
    try:
        built = gen.build(en_path, translations=TRANSLATIONS)
    except gen.TranslationError as exc:
        pytest.fail(str(exc), pytrace=False)
    stored = _read(zh_path)
    have, want = gen.sources(stored), gen.sources(built)
    differ = [f"{w[0]} ({w[1]})" for h, w in zip(have, want) if h != w]
    assert have == want, (f"notebooks/zh/{en_path.name} differs from what the translations make (cells "
                          f"{differ[:8]}{'' if len(have) == len(want) else f'; {len(have)} cells, not {len(want)}'}): "
                          f"run tools/make_chinese_edition.py, then tools/execute_notebooks.py on it")
    assert stored.metadata.get("language") == "zh-CN"
    english = _read(en_path)
    unexecuted = [c.id for c, e in zip(stored.cells, english.cells)
                  if c.cell_type == "code" and e.execution_count is not None and c.execution_count is None]
    assert not unexecuted, (f"notebooks/zh/{en_path.name}: code cells {unexecuted[:8]} were not executed: run "
                            f"tools/execute_notebooks.py notebooks/zh/{en_path.name}")


def test_no_chinese_notebook_or_translation_without_its_english_chapter():
    names = {p.stem for p in CHAPTERS}
    orphans = sorted(f"notebooks/zh/{p.name}" for p in ZH_DIR.glob("*.ipynb") if p.stem not in names)
    orphans += sorted(f"translations/zh/{p.name}" for p in TRANSLATIONS.glob("*.json") if p.stem not in names)
    assert not orphans, f"left over from a renamed or removed chapter: {orphans}"


def _zh_cells(en_path):
    """[(English cell, its Chinese text)] for the markdown cells that have a translation."""
    cells = gen.load_translation(en_path.stem, TRANSLATIONS).get("cells", {})
    return [(c, cells[c.id]["zh"]) for c in _read(en_path).cells
            if c.cell_type == "markdown" and (cells.get(c.id) or {}).get("zh")]


@pytest.mark.parametrize("en_path", CHAPTERS, ids=IDS)
def test_translations_keep_the_maths_the_exercise_numbers_and_the_solutions_only_markers(en_path):
    """The language rules a test can check: every $…$ formula of the English cell is in its translation
    (unchanged but for words in \\text{…}; a cell quoting the article, 原文, may give the article's own formula
    where the English paraphrases it), an exercise heading keeps its number and stars (tools/grade.py reads them), and a
    SOLUTIONS-ONLY passage stays marked (the student copy leaves it out). Some Chinese text in every cell."""
    problems = []
    for cell, zh in _zh_cells(en_path):
        zh_maths = set(formulas(zh))
        lost = [m for m in formulas(cell.source) if m not in zh_maths]
        if lost and "原文" not in zh:     # beside an erratum, the article's own formula is quoted instead
            problems.append(f"{cell.id}: formulas changed or left out: {lost[:3]}")
        for heading in re.findall(r"^#+\s*Exercise\s+(\d\d\.\d+)\s*(★+)", cell.source, re.M):
            match = grader.HEADING.search(zh)
            number = match and (match.group("number") or match.group("starred"))
            if number != heading[0] or f"{heading[0]} {heading[1]}" not in re.sub(r"[ \t]+", " ", zh):
                problems.append(f"{cell.id}: the heading of exercise {heading[0]} must keep '{heading[0]} "
                                f"{heading[1]}' (e.g. '### 练习 {heading[0]} {heading[1]} — ...')")
        for marker in ("<!-- BEGIN SOLUTIONS-ONLY -->", "<!-- END SOLUTIONS-ONLY -->"):
            if cell.source.count(marker) != zh.count(marker):
                problems.append(f"{cell.id}: keep {marker} as in the English cell")
        prose = re.sub(r"`[^`]*`|\]\([^)]*\)|<[^>]*>", " ", MATH.sub(" ", cell.source))
        if re.search(r"[A-Za-z]{3,}\s+[A-Za-z]{3,}\s+[A-Za-z]{3,}", prose) and not CJK.search(zh):
            problems.append(f"{cell.id}: no Chinese text at all")
    assert not problems, f"translations/zh/{en_path.stem}.json:\n  " + "\n  ".join(problems)


# ================================================================== b) the mechanism, on temporary copies
def _complete(en_path, translations):
    """Make the sample chapter's translation complete and current on the temporary copy (the real one if it is,
    else stand-in Chinese for the cells it lacks), so each test starts from a passing state."""
    nb = _read(en_path)
    translation = gen.load_translation(en_path.stem, translations)
    cells = translation.setdefault("cells", {})
    ids = {c.id for c in nb.cells}
    for orphan in set(cells) - ids:
        del cells[orphan]
    for cell in nb.cells:
        entry = cells.get(cell.id)
        current = entry is not None and entry.get("en_sha256") == gen.sha256(cell.source)
        if cell.cell_type == "markdown" and not (current and entry.get("zh")):
            cells[cell.id] = {"en_sha256": gen.sha256(cell.source), "zh": f"（译文）{cell.source}"}
        elif cell.cell_type == "code" and entry is not None and (
                not current or any(en not in cell.source for en, _ in entry.get("replace", []))):
            del cells[cell.id]
    _write_translation(translations, en_path.stem, translation)
    assert gen.problems(nb, translation) == []
    return translation


def _write_translation(translations, stem, translation):
    translations.mkdir(parents=True, exist_ok=True)
    (translations / f"{stem}.json").write_text(json.dumps(translation, ensure_ascii=False, indent=1) + "\n",
                                               encoding="utf-8")


@pytest.fixture
def edition(tmp_path):
    """A temporary copy of the repository's two sources: (root, English sample chapter, its translations dir).

    Only the sample chapter is copied (the command-line check then covers just it); tools/ too, so the generator
    run from there works on this copy (its ROOT is its parent folder)."""
    (tmp_path / "notebooks").mkdir()
    en_path = tmp_path / "notebooks" / f"{SAMPLE}.ipynb"
    shutil.copy2(EN_DIR / en_path.name, en_path)
    translations = tmp_path / "translations" / "zh"
    translations.mkdir(parents=True)
    if (TRANSLATIONS / f"{SAMPLE}.json").exists():
        shutil.copy2(TRANSLATIONS / f"{SAMPLE}.json", translations)
    (tmp_path / "tools").mkdir()
    shutil.copy2(ROOT / "tools" / "make_chinese_edition.py", tmp_path / "tools")
    _complete(en_path, translations)
    return tmp_path, en_path, translations


def _change_english(en_path, index, source):
    nb = _read(en_path)
    nb.cells[index].source = source
    nbformat.write(nb, en_path)
    return nb.cells[index].id


def _first(nb, cell_type, where=lambda cell: True):
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == cell_type and where(c))


def _build_fails(en_path, translations, *needles):
    with pytest.raises(gen.TranslationError) as info:
        gen.build(en_path, translations=translations)
    message = str(info.value)
    for needle in needles:
        assert needle in message, (needle, message)
    return message


def test_generator_makes_the_chinese_chapter_from_the_english_one(edition):
    _, en_path, translations = edition
    english = _read(en_path)
    translation = gen.load_translation(en_path.stem, translations)
    zh = gen.build(en_path, translations=translations)
    assert [c.id for c in zh.cells] == [c.id for c in english.cells]
    assert zh.metadata["language"] == "zh-CN"
    for en_cell, zh_cell in zip(english.cells, zh.cells):
        assert zh_cell.cell_type == en_cell.cell_type
        if en_cell.cell_type == "markdown":
            assert zh_cell.source == translation["cells"][en_cell.id]["zh"]
        else:                                                     # code is never translated by hand: only
            expected = en_cell.source                             # the listed pieces are replaced, and setup()
            for english, chinese in translation["cells"].get(en_cell.id, {}).get("replace", []):
                expected = expected.replace(english, chinese)
            assert zh_cell.source == expected.replace(gen.SETUP_EN, 'bplib.course.setup(language="zh")')
    assert gen.sources(gen.build(en_path, translations=translations)) == gen.sources(zh)   # deterministic


def test_a_changed_english_markdown_cell_makes_its_translation_stale(edition):
    _, en_path, translations = edition
    nb = _read(en_path)
    index = _first(nb, "markdown", lambda c: c.id != nb.cells[0].id)
    cell_id = _change_english(en_path, index, nb.cells[index].source + "\n\nOne more English sentence.")
    found = gen.problems(_read(en_path), gen.load_translation(en_path.stem, translations))
    assert len(found) == 1 and "stale" in found[0] and cell_id in found[0], found
    _build_fails(en_path, translations, "stale", cell_id)


def test_a_removed_translation_is_reported_missing(edition):
    _, en_path, translations = edition
    translation = gen.load_translation(en_path.stem, translations)
    cell_id = _read(en_path).cells[_first(_read(en_path), "markdown")].id
    del translation["cells"][cell_id]
    _write_translation(translations, en_path.stem, translation)
    message = _build_fails(en_path, translations, "without a translation", cell_id)
    # an empty entry, as --skeleton writes it ("zh": null), is no translation either
    gen.skeleton(en_path.stem, en_dir=en_path.parent, translations=translations)
    assert gen.load_translation(en_path.stem, translations)["cells"][cell_id]["zh"] is None
    assert _build_fails(en_path, translations, "without a translation", cell_id) == message


def test_an_orphaned_entry_is_reported(edition):
    _, en_path, translations = edition
    translation = gen.load_translation(en_path.stem, translations)
    translation["cells"]["gone-cell"] = {"en_sha256": gen.sha256("old"), "zh": "一个已删除的单元格"}
    _write_translation(translations, en_path.stem, translation)
    _build_fails(en_path, translations, "gone-cell", "no such cell")


def test_a_replace_piece_that_no_longer_occurs_is_reported(edition):
    _, en_path, translations = edition
    nb = _read(en_path)
    comment = re.compile(r"#[^\n]*[A-Za-z]{3}[^\n]*")
    index = _first(nb, "code", lambda c: gen.SETUP_EN not in c.source and comment.search(c.source)
                   and c.id not in gen.load_translation(en_path.stem, translations)["cells"])
    cell = nb.cells[index]
    piece = comment.search(cell.source).group(0)
    translation = gen.load_translation(en_path.stem, translations)
    translation["cells"][cell.id] = {"en_sha256": gen.sha256(cell.source), "replace": [[piece, "# 中文注释"]]}
    _write_translation(translations, en_path.stem, translation)
    zh = gen.build(en_path, translations=translations)                 # a comment translated through the file
    assert zh.cells[index].source == cell.source.replace(piece, "# 中文注释")
    # the English code changes so that the piece is gone: stale, and the piece is named
    _change_english(en_path, index, cell.source.replace(piece, "# reworded"))
    _build_fails(en_path, translations, cell.id, "stale", f"{piece!r} no longer occurs")
    # a piece that does not occur, in an entry that is otherwise current
    translation["cells"][cell.id] = {"en_sha256": gen.sha256(_read(en_path).cells[index].source),
                                     "replace": [["# never in this cell", "# 从未出现"]]}
    _write_translation(translations, en_path.stem, translation)
    message = _build_fails(en_path, translations, "'# never in this cell' no longer occurs")
    assert "stale" not in message


def test_the_check_command_fails_on_each_kind_of_drift(edition):
    """`tools/make_chinese_edition.py --check`, run on the temporary copy: 0 when all is current, 1 (naming the
    cell) after a hand edit of the Chinese notebook and after a change to the English chapter."""
    root, en_path, translations = edition
    tool = [sys.executable, str(root / "tools" / "make_chinese_edition.py")]
    run = lambda *args: subprocess.run(tool + list(args), capture_output=True, text=True, timeout=120)  # noqa: E731
    written = run()
    assert written.returncode == 0, written.stderr
    zh_path = root / "notebooks" / "zh" / en_path.name
    assert zh_path.exists() and run("--check").returncode == 0
    # a hand edit of the generated notebook
    zh = _read(zh_path)
    zh.cells[0].source += "\n手工修改"
    nbformat.write(zh, zh_path)
    checked = run("--check")
    assert checked.returncode == 1 and "differs from what the translations make" in checked.stderr, checked.stderr
    assert run().returncode == 0 and run("--check").returncode == 0     # regenerated
    # the English chapter changes
    nb = _read(en_path)
    index = _first(nb, "markdown")
    cell_id = _change_english(en_path, index, nb.cells[index].source.replace(" ", "  ", 1) + "\nNew.")
    checked = run("--check")
    assert checked.returncode == 1 and "stale" in checked.stderr and cell_id in checked.stderr, checked.stderr
    assert run().returncode == 1                                         # nothing is written from a stale source


# ================================================================== c) bplib's catalogues
def _called_name(func):
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def tr_calls(root):
    """({English template: [file:line, ...]}, [file:line: what is wrong]) for every call of a function named
    `tr` in the .py files under `root` (bare `tr(...)` or `i18n.tr(...)`)."""
    literals, bad = {}, []
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _called_name(node.func) == "tr"):
                continue
            where = f"{path.relative_to(root.parent)}:{node.lineno}"
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                literals.setdefault(first.value, []).append(where)
            else:
                kind = type(first).__name__ if first is not None else "no positional argument"
                bad.append(f"{where}: the first argument of tr() must be a literal string, not {kind}")
    return literals, bad


def fields(template):
    """The str.format placeholders of a template, as a sorted list of (name, conversion, format spec)."""
    return sorted((name, conversion or "", spec or "")
                  for _, name, spec, conversion in string.Formatter().parse(template) if name is not None)


def compare(literals, catalogue):
    """(missing: literals without a translation, orphaned: translations without their literal)."""
    return sorted(set(literals) - set(catalogue)), sorted(set(catalogue) - set(literals))


def load_catalogue_files(folder):
    """{file name: {English: Chinese}}, failing on a key that one file holds twice."""
    files = {}
    for path in sorted(folder.glob("*.json")):
        def no_duplicates(pairs, path=path):
            keys = [k for k, _ in pairs]
            twice = sorted({k for k in keys if keys.count(k) > 1})
            assert not twice, f"{path.name} holds these keys twice (only the last counts): {twice}"
            return dict(pairs)
        files[path.name] = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=no_duplicates)
    return files


@pytest.fixture
def i18n(monkeypatch):
    """bplib.i18n, left in English with its catalogue cache cleared afterwards."""
    from bplib import i18n as module
    monkeypatch.setattr(module, "_catalogues", {})
    yield module
    module.set_language("en")


def test_every_tr_call_in_bplib_has_a_literal_english_template():
    _, bad = tr_calls(BPLIB)
    assert not bad, ("tr() needs a literal string first (the catalogue test reads them from the source):\n  "
                     + "\n  ".join(bad))


def test_every_template_has_a_chinese_entry_and_every_entry_its_template(i18n):
    literals, _ = tr_calls(BPLIB)
    missing, orphaned = compare(literals, i18n.catalogue("zh"))
    report = []
    if missing:
        report.append("tr() templates without a Chinese entry in bplib/locale/zh/*.json:\n    "
                      + "\n    ".join(f"{t!r} ({', '.join(literals[t][:2])})" for t in missing))
    if orphaned:
        report.append("Chinese entries whose English template no bplib tr() call uses any more (changed or "
                      "removed: update the key):\n    " + "\n    ".join(repr(t) for t in orphaned))
    assert not report, "\n".join(report)


def test_bplib_speaks_chinese_at_all():
    """The catalogues exist and bplib's source uses them (hints, messages, widget labels, figure texts)."""
    files = load_catalogue_files(BPLIB / "locale" / "zh")
    assert files, "no catalogue in bplib/locale/zh/"
    literals, _ = tr_calls(BPLIB)
    assert literals, "no tr(\"...\") call in bplib"


def test_each_translation_keeps_the_templates_placeholders_and_formats(i18n):
    problems = []
    for english, chinese in i18n.catalogue("zh").items():
        try:
            want, got = fields(english), fields(chinese or "")
        except ValueError as exc:
            problems.append(f"{english!r}: {exc}")
            continue
        if not isinstance(chinese, str) or not chinese.strip():
            problems.append(f"{english!r}: empty translation")
        elif want != got:
            problems.append(f"{english!r} -> {chinese!r}: placeholders {got} instead of {want}")
    assert not problems, "\n".join(problems)


def test_no_key_in_two_catalogue_files():
    """catalogue() merges the files: a key in two of them would let one translation silently hide the other."""
    seen, twice = {}, []
    for name, entries in load_catalogue_files(BPLIB / "locale" / "zh").items():
        for key in entries:
            if key in seen:
                twice.append(f"{key!r} in {seen[key]} and {name}")
            seen[key] = name
    assert not twice, "\n".join(twice)


def test_a_changed_english_template_is_caught_on_a_temporary_copy(tmp_path, monkeypatch, i18n):
    """Copy bplib's source and its Chinese catalogue, change one English template in the copied source: the
    check reports it missing, and its old entry orphaned. (Before bplib has any tr() call, a one-file stand-in
    package with its catalogue is used.) Also: tr() speaks the copy's catalogue, and falls back to English."""
    src = tmp_path / "bplib"
    locale = tmp_path / "locale"
    literals, _ = tr_calls(BPLIB)
    once = sorted(t for t, where in literals.items() if len(where) == 1 and t in i18n.catalogue("zh"))
    if once:
        shutil.copytree(BPLIB, src, ignore=shutil.ignore_patterns("__pycache__", "locale"))
        shutil.copytree(BPLIB / "locale", locale)
        template = once[0]
    else:
        src.mkdir()
        template = "{name} has shape {got}, expected {expected}"
        (src / "hints.py").write_text("from bplib.i18n import tr\n\n\ndef hint(name, got, expected):\n"
                                      f"    return tr({template!r}, name=name, got=got, expected=expected)\n",
                                      encoding="utf-8")
        (locale / "zh").mkdir(parents=True)
        (locale / "zh" / "exercises.json").write_text(json.dumps({template: "{name} 的形状是 {got}，应为 {expected}"},
                                                                 ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    monkeypatch.setattr(i18n, "_catalogues", {})                       # forget the real catalogue
    copied, _ = tr_calls(src)
    assert compare(copied, i18n.catalogue("zh")) == ([], [])           # the copy starts consistent
    # tr() on the copy's catalogue: Chinese when asked, English by default and for an unknown template
    values = {name: f"<{name}>" for name, _, _ in fields(template)}
    i18n.set_language("zh")
    assert i18n.tr(template, **values) == i18n.catalogue("zh")[template].format(**values)
    assert i18n.tr("an English text with no entry") == "an English text with no entry"
    i18n.set_language("en")
    assert i18n.tr(template, **values) == template.format(**values)
    # change the English template where it is written (found by its position in the source)
    path_text, line = literals[template][0].rsplit(":", 1) if once else ("bplib/hints.py", "5")
    path = tmp_path / path_text
    source = path.read_text(encoding="utf-8")
    node = next(n.args[0] for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)
                and _called_name(n.func) == "tr" and n.lineno == int(line) and n.args
                and isinstance(n.args[0], ast.Constant) and n.args[0].value == template)
    lines = source.splitlines(keepends=True)
    offset = lambda lineno, col: sum(len(x) for x in lines[:lineno - 1]) + len(  # noqa: E731
        lines[lineno - 1].encode("utf-8")[:col].decode("utf-8"))
    start, end = offset(node.lineno, node.col_offset), offset(node.end_lineno, node.end_col_offset)
    changed = template + " (reworded)"
    path.write_text(source[:start] + repr(changed) + source[end:], encoding="utf-8")
    missing, orphaned = compare(tr_calls(src)[0], i18n.catalogue("zh"))
    assert missing == [changed] and orphaned == [template], (missing, orphaned)


# ================================================================== d) student copies of both editions
def test_student_copies_exist_for_both_editions(tmp_path):
    out = tmp_path / "student"
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "make_student_copies.py"), "--out", str(out)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert str(out / "zh") in result.stdout, result.stdout                    # says where the zh copies went
    missing = [f"{edition}{p.name}" for p in CHAPTERS for edition in ("", "zh/")
               if not (out / edition / p.name).exists()]
    assert not missing, f"no student copy of {missing}"
    problems = []
    for en_path in CHAPTERS:
        en_copy, zh_copy = _read(out / en_path.name), _read(out / "zh" / en_path.name)
        stubs = lambda nb: sum(c.source.count("raise NotImplementedError(") for c in nb.cells)  # noqa: E731
        if stubs(zh_copy) != stubs(en_copy):
            problems.append(f"zh/{en_path.name}: {stubs(zh_copy)} stubs, the English copy has {stubs(en_copy)}")
        for i, cell in enumerate(zh_copy.cells):
            for marker in ("# NBVAL", "BEGIN SOLUTION", "END SOLUTION", "SOLUTIONS-ONLY"):
                if marker in cell.source:
                    problems.append(f"zh/{en_path.name}, cell {i}: {marker!r} left in the student copy")
            if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
                problems.append(f"zh/{en_path.name}, cell {i}: outputs not cleared")
            if "raise NotImplementedError(\"Exercise" in cell.source:
                problems.append(f"zh/{en_path.name}, cell {i}: an English stub in the Chinese copy")
    assert not problems, "\n".join(problems)


def test_chinese_student_copy_of_a_stand_in_chapter(tmp_path):
    """The tool itself, without notebooks/zh/: a notebook in a folder zh/ gets Chinese stubs and its copy goes
    to <out>/zh/, next to the English copy of the same name."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["language"] = "zh-CN"
    nb.cells = [nbformat.v4.new_markdown_cell("### 练习 01.1 ★ — 一层的前向传播"),
                nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nimport time\nprint(time.time())"),
                nbformat.v4.new_code_cell("def f(x):\n    \"\"\"返回 2x。\"\"\"\n    # BEGIN SOLUTION\n    return 2 * x\n"
                                          "    # END SOLUTION"),
                nbformat.v4.new_code_cell("ex.ch01.check_f(f)")]
    (tmp_path / "nbs" / "zh").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "nbs" / "zh" / "01_test.ipynb")
    english = nbformat.v4.new_notebook()
    english.cells = [nbformat.v4.new_code_cell("def f(x):\n    # BEGIN SOLUTION\n    return 2 * x\n    # END SOLUTION")]
    nbformat.write(english, tmp_path / "nbs" / "01_test.ipynb")
    out = tmp_path / "student"
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_student_copies.py"), "--out", str(out),
                    str(tmp_path / "nbs" / "01_test.ipynb"), str(tmp_path / "nbs" / "zh" / "01_test.ipynb")],
                   check=True, capture_output=True, text=True, timeout=120)
    zh_copy = _read(out / "zh" / "01_test.ipynb")
    assert "NBVAL" not in zh_copy.cells[1].source
    assert 'raise NotImplementedError("练习：写出 f() 的函数体")' in zh_copy.cells[2].source
    assert "Exercise: write the body of f()" in _read(out / "01_test.ipynb").cells[0].source
    assert grader.check_cells(zh_copy) == [(3, "01.1", "ch01.check_f")]       # tools/grade.py reads 练习 01.1
    namespace = {}
    exec(zh_copy.cells[2].source, namespace)
    with pytest.raises(NotImplementedError, match="练习"):
        namespace["f"](1)


# ================================================================== e) JupyterLab's own Chinese interface
LANGUAGE_PACK = "jupyterlab-language-pack-zh-CN"


def _requirement(name):
    from packaging.requirements import Requirement
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            req = Requirement(line)
            if req.name.lower() == name.lower():
                return req
    raise AssertionError(f"{name} is not in requirements.txt")


def _menu_labels():
    """The labels of JupyterLab's main menus, from the installed JupyterLab's settings schemas."""
    import jupyterlab
    from jupyterlab.commands import get_app_dir
    labels = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "label" and isinstance(value, str):
                    labels.add(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    schemas = Path(get_app_dir()) / "schemas" / "@jupyterlab"
    for path in schemas.glob("*/*.json"):
        walk(json.loads(path.read_text(encoding="utf-8")).get("jupyter.lab.menus", {}))
    assert labels, f"no menu labels found in {schemas} (JupyterLab {jupyterlab.__version__})"
    return labels


def test_the_language_pack_installs_and_fits_the_pinned_jupyterlab():
    """requirements.txt's pin installed it; its version names the JupyterLab minor it translates (4.5.post3:
    JupyterLab 4.5) and packs work across one major version (strings newer than the pack stay English): same
    major as the installed JupyterLab, within requirements.txt's range, and it translates the installed Lab's
    menus (at least 80% of their labels, and every top-level menu the README names)."""
    from packaging.version import Version
    from jupyterlab_server.translation_utils import get_language_pack, get_language_packs
    try:
        version = Version(importlib.metadata.version(LANGUAGE_PACK))
    except importlib.metadata.PackageNotFoundError:
        pytest.fail(f"{LANGUAGE_PACK} is not installed: pip install -r requirements.txt", pytrace=False)
    lab = Version(importlib.metadata.version("jupyterlab"))
    assert _requirement(LANGUAGE_PACK).specifier.contains(version, prereleases=True)
    assert _requirement("jupyterlab").specifier.contains(lab)
    assert version.major == lab.major and version.release[:2] >= (4, 4), (str(version), str(lab))

    packs, message = get_language_packs()
    assert not message, message
    assert "zh_CN" in packs and "中文" in packs["zh_CN"]["nativeName"], packs
    data, message = get_language_pack("zh_CN")
    assert not message, message
    strings = data["jupyterlab"]
    assert strings[""]["language"] == "zh-CN" and strings[""]["domain"] == "jupyterlab"
    for menu, chinese in [("File", "文件"), ("Edit", "编辑"), ("Run", "运行"), ("Kernel", "内核"),
                          ("Settings", "设置"), ("Language", "语言")]:
        assert strings.get(f"menu\x04{menu}") == [chinese], (menu, strings.get(f"menu\x04{menu}"))
    translated = {key.split("\x04")[-1] for key in strings if key}
    labels = _menu_labels()
    covered = [label for label in labels if label in translated]
    assert len(covered) >= 0.8 * len(labels), (f"{LANGUAGE_PACK} {version} translates {len(covered)} of "
                                               f"JupyterLab {lab}'s {len(labels)} menu labels; missing: "
                                               f"{sorted(labels - set(covered))}")


def test_a_jupyter_server_lists_and_serves_the_chinese_interface(tmp_path):
    """A JupyterLab server on 127.0.0.1 (as `jupyter lab` starts it): /lab/api/translations lists zh_CN and
    /lab/api/translations/zh_CN serves its strings, the way Settings → Language → 中文 loads them."""
    from test_browser import Server
    (tmp_path / "root").mkdir()
    server = Server("lab", tmp_path / "root", tmp_path)
    try:
        server.wait_ready()
        listed = server.api("/lab/api/translations")
        assert not listed["message"], listed["message"]
        assert "zh_CN" in listed["data"], sorted(listed["data"])
        served = server.api("/lab/api/translations/zh_CN")
        assert not served["message"], served["message"]
        assert served["data"]["jupyterlab"]["menu\x04Settings"] == ["设置"]
    finally:
        server.stop()
