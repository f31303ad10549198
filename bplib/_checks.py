"""Input validation shared by bplib: clear errors that say what was expected, raised before NumPy sees the data."""
import numbers

import numpy as np

from .i18n import tr


def as_inputs(X, n_features, dtype, name="X"):
    """Return X as a C-contiguous (m, n_features) array of `dtype`, or raise a clear error."""
    if isinstance(X, (str, bytes)) or X is None:
        raise TypeError(tr("{name} must be a 2-D array of numbers with shape (m, {n_features}), got {type}",
                           name=name, n_features=n_features, type=type(X).__name__))
    try:
        arr = np.asarray(X)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(tr("{name} must be a 2-D array of numbers with shape (m, {n_features}): {error}",
                           name=name, n_features=n_features, error=exc)) from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(tr("{name} must hold numbers, got dtype {dtype}; expected shape (m, {n_features})",
                           name=name, dtype=arr.dtype, n_features=n_features))
    if arr.ndim == 1 and n_features == arr.shape[0]:
        raise ValueError(tr("{name} has shape {shape}, expected (m, {n_features}); for one example use "
                            "{name}.reshape(1, -1)", name=name, shape=arr.shape, n_features=n_features))
    if arr.ndim != 2:
        raise ValueError(tr("{name} must be 2-D with shape (m, {n_features}), got {ndim}-D shape {shape}",
                            name=name, n_features=n_features, ndim=arr.ndim, shape=arr.shape))
    if arr.shape[1] != n_features:
        raise ValueError(tr("{name} has {features} features (shape {shape}), but the network's input layer has "
                            "{n_features} units: expected shape (m, {n_features})",
                            name=name, features=arr.shape[1], shape=arr.shape, n_features=n_features))
    if arr.shape[0] == 0:
        raise ValueError(tr("{name} has no rows (shape {shape}); expected at least one example",
                            name=name, shape=arr.shape))
    arr = np.ascontiguousarray(arr, dtype=dtype)
    if not all_finite(arr):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(tr("{name} contains NaN or infinite values (the first at row {row}, column {column}); "
                            "clean the data first", name=name, row=bad[0], column=bad[1]))
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
        raise TypeError(tr("{name} must be an array of labels (m,) or targets (m, {n_out}), got {type}",
                           name=name, n_out=n_out, type=type(Y).__name__))
    Y = np.asarray(Y)
    if Y.dtype.kind not in "biuf":
        raise TypeError(tr("{name} must hold numbers, got dtype {dtype}", name=name, dtype=Y.dtype))
    if Y.shape[0:1] != (m,):
        raise ValueError(tr("{name} has {rows} rows (shape {shape}) but X has {m}: expected labels of shape ({m},) "
                            "or targets of shape ({m}, {n_out})",
                            name=name, rows=Y.shape[0] if Y.ndim else 0, shape=Y.shape, m=m, n_out=n_out))
    if Y.ndim == 1 and not (output == "identity" and n_out == 1):
        if Y.dtype.kind == "f":
            if not np.all(np.isfinite(Y)) or np.any(Y != np.round(Y)):
                raise ValueError(tr("{name} is 1-D, so it must hold integer class labels; got non-integer values",
                                    name=name))
        labels = Y.astype(np.int64)
        n_classes = n_out if output == "softmax" else 2
        if output == "identity":
            raise ValueError(tr("{name} has shape {shape}; an identity (regression) output with {n_out} units needs "
                                "targets of shape ({m}, {n_out})", name=name, shape=Y.shape, n_out=n_out, m=m))
        if output == "sigmoid" and n_out != 1:
            raise ValueError(tr("{name} holds labels of shape {shape}, but a sigmoid output with {n_out} units needs "
                                "0/1 targets of shape ({m}, {n_out})", name=name, shape=Y.shape, n_out=n_out, m=m))
        lo, hi = int(labels.min()), int(labels.max())
        if lo < 0 or hi >= n_classes:
            raise ValueError(tr("{name} holds labels from {lo} to {hi}, but the output layer has {n_out} units: "
                                "expected labels in 0..{last}", name=name, lo=lo, hi=hi, n_out=n_out,
                                last=n_classes - 1))
        if output == "sigmoid":
            return labels.astype(dtype).reshape(m, 1)
        onehot = np.zeros((m, n_out), dtype=dtype)
        onehot[np.arange(m), labels] = 1
        return onehot
    if Y.ndim == 1:
        Y = Y.reshape(m, 1)
    if Y.ndim != 2 or Y.shape[1] != n_out:
        raise ValueError(tr("{name} has shape {shape}, expected labels ({m},) or targets ({m}, {n_out}) to match the "
                            "{n_out} output units", name=name, shape=Y.shape, m=m, n_out=n_out))
    Y = np.ascontiguousarray(Y, dtype=dtype)
    if not np.all(np.isfinite(Y)):
        raise ValueError(tr("{name} contains NaN or infinite values", name=name))
    if output == "sigmoid" and (Y.min() < 0 or Y.max() > 1):
        raise ValueError(tr("{name} for a sigmoid output (binary cross-entropy) must hold values in [0, 1], got "
                            "values from {lo:g} to {hi:g}", name=name, lo=Y.min(), hi=Y.max()))
    if output == "softmax":
        # δ(L) = a - y is the gradient of softmax + cross-entropy only when every target row sums to 1
        sums = Y.sum(axis=1, dtype=np.float64)
        bad = np.flatnonzero((np.abs(sums - 1) > 1e-6 * n_out) | (Y.min(axis=1) < 0) | (Y.max(axis=1) > 1))
        if bad.size:
            i = int(bad[0])
            raise ValueError(tr("{name} for a softmax output must hold one-hot rows or probability rows (values in "
                                "[0, 1] summing to 1); row {row} sums to {total:g} with values from {lo:g} to {hi:g} "
                                "({n_bad} such rows). Pass labels of shape ({m},) or one_hot(y)",
                                name=name, row=i, total=sums[i], lo=Y[i].min(), hi=Y[i].max(), n_bad=bad.size,
                                m=m))
    return Y


