"""Student copies: solutions become stubs, and each copy runs without error up to its first self-check.

Covers every notebooks/NN_*.ipynb present (chapters added later are picked up by the glob), and the Chinese
edition's notebooks/zh/NN_*.ipynb alike: its copies (student/zh/) run to the same point and print the self-check's
Chinese "not yet" message; grading reads either edition.
"""
import concurrent.futures
import pathlib
import re
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NOTEBOOKS_ZH = sorted((ROOT / "notebooks" / "zh").glob("[0-9][0-9]_*.ipynb"))
#: both editions, English first
EDITIONS = NOTEBOOKS + NOTEBOOKS_ZH
EDITION_IDS = [p.stem if p.parent.name != "zh" else f"zh-{p.stem}" for p in EDITIONS]


def _says(path):
    """(what a failing self-check starts with, the words for "not implemented yet") in the notebook's language:
    the English texts, or their Chinese translations from bplib's catalogue for notebooks/zh/."""
    if path.parent.name != "zh":
        return "❌ Not yet", "not implemented yet"
    from bplib.i18n import catalogue
    entries = catalogue("zh")
    fail = next((v.split("{")[0].strip() for k, v in entries.items() if k.startswith("❌ Not yet")), "❌")
    todo = next((re.split(r"[:：{，,]", v)[0].strip() for k, v in entries.items()
                 if k.startswith("not implemented yet")), "not implemented yet")
    return fail, todo


def _load_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_student_copies", ROOT / "tools" / "make_student_copies.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _load_tool()

CELL = '''def layer_forward(A_prev, W, b):
    """Z = A_prev @ W.T + b.

    A_prev: (m, n_{l-1}) -> Z: (m, n_l)
    """
    # BEGIN SOLUTION
    Z = A_prev @ W.T + b
    return Z
    # END SOLUTION


def other(x):
    # BEGIN SOLUTION
    return 2 * x
    # END SOLUTION'''


def test_strip_keeps_signature_and_docstring_and_replaces_each_region():
    new, n = tool.strip_solutions(CELL)
    assert n == 2
    assert "    Z = A_prev @ W.T + b" not in new and "return 2 * x" not in new and "SOLUTION" not in new
    assert new.startswith('def layer_forward(A_prev, W, b):\n    """Z = A_prev @ W.T + b.\n')
    assert '    raise NotImplementedError("Exercise: write the body of layer_forward()")' in new
    assert '    raise NotImplementedError("Exercise: write the body of other()")' in new
    namespace = {}
    exec(new, namespace)                      # the stubbed cell is still valid Python
    with pytest.raises(NotImplementedError, match="layer_forward"):
        namespace["layer_forward"](None, None, None)


@pytest.mark.parametrize("bad, message", [
    ("# BEGIN SOLUTION\nx = 1\n", "without '# END SOLUTION'"),
    ("x = 1\n# END SOLUTION\n", "without '# BEGIN SOLUTION'"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n", "inside another"),
])
def test_strip_rejects_unbalanced_markers(bad, message):
    with pytest.raises(ValueError, match=message):
        tool.strip_solutions(bad)


def test_student_copy_clears_outputs_and_leaves_the_original_alone():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(CELL)
    cell.outputs = [nbformat.v4.new_output("stream", text="hi\n")]
    cell.execution_count = 3
    nb.cells = [nbformat.v4.new_markdown_cell("# BEGIN SOLUTION stays in markdown"), cell]
    copy, n = tool.student_copy(nb)
    assert n == 2
    assert copy.cells[1].outputs == [] and copy.cells[1].execution_count is None
    assert copy.cells[0].source == "# BEGIN SOLUTION stays in markdown"
    assert "BEGIN SOLUTION" in nb.cells[1].source and nb.cells[1].outputs   # original untouched


def test_command_line_writes_copies(tmp_path):
    if not NOTEBOOKS:
        pytest.skip("no notebooks yet")
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_student_copies.py"), "--out", str(tmp_path),
                    str(NOTEBOOKS[0])], check=True, capture_output=True, text=True)
    copy = nbformat.read(tmp_path / NOTEBOOKS[0].name, as_version=4)
    assert all(not c.get("outputs") for c in copy.cells if c.cell_type == "code")
    assert not any("# BEGIN SOLUTION" in c.source for c in copy.cells if c.cell_type == "code")


