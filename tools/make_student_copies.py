"""Write student copies of the notebooks: every solution replaced by a stub, outputs cleared.

    python tools/make_student_copies.py                  # notebooks/NN_*.ipynb -> student/NN_*.ipynb
    python tools/make_student_copies.py --out /tmp/stud  # another folder
    python tools/make_student_copies.py notebooks/03_delta_recursion.ipynb

In every code cell, each region from a line `# BEGIN SOLUTION` to a line `# END SOLUTION` (markers included) is
replaced by `raise NotImplementedError("Exercise: ...")` at the marker's indentation, so the `def` line and the
docstring above the marker stay. Outputs and execution counts are cleared. The full notebooks are the solutions.
"""
import argparse
import pathlib
import re
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION[ \t]*$")
END = re.compile(r"^[ \t]*# END SOLUTION[ \t]*$")
DEF = re.compile(r"^[ \t]*def (?P<name>\w+)\s*\(")


def strip_solutions(source, where="cell"):
    """Return (new source, number of regions replaced) for one cell's source text.

    Raises ValueError for a BEGIN without END, an END without BEGIN, or nested markers.
    """
    out, count, inside, func = [], 0, False, None
    for lineno, line in enumerate(source.split("\n"), 1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if inside:
                raise ValueError(f"{where}, line {lineno}: '# BEGIN SOLUTION' inside another solution region")
            inside = True
            task = f"write the body of {func}()" if func else "write your solution here"
            out.append(f'{begin.group("indent")}raise NotImplementedError("Exercise: {task}")')
            count += 1
        elif end:
            if not inside:
                raise ValueError(f"{where}, line {lineno}: '# END SOLUTION' without '# BEGIN SOLUTION'")
            inside = False
        elif not inside:
            match = DEF.match(line)
            if match:
                func = match.group("name")
            out.append(line)
    if inside:
        raise ValueError(f"{where}: '# BEGIN SOLUTION' without '# END SOLUTION'")
    return "\n".join(out), count


def student_copy(nb, where="notebook"):
    """Return (a student copy of the notebook node `nb`, number of solutions replaced); `nb` is not changed."""
    nb = nbformat.reads(nbformat.writes(nbformat.from_dict(nb)), as_version=4)   # a deep copy
    total = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        cell.source, n = strip_solutions(cell.source, f"{where}, cell {i}")
        total += n
        cell.outputs = []
        cell.execution_count = None
    nb.metadata.pop("widgets", None)     # stored widget state belongs to the executed solution
    return nb, total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path,
                        help="notebooks to copy (default: every notebooks/NN_*.ipynb)")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "student", help="output folder (default student/)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        parser.error("no notebooks found")
    args.out.mkdir(parents=True, exist_ok=True)
    for path in paths:
        if path.resolve().parent == args.out.resolve():
            parser.error(f"--out must differ from the notebook's folder ({path}): it would overwrite the solution")
        nb = nbformat.read(path, as_version=4)
        copy, n = student_copy(nb, str(path))
        nbformat.write(copy, args.out / path.name)
        print(f"{path.name:40s} {n:2d} exercise(s) stubbed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
