"""Self-checks for chapter 08 (the MNIST case study: softmax, cross-entropy, confusion matrix; article 4, 5).

Exercises: 08.1 `check_softmax`, 08.2 `check_cross_entropy_logits`, 08.3 `check_confusion_matrix`
(`check_cross_entropy`, from probabilities, is kept for material that still uses it).
The summary chapter's checks used to live here (chapter 08 before the renumbering); their names still work:
`check_backprop_784_100_10`, `check_clip_by_norm`, `check_step_decay` (now in ch09).
"""
import numpy as np

from . import Hint, check, expect_array, expect_scalar, expect_true, run
from ..activations import log_softmax as _log_softmax, softmax as _softmax
from ..i18n import tr
from .ch09 import check_backprop_784_100_10, check_clip_by_norm, check_step_decay  # noqa: F401 (old names)


# rows whose logits spread over 2000: exp(z - anything but the row's max) overflows somewhere
_SPREAD = np.array([[0.0, 1000.0, -1000.0], [1000.0, 1001.0, 999.0], [-1000.0, -999.0, -1001.0],
                    [-500.0, 500.0, 0.0]])


@check
def check_softmax(softmax):
    """Exercise 08.1: softmax(z) for z of shape (m, k), row by row, without overflow (erratum 5)."""
    small = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]])
    got = run(softmax, small)
    expect_array(got, _softmax(small), "softmax(z)", mistakes={
        tr("each row (one example) must sum to 1: normalise over axis=1, not axis=0"):
            np.exp(small) / np.exp(small).sum(axis=0, keepdims=True),
        tr("you normalised over the whole array; each row must sum to 1 (axis=1, keepdims=True)"):
            np.exp(small) / np.exp(small).sum(),
    })
    wide = np.random.default_rng(801).standard_normal((3, 7))       # k = 7 classes: no fixed width
    expect_array(run(softmax, wide), _softmax(wide), tr("softmax of a (3, 7) batch"))
    with np.errstate(over="ignore", invalid="ignore", under="ignore", divide="ignore"):
        got_big = run(softmax, _SPREAD)
        global_max = np.exp(_SPREAD - _SPREAD.max()) / np.exp(_SPREAD - _SPREAD.max()).sum(axis=1, keepdims=True)
    arr = None
    if got_big is not None and not isinstance(got_big, tuple):
        try:
            arr = np.asarray(got_big, dtype=np.float64)
        except (TypeError, ValueError):
            arr = None
    if arr is not None and arr.shape == _SPREAD.shape:
        if np.allclose(arr, global_max, equal_nan=True) and not np.allclose(arr, _softmax(_SPREAD)):
            raise Hint(tr("subtract each row's own maximum (axis=1, keepdims=True), not the maximum of the whole "
                          "batch: a row far below it underflows to 0 / 0"))
        if not np.all(np.isfinite(arr)):
            raise Hint(tr("softmax([[0, 1000, -1000]]) gives NaN or inf: exp(1000) overflows to inf and inf / inf "
                          "= NaN. Subtracting the row's mean or minimum is not enough when the logits spread over "
                          "1000; subtract each row's maximum: z - z.max(axis=1, keepdims=True) (erratum 5)"))
    expect_array(got_big, _softmax(_SPREAD), tr("softmax of logits spread over 2000"))
    return tr("softmax(z - max z) = softmax(z), and now exp never sees a positive number: no overflow.")


@check
def check_cross_entropy(cross_entropy):
    """cross_entropy(probs, labels) -> J = -(1/m) Σ_i log probs[i, labels[i]] (a float); the earlier 07.2."""
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.25, 0.25, 0.5], [0.6, 0.3, 0.1]])
    labels = np.array([0, 1, 2, 1])
    m = len(labels)
    picked = probs[np.arange(m), labels]
    J = -np.mean(np.log(picked))
    got = run(cross_entropy, probs, labels)
    expect_scalar(got, J, "J", mistakes={
        tr("you summed over the batch; J is the mean: divide by m"): -np.sum(np.log(picked)),
        tr("the minus sign: J = -(1/m) Σ log p, a positive number"): np.mean(np.log(picked)),
        tr("you averaged log p over all classes; take only the probability of the true class, "
           "probs[np.arange(m), labels]"): -np.mean(np.log(probs)),
        tr("log10? use the natural log np.log"): -np.mean(np.log10(picked)),
    })
    return tr("J = -(1/m) Σ_i log a_(i, y_i) = {J:.4f}; only the true class's probability counts (one-hot y).", J=J)


