"""MNIST and Fashion-MNIST for the course: the committed offline sample and the full sets (article section 4).

    from bplib.data import load_mnist, one_hot
    X_train, y_train, X_test, y_test = load_mnist()                 # the 4,000 / 1,000 sample, offline
    X_train, y_train, X_test, y_test = load_mnist(source="full")    # 60,000 / 10,000 MNIST
    X_train, y_train, X_test, y_test = load_mnist(source="full", variant="fashion")   # Fashion-MNIST
    Y_train = one_hot(y_train)                                      # (m, 10), the article's target vectors y

Where the full sets come from, in this order, for each of the four IDX files:
1. `data_dir/<folder>/` (folder "mnist" or "fashion-mnist"), the file raw or gzip-compressed, put there by hand
   or by an earlier download (`data_dir` defaults to `default_data_dir()`: $BPLIB_DATA_DIR, else the checkout's
   data/ folder, else ~/.cache/bplib);
2. a system copy (Debian's package dataset-fashion-mnist installs Fashion-MNIST in /usr/share/datasets/);
3. a download from the mirrors torchvision and Keras use, verified against a pinned SHA-256 and written
   atomically (see bplib.download).
Every file, wherever it comes from, is checked against the pinned SHA-256 of its decompressed content (so a
recompressed copy such as Debian's is accepted, a corrupt or wrong one is not) and parsed by the strict IDX
reader (bplib.data.idx).

The sample ships inside the package (bplib/data/mnist_sample.npz, a byte-identical copy of the repository's
data/mnist_sample.npz), so it loads from any working directory and from a regular, non-editable install. Its
SHA-256 is pinned here and checked on every load: a wrong but valid .npz never loads silently.
"""
import hashlib
import numbers
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import _checks
from ..i18n import tr
from . import download as _download
from . import idx

#: the committed 4,000 / 1,000 MNIST sample, shipped as package data
SAMPLE_PATH = Path(__file__).resolve().parent / "mnist_sample.npz"
#: SHA-256 of the sample file (the same as data/README.md gives; a test checks that the two agree)
SAMPLE_SHA256 = "3056848e1a23c5967cc472c3a53175cb5161f2b013066c6f463c966ba81a279a"
#: the data/ folder of a git checkout (None in a regular install)
_CHECKOUT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def default_data_dir():
    """Where the full data sets are cached: $BPLIB_DATA_DIR, else the checkout's data/ folder, else ~/.cache/bplib."""
    env = os.environ.get("BPLIB_DATA_DIR")
    if env:
        return Path(env)
    if (_CHECKOUT_DATA_DIR / "README.md").is_file():
        return _CHECKOUT_DATA_DIR
    return Path.home() / ".cache" / "bplib"

CLASS_NAMES = {
    "mnist": ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
    "fashion": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                "Ankle boot"),
}


@dataclass(frozen=True)
class IdxFile:
    """One file of a data set: its name without ".gz", its array shape and the pinned SHA-256 values."""

    name: str          # e.g. "train-images-idx3-ubyte"; mirrors serve name + ".gz"
    shape: tuple       # e.g. (60000, 28, 28)
    gz_sha256: str     # of the .gz the mirrors serve (checked on download)
    raw_sha256: str    # of the decompressed IDX content (checked on every load)


@dataclass(frozen=True)
class DataSet:
    """Where a full data set lives: its folder under data_dir, system copies, mirrors and files."""

    title: str
    folder: str
    mirrors: tuple
    system_dirs: tuple
    files: tuple       # IdxFile for train images, train labels, test images, test labels (in that order)
    system_hint: str = ""   # how to install the system copy, for the error message


