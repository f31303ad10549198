"""Bad input gets a clear ValueError/TypeError saying what was expected."""
import numpy as np
import pytest

import bplib


@pytest.fixture
def net():
    return bplib.MLP([3, 4, 2], activation="tanh", output="softmax", seed=0)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((5, 3)), np.array([0, 1, 1, 0, 1])


# ------------------------------------------------------------------ the network's construction
@pytest.mark.parametrize("sizes,match", [
    ([3], r"at least 2 layer widths"),
    ([], r"at least 2 layer widths"),
    (3, r"at least 2 layer widths"),
    ("32", r"at least 2 layer widths"),
    ([3, 0, 2], r"positive integer, got \[3, 0, 2\]"),
    ([3, -4, 2], r"positive integer"),
    ([3, 2.5, 2], r"positive integer"),
    ([3, True, 2], r"positive integer"),
])
def test_bad_sizes(sizes, match):
    with pytest.raises(ValueError, match=match):
        bplib.MLP(sizes)


@pytest.mark.parametrize("kwargs,match", [
    (dict(activation="softplus"), r"unknown activation 'softplus'; expected one of \['leaky_relu', 'relu', 'sigmoid', 'tanh'\]"),
    (dict(activation="identity"), r"unknown activation 'identity'"),
    (dict(output="softmax_ce"), r"unknown output 'softmax_ce'; expected one of \['identity', 'sigmoid', 'softmax'\]"),
    (dict(init="glorot"), r"unknown init 'glorot'; expected one of \['he', 'normal', 'xavier', 'zeros'\]"),
    (dict(scale=0), r"scale must be a positive finite number"),
    (dict(l2=-1), r"l2 must be a finite number >= 0"),
    (dict(l1=float("nan")), r"l1 must be a finite number >= 0"),
])
def test_bad_names_and_numbers_list_what_is_valid(kwargs, match):
    with pytest.raises(ValueError, match=match):
        bplib.MLP([3, 4, 2], **kwargs)


@pytest.mark.parametrize("kwargs,match", [
    (dict(dtype=np.int32), r"dtype must be np.float32 or np.float64"),
    (dict(dtype="not a dtype"), r"dtype must be np.float32 or np.float64"),
    (dict(seed="zero"), r"seed must be an int >= 0, a np.random.Generator"),
    (dict(seed=1.5), r"seed must be an int >= 0, a np.random.Generator"),
])
def test_bad_types(kwargs, match):
    with pytest.raises(TypeError, match=match):
        bplib.MLP([3, 4, 2], **kwargs)


# ------------------------------------------------------------------ X
@pytest.mark.parametrize("X,error,match", [
    (np.zeros((5, 4)), ValueError, r"X has 4 features \(shape \(5, 4\)\), but the network's input layer has 3 units: "
                                   r"expected shape \(m, 3\)"),
    (np.zeros(3), ValueError, r"X has shape \(3,\), expected \(m, 3\); for one example use X.reshape\(1, -1\)"),
    (np.zeros((2, 5, 3)), ValueError, r"X must be 2-D with shape \(m, 3\), got 3-D shape \(2, 5, 3\)"),
    (np.zeros((0, 3)), ValueError, r"X has no rows"),
    (np.array([[1.0, np.nan, 0.0]]), ValueError, r"X contains NaN or infinite values \(the first at row 0, column 1\)"),
    (np.array([[1.0, 0.0, np.inf]]), ValueError, r"X contains NaN or infinite values"),
    (np.array([["a", "b", "c"]]), TypeError, r"X must hold numbers, got dtype <U1; expected shape \(m, 3\)"),
    ("data.csv", TypeError, r"X must be a 2-D array of numbers with shape \(m, 3\), got str"),
    (None, TypeError, r"X must be a 2-D array"),
    ([[1.0, 2.0, 3.0], [1.0, 2.0]], TypeError, r"X must be a 2-D array of numbers"),
])
def test_bad_X(net, X, error, match):
    with pytest.raises(error, match=match):
        net.forward(X)


