"""Input validation shared by bplib: clear errors that say what was expected, raised before NumPy sees the data."""
import numbers

import numpy as np


def as_inputs(X, n_features, dtype, name="X"):
    """Return X as a C-contiguous (m, n_features) array of `dtype`, or raise a clear error."""
    if isinstance(X, (str, bytes)) or X is None:
        raise TypeError(f"{name} must be a 2-D array of numbers with shape (m, {n_features}), got {type(X).__name__}")
    try:
        arr = np.asarray(X)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be a 2-D array of numbers with shape (m, {n_features}): {exc}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}; expected shape (m, {n_features})")
    if arr.ndim == 1 and n_features == arr.shape[0]:
        raise ValueError(f"{name} has shape {arr.shape}, expected (m, {n_features}); "
                         f"for one example use {name}.reshape(1, -1)")
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D with shape (m, {n_features}), got {arr.ndim}-D shape {arr.shape}")
    if arr.shape[1] != n_features:
        raise ValueError(f"{name} has {arr.shape[1]} features (shape {arr.shape}), but the network's input layer "
                         f"has {n_features} units: expected shape (m, {n_features})")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has no rows (shape {arr.shape}); expected at least one example")
    arr = np.ascontiguousarray(arr, dtype=dtype)
    if not all_finite(arr):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{name} contains NaN or infinite values (the first at row {bad[0]}, column {bad[1]}); "
                         f"clean the data first")
    return arr


def all_finite(arr):
    """True if every entry of the float array `arr` is finite, without a full-size boolean temporary.

    Fast path: a sum is NaN or inf if any entry is (a NaN/inf never cancels out), so a finite sum proves that
    every entry is finite. A non-finite sum (a NaN/inf entry, or finite numbers whose sum overflows, e.g. many
    values near 1e38 in float32) falls back to the exact entry-wise test.
    """
    with np.errstate(over="ignore", invalid="ignore"):     # inf + -inf = NaN is the answer we want, silently
        total = arr.sum()
    if np.isfinite(total):
        return True
    return bool(np.isfinite(arr).all())


def as_targets(Y, m, n_out, output, dtype, name="Y"):
    """Return targets as an (m, n_out) array of `dtype`.

    Accepts integer class labels of shape (m,) (softmax: 0..n_out-1; sigmoid with one output unit: 0 or 1)
    or an (m, n_out) array (one-hot for softmax, values in [0, 1] for sigmoid, any reals for identity).
    """
    if Y is None or isinstance(Y, (str, bytes)):
        raise TypeError(f"{name} must be an array of labels (m,) or targets (m, {n_out}), got {type(Y).__name__}")
    Y = np.asarray(Y)
    if Y.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got dtype {Y.dtype}")
    if Y.shape[0:1] != (m,):
        raise ValueError(f"{name} has {Y.shape[0] if Y.ndim else 0} rows (shape {Y.shape}) but X has {m}: "
                         f"expected labels of shape ({m},) or targets of shape ({m}, {n_out})")
    if Y.ndim == 1 and not (output == "identity" and n_out == 1):
        if Y.dtype.kind == "f":
            if not np.all(np.isfinite(Y)) or np.any(Y != np.round(Y)):
                raise ValueError(f"{name} is 1-D, so it must hold integer class labels; got non-integer values")
        labels = Y.astype(np.int64)
        n_classes = n_out if output == "softmax" else 2
        if output == "identity":
            raise ValueError(f"{name} has shape {Y.shape}; an identity (regression) output with {n_out} units "
                             f"needs targets of shape ({m}, {n_out})")
        if output == "sigmoid" and n_out != 1:
            raise ValueError(f"{name} holds labels of shape {Y.shape}, but a sigmoid output with {n_out} units needs "
                             f"0/1 targets of shape ({m}, {n_out})")
        lo, hi = int(labels.min()), int(labels.max())
        if lo < 0 or hi >= n_classes:
            raise ValueError(f"{name} holds labels from {lo} to {hi}, but the output layer has {n_out} units: "
                             f"expected labels in 0..{n_classes - 1}")
        if output == "sigmoid":
            return labels.astype(dtype).reshape(m, 1)
        onehot = np.zeros((m, n_out), dtype=dtype)
        onehot[np.arange(m), labels] = 1
        return onehot
    if Y.ndim == 1:
        Y = Y.reshape(m, 1)
    if Y.ndim != 2 or Y.shape[1] != n_out:
        raise ValueError(f"{name} has shape {Y.shape}, expected labels ({m},) or targets ({m}, {n_out}) "
                         f"to match the {n_out} output units")
    Y = np.ascontiguousarray(Y, dtype=dtype)
    if not np.all(np.isfinite(Y)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if output == "sigmoid" and (Y.min() < 0 or Y.max() > 1):
        raise ValueError(f"{name} for a sigmoid output (binary cross-entropy) must hold values in [0, 1], "
                         f"got values from {Y.min():g} to {Y.max():g}")
    if output == "softmax":
        # δ(L) = a - y is the gradient of softmax + cross-entropy only when every target row sums to 1
        sums = Y.sum(axis=1, dtype=np.float64)
        bad = np.flatnonzero((np.abs(sums - 1) > 1e-6 * n_out) | (Y.min(axis=1) < 0) | (Y.max(axis=1) > 1))
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"{name} for a softmax output must hold one-hot rows or probability rows (values in "
                             f"[0, 1] summing to 1); row {i} sums to {sums[i]:g} with values from "
                             f"{Y[i].min():g} to {Y[i].max():g} ({bad.size} such rows). Pass labels of shape ({m},) "
                             f"or one_hot(y)")
    return Y


def positive_number(value, name):
    """Check that value is a finite real number > 0 and return it as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def positive_int(value, name):
    """Check that value is an integer >= 1 and return it as int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def non_negative_number(value, name):
    """Check that value is a finite real number >= 0 and return it as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def choice(value, valid, name):
    """Check that value is one of `valid` (a collection of names)."""
    if not isinstance(value, str) or value not in valid:
        raise ValueError(f"unknown {name} {value!r}; expected one of {sorted(valid)}")
    return value


def boolean(value, name):
    """Check that value is True or False (a bool or NumPy bool: never a string such as "no", which is truthy)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def fraction(value, name, low_open=False, high_open=True):
    """Check that value is a real number in [0, 1) (by default) and return it as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a number in {'(' if low_open else '['}0, 1{')' if high_open else ']'}, "
                         f"got {value!r}")
    value = float(value)
    if value < 0 or value > 1 or (low_open and value == 0) or (high_open and value == 1):
        raise ValueError(f"{name} must be a number in {'(' if low_open else '['}0, 1{')' if high_open else ']'}, "
                         f"got {value!r}")
    return value


def rng(seed, name="seed", allow_none=False):
    """A np.random.Generator from `seed`: an int >= 0, a Generator (used as it is), or None if allowed.

    Raises a TypeError/ValueError that names `name`, instead of NumPy's message about SeedSequence entropy.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None and allow_none:
        return np.random.default_rng()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        expected = "an int >= 0, a np.random.Generator or None" if allow_none else "an int >= 0 or a np.random.Generator"
        raise TypeError(f"{name} must be {expected}, got {seed!r}")
    if seed < 0:
        raise ValueError(f"{name} must be >= 0 (NumPy seeds are non-negative), got {seed}")
    return np.random.default_rng(int(seed))
