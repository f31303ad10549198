"""Reliability of the engine: failures that used to pass silently now raise or report, with a clear message.

- gradcheck never lets a NaN gradient through (Python's max() skips a NaN that is not first);
- softmax targets must be one-hot or probability rows (δ(L) = a - y is the gradient only then);
- train reports divergence even when the very first epoch already exploded;
- every True/False and seed argument is checked: a string such as "no" is truthy, a negative seed is NumPy's
  error otherwise.
"""
import numpy as np
import pytest

import bplib
from bplib.data import load_mnist, make_circles, make_moons, make_spirals, make_toy, make_xor, one_hot


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((6, 3)), np.array([0, 1, 2, 0, 1, 2])


# ---------------------------------------------------------------------------------------------- gradcheck
class NaNOutputBias(bplib.MLP):
    """A backward pass that is right everywhere except ∂J/∂b(L), which is NaN."""

    def backward_pass(self, zs, activations, T, *args, **kwargs):
        deltas, dW, db = super().backward_pass(zs, activations, T, *args, **kwargs)
        db[-1] = np.full_like(db[-1], np.nan)
        return deltas, dW, db


def test_gradcheck_raises_on_a_nan_gradient_and_names_the_parameter(data):
    net = NaNOutputBias([3, 4, 3], activation="tanh", seed=0)
    # b(L) is the last parameter: max() over {W1: 3e-11, W2: .., b1: .., b2: nan} returned 3e-11, a "pass"
    with pytest.raises(FloatingPointError, match=r"analytic gradient of b2 contains NaN or infinite values"):
        bplib.gradcheck(net, *data)
    with pytest.raises(FloatingPointError, match=r"b2"):
        bplib.gradcheck(net, *data, return_all=True)
    assert bplib.gradcheck(bplib.MLP([3, 4, 3], activation="tanh", seed=0), *data) < 1e-7   # the honest one


# ---------------------------------------------------------------------------------------------- targets
SOFTMAX_TARGET_ERROR = r"Y for a softmax output must hold one-hot rows or probability rows \(values in \[0, 1\] summing to 1\)"


@pytest.mark.parametrize("Y, row_sum", [
    (np.full((6, 3), 0.5 / 3), "0.5"),                              # probability-like rows that sum to 0.5
    (np.zeros((6, 3)), "0"),                                         # all-zero rows: the loss would be 0
    (np.array([[1.5, -0.5, 0.0]] * 6), "1"),                         # sums to 1, but not probabilities
])
def test_softmax_targets_that_are_not_distributions_are_rejected(data, Y, row_sum):
    X, _ = data
    net = bplib.MLP([3, 4, 3], seed=0)
    for call in (lambda: net.loss(X, Y), lambda: net.loss_and_grads(X, Y),
                 lambda: bplib.train(net, X, Y, epochs=1, progress=False)):
        with pytest.raises(ValueError, match=SOFTMAX_TARGET_ERROR) as err:
            call()
        assert f"row 0 sums to {row_sum} " in str(err.value) and "one_hot(y)" in str(err.value)


def test_one_bad_row_among_good_ones_is_found(data):
    X, y = data
    Y = one_hot(y, k=3)
    Y[4] = 0
    with pytest.raises(ValueError, match=r"row 4 sums to 0 .*\(1 such rows\)"):
        bplib.MLP([3, 4, 3], seed=0).loss(X, Y)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_soft_and_one_hot_softmax_targets_are_accepted(data, dtype):
    X, y = data
    net = bplib.MLP([3, 4, 3], seed=0, dtype=dtype)
    soft = np.random.default_rng(1).dirichlet(np.ones(3), size=6).astype(dtype)   # rows sum to 1 (± rounding)
    smoothed = 0.9 * one_hot(y, k=3, dtype=dtype) + 0.1 / 3                        # label smoothing
    for Y in (one_hot(y, k=3, dtype=dtype), soft, smoothed):
        assert np.isfinite(net.loss(X, Y))
    assert net.loss(X, one_hot(y, k=3)) == pytest.approx(net.loss(X, y))


def test_sigmoid_targets_must_lie_in_0_1(data):
    X, _ = data
    net = bplib.MLP([3, 4, 1], output="sigmoid", seed=0)
    with pytest.raises(ValueError, match=r"sigmoid output \(binary cross-entropy\) must hold values in \[0, 1\], "
                                         r"got values from -0.5 to 1.5"):
        net.loss(X, np.linspace(-0.5, 1.5, 6).reshape(6, 1))
    assert np.isfinite(net.loss(X, np.full((6, 1), 0.3)))           # soft targets in [0, 1] are fine