# Pinned hashes. MNIST .gz: SHA-256 of the files torchvision and TensorFlow serve (torchvision lists their MD5,
# TensorFlow Datasets and others their SHA-256). Fashion-MNIST .gz: the SHA-256 the Fashion-MNIST files have on
# Zalando's and Keras' mirrors. Decompressed content: SHA-256 values published alongside those files; for
# Fashion-MNIST they equal the content of Debian's recompressed copy (hashed here), whose MD5 also matches the
# MD5 of the decompressed files that Fashion-MNIST users publish. See data/README.md.
MNIST = DataSet(
    title="MNIST",
    folder="mnist",
    mirrors=("https://ossci-datasets.s3.amazonaws.com/mnist/",        # torchvision's mirror
             "https://storage.googleapis.com/cvdf-datasets/mnist/",   # TensorFlow's mirror
             "http://yann.lecun.com/exdb/mnist/"),                    # the original; often refuses now
    system_dirs=(),
    files=(
        IdxFile("train-images-idx3-ubyte", (60000, 28, 28),
                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        IdxFile("train-labels-idx1-ubyte", (60000,),
                "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        IdxFile("t10k-images-idx3-ubyte", (10000, 28, 28),
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        IdxFile("t10k-labels-idx1-ubyte", (10000,),
                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    ),
)

_DEBIAN_FASHION_HINT = ("Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist, which fills "
                        "/usr/share/datasets/fashion-mnist/")

FASHION_MNIST = DataSet(
    title="Fashion-MNIST",
    folder="fashion-mnist",
    mirrors=("https://storage.googleapis.com/tensorflow/tf-keras-datasets/",    # Keras' mirror
             "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),     # Zalando's, used by torchvision
    system_dirs=("/usr/share/datasets/fashion-mnist",),                         # Debian: dataset-fashion-mnist
    system_hint=_DEBIAN_FASHION_HINT,
    files=(
        IdxFile("train-images-idx3-ubyte", (60000, 28, 28),
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        IdxFile("train-labels-idx1-ubyte", (60000,),
                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        IdxFile("t10k-images-idx3-ubyte", (10000, 28, 28),
                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        IdxFile("t10k-labels-idx1-ubyte", (10000,),
                "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
    ),
)

VARIANTS = {"mnist": MNIST, "fashion": FASHION_MNIST}
SOURCES = ("sample", "full")


# ---------------------------------------------------------------------------------------------- full sets
def _local_copy(spec, f, data_dir):
    """The first existing file for `f`: data_dir/<folder>/ then the system folders, raw name before .gz."""
    for folder in (Path(data_dir) / spec.folder, *map(Path, spec.system_dirs)):
        for name in (f.name, f.name + ".gz"):
            path = folder / name
            if path.is_file():
                return path
    return None


def _system_hint(spec):
    """spec.system_hint in the reader's language (the one hint bplib ships is translated; others stay as given)."""
    if spec.system_hint == _DEBIAN_FASHION_HINT:
        return tr("Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist, which fills "
                  "/usr/share/datasets/fashion-mnist/")
    return spec.system_hint


def _missing_files_message(spec, missing, target):
    looked = [f"{target}/", *(f"{d}/" for d in spec.system_dirs)]
    lines = [tr("{title} not found: missing {files} (looked in {folders}).", title=spec.title,
                files=", ".join(f.name + ".gz" for f in missing), folders=tr(" and ").join(looked))]
    lines.append(tr("Download these files from one of:"))
    lines += [f"  {base}" for base in spec.mirrors]
    lines.append(tr("and put them (gzip-compressed or decompressed, names unchanged) into {target}/", target=target))
    if spec.system_hint:
        lines.append(tr("or install the system copy ({hint}).", hint=_system_hint(spec)))
    return "\n".join(lines)


def locate(spec, data_dir=None, download=True, progress=True):
    """Find (or download) the four IDX files of a full data set; return their paths in `spec.files` order.

    Args:
        spec: a DataSet (MNIST or FASHION_MNIST; tests pass their own).
        data_dir: folder holding <spec.folder>/ (default: `default_data_dir()`).
        download: fetch missing files from spec.mirrors; if False, a missing file raises.
        progress: show a progress bar while downloading.
    Returns:
        list of 4 pathlib.Path.
    Raises:
        FileNotFoundError (download=False) or bplib.data.download.DownloadError (every mirror failed), with one message
        that lists the missing files, the mirrors and the folder to put them in.
    """
    data_dir = Path(default_data_dir() if data_dir is None else data_dir)
    target = data_dir / spec.folder
    paths = [_local_copy(spec, f, data_dir) for f in spec.files]
    missing = [f for f, p in zip(spec.files, paths) if p is None]
    if not missing:
        return paths
    if not download:
        raise FileNotFoundError(_missing_files_message(spec, missing, target))
    failures = []
    unreachable = set()  # mirrors that refused a connection are not tried again for the next files
    for i, f in enumerate(spec.files):
        if paths[i] is None:
            try:
                paths[i] = _download.fetch(f.name + ".gz", f.gz_sha256, spec.mirrors, target, progress=progress,
                                           unreachable=unreachable)
            except _download.DownloadError as exc:
                failures.append(str(exc))
    if failures:  # the files that did arrive stay (verified); the message names the ones still missing
        still_missing = [f for f, p in zip(spec.files, paths) if p is None]
        raise _download.DownloadError(_missing_files_message(spec, still_missing, target)
                                      + "\n\n" + tr("What went wrong:") + "\n" + "\n".join(failures))
    return paths


def read_verified(path, f, title):
    """Read one IDX file (raw or .gz) after checking the SHA-256 of its decompressed content against `f`.

    The content is read (decompressed) only up to the size f.shape needs: a file with more is not the right
    one, and a .gz that inflates to gigabytes is refused after a megabyte past that size, not decompressed whole.

    Returns:
        uint8 array of shape f.shape.
    Raises:
        ValueError naming the file when the content is not the expected one (corrupt, truncated, too long, empty,
        other data set).
    """
    size = idx.idx_size(f.shape)
    data = idx.read_bytes(path, max_bytes=size, too_long=tr("the size of {title}'s {file} (shape {shape})",
                                                            title=title, file=f.name, shape=f.shape))
    if not data:
        raise ValueError(tr("{path}: the file is empty (an interrupted download?). Delete it to download it again, "
                            "or replace it with the original file.", path=path))
    digest = hashlib.sha256(data).hexdigest()
    if digest != f.raw_sha256:
        raise ValueError(tr("{path} is not {title}'s {file}: the SHA-256 of its (decompressed) content is {digest}, "
                            "expected {expected}. Delete it to download it again, or replace it with the original "
                            "file.", path=path, title=title, file=f.name, digest=digest, expected=f.raw_sha256))
    return idx.parse_idx(data, name=str(path), expected_shape=f.shape)


def load_full(spec, data_dir=None, download=True, progress=True):
    """Load a full data set as uint8 arrays: (X_train (m, 28, 28), y_train (m,), X_test, y_test)."""
    paths = locate(spec, data_dir=data_dir, download=download, progress=progress)
    return tuple(read_verified(p, f, spec.title) for p, f in zip(paths, spec.files))


# ---------------------------------------------------------------------------------------------- the sample
def load_sample(path=None, sha256=SAMPLE_SHA256):
    """Load the committed MNIST sample as uint8 arrays: (X_train (4000, 28, 28), y_train (4000,), X_test, y_test).

    The file's SHA-256 is checked first (0.8 MB: cheap), so a damaged, truncated, empty or substituted file raises
    one ValueError that names the file and says how to restore it, instead of a zip or zlib error from inside
    NumPy. path=None means SAMPLE_PATH as it is at the time of the call (tests point it elsewhere).
    """
    path = Path(SAMPLE_PATH if path is None else path)
    restore = tr("Restore it with `git checkout -- data/mnist_sample.npz bplib/data/mnist_sample.npz` in a "
                 "checkout, or reinstall the course (`pip install -r requirements.txt`)")
    if not path.is_file():
        raise FileNotFoundError(tr("the MNIST sample {path} is missing. {restore}", path=path, restore=restore))
    digest = _download.sha256_file(path)
    if sha256 is not None and digest != sha256:
        raise ValueError(tr("{path} is not the course's MNIST sample: its SHA-256 is {digest}, expected {expected}. "
                            "{restore}", path=path, digest=digest, expected=sha256, restore=restore))
    with np.load(path, allow_pickle=False) as npz:
        return tuple(npz[k] for k in ("X_train", "y_train", "X_test", "y_test"))


# ---------------------------------------------------------------------------------------------- public API
def load_mnist(source="sample", variant="mnist", flatten=True, data_dir=None, download=True):
    """Load MNIST (or Fashion-MNIST) scaled to [0, 1], ready for bplib.MLP (article section 4).

    Args:
        source: "sample" (default): the 4,000 train / 1,000 test MNIST digits committed with the course
            (offline, deterministic, 400 / 100 per class); "full": the 60,000 / 10,000 set.
        variant: "mnist" (handwritten digits) or "fashion" (Fashion-MNIST, same format; source="full" only).
        flatten: True gives X of shape (m, 784) (one image per row, as the network's input a(0)); False gives
            (m, 28, 28) for plotting.
        data_dir: where the full sets are cached, in data_dir/mnist/ and data_dir/fashion-mnist/
            (default: `default_data_dir()`: $BPLIB_DATA_DIR, the checkout's data/ folder, or ~/.cache/bplib).
        download: for source="full", fetch missing files from the mirrors (False: raise if they are missing).
    Returns:
        X_train (m, 784) or (m, 28, 28) float32 in [0, 1], y_train (m,) int64 in 0..9, X_test, y_test likewise.
    Raises:
        ValueError / TypeError for bad arguments; FileNotFoundError or bplib.data.download.DownloadError when the
        full data cannot be found or fetched (the message says which files, from where, to which folder).
    """
    if not isinstance(source, str) or source not in SOURCES:
        raise ValueError(tr("source must be one of {valid}, got {value!r}", valid=list(SOURCES), value=source))
    if not isinstance(variant, str) or variant not in VARIANTS:
        raise ValueError(tr("variant must be one of {valid}, got {value!r}", valid=sorted(VARIANTS), value=variant))
    flatten = _checks.boolean(flatten, "flatten")       # (a string such as "no" would be truthy)
    download = _checks.boolean(download, "download")
    if data_dir is not None and not isinstance(data_dir, (str, os.PathLike)):
        raise TypeError(tr("data_dir must be None, a str or a path, got {type}", type=type(data_dir).__name__))
    if source == "sample":
        if variant != "mnist":
            raise ValueError(tr("the committed sample is MNIST only; use source='full' for variant={variant!r}",
                                variant=variant))
        arrays = load_sample()
    else:
        arrays = load_full(VARIANTS[variant], data_dir=data_dir, download=download)
    X_train, y_train, X_test, y_test = arrays
    return _images(X_train, flatten), _labels(y_train), _images(X_test, flatten), _labels(y_test)


def _images(X, flatten):
    X = X.astype(np.float32) / np.float32(255)            # uint8 0..255 -> float32 0..1
    return X.reshape(len(X), -1) if flatten else X


def _labels(y):
    return y.astype(np.int64)


def one_hot(y, k=10, dtype=np.float64):
    """One-hot target vectors: row i has a 1 in column y[i] (the article's y for softmax + cross-entropy).

    Args:
        y: integer class labels of shape (m,), values in 0..k-1.
        k: number of classes (10 for MNIST).
        dtype: floating dtype of the result.
    Returns:
        Y of shape (m, k).
    """
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(tr("k must be a positive integer (the number of classes), got {k!r}", k=k))
    if isinstance(y, (str, bytes)) or y is None:
        raise TypeError(tr("y must be an array of integer labels of shape (m,), got {type}", type=type(y).__name__))
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(tr("y must hold integer class labels, got dtype {dtype}; use y.astype(int) if the values are "
                           "whole numbers", dtype=y.dtype))
    if y.ndim != 1:
        raise ValueError(tr("y must be 1-D with shape (m,), got shape {shape}", shape=y.shape))
    if y.size and (y.min() < 0 or y.max() >= k):
        raise ValueError(tr("y holds labels from {lo} to {hi}, expected values in 0..{last} for k={k}", lo=y.min(),
                            hi=y.max(), last=k - 1, k=k))
    try:
        floating = dtype is not None and np.dtype(dtype).kind == "f"   # (np.dtype(None) would be float64)
    except TypeError:                                                  # e.g. dtype="x": not a dtype at all
        floating = False
    if not floating:
        raise TypeError(tr("dtype must be a floating type such as np.float64 or np.float32, got {dtype!r}",
                           dtype=dtype))
    Y = np.zeros((y.shape[0], int(k)), dtype=dtype)
    Y[np.arange(y.shape[0]), y] = 1
    return Y
