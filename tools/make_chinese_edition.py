"""Make the Chinese edition (notebooks/zh/) from the English chapters and the translations in translations/zh/.

    python tools/make_chinese_edition.py              # write notebooks/zh/NN_*.ipynb (then execute them:
                                                      #   python tools/execute_notebooks.py notebooks/zh/*.ipynb)
    python tools/make_chinese_edition.py --check      # exit 1 if a translation is missing or stale, or a Chinese
                                                      #   notebook differs from what this script makes
    python tools/make_chinese_edition.py --skeleton 03_delta_recursion   # add empty entries for new cells

One source, two editions. A Chinese chapter is its English chapter with:
- every markdown cell replaced by its translation, translations/zh/NN_*.json: {"cells": {cell id: {"en_sha256":
  SHA-256 of the English cell's source, "zh": the Chinese text}}}. The hash records which English text was
  translated: when the English cell changes, its entry is stale and --check (and the tests) fail until the
  translation is updated;
- every code cell copied as it is, except (optionally) strings and comments replaced through the same file:
  {cell id: {"en_sha256": ..., "replace": [[English, Chinese], ...]}}; each English piece must occur in the cell;
- `bplib.course.setup()` in the setup cell called as `bplib.course.setup(language="zh")`, which switches bplib's
  hints, messages, widget labels and figure texts to Chinese and picks a CJK font.
Cell ids are kept, so a translation follows its cell when cells move. Outputs are kept for cells whose source is
unchanged (re-executing the notebooks refreshes them).
"""
import argparse
import hashlib
import json
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
EN_DIR = ROOT / "notebooks"
ZH_DIR = ROOT / "notebooks" / "zh"
TRANSLATIONS = ROOT / "translations" / "zh"
SETUP_EN = "bplib.course.setup()"
SETUP_ZH = 'bplib.course.setup(language="zh")'


class TranslationError(ValueError):
    """A missing, stale or unusable translation; the message lists every problem found."""


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chapters(en_dir=EN_DIR):
    return sorted(en_dir.glob("[0-9][0-9]_*.ipynb"))


def load_translation(stem, translations=TRANSLATIONS):
    path = translations / f"{stem}.json"
    if not path.is_file():
        return {"cells": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def problems(en_nb, translation):
    """Every missing, stale or orphaned entry of one chapter's translation, as readable lines."""
    cells = translation.get("cells", {})
    found, ids = [], set()
    for i, cell in enumerate(en_nb.cells):
        ids.add(cell.id)
        entry = cells.get(cell.id)
        if cell.cell_type == "markdown":
            if entry is None or not entry.get("zh"):
                found.append(f"cell {i} ({cell.id}): markdown without a translation")
            elif entry.get("en_sha256") != sha256(cell.source):
                found.append(f"cell {i} ({cell.id}): stale: the English text changed after it was translated")
        elif entry is not None:
            if entry.get("en_sha256") != sha256(cell.source):
                found.append(f"cell {i} ({cell.id}): stale: the English code changed after its strings were "
                             f"translated")
            for english, _ in entry.get("replace", []):
                if english not in cell.source:
                    found.append(f"cell {i} ({cell.id}): {english!r} no longer occurs in the code")
    for orphan in sorted(set(cells) - ids):
        found.append(f"cell id {orphan}: translated, but the English chapter has no such cell")
    return found


def build(en_path, translations=TRANSLATIONS, previous=None):
    """The Chinese notebook for the English chapter at en_path (raises TranslationError listing every problem)."""
    en_nb = nbformat.read(en_path, as_version=4)
    translation = load_translation(en_path.stem, translations)
    found = problems(en_nb, translation)
    setup_cells = [c for c in en_nb.cells if c.cell_type == "code" and SETUP_EN in c.source]
    if len(setup_cells) != 1:
        found.append(f"expected exactly one code cell calling {SETUP_EN}, found {len(setup_cells)}")
    if found:
        raise TranslationError(f"{en_path.name}:\n  " + "\n  ".join(found))
    old_outputs = {}
    if previous is not None:
        old_outputs = {c.id: c for c in previous.cells if c.cell_type == "code"}
    zh_nb = nbformat.v4.new_notebook()
    zh_nb.metadata = json.loads(json.dumps(en_nb.metadata))
    zh_nb.metadata["language"] = "zh-CN"
    # the widgets' stored state belongs to the executed notebook it came from: keep the Chinese notebook's own
    # (its stored outputs refer to it), never the English one's, whose models the Chinese outputs do not show
    zh_nb.metadata.pop("widgets", None)
    if previous is not None and "widgets" in previous.metadata:
        zh_nb.metadata["widgets"] = previous.metadata["widgets"]
    cells = translation["cells"]
    for cell in en_nb.cells:
        if cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(cells[cell.id]["zh"])
        elif cell.cell_type == "code":
            source = cell.source
            for english, chinese in cells.get(cell.id, {}).get("replace", []):
                source = source.replace(english, chinese)
            source = source.replace(SETUP_EN, SETUP_ZH)
            new = nbformat.v4.new_code_cell(source)
            new.metadata = json.loads(json.dumps(cell.metadata))
            old = old_outputs.get(cell.id)
            if old is not None and old.source == source:
                new.outputs, new.execution_count = old.outputs, old.execution_count
        else:
            new = nbformat.v4.new_raw_cell(cell.source)
        new.id = cell.id
        zh_nb.cells.append(new)
    return zh_nb


def sources(nb):
    return [(c.id, c.cell_type, c.source) for c in nb.cells]


def skeleton(stem, en_dir=EN_DIR, translations=TRANSLATIONS):
    """Add an entry with "zh": null for every markdown cell that has none (a translator fills them in)."""
    en_nb = nbformat.read(en_dir / f"{stem}.ipynb", as_version=4)
    translation = load_translation(stem, translations)
    cells = translation.setdefault("cells", {})
    for cell in en_nb.cells:
        if cell.cell_type == "markdown" and cell.id not in cells:
            cells[cell.id] = {"en_sha256": sha256(cell.source), "en": cell.source, "zh": None}
    translations.mkdir(parents=True, exist_ok=True)
    (translations / f"{stem}.json").write_text(json.dumps(translation, ensure_ascii=False, indent=1) + "\n",
                                               encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="check only; exit 1 on any problem")
    parser.add_argument("--skeleton", metavar="CHAPTER", help="add empty entries for CHAPTER (e.g. 03_delta_recursion)")
    args = parser.parse_args(argv)
    if args.skeleton:
        skeleton(args.skeleton)
        print(f"wrote {TRANSLATIONS / (args.skeleton + '.json')}")
        return 0
    failures = []
    for en_path in chapters():
        zh_path = ZH_DIR / en_path.name
        previous = nbformat.read(zh_path, as_version=4) if zh_path.exists() else None
        try:
            zh_nb = build(en_path, previous=previous)
        except TranslationError as exc:
            failures.append(str(exc))
            continue
        if args.check:
            if previous is None or sources(previous) != sources(zh_nb):
                failures.append(f"{zh_path.relative_to(ROOT)} differs from what the translations make: run "
                                f"tools/make_chinese_edition.py, then tools/execute_notebooks.py on it")
            continue
        ZH_DIR.mkdir(parents=True, exist_ok=True)
        if previous is None or sources(previous) != sources(zh_nb):
            nbformat.write(zh_nb, zh_path)
            print(f"wrote {zh_path.relative_to(ROOT)}")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
