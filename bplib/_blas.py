"""BLAS threads: the one place that decides how many threads NumPy's matrix products may use.

Why one thread by default. A course runs many kernels at once: a class on one JupyterHub, or a student's laptop
with a browser, a playground and a training cell. OpenBLAS starts one busy-waiting thread per core in every
process, so four kernels on two cores fought over them: the MNIST chapter took 65-83 s per kernel instead of 15 s
with one thread each. The toy networks gain nothing from more threads either (a 300 × 2 batch times a 2 × 16
matrix is over before a second thread wakes up). So `import bplib` limits BLAS to one thread, whatever
OPENBLAS_NUM_THREADS or OMP_NUM_THREADS say.

Opting in. For the full 60,000-image MNIST runs on a machine of your own, more threads help (one epoch of
784-100-10: 0.31 s on one core, 0.25 s on two). Set the environment variable BPLIB_NUM_THREADS before starting
Jupyter, or call `bplib.set_num_threads(n)` in a notebook. Even then, products too small to gain
(`is_small`) run on one thread inside `bplib.train`.

The limit is applied through threadpoolctl (the library scikit-learn uses for the same job), which finds the
BLAS that NumPy loaded, whatever its file name (OpenBLAS, scipy-openblas, MKL, BLIS).
"""
import contextlib
import numbers
import os

import numpy  # noqa: F401  (load NumPy's BLAS before threadpoolctl looks for it)
from threadpoolctl import ThreadpoolController

from .i18n import tr

_controller = ThreadpoolController()

#: products with at most this many multiply-adds (m · n_in · n_out) gain nothing from extra threads
SMALL_MATMUL = 2 ** 22


def _threads_from_env():
    value = os.environ.get("BPLIB_NUM_THREADS", "").strip()
    if not value:
        return 1
    try:
        n = int(value)
    except ValueError:
        raise ValueError(f"BPLIB_NUM_THREADS must be a positive integer, got {value!r}") from None
    if n < 1:
        raise ValueError(f"BPLIB_NUM_THREADS must be a positive integer, got {value!r}")
    return n


def set_num_threads(n):
    """Let NumPy's BLAS use `n` threads from now on (bplib's default is 1); returns the previous number.

    More threads speed up large products (full MNIST) on a machine you have to yourself. On a shared server,
    leave it at 1: every extra thread competes with the other students' kernels.
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(tr("the number of BLAS threads must be a positive integer, got {n!r}", n=n))
    previous = get_num_threads()
    _controller.limit(limits=int(n), user_api="blas")
    return previous


def get_num_threads():
    """The number of threads NumPy's BLAS uses now (1 if no BLAS library was found)."""
    counts = [lib.num_threads for lib in _controller.select(user_api="blas").lib_controllers]
    return max(counts, default=1)


def blas_libraries():
    """What threadpoolctl found: a list of {"internal_api", "version", "num_threads", "filepath"} dicts."""
    return [{k: info[k] for k in ("internal_api", "version", "num_threads", "filepath")}
            for info in _controller.select(user_api="blas").info()]


@contextlib.contextmanager
def single_threaded():
    """Run the enclosed products on one BLAS thread, then restore the previous count (free if it already is 1)."""
    if get_num_threads() == 1:
        yield
        return
    with _controller.limit(limits=1, user_api="blas"):
        yield


def is_small(batch_size, weights):
    """True if every layer's product for a batch of `batch_size` rows has at most SMALL_MATMUL multiply-adds."""
    return all(batch_size * W.size <= SMALL_MATMUL for W in weights)


set_num_threads(_threads_from_env())