def test_X_checks_apply_to_every_entry_point(net, data):
    X, y = data
    bad = X[:, :2]
    for call in (lambda: net.forward(bad), lambda: net.loss(bad, y), lambda: net.loss_and_grads(bad, y),
                 lambda: net.deltas(bad, y), lambda: net.accuracy(bad, y), lambda: net.predict(bad),
                 lambda: bplib.gradcheck(net, bad, y),
                 lambda: bplib.train(net, bad, y, epochs=1, progress=False)):
        with pytest.raises(ValueError, match=r"X has 2 features"):
            call()


# ------------------------------------------------------------------ Y
@pytest.mark.parametrize("Y,error,match", [
    (np.array([0, 1, 1]), ValueError, r"Y has 3 rows \(shape \(3,\)\) but X has 5: expected labels of shape \(5,\) "
                                      r"or targets of shape \(5, 2\)"),
    (np.array([0, 1, 2, 0, 1]), ValueError, r"Y holds labels from 0 to 2, but the output layer has 2 units: "
                                            r"expected labels in 0..1"),
    (np.array([0, -1, 1, 0, 1]), ValueError, r"labels from -1 to 1"),
    (np.array([0, 0.5, 1, 0, 1]), ValueError, r"Y is 1-D, so it must hold integer class labels"),
    (np.zeros((5, 3)), ValueError, r"Y has shape \(5, 3\), expected labels \(5,\) or targets \(5, 2\)"),
    (np.full((5, 2), 2.0), ValueError, r"must hold one-hot rows or probability rows \(values in \[0, 1\] summing to 1\)"),
    (np.full((5, 2), np.nan), ValueError, r"Y contains NaN or infinite values"),
    (np.array(["a"] * 5), TypeError, r"Y must hold numbers"),
    (None, TypeError, r"Y must be an array of labels \(m,\) or targets \(m, 2\)"),
])
def test_bad_Y(net, data, Y, error, match):
    X, _ = data
    with pytest.raises(error, match=match):
        net.loss_and_grads(X, Y)
    with pytest.raises(error, match=match):
        bplib.train(net, X, Y, epochs=1, progress=False)


def test_bad_Y_for_sigmoid_and_identity_outputs(data):
    X, y = data
    multi = bplib.MLP([3, 4, 2], output="sigmoid", seed=0)
    with pytest.raises(ValueError, match=r"a sigmoid output with 2 units needs 0/1 targets of shape \(5, 2\)"):
        multi.loss(X, y)
    single = bplib.MLP([3, 4, 1], output="sigmoid", seed=0)
    with pytest.raises(ValueError, match=r"labels from 0 to 3.*expected labels in 0..1"):
        single.loss(X, np.array([0, 1, 3, 0, 1]))
    regression = bplib.MLP([3, 4, 2], output="identity", seed=0)
    with pytest.raises(ValueError, match=r"identity \(regression\) output with 2 units needs targets of shape \(5, 2\)"):
        regression.loss(X, y)


def test_good_label_forms_are_accepted(data):
    X, y = data
    net = bplib.MLP([3, 4, 2], output="softmax", seed=0)
    onehot = np.eye(2)[y]
    assert net.loss(X, y) == net.loss(X, onehot) == net.loss(X, y.astype(float)) == net.loss(X, y.tolist())
    single = bplib.MLP([3, 4, 1], output="sigmoid", seed=0)
    assert single.loss(X, y) == single.loss(X, y.reshape(-1, 1).astype(float))


