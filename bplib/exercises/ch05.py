"""Self-checks for chapter 05 (the training loop: shuffling, mini-batches, the update rule; article 3.2 end, 3.3.4)."""
import numpy as np

from . import Hint, check, expect_array, expect_scalar, expect_true, run


@check
def check_minibatches(minibatches):
    """Exercise 05.1: minibatches(m, batch_size, rng) -> list of index arrays: one epoch's shuffled mini-batches.

    Expected: order = rng.permutation(m), then consecutive slices of batch_size; the last, shorter one is kept.
    """
    m, batch_size = 10, 4
    batches = run(minibatches, m, batch_size, np.random.default_rng(5))
    if batches is None:
        raise Hint("minibatches returned None: did you forget the `return` statement?")
    try:
        batches = [np.asarray(b) for b in batches]
    except TypeError:
        raise Hint(f"minibatches should return a list of index arrays, got {type(batches).__name__}") from None
    sizes = [b.size for b in batches]
    if sizes == [4, 4]:
        raise Hint("you dropped the last, shorter batch (2 examples): keep it, so every example is used once "
                   "per epoch; the slices are order[0:4], order[4:8], order[8:10]")
    expect_true(all(b.ndim == 1 and b.dtype.kind in "iu" for b in batches),
                "each batch should be a 1-D array of integer row indices, e.g. order[start:start + batch_size]")
    expect_true(sum(sizes) == m and sorted(np.concatenate(batches).tolist()) == list(range(m)),
                f"the batches should contain every index 0..{m - 1} exactly once; got sizes {sizes}")
    expect_true(sizes == [4, 4, 2], f"batch sizes should be [4, 4, 2] for m = 10, batch_size = 4; got {sizes}")
    together = np.concatenate(batches)
    if np.array_equal(together, np.arange(m)):
        raise Hint("the examples are not shuffled: start from order = rng.permutation(m)")
    expected = np.random.default_rng(5).permutation(m)
    if not np.array_equal(together, expected):
        raise Hint("the batches are shuffled, but not with the rng passed in: use order = rng.permutation(m) "
                   "(once), so that a seed gives reproducible training")
    again = run(minibatches, m, batch_size, np.random.default_rng(6))
    expect_true(not np.array_equal(np.concatenate([np.asarray(b) for b in again]), together),
                "a different rng should give a different order")
    return "one epoch = a fresh permutation cut into ⌈m / batch_size⌉ slices, the short last one kept."


@check
def check_sgd_update(sgd_update):
    """Exercise 05.2: sgd_update(params, grads, lr) -> a new list [p - lr g for each p, g] (inputs unchanged)."""
    rng = np.random.default_rng(502)
    params = [rng.standard_normal((3, 2)), rng.standard_normal(3)]
    grads = [rng.standard_normal((3, 2)), rng.standard_normal(3)]
    lr = 0.1
    new = run(sgd_update, params, grads, lr)
    if new is None:
        raise Hint("sgd_update returned None: return the list of updated arrays (the check passes copies, "
                   "so updating in place alone is not visible here)")
    expect_true(isinstance(new, (list, tuple)) and len(new) == 2,
                f"return a list with one updated array per parameter (2 here), got {type(new).__name__}")
    for k, (p, g, got) in enumerate(zip(params, grads, new)):
        expect_array(got, p - lr * g, f"params[{k}]", mistakes={
            "you moved *up* the gradient (+): gradient descent steps against it, p - lr * g": p + lr * g,
            "you forgot the learning rate: p - lr * g": p - g,
            "you returned the gradient step lr * g, not the updated parameter p - lr * g": -lr * g,
        })
    return "W := W - α ∂J/∂W for every parameter array: the article's update rule (3.2)."


@check
def check_updates_per_epoch(updates_per_epoch):
    """Exercise 05.3: updates_per_epoch(m, batch_size) -> the number of mini-batches (updates) in one epoch."""
    cases = [(300, 16, 19), (300, 300, 1), (300, 1, 300), (10, 4, 3), (8, 4, 2)]
    for m, batch_size, expected in cases:
        got = run(updates_per_epoch, m, batch_size)
        expect_scalar(got, expected, f"updates_per_epoch({m}, {batch_size})", mistakes={
            "m // batch_size drops the last, shorter batch; round up: ⌈m / batch_size⌉": m // batch_size,
            "this is the batch size, not the number of batches": batch_size,
        })
        expect_true(float(got).is_integer(), f"updates_per_epoch({m}, {batch_size}) = {got} should be an integer")
    return "⌈m / batch_size⌉ updates per epoch: 1 for batch GD, m for SGD, in between for mini-batches."
