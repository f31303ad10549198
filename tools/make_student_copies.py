"""Write student copies of the notebooks: every solution replaced by a stub, outputs cleared.

    python tools/make_student_copies.py                  # notebooks/NN_*.ipynb -> student/NN_*.ipynb, and the
                                                         #   Chinese edition notebooks/zh/NN_*.ipynb -> student/zh/
    python tools/make_student_copies.py --out /tmp/stud  # another folder
    python tools/make_student_copies.py notebooks/03_delta_recursion.ipynb
    python tools/make_student_copies.py --force          # replace edited copies too (each is backed up first)

In every code cell, each region from a line `# BEGIN SOLUTION` to a line `# END SOLUTION` (markers included) is
replaced by `raise NotImplementedError("Exercise: ...")` at the marker's indentation, so the `def` line and the
docstring above the marker stay. Lines `# NBVAL_...` (markers for the test suite) are dropped, outputs and
execution counts are cleared, and markdown between `<!-- BEGIN SOLUTIONS-ONLY -->` and
`<!-- END SOLUTIONS-ONLY -->` (text that speaks about the solution notebooks) is left out.
A Chinese-edition notebook (in a folder zh/, or whose metadata says "language": "zh-CN") gets its stubs' message
in Chinese (`raise NotImplementedError("练习：...")`), and by default its copy goes to student/zh/.

A copy that is already there is never overwritten if the student has changed it (edited or run a cell): the tool
records a fingerprint of what it wrote in the copy's metadata and replaces a copy only while it still matches.
Edited copies are kept and listed; `--force` replaces them after saving each as `NN_x.ipynb.bak-<time>`.
"""
import argparse
import datetime
import hashlib
import json
import pathlib
import re
import shutil
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION[ \t]*$")
END = re.compile(r"^[ \t]*# END SOLUTION[ \t]*$")
DEF = re.compile(r"^[ \t]*def (?P<name>\w+)\s*\(")
NBVAL = re.compile(r"^[ \t]*# NBVAL_\w+[ \t]*$")
SOLUTIONS_ONLY = re.compile(r"[ \t]*<!-- BEGIN SOLUTIONS-ONLY -->.*?<!-- END SOLUTIONS-ONLY -->[ \t]*\n?", re.S)
#: metadata key of the fingerprint that tells an untouched copy from one the student changed
KEY = "student_copy"
#: the stub's message, by edition: {func} is the function's name
STUB = {"en": {"func": "Exercise: write the body of {func}()", "none": "Exercise: write your solution here"},
        "zh": {"func": "练习：写出 {func}() 的函数体", "none": "练习：在这里写出你的解答"}}
EDITIONS = ("en", "zh")


def edition(path=None, nb=None):
    """"zh" for the Chinese edition (a notebook in a folder named zh/, or with metadata "language": "zh-..."),
    else "en"."""
    if path is not None and pathlib.Path(path).resolve().parent.name == "zh":
        return "zh"
    if nb is not None and str(nb.get("metadata", {}).get("language", "")).lower().startswith("zh"):
        return "zh"
    return "en"


def default_notebooks(root=ROOT):
    """Every chapter of both editions: notebooks/NN_*.ipynb, then notebooks/zh/NN_*.ipynb."""
    return (sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
            + sorted((root / "notebooks" / "zh").glob("[0-9][0-9]_*.ipynb")))


def out_dir_for(path, out):
    """Where the copy of `path` goes: `out` for the English edition, `out`/zh for the Chinese one."""
    return out / "zh" if edition(path) == "zh" else out


