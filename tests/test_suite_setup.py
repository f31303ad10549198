"""The test suite itself, wherever it runs: from any working directory, in a read-only checkout, on CI (where a
missing system package is a failure, not a skip), and `.ci/run` cleaning up its virtual environment."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------------------------- any working directory
def test_sanitize_file_is_an_absolute_path(pytestconfig):
    """nbval opens --nbval-sanitize-with relative to the cwd, so the default must be absolute."""
    path = Path(pytestconfig.getoption("nbval_sanitize_with"))
    assert path.is_absolute() and path.is_file(), path


def test_a_notebook_passes_when_pytest_runs_from_another_directory():
    """`cd notebooks && python -m pytest NOTEBOOK`: every cell used to error with FileNotFoundError (tests/sanitize.cfg)."""
    notebook = min((ROOT / "notebooks").glob("*.ipynb"), key=lambda p: p.stat().st_size)   # the cheapest one
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", notebook.name], cwd=notebook.parent,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    summary = proc.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "error" not in summary, summary
