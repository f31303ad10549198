"""Four kernels running the MNIST chapter at once: the default environment against one BLAS thread set by hand.

    python benchmarks/bench_oversubscription.py               # 4 kernels, 1 round of each setting
    python benchmarks/bench_oversubscription.py --kernels 4 --rounds 2 --chapter '*mnist*'

On a shared class server every kernel is a separate process. If each one starts as many BLAS threads as the
machine has cores, 4 kernels on 2 cores run 8 busy threads that wait for each other, and a chapter that takes
seconds alone takes more than a minute. bplib limits BLAS to one thread on import (more on request:
BPLIB_NUM_THREADS or bplib.set_num_threads), so the default environment should cost at most a little more than
setting OPENBLAS_NUM_THREADS=1 by hand in every kernel.

Both settings run in this one process, alternating round by round so that both see the same machine load:
- "default": the kernels get this environment minus every *_NUM_THREADS variable (nothing set by hand);
- "one thread by hand": the same plus OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=MKL_NUM_THREADS=1.
Each kernel's time runs from its start to its last cell. Printed: every kernel's time, the mean per setting, and
the ratio default / by hand (the target is at most 1.3). The chapter is the notebook itself (notebooks/), run
top to bottom as a teacher's "Restart & Run All" does; an error in any cell stops the script.
"""
import argparse
import concurrent.futures
import os
import pathlib
import platform
import statistics
import sys
import tempfile
import threading
import time

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import hubload  # noqa: E402

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BPLIB_NUM_THREADS")


def environments():
    """{"default": env without thread settings, "one thread by hand": the same with the three set to 1}."""
    default = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    by_hand = dict(default, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return {"default": default, "one thread by hand": by_hand}


def run_kernel(path, env, workdir, start):
    """Wait for `start` (all kernels begin together), run the notebook in a fresh kernel; returns seconds."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(workdir)}})
    start.wait()
    t0 = time.perf_counter()
    with client.setup_kernel(env=env):
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, i)      # raises CellExecutionError on any error
    return time.perf_counter() - t0


def run_round(path, env, kernels, workdir):
    """`kernels` kernels running `path` at the same time; returns their times."""
    start = threading.Barrier(kernels)
    with concurrent.futures.ThreadPoolExecutor(kernels) as pool:
        return list(pool.map(lambda _: run_kernel(path, env, workdir, start), range(kernels)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", default="*mnist*", help="glob in notebooks/ (default *mnist*)")
    parser.add_argument("--kernels", type=int, default=4, help="kernels at once (default 4)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of each setting, alternating (default 1)")
    args = parser.parse_args(argv)
    path = hubload.chapter_path(args.chapter)
    envs = environments()
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, {os.cpu_count()} CPUs; {args.kernels} kernels "
          f"running {path.name} at once, {args.rounds} round(s) per setting")
    print("kept in both: " + (", ".join(f"{k}={v}" for k, v in os.environ.items()
                                         if k.startswith("OPENBLAS") and k not in THREAD_VARS) or "no OPENBLAS_*"))
    times = {name: [] for name in envs}
    with tempfile.TemporaryDirectory() as workdir:
        for r in range(args.rounds):
            for name, env in envs.items():
                t = run_round(path, env, args.kernels, workdir)
                times[name] += t
                print(f"round {r + 1}, {name:18s}: " + ", ".join(f"{x:.1f}" for x in t) + " s", flush=True)
    mean = {name: statistics.mean(t) for name, t in times.items()}
    for name, t in times.items():
        print(f"{name:18s}: mean {mean[name]:.1f} s per kernel (min {min(t):.1f}, max {max(t):.1f})")
    ratio = mean["default"] / mean["one thread by hand"]
    print(f"ratio default / one thread by hand: {ratio:.2f} (target <= 1.3: {'met' if ratio <= 1.3 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