def strip_solutions(source, where="cell", language="en"):
    """Return (new source, number of regions replaced) for one cell's source text (`language`: the stub's).

    Also drops `# NBVAL_...` marker lines. Raises ValueError for a BEGIN without END, an END without BEGIN,
    or nested markers.
    """
    out, count, inside, func = [], 0, False, None
    for lineno, line in enumerate(source.split("\n"), 1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if inside:
                raise ValueError(f"{where}, line {lineno}: '# BEGIN SOLUTION' inside another solution region")
            inside = True
            task = STUB[language]["func"].format(func=func) if func else STUB[language]["none"]
            out.append(f'{begin.group("indent")}raise NotImplementedError("{task}")')
            count += 1
        elif end:
            if not inside:
                raise ValueError(f"{where}, line {lineno}: '# END SOLUTION' without '# BEGIN SOLUTION'")
            inside = False
        elif not inside:
            if NBVAL.match(line):
                continue
            match = DEF.match(line)
            if match:
                func = match.group("name")
            out.append(line)
    if inside:
        raise ValueError(f"{where}: '# BEGIN SOLUTION' without '# END SOLUTION'")
    return "\n".join(out), count


def strip_markdown(source):
    """Markdown for the student copy: the SOLUTIONS-ONLY passages removed."""
    return SOLUTIONS_ONLY.sub("", source)


def fingerprint(nb):
    """A hash of every cell's type, source and outputs: it changes as soon as the student edits or runs a cell."""
    cells = [(c.cell_type, c.source, c.get("outputs", [])) for c in nb.cells]
    return hashlib.sha256(json.dumps(cells, sort_keys=True, default=str).encode()).hexdigest()


def student_copy(nb, where="notebook", language=None):
    """Return (a student copy of the notebook node `nb`, number of solutions replaced); `nb` is not changed.

    `language` ("en" or "zh") is the stubs' language; by default the notebook's own (its metadata "language")."""
    nb = nbformat.reads(nbformat.writes(nbformat.from_dict(nb)), as_version=4)   # a deep copy
    language = language or edition(nb=nb)
    total = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            cell.source = strip_markdown(cell.source)
            continue
        if cell.cell_type != "code":
            continue
        cell.source, n = strip_solutions(cell.source, f"{where}, cell {i}", language)
        total += n
        cell.outputs = []
        cell.execution_count = None
    nb.metadata.pop("widgets", None)     # stored widget state belongs to the executed solution
    nb.metadata[KEY] = {"fingerprint": fingerprint(nb)}
    return nb, total


def edited(path):
    """True if the copy at `path` differs from what this tool wrote there (or carries no fingerprint)."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # noqa: BLE001 - an unreadable file is not ours to replace silently
        return True
    recorded = nb.metadata.get(KEY, {}).get("fingerprint")
    return recorded is None or recorded != fingerprint(nb)


def write_copy(path, out_dir, force=False, stamp=None):
    """Write the student copy of notebook `path` into out_dir; return (status, target, backup or None, n).

    A Chinese-edition notebook (in a folder zh/) gets Chinese stubs; main() puts its copy in <out>/zh/.

    status: "written" (new), "updated" (an untouched copy replaced), "unchanged", "kept" (the student changed
    it; nothing written) or "replaced" (--force: the old copy saved as backup first).
    """
    target = out_dir / path.name
    copy, n = student_copy(nbformat.read(path, as_version=4), str(path),
                           language="zh" if edition(path) == "zh" else None)
    if not target.exists():
        nbformat.write(copy, target)
        return "written", target, None, n
    if not edited(target):
        old = nbformat.read(target, as_version=4)
        if old.metadata[KEY]["fingerprint"] == copy.metadata[KEY]["fingerprint"]:
            return "unchanged", target, None, n
        nbformat.write(copy, target)
        return "updated", target, None, n
    if not force:
        return "kept", target, None, n
    stamp = stamp or datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = target.with_name(f"{target.name}.bak-{stamp}")
    k = 1
    while backup.exists():
        backup = target.with_name(f"{target.name}.bak-{stamp}-{k}")
        k += 1
    shutil.copy2(target, backup)
    nbformat.write(copy, target)
    return "replaced", target, backup, n


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path,
                        help="notebooks to copy (default: every notebooks/NN_*.ipynb and notebooks/zh/NN_*.ipynb)")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "student",
                        help="output folder (default student/; the Chinese edition's copies go to its zh/ folder)")
    parser.add_argument("--force", action="store_true",
                        help="also replace copies the student changed, after backing each up as NN_x.ipynb.bak-<time>")
    args = parser.parse_args(argv)
    paths = args.notebooks or default_notebooks()
    if not paths:
        parser.error("no notebooks found")
    out = args.out.resolve()
    for path in paths:
        if path.resolve().parent == out_dir_for(path, out):
            parser.error(f"--out must differ from the notebook's folder ({path}): it would overwrite the solution")
    kept, shown = [], None
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    for path in paths:
        out_dir = out_dir_for(path, out)
        if out_dir != shown:
            out_dir.mkdir(parents=True, exist_ok=True)
            print(f"student copies in {out_dir}:")
            shown = out_dir
        status, target, backup, n = write_copy(path, out_dir, force=args.force, stamp=stamp)
        note = {"written": "written", "updated": "updated (you had not changed it)", "unchanged": "up to date",
                "kept": "KEPT: you changed this copy, so it was not overwritten",
                "replaced": f"replaced; your version is saved as {backup}"}[status]
        print(f"  {target.name:40s} {n:2d} exercise(s)  {note}")
        if status == "kept":
            kept.append(str(target.relative_to(out)))
    if kept:
        print(f"{len(kept)} copy(ies) kept as they are. To start one afresh, rename or delete it and run this again, "
              f"or run with --force (each replaced copy is backed up first).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