@check
def check_cross_entropy_logits(cross_entropy):
    """Exercise 08.2: cross_entropy(z, labels) -> J = mean_i [log Σ_j exp z_ij - z_(i, y_i)], stable for any z."""
    rng = np.random.default_rng(802)
    z = rng.standard_normal((5, 4))
    labels = np.array([0, 3, 1, 1, 2])
    m = len(labels)
    logp = _log_softmax(z)
    J = -float(np.mean(logp[np.arange(m), labels]))
    got = run(cross_entropy, z, labels)
    expect_scalar(got, J, "J", mistakes={
        tr("you summed over the batch; J is the mean: divide by m"): -np.sum(logp[np.arange(m), labels]),
        tr("the minus sign: J = -(1/m) Σ_i log a_(i, y_i), a positive number"): -J,
        tr("you averaged -log a over all classes; take only the true class's entry, [np.arange(m), labels]"):
            -float(np.mean(logp)),
        tr("log-softmax normalises each row (axis=1, keepdims=True), not each column"):
            -float(np.mean((z - np.log(np.exp(z).sum(axis=0, keepdims=True)))[np.arange(m), labels])),
        tr("you returned the mean of the true class's logit with a minus sign, without log Σ_j exp z_ij"):
            -float(np.mean(z[np.arange(m), labels])),
    })
    big = _SPREAD
    labels_big = np.array([2, 2, 1, 0])                  # the true class is far below the row's maximum
    J_big = -float(np.mean(_log_softmax(big)[np.arange(4), labels_big]))
    with np.errstate(over="ignore", invalid="ignore", under="ignore", divide="ignore"):
        got_big = run(cross_entropy, big, labels_big)
    try:
        value = float(np.asarray(got_big, dtype=np.float64).reshape(-1)[0]) if got_big is not None else None
    except (TypeError, ValueError):
        value = None
    if value is not None and np.size(got_big) == 1 and not np.isfinite(value):
        raise Hint(tr("J = {value} for logits spread over 2000 (true J = {J:.1f}): either exp(1000) overflowed "
                      "(subtract each row's maximum first), or you took log(softmax(z)), where a probability of "
                      "e^-2000 has underflowed to 0 and log 0 = -inf. Compute log-softmax directly: "
                      "s = z - max, log a = s - log Σ exp(s)", value=value, J=J_big))
    expect_scalar(got_big, J_big, tr("J for logits spread over 2000"), rtol=1e-9)
    return tr("J = mean of log Σ exp z - z_y, computed as log-softmax: finite even when a probability is e^-2000 "
              "(J = {J:.1f} there).", J=J_big)


@check
def check_confusion_matrix(confusion_matrix):
    """Exercise 08.3: confusion_matrix(y_true, y_pred, k) -> C of shape (k, k), C[i, j] = #(true i, predicted j)."""
    y_true = np.array([0, 0, 1, 2, 2, 2, 1, 0, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2, 1, 0, 1])
    k = 4                                               # class 3 never occurs: its row and column stay 0
    C = np.zeros((k, k), dtype=np.int64)
    np.add.at(C, (y_true, y_pred), 1)
    got = run(confusion_matrix, y_true, y_pred, k)
    if got is not None and np.shape(got) == (3, 3):
        raise Hint(tr("C has shape (3, 3), expected (4, 4): use k for the size, not the largest label seen "
                      "(a class may be missing from a small batch)"))
    expect_array(got, C, "C", mistakes={
        tr("rows must be the true class and columns the prediction: C[y_true, y_pred] += 1"): C.T,
        tr("only the diagonal is filled: count every (true, predicted) pair, errors included"):
            np.diag(np.diag(C)),
        tr("C[y_true, y_pred] += 1 with arrays counts a repeated pair only once (fancy indexing does not "
           "accumulate): loop over the pairs, or use np.add.at(C, (y_true, y_pred), 1)"): np.minimum(C, 1),
        tr("C holds counts, not fractions: do not divide by the number of examples"): C / len(y_true),
        tr("labels count from 0: class i is row i, so C[t, p] += 1, not C[t - 1, p - 1]"):
            np.roll(C, (-1, -1), axis=(0, 1)),
    })
    expect_true(int(np.asarray(got).sum()) == len(y_true), tr("the entries of C should add up to m"))
    rng = np.random.default_rng(803)                    # a second, larger case: 10 classes, 200 examples
    t, p = rng.integers(0, 10, 200), rng.integers(0, 10, 200)
    C2 = np.zeros((10, 10), dtype=np.int64)
    np.add.at(C2, (t, p), 1)
    expect_array(run(confusion_matrix, t, p, 10), C2, tr("C for 200 examples of 10 classes"))
    return tr("C[i, j] counts examples of true class i predicted as j; the diagonal holds the correct ones.")
