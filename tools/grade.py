"""Grade a folder of returned student notebooks: run every self-check, write one CSV row per exercise.

    python tools/grade.py returned/ --out grades.csv

`returned/` holds one folder per student (returned/alice/03_delta_recursion.ipynb, ...); a notebook lying
directly in `returned/` is graded as the student named by its file name (returned/alice.ipynb -> "alice").
Each notebook is executed top to bottom in a fresh kernel on a temporary copy (the returned file is not changed),
with errors allowed, so one broken cell does not hide the later exercises. Every self-check cell (a cell calling
`ex.chNN.check_...`) gives one row:

    student, exercise, passed, hint, notebook, check

`exercise` is the number in the exercise's heading ("### Exercise 03.2 ★★ ..." or "### 练习 03.2 ★★ ..."),
`passed` is 1 or 0, `hint` is the self-check's message ("✅ Correct: ..." / "❌ Not yet: ...", in the notebook's
language) or why there is none (an error in the cell, a cell that was never reached). Both editions are graded
alike, mixed in one folder if need be: `notebook` is "zh/03_delta_recursion.ipynb" for a Chinese-edition copy (one
in a folder zh/, or whose metadata says "language": "zh-CN"), "03_delta_recursion.ipynb" for an English one.
A summary per student is printed at the end. The notebooks run the students' code: grade only work you would run
yourself.
"""
import argparse
import csv
import pathlib
import re
import sys
import tempfile

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

CHECK = re.compile(r"\b(?:ex|exercises)\.(?P<chapter>ch\d\d)\.(?P<check>check_\w+)\s*\(")
# an exercise's heading: "### Exercise 03.2 ★★ — ..." (English), "### 练习 03.2 ★★ — ..." (Chinese), or any
# heading whose number is followed by its stars
HEADING = re.compile(r"^#+[ \t]*(?:(?:Exercise|练习|习题)[ \t]*(?P<number>\d\d\.\d+)"
                     r"|[^\n]*?(?P<starred>\d\d\.\d+)[ \t]*★)", re.M)
FIELDS = ["student", "exercise", "passed", "hint", "notebook", "check"]


def check_cells(nb):
    """[(cell index, exercise number, check name)] for every self-check cell, in order."""
    found, number = [], None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            match = HEADING.search(cell.source)
            if match:
                number = match.group("number") or match.group("starred")
        elif cell.cell_type == "code":
            match = CHECK.search(cell.source)
            if match:
                found.append((i, number or "?", f"{match.group('chapter')}.{match.group('check')}"))
    return found


def _text(outputs):
    parts = []
    for out in outputs:
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
    return "".join(parts)


def verdict(cell):
    """(passed, hint) from one executed check cell's outputs."""
    outputs = cell.get("outputs", [])
    for out in outputs:
        if out.get("output_type") == "error":
            return False, f"error in the check cell: {out.get('ename')}: {out.get('evalue')}"
    text = _text(outputs)
    for line in text.splitlines():
        line = line.strip().strip("'\"")
        if line.startswith("✅"):
            return True, line
        if line.startswith("❌"):
            return False, line
    if not outputs:
        return False, "no output: the cell was not run (an earlier cell timed out or the kernel died)"
    return False, f"no self-check verdict in the output: {text.strip()[:200]}"


def execute(path, timeout=120, kernel="python3"):
    """Execute a copy of the notebook at `path` with errors allowed; return it (never raises for cell errors)."""
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as workdir:
        client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, allow_errors=True,
                                resources={"metadata": {"path": workdir}})
        try:
            client.execute()
        except (CellTimeoutError, DeadKernelError, RuntimeError) as exc:
            nb.metadata["grade_error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return nb


def notebook_name(path):
    """The notebook as the CSV names it: "03_delta_recursion.ipynb", or "zh/03_delta_recursion.ipynb" for the
    Chinese edition (a copy in a folder zh/, or whose metadata says "language": "zh-...")."""
    try:
        language = str(nbformat.read(path, as_version=4).metadata.get("language", ""))
    except Exception:  # noqa: BLE001 - unreadable: grade_notebook reports it
        language = ""
    zh = path.parent.name == "zh" or language.lower().startswith("zh")
    return f"zh/{path.name}" if zh else path.name


def grade_notebook(path, student, timeout=120):
    """Rows (dicts with FIELDS) for one returned notebook (either edition)."""
    name = notebook_name(path)
    try:
        nb = execute(path, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - an unreadable notebook still gets its rows
        return [{"student": student, "exercise": "?", "passed": 0, "notebook": name, "check": "",
                 "hint": f"could not run the notebook: {type(exc).__name__}: {exc}"}]
    rows = []
    for index, number, check in check_cells(nb):
        passed, hint = verdict(nb.cells[index])
        if not passed and "grade_error" in nb.metadata and not nb.cells[index].get("outputs"):
            hint = f"not run: {nb.metadata['grade_error']}"
        rows.append({"student": student, "exercise": number, "passed": int(passed), "hint": hint,
                     "notebook": name, "check": check})
    return rows


def returned_notebooks(folder):
    """[(student, path)]: subfolders are students; a notebook directly in `folder` is its own student."""
    folder = pathlib.Path(folder)
    found = []
    for path in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        rel = path.relative_to(folder)
        student = rel.parts[0] if len(rel.parts) > 1 else path.stem
        found.append((student, path))
    return found


def grade(folder, out, timeout=120, echo=print):
    """Grade every notebook under `folder`, write the CSV to `out`; return the rows."""
    rows = []
    for student, path in returned_notebooks(folder):
        echo(f"grading {student}: {path.name} ...")
        rows.extend(grade_notebook(path, student, timeout=timeout))
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    totals = {}
    for row in rows:
        done, count = totals.get(row["student"], (0, 0))
        totals[row["student"]] = (done + row["passed"], count + 1)
    for student, (done, count) in totals.items():
        echo(f"{student}: {done} of {count} self-checks passed")
    echo(f"wrote {len(rows)} rows to {out.resolve()}")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=pathlib.Path, help="folder of returned notebooks (one subfolder per student)")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("grades.csv"), help="CSV file to write")
    parser.add_argument("--timeout", type=int, default=120, help="seconds allowed per cell (default 120)")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    if not returned_notebooks(args.folder):
        parser.error(f"no .ipynb files under {args.folder}")
    grade(args.folder, args.out, timeout=args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
