"""The benchmark script's bookkeeping (not its timings): the FLOP count behind "fraction of peak" and the runner."""
import importlib.util
import pathlib

import numpy as np
import pytest

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "bench_train.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_train", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)                # not __main__: parses no arguments, runs nothing
    return module


def test_epoch_flops_counts_every_matmul_of_one_epoch(bench):
    m = 60_000
    forward = 2 * m * (784 * 100 + 100 * 10)       # Z(1) = X W(1)ᵀ, Z(2) = A(1) W(2)ᵀ
    weight_grads = 2 * m * (784 * 100 + 100 * 10)  # dW(1) = δ(1)ᵀ X, dW(2) = δ(2)ᵀ A(1)
    hidden_delta = 2 * m * 10 * 100                # δ(1) = (δ(2) W(2)) ⊙ σ'; the input layer has no δ
    assert bench.epoch_flops() == forward + weight_grads + hidden_delta == 19_176_000_000


def test_random_data_has_the_benchmark_shape_and_dtype(bench):
    X, y, description = bench.load_data("random")
    assert X.shape == (60_000, 784) and X.dtype == np.float32 and y.shape == (60_000,)
    assert y.min() >= 0 and y.max() <= 9 and "seed" in description


def test_the_bplib_runner_trains_in_float32(bench):
    rng = np.random.default_rng(0)
    X = rng.random((512, 784), dtype=np.float32)
    y = rng.integers(0, 10, 512)
    runner = bench.BplibRunner(X, y)
    seconds, call, loss = runner.run_epoch()
    assert 0 < seconds <= call and np.isfinite(loss)
    assert all(p.dtype == np.float32 for p in runner.net.params())
