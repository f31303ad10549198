"""BLAS threads: `import bplib` limits NumPy's BLAS to one thread (threadpoolctl), whatever the environment says.

These tests fail, never skip, where the feature is expected: NumPy always ships a BLAS that threadpoolctl
controls (OpenBLAS in the wheels), so "no BLAS found" is itself a failure to report.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

import bplib
from bplib import _blas


def _threads_in_fresh_python(env_extra):
    env = {**os.environ, **env_extra}
    code = "import bplib; print(bplib.get_num_threads())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def test_threadpoolctl_finds_numpys_blas():
    libs = _blas.blas_libraries()
    assert libs, "threadpoolctl found no BLAS library loaded by NumPy"


@pytest.mark.parametrize("env", [{}, {"OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"}])
def test_import_limits_blas_to_one_thread_whatever_the_environment_says(env):
    assert _threads_in_fresh_python({"BPLIB_NUM_THREADS": "", **env}) == 1


def test_bplib_num_threads_opts_in_to_more():
    assert _threads_in_fresh_python({"BPLIB_NUM_THREADS": "2"}) == 2


def test_bad_bplib_num_threads_is_a_clear_error():
    env = {**os.environ, "BPLIB_NUM_THREADS": "many"}
    out = subprocess.run([sys.executable, "-c", "import bplib"], env=env, capture_output=True, text=True)
    assert out.returncode != 0 and "BPLIB_NUM_THREADS must be a positive integer" in out.stderr


def test_set_num_threads_returns_the_previous_count_and_single_threaded_restores_it():
    previous = bplib.set_num_threads(2)
    try:
        assert bplib.get_num_threads() == 2
        with _blas.single_threaded():
            assert bplib.get_num_threads() == 1
        assert bplib.get_num_threads() == 2
    finally:
        bplib.set_num_threads(previous)
    assert bplib.get_num_threads() == previous
    with pytest.raises(ValueError, match="positive integer"):
        bplib.set_num_threads(0)


def test_small_matmul_rule():
    toy = bplib.MLP([2, 16, 16, 2], seed=0)
    assert _blas.is_small(300, toy.params())             # the playground's full batch: 300 · 16 · 16 multiply-adds
    article = bplib.MLP([784, 100, 10], seed=0)
    assert not _blas.is_small(128, article.params())     # 128 · 784 · 100 ≈ 1.0e7: BLAS keeps its threads


def test_small_blas_does_not_change_results():
    X, y = bplib.data.make_moons(n=100, seed=0)
    histories = []
    for small_blas in ("auto", False):
        net = bplib.MLP([2, 16, 16, 2], activation="tanh", seed=0)
        histories.append(bplib.train(net, X, y, epochs=3, lr=0.1, batch_size=16, small_blas=small_blas)["loss"])
    np.testing.assert_array_equal(histories[0], histories[1])


def test_train_rejects_an_unknown_small_blas_value():
    X, y = bplib.data.make_moons(n=20, seed=0)
    with pytest.raises(ValueError, match="small_blas must be True, False or 'auto'"):
        bplib.train(bplib.MLP([2, 4, 2], seed=0), X, y, epochs=1, small_blas="yes")
