"""Self-checks for chapter 07 (the MNIST case study: softmax, cross-entropy, confusion matrix; article 4, 5)."""
import numpy as np

from . import Hint, check, expect_array, expect_scalar, expect_true, run


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@check
def check_softmax(softmax):
    """Exercise 07.1: softmax(z) for z of shape (m, k), row by row, without overflow (erratum 5)."""
    small = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]])
    got = run(softmax, small)
    expect_array(got, _softmax(small), "softmax(z)", mistakes={
        "each row (one example) must sum to 1: normalise over axis=1, not axis=0":
            np.exp(small) / np.exp(small).sum(axis=0, keepdims=True),
        "you normalised over the whole array; each row must sum to 1 (axis=1, keepdims=True)":
            np.exp(small) / np.exp(small).sum(),
    })
    big = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -999.0, -1001.0]])
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        got_big = run(softmax, big)
    arr = np.asarray(got_big, dtype=np.float64) if got_big is not None else None
    shaped = arr is not None and arr.shape == big.shape
    with np.errstate(under="ignore", invalid="ignore"):
        global_max = np.exp(big - big.max()) / np.exp(big - big.max()).sum(axis=1, keepdims=True)
    if shaped and np.allclose(arr, global_max, equal_nan=True):
        raise Hint("subtract each row's own maximum (axis=1, keepdims=True), not the maximum of the whole "
                   "batch: a row far below it underflows to 0 / 0")
    if shaped and not np.all(np.isfinite(arr)):
        raise Hint("softmax([[1000, 1001, 999]]) gives NaN: exp(1000) overflows to inf and inf / inf = NaN. "
                   "Subtract each row's maximum first: z - z.max(axis=1, keepdims=True) (erratum 5)")
    expect_array(got_big, _softmax(big), "softmax of large z")
    return "softmax(z - max z) = softmax(z), and now exp never sees a positive number: no overflow."


@check
def check_cross_entropy(cross_entropy):
    """Exercise 07.2: cross_entropy(probs, labels) -> J = -(1/m) Σ_i log probs[i, labels[i]] (a float)."""
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.25, 0.25, 0.5], [0.6, 0.3, 0.1]])
    labels = np.array([0, 1, 2, 1])
    m = len(labels)
    picked = probs[np.arange(m), labels]
    J = -np.mean(np.log(picked))
    got = run(cross_entropy, probs, labels)
    expect_scalar(got, J, "J", mistakes={
        "you summed over the batch; J is the mean: divide by m": -np.sum(np.log(picked)),
        "the minus sign: J = -(1/m) Σ log p, a positive number": np.mean(np.log(picked)),
        "you averaged log p over all classes; take only the probability of the true class, "
        "probs[np.arange(m), labels]": -np.mean(np.log(probs)),
        "log10? use the natural log np.log": -np.mean(np.log10(picked)),
    })
    return f"J = -(1/m) Σ_i log a_(i, y_i) = {J:.4f}; only the true class's probability counts (one-hot y)."


@check
def check_confusion_matrix(confusion_matrix):
    """Exercise 07.3: confusion_matrix(y_true, y_pred, k) -> C of shape (k, k), C[i, j] = #(true i, predicted j)."""
    y_true = np.array([0, 0, 1, 2, 2, 2, 1, 0, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2, 1, 0, 1])
    k = 4                                               # class 3 never occurs: its row and column stay 0
    C = np.zeros((k, k), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        C[t, p] += 1
    got = run(confusion_matrix, y_true, y_pred, k)
    if got is not None and np.shape(got) == (3, 3):
        raise Hint("C has shape (3, 3), expected (4, 4): use k for the size, not the largest label seen "
                   "(a class may be missing from a small batch)")
    expect_array(got, C, "C", mistakes={
        "rows must be the true class and columns the prediction: C[y_true, y_pred] += 1": C.T,
        "only the diagonal is filled: count every (true, predicted) pair, errors included":
            np.diag(np.diag(C)),
    })
    expect_true(int(np.asarray(got).sum()) == len(y_true), "the entries of C should add up to m")
    return "C[i, j] counts examples of true class i predicted as j; the diagonal holds the correct ones."