def _make_nb(source="def f(x):\n    # BEGIN SOLUTION\n    return 2 * x\n    # END SOLUTION\n"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 01 · Test\n\n<!-- BEGIN SOLUTIONS-ONLY -->The notebooks here "
                                              "are the solutions.<!-- END SOLUTIONS-ONLY -->\nKeep this."),
                nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nimport time\nprint(time.time())"),
                nbformat.v4.new_code_cell(source)]
    return nb


def test_student_copy_drops_nbval_markers_and_solutions_only_text():
    copy, n = tool.student_copy(_make_nb())
    assert n == 1
    assert "NBVAL" not in copy.cells[1].source and copy.cells[1].source.startswith("import time")
    assert "solutions" not in copy.cells[0].source and "Keep this." in copy.cells[0].source


def test_real_student_copies_show_no_nbval_marker_and_do_not_call_themselves_solutions():
    for path in EDITIONS:
        copy, _ = tool.student_copy(nbformat.read(path, as_version=4), str(path))
        for cell in copy.cells:
            assert "NBVAL" not in cell.source, (path.name, cell.source[:80])
            text = cell.source.lower()
            assert "are the solutions" not in text and "are the solution" not in text, (path.name, cell.source[:200])
            assert "SOLUTIONS-ONLY" not in cell.source


def test_rerunning_never_overwrites_an_edited_copy_and_force_keeps_a_backup(tmp_path):
    src = tmp_path / "nbs"
    src.mkdir()
    nbformat.write(_make_nb(), src / "01_test.ipynb")
    out = tmp_path / "student"
    args = [sys.executable, str(ROOT / "tools" / "make_student_copies.py"), "--out", str(out), str(src / "01_test.ipynb")]
    first = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    assert str(out.resolve()) in first and "written" in first          # says where it wrote
    target = out / "01_test.ipynb"
    # an untouched copy is refreshed when the solution changes
    nbformat.write(_make_nb("def f(x):\n    \"\"\"Twice x.\"\"\"\n    # BEGIN SOLUTION\n    return 2 * x\n"
                            "    # END SOLUTION\n"), src / "01_test.ipynb")
    assert "updated" in subprocess.run(args, check=True, capture_output=True, text=True).stdout
    # the student works in the copy
    nb = nbformat.read(target, as_version=4)
    nb.cells[2].source = "def f(x):\n    return 2 * x   # my answer"
    nbformat.write(nb, target)
    again = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    assert "KEPT" in again
    assert "my answer" in nbformat.read(target, as_version=4).cells[2].source
    assert not list(out.glob("*.bak-*"))
    # --force replaces it, but only after a backup that still holds the student's work
    forced = subprocess.run(args + ["--force"], check=True, capture_output=True, text=True).stdout
    backups = list(out.glob("01_test.ipynb.bak-*"))
    assert len(backups) == 1 and str(backups[0]) in forced
    assert "my answer" in nbformat.read(backups[0], as_version=4).cells[2].source
    assert "my answer" not in nbformat.read(target, as_version=4).cells[2].source
    # a copy that the student only ran (outputs, no edits) also counts as changed
    nb = nbformat.read(target, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="1.0\n")]
    nbformat.write(nb, target)
    assert "KEPT" in subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _load_grader():
    import importlib.util

    spec = importlib.util.spec_from_file_location("grade", ROOT / "tools" / "grade.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("edition", ["en", "zh"])
def test_grading_a_folder_writes_one_csv_row_per_exercise_and_student(edition, tmp_path):
    """Two fake students on chapter 01 (English, or the Chinese edition's): one returns the solutions, one stubs
    and a wrong answer."""
    import csv

    folder = ROOT / "notebooks" / ("zh" if edition == "zh" else "")
    path = folder / "01_forward_pass.ipynb"
    if not path.exists():
        if edition == "zh" and (ROOT / "notebooks" / "01_forward_pass.ipynb").exists():
            pytest.fail("notebooks/zh/01_forward_pass.ipynb is missing (tools/make_chinese_edition.py makes it)")
        pytest.skip("chapter 01 missing")
    fail, todo = _says(path)
    returned = tmp_path / "returned"
    (returned / "ada").mkdir(parents=True)
    (returned / "bob").mkdir()
    solution = nbformat.read(path, as_version=4)
    nbformat.write(solution, returned / "ada" / path.name)
    stub, n = tool.student_copy(solution, str(path))
    first = next(i for i, c in enumerate(stub.cells) if "NotImplementedError" in c.source)
    header = stub.cells[first].source.split("raise NotImplementedError")[0]
    stub.cells[first].source = header + "return A_prev @ W.T            # forgot the bias"
    nbformat.write(stub, returned / "bob" / path.name)
    out = tmp_path / "grades.csv"
    subprocess.run([sys.executable, str(ROOT / "tools" / "grade.py"), str(returned), "--out", str(out)],
                   check=True, capture_output=True, text=True, timeout=600)
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:4] == ["student", "exercise", "passed", "hint"]
    checks = _check_indices(solution)
    ada = [r for r in rows if r["student"] == "ada"]
    bob = [r for r in rows if r["student"] == "bob"]
    assert len(ada) == len(bob) == len(checks) == n
    assert all(r["passed"] == "1" and r["hint"].startswith("✅") for r in ada), ada
    assert all(r["passed"] == "0" and r["hint"].startswith(fail) for r in bob), bob
    assert bob[0]["exercise"] == "01.1" and todo not in bob[0]["hint"]
    assert "bias" in bob[0]["hint"] if edition == "en" else "偏置" in bob[0]["hint"], bob[0]
    assert all(todo in r["hint"] for r in bob[1:])
    assert [r["exercise"] for r in ada] == [f"01.{k}" for k in range(1, n + 1)]
    assert {r["notebook"] for r in rows} == {path.name if edition == "en" else f"zh/{path.name}"}


