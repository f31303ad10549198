"""Student copies: solutions become stubs, and each copy runs without error up to its first self-check.

Covers every notebooks/NN_*.ipynb present (chapters added later are picked up by the glob).
"""
import concurrent.futures
import pathlib
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


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
        return dict(zip(NOTEBOOKS, pool.map(run, NOTEBOOKS)))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_student_copy_runs_up_to_its_first_check(path, student_runs):
    """Runs up to the first self-check (chapters 01-04: to the end), which must print its "Not yet" message."""
    result = student_runs[path]
    if isinstance(result, BaseException):
        raise result
    nb, checks, to_end = result
    if not checks:   # no exercise: the copy's code is the notebook's own, which nbval already executes
        original = nbformat.read(path, as_version=4)
        assert [c.source for c in nb.cells] == [c.source for c in original.cells]
        return
    for index in checks if to_end else checks[:1]:
        text = _text(nb.cells[index].outputs)
        assert "❌ Not yet" in text and "not implemented yet" in text, (index, text)


def test_the_stored_notebooks_pass_their_own_checks():
    """The full notebooks are the solutions: every stored self-check output says "✅ Correct"."""
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for index in _check_indices(nb):
            text = _text(nb.cells[index].outputs)
            assert text.startswith("✅ Correct"), (path.name, index, text)
