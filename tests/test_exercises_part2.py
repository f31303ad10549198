"""Self-checks of chapters 05-08: each passes on a correct solution and fails, with its specific hint, on a stub
that raises NotImplementedError and on typical wrong answers."""
import numpy as np
import pytest

from bplib import exercises as ex
from bplib.exercises import ch05, ch06, ch07, ch08


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise: write the body of stub()")


def _fails_with(result, text):
    assert not result, result
    assert result.message.startswith("❌ Not yet: "), result
    assert text in result.message, result.message


# ---------------------------------------------------------------------- 05
def minibatches(m, batch_size, rng):
    order = rng.permutation(m)
    return [order[s:s + batch_size] for s in range(0, m, batch_size)]


def sgd_update(params, grads, lr):
    return [p - lr * g for p, g in zip(params, grads)]


def updates_per_epoch(m, batch_size):
    return -(-m // batch_size)


# ---------------------------------------------------------------------- 06
def he_init(n_in, n_out, rng):
    return rng.standard_normal((n_out, n_in)) * np.sqrt(2 / n_in)


def momentum_step(W, v, g, lr, mu):
    v = mu * v - lr * g
    return W + v, v


def batchnorm_forward(u, gamma, beta, eps):
    return gamma * (u - u.mean(axis=0)) / np.sqrt(u.var(axis=0) + eps) + beta


# ---------------------------------------------------------------------- 07
def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(probs, labels):
    return float(-np.mean(np.log(probs[np.arange(len(labels)), labels])))


def confusion_matrix(y_true, y_pred, k):
    C = np.zeros((k, k), dtype=np.int64)
    np.add.at(C, (y_true, y_pred), 1)
    return C


# ---------------------------------------------------------------------- 08
def backprop(X, Y, W1, b1, W2, b2):
    m = X.shape[0]
    z1 = X @ W1.T + b1
    a1 = np.maximum(z1, 0)
    z2 = a1 @ W2.T + b2
    a2 = softmax(z2)
    d2 = a2 - Y
    d1 = (d2 @ W2) * (z1 > 0)
    return d1.T @ X / m, d1.mean(0), d2.T @ a1 / m, d2.mean(0)


def clip_by_norm(grads, max_norm):
    total = np.sqrt(sum(np.sum(g * g) for g in grads))
    scale = min(1.0, max_norm / total)
    return [g * scale for g in grads]


def step_decay(epoch, lr0, drop, every):
    return lr0 * drop ** (epoch // every)


SOLUTIONS = [
    (ch05.check_minibatches, minibatches), (ch05.check_sgd_update, sgd_update),
    (ch05.check_updates_per_epoch, updates_per_epoch),
    (ch06.check_he_init, he_init), (ch06.check_momentum_step, momentum_step),
    (ch06.check_batchnorm_forward, batchnorm_forward),
    (ch07.check_softmax, softmax), (ch07.check_cross_entropy, cross_entropy),
    (ch07.check_confusion_matrix, confusion_matrix),
    (ch08.check_backprop_784_100_10, backprop), (ch08.check_clip_by_norm, clip_by_norm),
    (ch08.check_step_decay, step_decay),
]


@pytest.mark.parametrize("check, solution", SOLUTIONS, ids=[c.__name__ for c, _ in SOLUTIONS])
def test_check_passes_on_the_solution(check, solution):
    result = check(solution)
    assert result and result.message.startswith("✅ Correct: "), result


@pytest.mark.parametrize("check", [c for c, _ in SOLUTIONS], ids=[c.__name__ for c, _ in SOLUTIONS])
def test_check_fails_on_a_stub(check):
    _fails_with(check(stub), ex.NOT_IMPLEMENTED)


def test_checks_want_the_function_itself():
    with pytest.raises(TypeError, match="expects your function itself"):
        ch05.check_sgd_update(sgd_update([np.zeros(2)], [np.ones(2)], 0.1))


WRONG = [
    # 05.1
    (ch05.check_minibatches, lambda m, bs, rng: [rng.permutation(m)[s:s + bs] for s in range(0, m - m % bs, bs)],
     "dropped the last, shorter batch"),
    (ch05.check_minibatches, lambda m, bs, rng: [np.arange(m)[s:s + bs] for s in range(0, m, bs)], "not shuffled"),
    (ch05.check_minibatches,
     lambda m, bs, rng: [np.random.default_rng(0).permutation(m)[s:s + bs] for s in range(0, m, bs)],
     "not with the rng passed in"),
    (ch05.check_minibatches, lambda m, bs, rng: None, "forget the `return`"),
    # 05.2
    (ch05.check_sgd_update, lambda P, G, lr: [p + lr * g for p, g in zip(P, G)], "moved *up* the gradient"),
    (ch05.check_sgd_update, lambda P, G, lr: [p - g for p, g in zip(P, G)], "forgot the learning rate"),
    (ch05.check_sgd_update, lambda P, G, lr: [(p - lr * g).T for p, g in zip(P, G)], "did you transpose?"),
    # 05.3
    (ch05.check_updates_per_epoch, lambda m, bs: m // bs, "drops the last, shorter batch"),
    (ch05.check_updates_per_epoch, lambda m, bs: m / bs, "expected 19"),
    # 06.1
    (ch06.check_he_init, lambda n_in, n_out, rng: rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in),
     "did you transpose?"),
    (ch06.check_he_init, lambda n_in, n_out, rng: rng.standard_normal((n_out, n_in)) * np.sqrt(1 / n_in),
     "He's ReLU init doubles the variance"),
    (ch06.check_he_init, lambda n_in, n_out, rng: rng.standard_normal((n_out, n_in)) * np.sqrt(2 / n_out),
     "fan-out"),
    (ch06.check_he_init, lambda n_in, n_out, rng: rng.standard_normal((n_out, n_in)) * (2 / n_in),
     "take the square root"),
    (ch06.check_he_init, lambda n_in, n_out, rng: rng.random((n_out, n_in)) * np.sqrt(2 / n_in), "mean 0"),
    (ch06.check_he_init,
     lambda n_in, n_out, rng: np.random.default_rng().standard_normal((n_out, n_in)) * np.sqrt(2 / n_in),
     "rng passed in"),
    # 06.2
    (ch06.check_momentum_step, lambda W, v, g, lr, mu: (W - lr * g, -lr * g), "forgets its past"),
    (ch06.check_momentum_step, lambda W, v, g, lr, mu: (W + v, mu * v - lr * g), "stepped with the old velocity"),
    (ch06.check_momentum_step, lambda W, v, g, lr, mu: W - lr * g, "return a pair"),
    # 06.3
    (ch06.check_batchnorm_forward,
     lambda u, g, b, eps: g * (u - u.mean(1, keepdims=True)) / np.sqrt(u.var(1, keepdims=True) + eps) + b,
     "per unit over the batch (axis=0)"),
    (ch06.check_batchnorm_forward, lambda u, g, b, eps: g * (u - u.mean(0)) / np.sqrt(u.var(0, ddof=1) + eps) + b,
     "ddof=1"),
    (ch06.check_batchnorm_forward, lambda u, g, b, eps: (u - u.mean(0)) / np.sqrt(u.var(0) + eps),
     "forgot the learned scale and shift"),
    (ch06.check_batchnorm_forward, lambda u, g, b, eps: b * (u - u.mean(0)) / np.sqrt(u.var(0) + eps) + g,
     "swapped"),
    (ch06.check_batchnorm_forward, lambda u, g, b, eps: g * (u - u.mean(0)) / np.sqrt(u.var(0)) + b, "left out ε"),
    (ch06.check_batchnorm_forward, lambda u, g, b, eps: g * (u - u.mean(0)) / (np.sqrt(u.var(0)) + eps) + b,
     "inside the square root"),
    # 07.1
    (ch07.check_softmax, lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), "exp(1000) overflows"),
    (ch07.check_softmax, lambda z: np.exp(z) / np.exp(z).sum(axis=0, keepdims=True), "axis=1, not axis=0"),
    (ch07.check_softmax, lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=1, keepdims=True),
     "each row's own maximum"),
    # 07.2
    (ch07.check_cross_entropy, lambda p, y: -np.sum(np.log(p[np.arange(len(y)), y])), "divide by m"),
    (ch07.check_cross_entropy, lambda p, y: np.mean(np.log(p[np.arange(len(y)), y])), "the minus sign"),
    (ch07.check_cross_entropy, lambda p, y: -np.mean(np.log(p)), "only the probability of the true class"),
    (ch07.check_cross_entropy, lambda p, y: -np.log(p[np.arange(len(y)), y]), "one number"),
    # 07.3
    (ch07.check_confusion_matrix, lambda t, p, k: confusion_matrix(t, p, k).T, "rows must be the true class"),
    (ch07.check_confusion_matrix, lambda t, p, k: confusion_matrix(t, p, max(t.max(), p.max()) + 1),
     "use k for the size"),
    (ch07.check_confusion_matrix, lambda t, p, k: np.diag(np.diag(confusion_matrix(t, p, k))),
     "only the diagonal"),
    # 08.1
    (ch08.check_backprop_784_100_10, lambda *a: tuple(g * a[0].shape[0] for g in backprop(*a)), "1/m"),
    (ch08.check_backprop_784_100_10, lambda *a: (backprop(*a)[0].T,) + tuple(backprop(*a)[1:]),
     "did you transpose?"),
    (ch08.check_backprop_784_100_10, lambda X, Y, W1, b1, W2, b2: (
        ((Y - 0) * 0).T @ X, b1, W2, b2), "wrong values"),
    # 08.2
    (ch08.check_clip_by_norm, lambda G, c: [g * min(1, c / np.linalg.norm(g)) for g in G], "same factor"),
    (ch08.check_clip_by_norm, lambda G, c: [np.clip(g, -c, c) for g in G], "clipped each entry"),
    (ch08.check_clip_by_norm,
     lambda G, c: [g * c / np.sqrt(sum(np.sum(h * h) for h in G)) for g in G], "left unchanged"),
    # 08.3
    (ch08.check_step_decay, lambda e, lr0, d, every: lr0 * d ** (e / every), "integer division"),
    (ch08.check_step_decay, lambda e, lr0, d, every: lr0 * d ** max(e // every - 1, 0), "first drop"),
    (ch08.check_step_decay, lambda e, lr0, d, every: lr0 * (1 - d) ** (e // every), "not the fraction taken away"),
    (ch08.check_step_decay, lambda e, lr0, d, every: 0.1 * 0.5 ** (e // 10), "expected 1"),
]


@pytest.mark.parametrize("check, answer, hint", WRONG, ids=[f"{c.__name__}-{i}" for i, (c, _, _) in enumerate(WRONG)])
def test_check_fails_with_its_hint_on_a_typical_mistake(check, answer, hint):
    _fails_with(check(answer), hint)


def test_backprop_check_names_the_missing_relu_derivative():
    def no_mask(X, Y, W1, b1, W2, b2):
        m = X.shape[0]
        z1 = X @ W1.T + b1
        a1 = np.maximum(z1, 0)
        d2 = softmax(a1 @ W2.T + b2) - Y
        d1 = d2 @ W2                                   # forgot ⊙ 1(z1 > 0)
        return d1.T @ X / m, d1.mean(0), d2.T @ a1 / m, d2.mean(0)

    _fails_with(ch08.check_backprop_784_100_10(no_mask), "ReLU derivative")
