"""Save and load a network as .npz: settings as small arrays, parameters by name (no pickle anywhere).

    bplib.save(net, "model.npz")          # an MLP, a BatchNormMLP or a ResidualMLP
    net = bplib.load("model.npz")         # the same class, settings, weights (and BatchNorm statistics)

A file holds "format" ("bplib-network") and "version", the class name, the constructor's settings, every
parameter under its `param_names()` name (W1, b1, ..., for BatchNorm also beta1, gamma1, ...) and, for a
BatchNormMLP, its running statistics. `load` checks all of it and names the file and the key in every error: a
foreign, truncated or corrupt file, a missing or extra array, a wrong shape, a non-finite or complex weight.
Files written before the format had a version (plain MLPs) load too.
"""
import os
import tempfile
import zipfile
import zlib

import numpy as np

from .deepnets import BatchNormMLP, ResidualMLP
from .i18n import tr
from .network import MLP

FORMAT = "bplib-network"
VERSION = 2
CLASSES = {"MLP": MLP, "BatchNormMLP": BatchNormMLP, "ResidualMLP": ResidualMLP}

_COMMON = {"sizes": "ints", "activation": "str", "output": "str", "init": "str", "dtype": "str", "l2": "float"}
#: the constructor settings each class stores, and their kinds
SETTINGS = {
    "MLP": {**_COMMON, "scale": "float", "l1": "float"},
    "BatchNormMLP": {**_COMMON, "momentum": "float", "eps": "float", "training": "bool"},
    "ResidualMLP": {**_COMMON, "scale": "float", "l1": "float", "branch_scale": "float"},
}
_VERSION_1_KEYS = {"sizes", "activation", "output", "init", "dtype", "l1", "l2", "scale"}


def _class_name(net):
    for name, cls in CLASSES.items():
        if type(net) is cls:
            return name
    raise TypeError(tr("bplib.save stores bplib networks ({classes}), got {type}", classes=", ".join(CLASSES),
                       type=type(net).__name__))


def _state_arrays(net, name):
    """{key: array} for every parameter and, for BatchNorm, the running statistics."""
    arrays = dict(zip(net.param_names(), net.params()))
    if name == "BatchNormMLP":
        for l, (mu, var) in enumerate(zip(net.running_means, net.running_vars), start=1):
            arrays[f"running_mean{l}"], arrays[f"running_var{l}"] = mu, var
    return arrays