# ---------------------------------------------------------------------------------------------- divergence
def test_a_first_epoch_that_already_exploded_is_reported_as_divergence():
    # Adam at lr 1e6: the first epoch's mean loss is ~1e19, later ones ~1e5. Comparing with the first epoch
    # alone never fired; the loss before the first step (0.8) does.
    X, y = make_moons(200, seed=0)
    net = bplib.MLP([2, 16, 16, 2], activation="relu", seed=0)
    history = bplib.train(net, X, y, epochs=10, lr=1e6, optimizer="adam", batch_size=20, verbose=False,
                          progress=False)
    diverged = history["diverged"]
    assert diverged is not None and diverged["epoch"] == 1
    assert diverged["loss"] > 1e12
    assert "the loss before the first step" in diverged["message"]
    assert "Try a smaller learning rate (lr = 1e+06 now)" in diverged["message"]
    assert history["loss"] == []                                     # no exploded loss in the curves


def test_the_reference_loss_does_not_flag_ordinary_training():
    X, y = make_moons(200, seed=0)
    for optimizer, lr in (("sgd", 0.5), ("momentum", 0.1), ("adam", 0.01)):
        net = bplib.MLP([2, 16, 16, 2], activation="relu", seed=0)
        history = bplib.train(net, X, y, epochs=10, lr=lr, optimizer=optimizer, batch_size=20, verbose=False,
                              progress=False)
        assert history["diverged"] is None, (optimizer, history["diverged"])


# ---------------------------------------------------------------------------------------------- True/False and seeds
@pytest.mark.parametrize("name", ["shuffle", "verbose", "track_grad_norms"])
@pytest.mark.parametrize("value", ["no", "False", 0, 1, None])
def test_train_flags_must_be_true_or_false(data, name, value):
    net = bplib.MLP([3, 4, 3], seed=0)
    with pytest.raises(TypeError, match=rf"{name} must be True or False, got {value!r}"):
        bplib.train(net, *data, epochs=1, progress=False, **{name: value})


def test_train_flags_accept_numpy_booleans(data):
    net = bplib.MLP([3, 4, 3], seed=0)
    history = bplib.train(net, *data, epochs=1, progress=False, shuffle=np.False_, verbose=np.True_,
                          track_grad_norms=np.True_)
    assert len(history["grad_norms"]) == 1


SEED_CALLS = {
    "MLP": lambda seed: bplib.MLP([3, 4, 3], seed=seed),
    "train": lambda seed: bplib.train(bplib.MLP([3, 4, 3], seed=0), np.zeros((4, 3)), [0, 1, 2, 0], epochs=1,
                                      progress=False, seed=seed),
    "gradcheck": lambda seed: bplib.gradcheck(bplib.MLP([3, 4, 3], seed=0), np.ones((2, 3)), [0, 1],
                                              max_entries=2, seed=seed),
    "make_moons": lambda seed: make_moons(seed=seed),
    "make_circles": lambda seed: make_circles(seed=seed),
    "make_spirals": lambda seed: make_spirals(seed=seed),
    "make_xor": lambda seed: make_xor(seed=seed),
    "make_toy": lambda seed: make_toy("moons", seed=seed),
}


@pytest.mark.parametrize("call", SEED_CALLS.values(), ids=SEED_CALLS.keys())
def test_every_seed_is_checked_with_a_message_that_names_it(call):
    with pytest.raises(ValueError, match=r"^seed must be >= 0 \(NumPy seeds are non-negative\), got -1$"):
        call(-1)
    for bad in ("0", 1.5, True):
        with pytest.raises(TypeError, match=r"^seed must be an int >= 0"):
            call(bad)
    call(np.int64(3))                                                # NumPy integers are fine
    call(np.random.default_rng(0))                                   # and so is a Generator


def test_gradcheck_return_all_and_floor_are_checked(data):
    net = bplib.MLP([3, 4, 3], seed=0)
    with pytest.raises(TypeError, match=r"return_all must be True or False, got 'no'"):
        bplib.gradcheck(net, *data, return_all="no")                # was truthy: a dict instead of a float
    with pytest.raises(ValueError, match=r"floor must be a positive finite number, got -1"):
        bplib.gradcheck(net, *data, floor=-1)
    assert isinstance(bplib.gradcheck(net, *data, return_all=np.False_), float)


def test_load_mnist_flags_take_numpy_booleans_and_refuse_strings():
    X_train = load_mnist(flatten=np.False_)[0]
    assert X_train.shape == (4000, 28, 28)
    for name in ("flatten", "download"):
        with pytest.raises(TypeError, match=rf"{name} must be True or False, got 'no'"):
            load_mnist(**{name: "no"})


@pytest.mark.parametrize("dtype", ["x", None, np.int64, object])
def test_one_hot_dtype_is_checked_with_a_clear_message(dtype):
    with pytest.raises(TypeError, match=r"dtype must be a floating type such as np.float64 or np.float32, got"):
        one_hot(np.array([0, 1]), k=2, dtype=dtype)


def test_toy_shape_arguments_are_checked():
    with pytest.raises(ValueError, match=r"factor \(the inner circle's radius\) must be a number in \(0, 1\), got 5"):
        make_circles(factor=5)
    for bad in ("x", np.nan, 0):
        with pytest.raises(ValueError, match=r"turns must be a positive finite number"):
            make_spirals(turns=bad)
