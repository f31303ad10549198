"""pytest setup shared by unit tests and nbval.

Kernels that nbval starts inherit this process's environment, so:
- PYTHONHASHSEED=0 makes set and dict ordering in notebook outputs the same on every run (the notebooks are
  stored with it too, by tools/execute_notebooks.py);
- one BLAS thread: on 2 shared cores, OpenBLAS worker threads made small-matrix training up to 10x slower, and a
  fixed thread count keeps floating-point sums in the same order as when the outputs were stored.
These must be set before anything imports numpy.
"""
import os
from pathlib import Path

os.environ["PYTHONHASHSEED"] = "0"
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

SANITIZE_FILE = Path(__file__).resolve().parent / "tests" / "sanitize.cfg"


def pytest_configure(config):
    """nbval opens --nbval-sanitize-with relative to the working directory, so pyproject's addopts could only name
    it for runs from the repository root (elsewhere every notebook cell errored): default to an absolute path."""
    if not (config.getoption("nbval_sanitize_with", None) or config.getoption("sanitize_with", None)):
        config.option.nbval_sanitize_with = str(SANITIZE_FILE)