def positive_number(value, name):
    """Check that value is a finite real number > 0 and return it as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
        raise ValueError(tr("{name} must be a positive finite number, got {value!r}", name=name, value=value))
    return float(value)


def positive_int(value, name):
    """Check that value is an integer >= 1 and return it as int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(tr("{name} must be a positive integer, got {value!r}", name=name, value=value))
    return int(value)


def non_negative_number(value, name):
    """Check that value is a finite real number >= 0 and return it as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value < 0:
        raise ValueError(tr("{name} must be a finite number >= 0, got {value!r}", name=name, value=value))
    return float(value)


def choice(value, valid, name):
    """Check that value is one of `valid` (a collection of names)."""
    if not isinstance(value, str) or value not in valid:
        raise ValueError(tr("unknown {name} {value!r}; expected one of {valid}", name=name, value=value,
                            valid=sorted(valid)))
    return value


def boolean(value, name):
    """Check that value is True or False (a bool or NumPy bool: never a string such as "no", which is truthy)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(tr("{name} must be True or False, got {value!r}", name=name, value=value))
    return bool(value)


def fraction(value, name, low_open=False, high_open=True):
    """Check that value is a real number in [0, 1) (by default) and return it as float."""
    interval = f"{'(' if low_open else '['}0, 1{')' if high_open else ']'}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(tr("{name} must be a number in {interval}, got {value!r}", name=name, interval=interval,
                            value=value))
    value = float(value)                    # (so the message below shows the float, e.g. 1.0)
    if value < 0 or value > 1 or (low_open and value == 0) or (high_open and value == 1):
        raise ValueError(tr("{name} must be a number in {interval}, got {value!r}", name=name, interval=interval,
                            value=value))
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
        if allow_none:
            raise TypeError(tr("{name} must be an int >= 0, a np.random.Generator or None, got {seed!r}",
                               name=name, seed=seed))
        raise TypeError(tr("{name} must be an int >= 0 or a np.random.Generator, got {seed!r}", name=name, seed=seed))
    if seed < 0:
        raise ValueError(tr("{name} must be >= 0 (NumPy seeds are non-negative), got {seed}", name=name, seed=seed))
    return np.random.default_rng(int(seed))
