"""Execute notebooks top to bottom in a fresh kernel and store their outputs (the same way CI checks them).

    python tools/execute_notebooks.py                    # every notebook in notebooks/
    python tools/execute_notebooks.py notebooks/03_*.ipynb

Runs with PYTHONHASHSEED=0, one BLAS thread (as conftest.py sets for pytest) and the notebook's folder as working directory, like nbval; prints each notebook's
execution time. Run it after every change to a notebook or to bplib, then `python -m pytest`.
"""
import argparse
import os
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent


def execute(path, timeout=900):
    """Execute one notebook in place; return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nbformat.write(nb, path)
    return elapsed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    args = parser.parse_args(argv)
    os.environ["PYTHONHASHSEED"] = "0"          # inherited by the kernels, as under pytest (see conftest.py)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    total = 0.0
    for path in paths:
        seconds = execute(path.resolve())
        total += seconds
        print(f"{path.name:40s} {seconds:6.1f} s", flush=True)
    print(f"{'total':40s} {total:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
