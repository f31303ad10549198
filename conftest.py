"""pytest setup shared by unit tests and nbval.

Kernels that nbval starts inherit this process's environment, so:
- PYTHONHASHSEED=0 makes set and dict ordering in notebook outputs the same on every run (the notebooks are
  stored with it too, by tools/execute_notebooks.py);
- one BLAS thread: on 2 shared cores, OpenBLAS worker threads made small-matrix training up to 10x slower, and a
  fixed thread count keeps floating-point sums in the same order as when the outputs were stored.
These must be set before anything imports numpy.
"""
import os

os.environ["PYTHONHASHSEED"] = "0"
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
