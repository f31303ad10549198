"""Save and load a network as .npz, with allow_pickle=False."""
import numpy as np
import pytest

import bplib


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_round_trip_keeps_architecture_weights_and_outputs(tmp_path, dtype):
    net = bplib.MLP([3, 5, 4, 2], activation="leaky_relu", output="sigmoid", init="xavier", seed=3, dtype=dtype,
                    l1=1e-3, l2=2e-3)
    X = np.random.default_rng(0).standard_normal((6, 3))
    bplib.train(net, X, np.eye(2)[[0, 1, 1, 0, 1, 0]], epochs=2, lr=0.1, batch_size=3, progress=False)
    path = tmp_path / "net.npz"
    net.save(path)
    loaded = bplib.load(path)
    assert (loaded.sizes, loaded.activation, loaded.output, loaded.init, loaded.dtype, loaded.l1, loaded.l2) == \
        (net.sizes, net.activation, net.output, net.init, np.dtype(dtype), net.l1, net.l2)
    for a, b in zip(net.params(), loaded.params()):
        assert a.dtype == b.dtype == dtype
        np.testing.assert_array_equal(a, b)                          # bit for bit
    np.testing.assert_array_equal(net.forward(X), loaded.forward(X))
    assert repr(loaded) == repr(net)


def test_the_file_is_plain_arrays_without_pickle(tmp_path):
    net = bplib.MLP([2, 3, 2], seed=0)
    path = tmp_path / "plain.npz"
    bplib.save(net, path)
    with np.load(path, allow_pickle=False) as f:                    # would raise if any object array were inside
        assert {"sizes", "activation", "output", "W1", "b1", "W2", "b2"} <= set(f.files)
        assert all(f[k].dtype != object for k in f.files)
        assert f["W1"].shape == (3, 2)                               # W(l) keeps the article's (n_l, n_{l-1})
    assert not list(tmp_path.glob("*.tmp*"))                         # written atomically, no leftovers


def test_a_file_that_is_not_a_network_is_rejected(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, x=np.zeros(3))
    with pytest.raises(ValueError, match=r"other.npz: this is not a bplib network file"):
        bplib.load(path)


def test_a_weight_of_the_wrong_shape_is_rejected(tmp_path):
    net = bplib.MLP([2, 3, 2], seed=0)
    path = tmp_path / "net.npz"
    net.save(path)
    with np.load(path) as f:
        arrays = dict(f)
    arrays["W2"] = arrays["W2"].T
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=r"net.npz: 'W2' has shape \(3, 2\), expected \(2, 3\)"):
        bplib.load(path)


# ---------------------------------------------------------------------- every network class round-trips
def _trained(net):
    X, y = bplib.data.make_moons(n=48, seed=3)
    bplib.train(net, X, y, epochs=3, lr=0.05, batch_size=8, progress=False)
    return net, X


@pytest.mark.parametrize("make", [
    lambda: bplib.MLP([2, 5, 3, 2], activation="tanh", init="xavier", l1=1e-3, l2=1e-2, seed=1),
    lambda: bplib.MLP([2, 4, 1], activation="relu", output="sigmoid", dtype=np.float32, seed=1),
    lambda: bplib.BatchNormMLP([2, 6, 6, 2], momentum=0.8, eps=1e-4, l2=1e-3, seed=1),
    lambda: bplib.ResidualMLP([2, 6, 6, 6, 2], activation="leaky_relu", branch_scale=0.5, seed=1),
], ids=["MLP", "MLP-sigmoid-float32", "BatchNormMLP", "ResidualMLP"])
def test_save_load_round_trips_every_network_class(tmp_path, make):
    net, X = _trained(make())
    if hasattr(net, "eval_mode"):
        net.eval_mode()                              # the running statistics must come back too
    bplib.save(net, tmp_path / "net.npz")
    back = bplib.load(tmp_path / "net.npz")
    assert type(back) is type(net) and repr(back) == repr(net)
    assert back.dtype == net.dtype and back.sizes == net.sizes
    np.testing.assert_array_equal(back.forward(X), net.forward(X))
    for a, b in zip(back.params(), net.params()):
        np.testing.assert_array_equal(a, b)
    if hasattr(net, "running_means"):
        for a, b in zip(back.running_means + back.running_vars, net.running_means + net.running_vars):
            np.testing.assert_array_equal(a, b)
        assert back.training is False
    assert not list(tmp_path.glob("*.tmp"))


