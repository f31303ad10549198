"""Student copies: solutions become stubs, and each copy runs without error up to its first self-check.

Covers every notebooks/NN_*.ipynb present (chapters added later are picked up by the glob).
"""
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


def _first_check_index(nb):
    """Index of the code cell right after the first cell holding a solution (None if the notebook has none)."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    for k, i in enumerate(code):
        if "# BEGIN SOLUTION" in nb.cells[i].source:
            assert k + 1 < len(code), "an exercise cell must be followed by its self-check cell"
            return code[k + 1]
    return None


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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_student_copy_runs_up_to_its_first_check(path, tmp_path):
    original = nbformat.read(path, as_version=4)
    check_index = _first_check_index(original)
    nb, n = tool.student_copy(original, str(path))
    assert (check_index is None) == (n == 0)
    last = check_index if check_index is not None else len(nb.cells) - 1
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells[:last + 1]):
            if cell.cell_type == "code":
                client.execute_cell(cell, i)          # raises CellExecutionError on any error
    if check_index is not None:
        text = _text(nb.cells[check_index].outputs)
        assert "❌ Not yet" in text and "not implemented yet" in text, text