# ------------------------------------------------------------------ train's own arguments
@pytest.mark.parametrize("kwargs,error,match", [
    (dict(lr=0), ValueError, r"lr must be a positive finite number, got 0"),
    (dict(lr=-0.1), ValueError, r"lr must be a positive finite number"),
    (dict(lr=float("inf")), ValueError, r"lr must be a positive finite number"),
    (dict(lr="0.1"), ValueError, r"lr must be a positive finite number"),
    (dict(batch_size=0), ValueError, r"batch_size must be a positive integer, got 0"),
    (dict(batch_size=-8), ValueError, r"batch_size must be a positive integer"),
    (dict(batch_size=16.0), ValueError, r"batch_size must be a positive integer"),
    (dict(epochs=0), ValueError, r"epochs must be a positive integer"),
    (dict(optimizer="rmsprop"), ValueError, r"unknown optimizer 'rmsprop'; expected one of \['adam', 'momentum', 'sgd'\]"),
    (dict(optimizer="sgd", mu=0.9), TypeError, r"optimizer 'sgd' takes the arguments \[\], got \['mu'\]"),
    (dict(optimizer="momentum", mu=1.5), ValueError, r"mu must be a number in \[0, 1\)"),
    (dict(optimizer="adam", beta2=1.0), ValueError, r"beta2 must be a number in \[0, 1\)"),
    (dict(lr_schedule=0.5), TypeError, r"lr_schedule must be None or a function"),
    (dict(callback="print"), TypeError, r"callback must be None or a function"),
    (dict(diverge_factor=0.5), ValueError, r"diverge_factor must be > 1"),
    (dict(progress="yes"), ValueError, r"progress must be True, False or 'auto'"),
    (dict(seed="0"), TypeError, r"seed must be an int >= 0, a np.random.Generator or None"),
    (dict(lr_schedule=lambda epoch, lr: -0.1), ValueError, r"lr_schedule returned -0.1 for epoch 0; it must return "
                                                           r"a non-negative learning rate"),
    (dict(lr_schedule=lambda epoch, lr: None), ValueError, r"lr_schedule returned None"),
])
def test_bad_training_arguments(net, data, kwargs, error, match):
    X, y = data
    options = dict(epochs=1, lr=0.1, batch_size=2, progress=False)
    options.update(kwargs)
    with pytest.raises(error, match=match):
        bplib.train(net, X, y, **options)


def test_validation_set_is_checked_too(net, data):
    X, y = data
    with pytest.raises(ValueError, match=r"give both X_val and Y_val, or neither"):
        bplib.train(net, X, y, epochs=1, X_val=X, progress=False)
    with pytest.raises(ValueError, match=r"X has 2 features"):
        bplib.train(net, X, y, epochs=1, X_val=X[:, :2], Y_val=y, progress=False)


def test_a_failed_call_leaves_the_network_unchanged(net, data):
    X, y = data
    before = [p.copy() for p in net.params()]
    with pytest.raises(ValueError):
        bplib.train(net, X, np.array([0, 1, 5, 0, 1]), epochs=1, progress=False)
    for p, q in zip(net.params(), before):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("kwargs,match", [
    (dict(eps=0), r"eps must be a small positive number"),
    (dict(eps=-1e-5), r"eps must be a small positive number"),
    (dict(max_entries=0), r"max_entries must be None or a positive integer"),
])
def test_bad_gradcheck_arguments(net, data, kwargs, match):
    with pytest.raises(ValueError, match=match):
        bplib.gradcheck(net, *data, **kwargs)


def test_unknown_names_in_the_lookup_helpers():
    with pytest.raises(ValueError, match=r"unknown activation 'swish'; expected one of"):
        bplib.activations.get("swish")
    with pytest.raises(ValueError, match=r"unknown output 'softmin'; expected one of"):
        bplib.losses.get("softmin")
    with pytest.raises(ValueError, match=r"unknown init 'lecun'; expected one of"):
        bplib.init.init_std("lecun", 3, 4)
    with pytest.raises(ValueError, match=r"unknown optimizer 'nadam'; expected one of"):
        bplib.optim.make_optimizer("nadam")


# ------------------------------------------------------------------ weights set by hand
def test_weights_set_by_hand_are_checked(data):
    X, y = data
    net = bplib.MLP([3, 4, 2], activation="tanh", output="softmax", seed=0)
    net.weights[0] = net.weights[0].T.copy()
    with pytest.raises(ValueError, match=r"weights\[0\] \(W\(1\)\) has shape \(3, 4\), expected \(4, 3\) \(transposed\?"):
        net.forward(X)
    net = bplib.MLP([3, 4, 2], activation="tanh", output="softmax", seed=0)
    net.biases[1] = np.zeros(3)
    with pytest.raises(ValueError, match=r"biases\[1\] \(b\(2\)\) has shape \(3,\), expected \(2,\)"):
        bplib.train(net, X, y, epochs=1, progress=False)
    net.biases[1] = [0.0, 0.0]
    with pytest.raises(TypeError, match=r"biases\[1\] \(b\(2\)\) must be a float NumPy array of shape \(2,\), got list"):
        net.loss(X, y)
    net.biases[1] = np.zeros(2, dtype=int)
    with pytest.raises(TypeError, match=r"got ndarray of dtype int64"):
        net.loss(X, y)
