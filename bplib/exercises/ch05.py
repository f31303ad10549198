"""Self-checks for chapter 05 (the training loop: shuffling, mini-batches, the update rule; article 3.2 end, 3.3.4).

Exercises: 05.1 `check_minibatches`, 05.2 `check_sgd_update`, 05.3 `check_train_loop`.
`check_updates_per_epoch` (an earlier exercise 05.3) is kept for material that still uses it.
"""
import numpy as np

from . import Hint, check, expect_array, expect_scalar, expect_true, run
from ..i18n import tr


def _as_batches(batches, name="minibatches"):
    if batches is None:
        raise Hint(tr("{name} returned None: did you forget the `return` statement?", name=name))
    try:
        return [np.asarray(b) for b in batches]
    except TypeError:
        raise Hint(tr("{name} should return a list of index arrays, got {type}", name=name,
                      type=type(batches).__name__)) from None


@check
def check_minibatches(minibatches):
    """Exercise 05.1: minibatches(m, batch_size, rng) -> list of index arrays: one epoch's shuffled mini-batches.

    Expected: order = rng.permutation(m), then consecutive slices of batch_size; the last, shorter one is kept.
    Tried with m a multiple of batch_size and not, batch_size > m, and two generators.
    """
    for m, batch_size, seed in [(10, 4, 5), (12, 4, 7), (3, 5, 8)]:
        batches = _as_batches(run(minibatches, m, batch_size, np.random.default_rng(seed)))
        sizes = [b.size for b in batches]
        expected_sizes = [min(batch_size, m - s) for s in range(0, m, batch_size)]
        if sizes == [batch_size] * (m // batch_size) and m % batch_size:
            raise Hint(tr("you dropped the last, shorter batch ({rest} of m = {m} examples): keep it, so every "
                          "example is used once per epoch; the slices are order[s:s + batch_size] for s = 0, "
                          "batch_size, 2 batch_size, ... < m", rest=m % batch_size, m=m))
        expect_true(all(b.ndim == 1 and b.dtype.kind in "iu" for b in batches),
                    tr("each batch should be a 1-D array of integer row indices, e.g. "
                       "order[start:start + batch_size]"))
        together = np.concatenate(batches) if batches else np.zeros(0, dtype=int)
        if sorted(together.tolist()) != list(range(m)):
            if together.size == m:
                raise Hint(tr("the batches should contain every index 0..{last} exactly once; some repeat and "
                              "some are missing: did you call rng.permutation inside the loop? Draw the order once "
                              "per epoch, then slice it", last=m - 1))
            raise Hint(tr("the batches should contain every index 0..{last} exactly once; got sizes {sizes} for "
                          "m = {m}, batch_size = {batch_size}", last=m - 1, sizes=sizes, m=m,
                          batch_size=batch_size))
        expect_true(sizes == expected_sizes, tr("batch sizes should be {expected} for m = {m}, batch_size = "
                                                "{batch_size}; got {sizes}", expected=expected_sizes, m=m,
                                                batch_size=batch_size, sizes=sizes))
        if m > 3 and np.array_equal(together, np.arange(m)):
            raise Hint(tr("the examples are not shuffled: start from order = rng.permutation(m)"))
        expected = np.random.default_rng(seed).permutation(m)
        if not np.array_equal(together, expected):
            if m > 3 and all(sorted(b.tolist()) == list(range(s, s + b.size))
                             for b, s in zip(batches, range(0, m, batch_size))):
                raise Hint(tr("you shuffled inside each batch, but the batches are still 0..3, 4..7, ...: "
                              "shuffle the whole order first (order = rng.permutation(m)), then cut it into slices"))
            raise Hint(tr("the batches are shuffled, but not with the rng passed in: use order = "
                          "rng.permutation(m) (once), so that a seed gives reproducible training"))
    return tr("one epoch = a fresh permutation cut into ⌈m / batch_size⌉ slices, the short last one kept.")


@check
def check_sgd_update(sgd_update):
    """Exercise 05.2: sgd_update(params, grads, lr) -> a new list [p - lr g for each p, g] (inputs unchanged)."""
    rng = np.random.default_rng(502)
    params = [rng.standard_normal((3, 2)), rng.standard_normal(3), rng.standard_normal((2, 3))]
    grads = [rng.standard_normal(p.shape) for p in params]
    lr = 0.1
    new = run(sgd_update, params, grads, lr)
    if new is None:
        raise Hint(tr("sgd_update returned None: return the list of updated arrays"))
    if isinstance(new, (list, tuple)):
        expect_true(len(new) == len(params),
                    tr("return a list with one updated array per parameter ({n} here), got {type} of length "
                       "{length}", n=len(params), type=type(new).__name__, length=len(new)))
    expect_true(isinstance(new, (list, tuple)),
                tr("return a list with one updated array per parameter ({n} here), got {type}", n=len(params),
                   type=type(new).__name__))
    for k, (p, g, got) in enumerate(zip(params, grads, new)):
        expect_array(got, p - lr * g, f"params[{k}]", mistakes={
            tr("you moved *up* the gradient (+): gradient descent steps against it, p - lr * g"): p + lr * g,
            tr("you forgot the learning rate: p - lr * g"): p - g,
            tr("you returned the gradient step lr * g, not the updated parameter p - lr * g"): -lr * g,
        })
    return tr("W := W - α ∂J/∂W for every parameter array: the article's update rule (3.2).")


@check
def check_updates_per_epoch(updates_per_epoch):
    """updates_per_epoch(m, batch_size) -> the number of mini-batches (updates) in one epoch (an earlier 05.3)."""
    cases = [(300, 16, 19), (300, 300, 1), (300, 1, 300), (10, 4, 3), (8, 4, 2)]
    for m, batch_size, expected in cases:
        got = run(updates_per_epoch, m, batch_size)
        expect_scalar(got, expected, f"updates_per_epoch({m}, {batch_size})", mistakes={
            tr("m // batch_size drops the last, shorter batch; round up: ⌈m / batch_size⌉"): m // batch_size,
            tr("this is the batch size, not the number of batches"): batch_size,
        })
        expect_true(float(got).is_integer(), tr("updates_per_epoch({m}, {batch_size}) = {got} should be an integer",
                                                m=m, batch_size=batch_size, got=got))
    return tr("⌈m / batch_size⌉ updates per epoch: 1 for batch GD, m for SGD, in between for mini-batches.")


# ---------------------------------------------------------------------- 05.3 the training loop
def _reference_loop(net, X, y, epochs, lr, batch_size, seed, mistake=None):
    """The loop bplib.train runs (same shuffles), or one typical mistake; returns the per-epoch losses."""
    rng = np.random.default_rng(0 if mistake == "seed" else seed)
    m = X.shape[0]
    losses = []
    order = rng.permutation(m)
    for _ in range(epochs):
        if mistake == "no shuffle":
            order = np.arange(m)
        elif mistake != "shuffle once":
            order = rng.permutation(m)
        stop = m - m % batch_size if mistake == "drop last" else m
        total, batch_losses = 0.0, []
        for start in range(0, stop, batch_size):
            idx = order[start:start + batch_size]
            loss, dW, db = net.loss_and_grads(X[idx], y[idx])
            for l in range(net.n_layers):
                net.weights[l] = net.weights[l] - lr * dW[l]
                net.biases[l] = net.biases[l] - lr * db[l]
            total += loss * len(idx)
            batch_losses.append(loss)
        if mistake == "after":
            losses.append(net.loss(X, y))
        else:
            losses.append(np.mean(batch_losses) if mistake == "unweighted" else total / m)
    return losses


def _loop_case(k):
    """Two cases: m not a multiple of the batch size, different widths, two seeds."""
    from ..data import make_moons
    from ..network import MLP

    if k == 0:
        X, y = make_moons(n=23, noise=0.2, seed=3)
        net = MLP([2, 5, 3, 2], activation="tanh", init="xavier", seed=4)
        return net, X, y, dict(epochs=3, lr=0.3, batch_size=5, seed=7)
    X, y = make_moons(n=30, noise=0.1, seed=5)
    net = MLP([2, 4, 2], activation="relu", init="he", seed=6)
    return net, X, y, dict(epochs=4, lr=0.2, batch_size=8, seed=11)


@check
def check_train_loop(train_loop):
    """Exercise 05.3: train_loop(net, X, y, epochs, lr, batch_size, seed) -> per-epoch mean losses; trains net.

    Compared with bplib.train(net, X, y, epochs, lr, batch_size, seed=seed)["loss"] and its final weights.
    """
    from ..train import train

    for k in (0, 1):
        net, X, y, kw = _loop_case(k)
        reference = net.copy()
        history = train(reference, X, y, progress=False, verbose=False, **kw)
        mine = net.copy()
        losses = run(train_loop, mine, X, y, kw["epochs"], kw["lr"], kw["batch_size"], kw["seed"])
        if losses is None:
            raise Hint(tr("train_loop returned None: return the list of per-epoch mean losses"))
        try:
            losses = np.asarray(losses, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            raise Hint(tr("train_loop should return a list of numbers (one loss per epoch), got {type}",
                          type=type(losses).__name__)) from None
        expect_true(losses.size == kw["epochs"], tr("return one loss per epoch: {epochs} numbers for epochs = "
                                                    "{epochs}, got {size}", epochs=kw["epochs"], size=losses.size))
        moved = any(not np.array_equal(a, b) for a, b in zip(mine.params(), net.params()))
        expect_true(moved, tr("the network's weights did not change: update net.weights[l] and net.biases[l] (in "
                              "place, or by assigning new arrays) after every mini-batch"))
        if np.allclose(losses, history["loss"], rtol=1e-9, atol=1e-12):
            same = all(np.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(mine.params(), reference.params()))
            expect_true(same, tr("the losses match but the final weights do not: update every W(l) and b(l) "
                                 "after computing the batch's loss, with W := W - lr dW"))
            continue
        hints = {
            "no shuffle": tr("the examples are not shuffled: draw order = rng.permutation(m) at the start of "
                             "every epoch"),
            "shuffle once": tr("shuffle at the start of *every* epoch (one rng = np.random.default_rng(seed) "
                               "before the loop, rng.permutation(m) inside it), not once for all epochs"),
            "drop last": tr("you dropped the last, shorter batch: slice order[start:start + batch_size] for every "
                            "start in range(0, m, batch_size)"),
            "unweighted": tr("the epoch's loss is the mean over its *examples*: weight each batch's mean loss by "
                             "its size (total += loss * len(idx); then divide by m); a plain mean of batch losses "
                             "over-weights the short last batch"),
            "after": tr("an epoch's loss is the mean of the batch losses computed *during* the epoch (each before "
                        "its update, weighted by batch size), as bplib.train records it, not the loss on all of X "
                        "after the epoch"),
            "seed": tr("use the `seed` argument: rng = np.random.default_rng(seed), so that the same seed gives "
                       "the same shuffles as bplib.train"),
        }
        for mistake, hint in hints.items():
            wrong = _reference_loop(net.copy(), X, y, mistake=mistake, **kw)
            if np.allclose(losses, wrong, rtol=1e-9, atol=1e-12):
                raise Hint(hint)
        expect_array(losses, history["loss"], tr("your per-epoch losses"), rtol=1e-9, atol=1e-12)
    return tr("the same losses and weights as bplib.train with the same seed: shuffle every epoch, slice, keep the "
              "last batch, update after every batch.")
