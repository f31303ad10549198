"""bplib._blas: small products run on one BLAS thread, in the calling thread only, and the setting is restored."""
import numpy as np
import pytest

import bplib
from bplib import _blas


def test_small_matmul_rule():
    toy = bplib.MLP([2, 16, 16, 2], seed=0)
    assert _blas.is_small(300, toy.params())             # the playground's full batch: 300 · 16 · 16 multiply-adds
    article = bplib.MLP([784, 100, 10], seed=0)
    assert not _blas.is_small(128, article.params())     # 128 · 784 · 100 ≈ 1.0e7: BLAS keeps its threads


@pytest.mark.skipif(_blas._SET_THREADS_LOCAL is None, reason="NumPy here has no OpenBLAS with per-thread threads")
def test_single_threaded_blas_restores_the_previous_setting():
    before = _blas._SET_THREADS_LOCAL(3)                 # returns the previous count; set 3 to observe the restore
    try:
        with _blas.single_threaded_blas():
            assert _blas._SET_THREADS_LOCAL(1) == 1      # inside: one thread
        assert _blas._SET_THREADS_LOCAL(3) == 3          # after: back to 3
    finally:
        _blas._SET_THREADS_LOCAL(before)


def test_train_gives_the_same_result_with_and_without_the_one_thread_rule():
    X, y = bplib.datasets.make_moons(n=100, seed=0)
    histories = []
    for small_blas in ("auto", False):
        net = bplib.MLP([2, 8, 2], seed=0)
        histories.append(bplib.train(net, X, y, epochs=3, lr=0.1, batch_size=16, small_blas=small_blas)["loss"])
    np.testing.assert_allclose(histories[0], histories[1], rtol=1e-12)


def test_train_rejects_an_unknown_small_blas_value():
    X, y = bplib.datasets.make_moons(n=20, seed=0)
    with pytest.raises(ValueError, match="small_blas must be True, False or 'auto'"):
        bplib.train(bplib.MLP([2, 4, 2], seed=0), X, y, epochs=1, small_blas="yes")