def _check_indices(nb):
    """Indices of the code cells right after each cell holding a solution (the self-check cells)."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    checks = []
    for k, i in enumerate(code):
        if "# BEGIN SOLUTION" in nb.cells[i].source:
            assert k + 1 < len(code), "an exercise cell must be followed by its self-check cell"
            checks.append(code[k + 1])
    return checks


#: chapters written so that their student copies run to the end (no later cell uses an exercise's function)
RUN_TO_END = {"01", "02", "03", "04"}


def _text(outputs):
    parts = []
    for out in outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out:
            parts.append(out.data.get("text/plain", ""))
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
    return "".join(parts)


def _run_student_copy(path, workdir):
    """Make the student copy of `path` and execute it up to its first self-check (01-04: to the end).

    Returns (copy, check indices, to_end); raises CellExecutionError if a cell before that point fails.
    """
    original = nbformat.read(path, as_version=4)
    checks = _check_indices(original)
    nb, n = tool.student_copy(original, str(path))
    assert n == len(checks)
    if n == 0:
        return nb, checks, False
    to_end = path.name[:2] in RUN_TO_END
    last = len(nb.cells) - 1 if to_end else checks[0]
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(workdir)}})
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells[:last + 1]):
            if cell.cell_type == "code":
                client.execute_cell(cell, i)          # raises CellExecutionError on any error
    return nb, checks, to_end


@pytest.fixture(scope="module")
def student_runs(tmp_path_factory):
    """Every notebook's student copy, executed two at a time (each kernel is its own process: 2 cores, 2 kernels).

    Maps path -> the result of _run_student_copy, or the exception it raised (re-raised by the test).
    """
    workdir = tmp_path_factory.mktemp("student")

    def run(path):
        try:
            return _run_student_copy(path, workdir)
        except Exception as exc:  # noqa: BLE001 - handed to the test of that notebook
            return exc

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(EDITIONS, pool.map(run, EDITIONS)))


@pytest.mark.parametrize("path", EDITIONS, ids=EDITION_IDS)
def test_student_copy_runs_up_to_its_first_check(path, student_runs):
    """Runs up to the first self-check (chapters 01-04: to the end), which must print its "Not yet" message."""
    result = student_runs[path]
    if isinstance(result, BaseException):
        raise result
    nb, checks, to_end = result
    if not checks:   # no exercise: the copy's code is the notebook's own, which nbval already executes
        original = nbformat.read(path, as_version=4)
        expected = [tool.strip_markdown(c.source) if c.cell_type == "markdown" else tool.strip_solutions(c.source)[0]
                    for c in original.cells]
        assert [c.source for c in nb.cells] == expected
        return
    fail, todo = _says(path)
    for index in checks if to_end else checks[:1]:
        text = _text(nb.cells[index].outputs)
        assert fail in text and todo in text, (index, text)


def test_the_stored_notebooks_pass_their_own_checks():
    """The full notebooks are the solutions: every stored self-check output says "✅ Correct" (✅ 正确)."""
    for path in EDITIONS:
        nb = nbformat.read(path, as_version=4)
        for index in _check_indices(nb):
            text = _text(nb.cells[index].outputs)
            assert text.startswith("✅ Correct" if path.parent.name != "zh" else "✅"), (str(path), index, text)