def _saved(tmp_path, **change):
    path = tmp_path / "net.npz"
    bplib.save(bplib.MLP([4, 5, 3], seed=0), path)
    with np.load(path) as f:
        arrays = dict(f)
    for key, value in change.items():
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("change, match", [
    (dict(sizes=np.array([4.5, 5, 3])), r"'sizes' must be a list of at least 2 positive integers"),
    (dict(W1=np.full((5, 4), np.nan)), r"'W1' contains NaN or infinite values"),
    (dict(b2=np.zeros(3, dtype=complex)), r"'b2' must hold real numbers, got dtype complex128"),
    (dict(extra=np.zeros(2)), r"unexpected arrays \['extra'\]"),
    (dict(W2=None), r"the array 'W2' is missing"),
    (dict(activation=np.array(3)), r"'activation' must be a string"),
    (dict(version=np.array(7)), r"file format version 7"),
    (dict(activation=np.array("swish")), r"the stored settings are not valid: unknown activation 'swish'"),
])
def test_load_names_the_file_and_the_key_for_every_bad_file(tmp_path, change, match):
    path = _saved(tmp_path, **change)
    with pytest.raises(ValueError, match=match) as err:
        bplib.load(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("content", [b"", b"hello, I am a text file\n", b"\x89PNG\r\n\x1a\n" + bytes(100)],
                         ids=["empty", "text", "png"])
def test_a_foreign_file_gets_one_clear_error_and_never_the_pickle_advice(tmp_path, content):
    path = tmp_path / "net.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError) as err:
        bplib.load(path)
    assert str(path) in str(err.value) and "bplib network file" in str(err.value)
    assert "allow_pickle" not in str(err.value)


@pytest.mark.parametrize("cut", [0.3, 0.7, 0.95])
def test_a_truncated_or_corrupt_file_gets_one_clear_error(tmp_path, cut):
    path = tmp_path / "net.npz"
    bplib.save(bplib.MLP([30, 20, 3], seed=0), path)
    content = path.read_bytes()
    path.write_bytes(content[:int(len(content) * cut)])
    with pytest.raises(ValueError, match="not a .*bplib network file"):
        bplib.load(path)
    flipped = bytearray(content)
    flipped[len(content) // 2] ^= 0xFF                         # one damaged byte inside a weight array
    path.write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match="bplib network file"):
        bplib.load(path)


def test_a_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such network file"):
        bplib.load(tmp_path / "nowhere.npz")


def test_a_failed_save_leaves_no_temporary_file(tmp_path, monkeypatch):
    def broken_savez(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        bplib.save(bplib.MLP([2, 3, 2], seed=0), tmp_path / "net.npz")
    assert list(tmp_path.iterdir()) == []


def test_a_file_of_the_first_format_still_loads(tmp_path):
    """Files written before the format had a version: a plain MLP with its settings and W1.., b1.."""
    net = bplib.MLP([3, 4, 2], activation="tanh", seed=2)
    path = tmp_path / "old.npz"
    np.savez(path, sizes=np.array(net.sizes), activation=np.array("tanh"), output=np.array("softmax"),
             init=np.array("he"), dtype=np.array("float64"), l1=np.array(0.0), l2=np.array(0.0),
             scale=np.array(0.01), W1=net.weights[0], b1=net.biases[0], W2=net.weights[1], b2=net.biases[1])
    X = np.random.default_rng(0).standard_normal((5, 3))
    np.testing.assert_array_equal(bplib.load(path).forward(X), net.forward(X))


@pytest.mark.parametrize("change, match", [
    (dict(format=np.array("keras")), r"this is not a bplib network file \(format 'keras'\)"),
    ({"class": np.array("CNN")}, r"unknown network class 'CNN'; expected one of \['BatchNormMLP', 'MLP', 'ResidualMLP'\]"),
    (dict(dtype=np.array("float16")), r"the stored settings are not valid: dtype must be np.float32 or np.float64"),
    (dict(l2=np.array(np.nan)), r"'l2' must be a finite real number, got nan$"),
    (dict(sizes=np.array([[4, 5, 3]])), r"'sizes' must be a list of at least 2 positive integers"),
    (dict(W1=np.array([1, "x", None], dtype=object)), r"the array 'W1' holds Python objects \(pickled data\), not "
                                                      r"numbers"),
])
def test_load_names_the_file_and_the_key_for_more_bad_files(tmp_path, change, match):
    path = _saved(tmp_path, **change)
    with pytest.raises(ValueError, match=match) as err:
        bplib.load(path)
    assert str(err.value).startswith(f"{path}: ")
    assert "not an .npz archive" not in str(err.value)          # an object array inside a real .npz is not that


def test_a_batchnorm_file_with_a_bad_training_flag_is_rejected(tmp_path):
    path = tmp_path / "bn.npz"
    bplib.save(bplib.BatchNormMLP([2, 3, 2], seed=0), path)
    with np.load(path) as f:
        arrays = dict(f)
    arrays["training"] = np.array("yes")
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=r"bn.npz: 'training' must be True or False, got 'yes'$"):
        bplib.load(path)


def test_a_bare_npy_array_gets_one_clear_error(tmp_path):
    path = tmp_path / "weights.npy"
    np.save(path, np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"weights.npy: this is a single NumPy array \(.npy\), not a bplib network "
                                         r"file \(.npz\)"):
        bplib.load(path)


def test_paths_that_are_not_file_names_are_type_errors(tmp_path):
    net = bplib.MLP([2, 3, 2], seed=0)
    with pytest.raises(TypeError, match=r"path must be a file name \(a str or pathlib.Path\), got int"):
        bplib.save(net, 3)
    with pytest.raises(TypeError, match=r"path must be a file name \(a str or pathlib.Path\), got NoneType"):
        bplib.load(None)


def test_saving_into_a_missing_folder_names_the_folder_not_a_temporary_file(tmp_path):
    path = tmp_path / "models" / "net.npz"
    with pytest.raises(FileNotFoundError) as err:
        bplib.save(bplib.MLP([2, 3, 2], seed=0), path)
    assert str(err.value) == (f"cannot save to {path}: the folder {tmp_path / 'models'} does not exist; "
                              f"create it first")


def test_a_network_that_load_would_refuse_is_not_saved(tmp_path):
    net = bplib.MLP([2, 3, 2], seed=0)
    net.biases[1][0] = np.inf                                     # e.g. after a diverged run
    path = tmp_path / "net.npz"
    with pytest.raises(ValueError, match=r"net.npz: b2 contains NaN or infinite values \(did training diverge\?\)"):
        bplib.save(net, path)
    assert list(tmp_path.iterdir()) == []                         # no file that could never be loaded
