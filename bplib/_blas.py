"""BLAS threads for small matrices.

The course's toy networks multiply tiny matrices (a 300 × 2 batch by a 2 × 16 W(1)ᵀ, or 10 × 64 by 64 × 64 in the
playground). Splitting such a product over several BLAS threads costs more than it saves, and on a busy 2-core
machine it made a playground training chunk 5-10 times slower (230 ms instead of 25 ms). `bplib.train` and the
playground therefore run small products on one BLAS thread, in the calling thread only, and restore the previous
setting afterwards. Larger products keep BLAS's own thread count: one epoch of the article's 784-100-10 network
(batch 128: 128 · 784 · 100 ≈ 1.0e7 multiply-adds per product) took 0.31 s on one thread and 0.245 s on two on a
quiet 2-core machine (but up to 0.41 s on two when other work was running).
"""
import contextlib
import ctypes
import glob
import os

import numpy as np


def _find_openblas_set_threads_local():
    """NumPy's bundled OpenBLAS `openblas_set_num_threads_local` (per-thread thread count), or None."""
    libs = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
    for path in sorted(glob.glob(os.path.join(libs, "*openblas*"))):
        try:
            fn = ctypes.CDLL(path).openblas_set_num_threads_local
        except (OSError, AttributeError):
            continue
        fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
        return fn
    return None


_SET_THREADS_LOCAL = _find_openblas_set_threads_local()


@contextlib.contextmanager
def single_threaded_blas():
    """Run the enclosed NumPy calls with a one-thread OpenBLAS, in the calling thread only.

    Other threads, e.g. a notebook training MNIST beside a running playground, keep their threads. A no-op where
    NumPy has no OpenBLAS (its bundled `openblas_set_num_threads_local`, OpenBLAS 0.3.27 or newer).
    """
    if _SET_THREADS_LOCAL is None:
        yield
        return
    previous = _SET_THREADS_LOCAL(1)
    try:
        yield
    finally:
        _SET_THREADS_LOCAL(previous)


#: products with at most this many multiply-adds (m · n_in · n_out) run on one BLAS thread
SMALL_MATMUL = 2 ** 22


def is_small(batch_size, weights):
    """True if every layer's product for a batch of `batch_size` rows has at most SMALL_MATMUL multiply-adds."""
    return all(batch_size * W.size <= SMALL_MATMUL for W in weights)