def _as_path(path):
    """`path` as a str, or a TypeError that says what a path is (not Python's message about os.PathLike)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(tr("path must be a file name (a str or pathlib.Path), got {type}", type=type(path).__name__))
    return os.fspath(path)


def save(net, path):
    """Write `net` (its class, settings and parameters) to `path` (.npz, loadable with allow_pickle=False).

    The file is written to a temporary name in the same folder and renamed at the end, so an interrupted or
    failed save never leaves a half-written file (nor the temporary one) behind. A network with NaN or infinite
    parameters is refused: `load` would refuse the file, and finding that out later is worse.
    """
    name = _class_name(net)
    net.check_params()
    path = _as_path(path)
    for key, value in _state_arrays(net, name).items():
        if not np.isfinite(value).all():               # load refuses such a file: never write one
            raise ValueError(tr("cannot save to {path}: {key} contains NaN or infinite values (did training "
                                "diverge?); a saved network must be finite to be loaded again", path=path, key=key))
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(tr("cannot save to {path}: the folder {folder} does not exist; create it first",
                                   path=path, folder=folder))
    arrays = {"format": np.array(FORMAT), "version": np.array(VERSION, dtype=np.int64), "class": np.array(name)}
    for key, kind in SETTINGS[name].items():
        value = net.dtype.name if key == "dtype" else getattr(net, key)
        arrays[key] = np.array(value, dtype=np.int64) if kind == "ints" else np.array(value)
    arrays.update(_state_arrays(net, name))
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class _Reader:
    """Reads and checks the arrays of one .npz file, naming the file and the key in every error."""

    def __init__(self, npz, path):
        self.npz, self.path = npz, path
        self.used = set()

    def error(self, text):
        return ValueError(f"{self.path}: {text}")

    def array(self, key):
        if key not in self.npz.files:
            raise self.error(tr("the array {key!r} is missing; this is not a complete bplib network file", key=key))
        self.used.add(key)
        try:
            return self.npz[key]
        except ValueError as exc:                       # an object array: NumPy refuses it without pickle
            if "allow_pickle" not in str(exc):
                raise
            raise self.error(tr("the array {key!r} holds Python objects (pickled data), not numbers; bplib.save "
                                "never writes such arrays, and loading them could run code", key=key)) from None

    def setting(self, key, kind):
        a = self.array(key)
        if kind == "ints":
            if a.ndim != 1 or a.dtype.kind not in "iu" or a.size < 2 or (a < 1).any():
                raise self.error(tr("{key!r} must be a list of at least 2 positive integers, got {value!r}",
                                    key=key, value=a.tolist()))
            return [int(n) for n in a]
        if a.ndim != 0:
            raise self.error(tr("{key!r} must be a single value, got an array of shape {shape}", key=key,
                                shape=a.shape))
        if kind == "str":
            if a.dtype.kind != "U":
                raise self.error(tr("{key!r} must be a string, got dtype {dtype}", key=key, dtype=a.dtype))
            return str(a)
        if kind == "bool":
            if a.dtype.kind != "b":
                raise self.error(tr("{key!r} must be True or False, got {value!r}", key=key, value=a.tolist()))
            return bool(a)
        if a.dtype.kind not in "iuf" or not np.isfinite(a):
            raise self.error(tr("{key!r} must be a finite real number, got {value!r}", key=key, value=a.tolist()))
        return float(a)

    def values(self, key, like):
        """The array `key`, checked to be real, finite and of `like`'s shape; returned in `like`'s dtype."""
        a = self.array(key)
        if a.dtype.kind not in "iuf":
            raise self.error(tr("{key!r} must hold real numbers, got dtype {dtype}", key=key, dtype=a.dtype))
        if a.shape != like.shape:
            raise self.error(tr("{key!r} has shape {shape}, expected {expected} for this network's sizes", key=key,
                                shape=a.shape, expected=like.shape))
        if not np.isfinite(a).all():
            raise self.error(tr("{key!r} contains NaN or infinite values", key=key))
        return a.astype(like.dtype)


def _read(npz, path):
    r = _Reader(npz, path)
    files = set(npz.files)
    if "format" in files:
        if r.setting("format", "str") != FORMAT:
            raise r.error(tr("this is not a bplib network file (format {format!r})", format=str(npz['format'])))
        version = r.setting("version", "float")
        if version != VERSION:
            raise r.error(tr("written by a bplib with file format version {version:g}; this bplib reads version "
                             "{reads}. Save the network again with this version", version=version, reads=VERSION))
        name = r.setting("class", "str")
        if name not in CLASSES:
            raise r.error(tr("unknown network class {name!r}; expected one of {classes}", name=name,
                             classes=sorted(CLASSES)))
    elif _VERSION_1_KEYS <= files:
        name = "MLP"                                      # the first format: plain MLPs, no version key
    else:
        raise r.error(tr("this is not a bplib network file: it holds {keys}, not the arrays bplib.save writes",
                         keys=sorted(files)[:8]))
    settings = {key: r.setting(key, kind) for key, kind in SETTINGS[name].items()}
    training = settings.pop("training", None)
    try:
        net = CLASSES[name](seed=0, **settings)
    except (TypeError, ValueError) as exc:
        raise r.error(tr("the stored settings are not valid: {error}", error=exc)) from None
    for key, target in _state_arrays(net, name).items():
        target[...] = r.values(key, target)               # in place: the network's lists keep their arrays
    if training is not None:
        net.training = training
    extra = files - r.used
    if extra:
        raise r.error(tr("unexpected arrays {keys}: this file was not written by bplib.save for a {name} of sizes "
                         "{sizes}", keys=sorted(extra), name=name, sizes=settings['sizes']))
    return net


def load(path):
    """Read a network written by `save` (or `net.save`): the same class, settings and parameters.

    Raises FileNotFoundError if there is no such file, and ValueError naming the file for anything that is not
    a complete, valid bplib network file (another format, truncated or corrupt, missing or extra arrays, wrong
    shapes, NaN/inf or complex weights).
    """
    path = _as_path(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(tr("no such network file: {path}", path=path))
    what_to_do = tr("Save the network again with bplib.save, or check the file name")
    try:
        npz = np.load(path, allow_pickle=False)
        if not isinstance(npz, np.lib.npyio.NpzFile):     # a bare .npy array (no archive, no context manager)
            raise ValueError(tr("{path}: this is a single NumPy array (.npy), not a bplib network file (.npz). "
                                "{what_to_do}", path=path, what_to_do=what_to_do))
        with npz:
            return _read(npz, path)
    except ValueError as exc:
        if str(exc).startswith(path):                     # our own message
            raise
        reason = tr("it is not an .npz archive") if "pickle" in str(exc) else str(exc)
        raise ValueError(tr("{path} is not a bplib network file: {reason}. {what_to_do}", path=path, reason=reason,
                            what_to_do=what_to_do)) from None
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError, KeyError) as exc:
        raise ValueError(tr("{path} is not a readable bplib network file (truncated or corrupt: {error_type}: "
                            "{error}). {what_to_do}", path=path, error_type=type(exc).__name__, error=exc,
                            what_to_do=what_to_do)) from None
