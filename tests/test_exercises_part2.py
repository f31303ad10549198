"""Self-checks of chapters 05-09: each passes on correct solutions written in different ways, and fails, with its
specific hint, on a stub that raises NotImplementedError and on typical wrong answers (at least four kinds each,
including a generality mistake and, where it applies, an in-place one). The old check names still work."""
import numpy as np
import pytest

from bplib import exercises as ex
from bplib.exercises import ch05, ch06, ch07, ch08, ch09


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise: write the body of stub()")


def _fails_with(result, text):
    assert not result, result
    assert result.message.startswith("❌ Not yet: "), result
    assert text in result.message, result.message


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------- 05
def minibatches(m, batch_size, rng):
    order = rng.permutation(m)
    return [order[s:s + batch_size] for s in range(0, m, batch_size)]


def minibatches_split(m, batch_size, rng):
    order = rng.permutation(m)
    return tuple(np.array_split(order, range(batch_size, m, batch_size)))


def sgd_update(params, grads, lr):
    return [p - lr * g for p, g in zip(params, grads)]


def sgd_update_loop(params, grads, lr):
    out = []
    for p, g in zip(params, grads):
        q = p.copy()
        q -= lr * g
        out.append(q)
    return tuple(out)


def updates_per_epoch(m, batch_size):
    return -(-m // batch_size)


def train_loop(net, X, y, epochs, lr, batch_size, seed):
    rng = np.random.default_rng(seed)
    m = len(X)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(m)
        total = 0.0
        for s in range(0, m, batch_size):
            idx = order[s:s + batch_size]
            loss, dW, db = net.loss_and_grads(X[idx], y[idx])
            for l in range(net.n_layers):
                net.weights[l] -= lr * dW[l]
                net.biases[l] -= lr * db[l]
            total += loss * len(idx)
        losses.append(total / m)
    return losses


def train_loop_params(net, X, y, epochs, lr, batch_size, seed):
    rng = np.random.default_rng(seed)
    out = np.zeros(epochs)
    for e in range(epochs):
        for idx in minibatches(len(X), batch_size, rng) if False else np.array_split(
                rng.permutation(len(X)), range(batch_size, len(X), batch_size)):
            loss, dW, db = net.loss_and_grads(X[idx], y[idx])
            for p, g in zip(net.params(), dW + db):
                p -= lr * g
            out[e] += loss * len(idx) / len(X)
    return out


# ---------------------------------------------------------------------- 06
def he_init(n_in, n_out, rng):
    return rng.standard_normal((n_out, n_in)) * np.sqrt(2 / n_in)


def he_init_normal(n_in, n_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))


def momentum_step(W, v, g, lr, mu):
    v = mu * v - lr * g
    return W + v, v


def momentum_step_list(W, v, g, lr, mu):
    v_new = np.subtract(mu * v, lr * g)
    return [np.add(W, v_new), v_new]


def adam_step(W, m, v, g, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return W - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_step_folded(W, m, v, g, t, lr, beta1, beta2, eps):
    m_new = m * beta1 + g * (1 - beta1)
    v_new = v * beta2 + np.square(g) * (1 - beta2)
    step = lr / (1 - beta1 ** t)
    return [W - step * m_new / (np.sqrt(v_new / (1 - beta2 ** t)) + eps), m_new, v_new]


def softplus(z):
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def softplus_prime(z):
    return 0.5 * (1 + np.tanh(z / 2))


def softplus_where(z):
    return np.logaddexp(0, z)


def softplus_prime_where(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


# ---------------------------------------------------------------------- 07
def early_stopping(val_losses, patience):
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)


def early_stopping_argmin(val_losses, patience):
    losses = np.asarray(val_losses)
    for stop in range(1, len(losses) + 1):
        best = int(np.argmin(losses[:stop]))
        if stop - 1 - best >= patience:
            return [np.int64(best + 1), np.int64(stop)]
    return [int(np.argmin(losses)) + 1, len(losses)]


def batchnorm_forward(u, gamma, beta, eps):
    return gamma * (u - u.mean(axis=0)) / np.sqrt(u.var(axis=0) + eps) + beta


def batchnorm_forward_loops(u, gamma, beta, eps):
    out = np.empty_like(u)
    for j in range(u.shape[1]):
        col = u[:, j]
        mu = col.sum() / len(col)
        var = ((col - mu) ** 2).sum() / len(col)
        out[:, j] = gamma[j] * (col - mu) / (var + eps) ** 0.5 + beta[j]
    return out


def batchnorm_backward(dz, u, gamma, eps):
    mu, var = u.mean(0), u.var(0)
    std = np.sqrt(var + eps)
    u_hat = (u - mu) / std
    g = dz * gamma
    du = (g - g.mean(0) - u_hat * (g * u_hat).mean(0)) / std
    return du, (dz * u_hat).sum(0), dz.sum(0)


def batchnorm_backward_graph(dz, u, gamma, eps):
    """Step by step through the graph: u -> (u - μ) -> / √(σ² + ε) -> γ ⊙ + β."""
    m = u.shape[0]
    mu = u.mean(0)
    xc = u - mu
    var = (xc ** 2).mean(0)
    inv = 1 / np.sqrt(var + eps)
    u_hat = xc * inv
    d_uhat = dz * gamma
    d_inv = (d_uhat * xc).sum(0)
    d_var = d_inv * (-0.5) * (var + eps) ** -1.5
    d_xc = d_uhat * inv + d_var * 2 * xc / m
    du = d_xc - d_xc.mean(0)
    return [du, np.einsum("ij,ij->j", dz, u_hat), dz.sum(0)]


def residual_backward(dh, h_prev, W):
    a_prev = np.tanh(h_prev)
    return dh + (dh @ W) * (1 - a_prev ** 2), dh.T @ a_prev, dh.sum(0)


def residual_backward_einsum(dh, h_prev, W):
    a_prev = np.tanh(h_prev)
    branch = np.einsum("mk,kj->mj", dh, W) / np.cosh(h_prev) ** 2
    return [branch + dh, np.einsum("mi,mj->ij", dh, a_prev), np.einsum("mi->i", dh)]


# ---------------------------------------------------------------------- 08
def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_logsumexp(z):
    m = np.max(z, axis=1, keepdims=True)
    return np.exp(z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True)))


def cross_entropy(probs, labels):
    return float(-np.mean(np.log(probs[np.arange(len(labels)), labels])))


def cross_entropy_logits(z, labels):
    s = z - z.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    return -np.mean(logp[np.arange(len(labels)), labels])          # a NumPy scalar


def cross_entropy_logits_loop(z, labels):
    total = 0.0
    for row, y in zip(z, labels):
        mx = row.max()
        total += mx + np.log(np.sum(np.exp(row - mx))) - row[y]
    return np.array(total / len(labels))                          # a 0-d array


def confusion_matrix(y_true, y_pred, k):
    C = np.zeros((k, k), dtype=np.int64)
    np.add.at(C, (y_true, y_pred), 1)
    return C


def confusion_matrix_loop(y_true, y_pred, k):
    C = [[0] * k for _ in range(k)]
    for t, p in zip(y_true, y_pred):
        C[t][p] += 1
    return C


# ---------------------------------------------------------------------- 09
def backprop_L(X, Y, weights, biases, sigma, sigma_prime):
    L = len(weights)
    zs, acts = [], [X]
    for l in range(L):
        z = acts[-1] @ weights[l].T + biases[l]
        zs.append(z)
        acts.append(_softmax(z) if l == L - 1 else sigma(z))
    m = X.shape[0]
    delta = acts[-1] - Y
    dW, db = [None] * L, [None] * L
    for l in range(L - 1, -1, -1):
        dW[l] = delta.T @ acts[l] / m
        db[l] = delta.mean(axis=0)
        if l > 0:
            delta = (delta @ weights[l]) * sigma_prime(zs[l - 1])
    return dW, db


def backprop_L_einsum(X, Y, weights, biases, sigma, sigma_prime):
    acts, zs = [X], []
    for W, b in zip(weights, biases):
        zs.append(np.einsum("mi,ji->mj", acts[-1], W) + b)
        acts.append(sigma(zs[-1]))
    acts[-1] = _softmax(zs[-1])
    delta = (acts[-1] - Y) / len(X)
    grads_W, grads_b = [], []
    for l in reversed(range(len(weights))):
        grads_W.insert(0, np.einsum("mj,mi->ji", delta, acts[l]))
        grads_b.insert(0, delta.sum(0))
        if l:
            delta = np.einsum("mj,ji->mi", delta, weights[l]) * sigma_prime(zs[l - 1])
    return tuple(grads_W), tuple(grads_b)


def backprop(X, Y, W1, b1, W2, b2):
    m = X.shape[0]
    z1 = X @ W1.T + b1
    a1 = np.maximum(z1, 0)
    d2 = _softmax(a1 @ W2.T + b2) - Y
    d1 = (d2 @ W2) * (z1 > 0)
    return d1.T @ X / m, d1.mean(0), d2.T @ a1 / m, d2.mean(0)


def clip_by_norm(grads, max_norm):
    total = np.sqrt(sum(np.sum(g * g) for g in grads))
    scale = min(1.0, max_norm / total)
    return [g * scale for g in grads]


def clip_by_norm_concat(grads, max_norm):
    total = np.linalg.norm(np.concatenate([g.ravel() for g in grads]))
    return tuple(g * (max_norm / total) if total > max_norm else g.copy() for g in grads)


def step_decay(epoch, lr0, drop, every):
    return lr0 * drop ** (epoch // every)


def step_decay_array(epoch, lr0, drop, every):
    return np.array(lr0) * np.power(drop, np.floor(epoch / every))


SOLUTIONS = [
    (ch05.check_minibatches, (minibatches,)), (ch05.check_minibatches, (minibatches_split,)),
    (ch05.check_sgd_update, (sgd_update,)), (ch05.check_sgd_update, (sgd_update_loop,)),
    (ch05.check_updates_per_epoch, (updates_per_epoch,)),
    (ch05.check_train_loop, (train_loop,)), (ch05.check_train_loop, (train_loop_params,)),
    (ch06.check_he_init, (he_init,)), (ch06.check_he_init, (he_init_normal,)),
    (ch06.check_momentum_step, (momentum_step,)), (ch06.check_momentum_step, (momentum_step_list,)),
    (ch06.check_adam_step, (adam_step,)), (ch06.check_adam_step, (adam_step_folded,)),
    (ch06.check_softplus, (softplus, softplus_prime)), (ch06.check_softplus, (softplus_where, softplus_prime_where)),
    (ch06.check_softplus_forward, (softplus,)), (ch06.check_softplus_forward, (softplus_where,)),
    (ch06.check_batchnorm_forward, (batchnorm_forward,)),
    (ch07.check_early_stopping, (early_stopping,)), (ch07.check_early_stopping, (early_stopping_argmin,)),
    (ch07.check_batchnorm_forward, (batchnorm_forward,)), (ch07.check_batchnorm_forward, (batchnorm_forward_loops,)),
    (ch07.check_batchnorm_backward, (batchnorm_backward,)),
    (ch07.check_batchnorm_backward, (batchnorm_backward_graph,)),
    (ch07.check_residual_backward, (residual_backward,)), (ch07.check_residual_backward, (residual_backward_einsum,)),
    (ch07.check_softmax, (softmax,)), (ch07.check_cross_entropy, (cross_entropy,)),
    (ch07.check_confusion_matrix, (confusion_matrix,)),
    (ch08.check_softmax, (softmax,)), (ch08.check_softmax, (softmax_logsumexp,)),
    (ch08.check_cross_entropy, (cross_entropy,)),
    (ch08.check_cross_entropy_logits, (cross_entropy_logits,)),
    (ch08.check_cross_entropy_logits, (cross_entropy_logits_loop,)),
    (ch08.check_confusion_matrix, (confusion_matrix,)), (ch08.check_confusion_matrix, (confusion_matrix_loop,)),
    (ch08.check_backprop_784_100_10, (backprop,)), (ch08.check_clip_by_norm, (clip_by_norm,)),
    (ch08.check_step_decay, (step_decay,)),
    (ch09.check_backprop_L, (backprop_L,)), (ch09.check_backprop_L, (backprop_L_einsum,)),
    (ch09.check_backprop_784_100_10, (backprop,)),
    (ch09.check_clip_by_norm, (clip_by_norm,)), (ch09.check_clip_by_norm, (clip_by_norm_concat,)),
    (ch09.check_step_decay, (step_decay,)), (ch09.check_step_decay, (step_decay_array,)),
]
_IDS = [f"{c.__module__.rsplit('.', 1)[1]}.{c.__name__}-{s[0].__name__}" for c, s in SOLUTIONS]


@pytest.mark.parametrize("check, solution", SOLUTIONS, ids=_IDS)
def test_check_passes_on_correct_solutions(check, solution):
    result = check(*solution)
    assert result and result.message.startswith("✅ Correct: "), result


@pytest.mark.parametrize("check, solution", SOLUTIONS, ids=_IDS)
def test_check_fails_on_a_stub(check, solution):
    _fails_with(check(*([stub] * len(solution))), ex.NOT_IMPLEMENTED)


def test_checks_want_the_function_itself():
    with pytest.raises(TypeError, match="expects your function itself"):
        ch05.check_sgd_update(sgd_update([np.zeros(2)], [np.ones(2)], 0.1))


def test_old_names_still_work():
    assert ch06.check_batchnorm_forward is ch07.check_batchnorm_forward
    assert ch07.check_softmax is ch08.check_softmax and ch07.check_confusion_matrix is ch08.check_confusion_matrix
    assert ch07.check_cross_entropy is ch08.check_cross_entropy
    assert ch08.check_backprop_784_100_10 is ch09.check_backprop_784_100_10
    assert ch08.check_clip_by_norm is ch09.check_clip_by_norm and ch08.check_step_decay is ch09.check_step_decay


# ---------------------------------------------------------------------- wrong answers
def _in_place_sgd(P, G, lr):
    for p, g in zip(P, G):
        p -= lr * g
    return P


def _train(order_rule=None, drop_last=False, unweighted=False, seed_rule=None, in_place_X=False, after=False):
    def loop(net, X, y, epochs, lr, batch_size, seed):
        rng = np.random.default_rng(0 if seed_rule == "fixed" else seed)
        m = len(X)
        out = []
        order = rng.permutation(m)
        for _ in range(epochs):
            if order_rule == "none":
                order = np.arange(m)
            elif order_rule != "once":
                order = rng.permutation(m)
            if in_place_X:
                X[:] = X[order]
                y[:] = y[order]
                order = np.arange(m)
            stop = m - m % batch_size if drop_last else m
            total, batch_losses = 0.0, []
            for s in range(0, stop, batch_size):
                idx = order[s:s + batch_size]
                loss, dW, db = net.loss_and_grads(X[idx], y[idx])
                for l in range(net.n_layers):
                    net.weights[l] -= lr * dW[l]
                    net.biases[l] -= lr * db[l]
                total += loss * len(idx)
                batch_losses.append(loss)
            out.append(net.loss(X, y) if after else np.mean(batch_losses) if unweighted else total / m)
        return out
    return loop


def _adam(**kw):
    def step(W, m, v, g, t, lr, b1, b2, eps):
        if kw.get("swap"):
            b1, b2 = b2, b1
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * (np.abs(g) if kw.get("abs") else g * g)
        tt = t - 1 if kw.get("t0") else t
        m_hat = m if kw.get("nocorr") else m / (1 - b1 ** tt)
        v_hat = v if kw.get("nocorr") else v / (1 - b2 ** tt)
        if kw.get("eps_in"):
            return W - lr * m_hat / np.sqrt(v_hat + eps), m, v
        if kw.get("hat"):
            return W - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat
        return W - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    return step


def _adam_in_place(W, m, v, g, t, lr, b1, b2, eps):
    m *= b1
    m += (1 - b1) * g
    v *= b2
    v += (1 - b2) * g * g
    return W - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps), m, v


def _bn_back(**kw):
    def back(dz, u, gamma, eps):
        mu, var = u.mean(0), u.var(0)
        std = np.sqrt(var + eps)
        u_hat = (u - mu) / std
        g = dz if kw.get("nogamma") else dz * gamma
        if kw.get("const"):
            du = g / std
        elif kw.get("novar"):
            du = (g - g.mean(0)) / std
        elif kw.get("nomean"):
            du = (g - u_hat * (g * u_hat).mean(0)) / std
        else:
            du = (g - g.mean(0) - u_hat * (g * u_hat).mean(0)) / std
        dgamma, dbeta = (dz * u_hat).sum(0), dz.sum(0)
        if kw.get("mean"):
            dgamma, dbeta = (dz * u_hat).mean(0), dz.mean(0)
        if kw.get("swap"):
            dgamma, dbeta = dbeta, dgamma
        if kw.get("first_example"):
            dgamma, dbeta = dz[0] * u_hat[0], dz[0]
        return du, dgamma, dbeta
    return back


def _res(**kw):
    def back(dh, h_prev, W):
        a = np.tanh(h_prev)
        local = 1 - h_prev ** 2 if kw.get("h2") else 1 - a ** 2
        branch = (dh @ (W.T if kw.get("WT") else W)) * local
        dh_prev = branch if kw.get("noskip") else branch + dh
        dW = dh.T @ (h_prev if kw.get("hprev") else a)
        if kw.get("transposed"):
            dW = dW.T
        if kw.get("inplace"):
            dh += branch
            dh_prev = dh
        return dh_prev, dW, dh.sum(0)
    return back


def _backprop_L_variant(**kw):
    def back(X, Y, weights, biases, sigma, sigma_prime):
        if kw.get("fixed_two"):
            W1, W2 = weights[0], weights[1]
        L = len(weights)
        zs, acts = [], [X]
        for l in range(L):
            z = acts[-1] @ weights[l].T + biases[l]
            zs.append(z)
            acts.append(_softmax(z) if l == L - 1 else sigma(z))
        m = X.shape[0]
        delta = acts[-1] - Y
        if kw.get("elementwise"):
            delta = -Y * (1 - acts[-1])
        dW, db = [None] * L, [None] * L
        for l in range(L - 1, -1, -1):
            dW[l] = delta.T @ acts[l] / (1 if kw.get("no_m") else m)
            if kw.get("transposed") and l == 0:
                dW[l] = dW[l].T
            db[l] = delta[0] if kw.get("one_example") else delta.mean(axis=0)
            if l > 0:
                back_ = delta @ weights[l]
                delta = back_ if kw.get("no_sp") else back_ * sigma_prime(acts[l] if kw.get("sp_of_a") else zs[l - 1])
        if kw.get("reversed"):
            return dW[::-1], db[::-1]
        if kw.get("in_place"):
            weights[0] -= 0.1 * dW[0]
        return dW, db
    return back


WRONG = [
    # 05.1 minibatches
    (ch05.check_minibatches, lambda m, bs, rng: [rng.permutation(m)[s:s + bs] for s in range(0, m - m % bs, bs)],
     "dropped the last, shorter batch"),
    (ch05.check_minibatches, lambda m, bs, rng: [np.arange(m)[s:s + bs] for s in range(0, m, bs)], "not shuffled"),
    (ch05.check_minibatches,
     lambda m, bs, rng: [np.random.default_rng(0).permutation(m)[s:s + bs] for s in range(0, m, bs)],
     "not with the rng passed in"),
    (ch05.check_minibatches, lambda m, bs, rng: [rng.permutation(m)[s:s + bs] for s in range(0, m, bs)],
     "inside the loop"),
    (ch05.check_minibatches, lambda m, bs, rng: [rng.permutation(np.arange(s, min(s + bs, m)))
                                                 for s in range(0, m, bs)], "shuffled inside each batch"),
    (ch05.check_minibatches, lambda m, bs, rng: None, "forget the `return`"),
    # 05.2 sgd_update
    (ch05.check_sgd_update, lambda P, G, lr: [p + lr * g for p, g in zip(P, G)], "moved *up* the gradient"),
    (ch05.check_sgd_update, lambda P, G, lr: [p - g for p, g in zip(P, G)], "forgot the learning rate"),
    (ch05.check_sgd_update, lambda P, G, lr: [(p - lr * g).T for p, g in zip(P, G)], "did you transpose?"),
    (ch05.check_sgd_update, _in_place_sgd, "changed its argument `P` in place"),
    (ch05.check_sgd_update, lambda P, G, lr: [P[0] - lr * G[0], P[1] - lr * G[1]], "one updated array per parameter"),
    # 05.3 (earlier) updates_per_epoch
    (ch05.check_updates_per_epoch, lambda m, bs: m // bs, "drops the last, shorter batch"),
    (ch05.check_updates_per_epoch, lambda m, bs: m / bs, "expected 19"),
    # 05.3 train_loop
    (ch05.check_train_loop, _train(order_rule="none"), "not shuffled"),
    (ch05.check_train_loop, _train(order_rule="once"), "at the start of *every* epoch"),
    (ch05.check_train_loop, _train(drop_last=True), "dropped the last, shorter batch"),
    (ch05.check_train_loop, _train(unweighted=True), "weight each batch's mean loss by its size"),
    (ch05.check_train_loop, _train(seed_rule="fixed"), "use the `seed` argument"),
    (ch05.check_train_loop, _train(in_place_X=True), "changed its argument `X` in place"),
    (ch05.check_train_loop, _train(after=True), "not the loss on all of X after the epoch"),
    (ch05.check_train_loop, lambda net, X, y, e, lr, bs, seed: [0.5] * e, "weights did not change"),
    # 06.1 he_init
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
     lambda n_in, n_out, rng: np.random.default_rng(0).standard_normal((n_out, n_in)) * np.sqrt(2 / n_in),
     "another generator gives other weights"),
    (ch06.check_he_init, lambda n_in, n_out, rng: rng.standard_normal((300, 400)) * np.sqrt(2 / 400),
     "he_init(3, 2, rng) has shape (300, 400)"),
    # 06.2 momentum_step
    (ch06.check_momentum_step, lambda W, v, g, lr, mu: (W - lr * g, -lr * g), "forgets its past"),
    (ch06.check_momentum_step, lambda W, v, g, lr, mu: (W + v, mu * v - lr * g), "stepped with the old velocity"),
    (ch06.check_momentum_step, lambda W, v, g, lr, mu: (W + mu * v + lr * g, mu * v + lr * g), "the sign"),
    (ch06.check_momentum_step, lambda W, v, g, lr, mu: W - lr * g, "return a pair"),
    (ch06.check_momentum_step, lambda W, v, g, lr, mu: (W.__iadd__(v.__imul__(mu).__isub__(lr * g)), v),
     "in place"),
    # 06.3 adam_step
    (ch06.check_adam_step, _adam(nocorr=True), "bias correction is missing"),
    (ch06.check_adam_step, _adam(t0=True), "t counts this step"),
    (ch06.check_adam_step, _adam(eps_in=True), "outside the square root"),
    (ch06.check_adam_step, _adam(abs=True), "not |g|"),
    (ch06.check_adam_step, _adam(swap=True), "β1 (0.9) belongs to the first moment"),
    (ch06.check_adam_step, _adam(hat=True), "return the running moments m and v themselves"),
    (ch06.check_adam_step, _adam_in_place, "changed its argument `m` in place"),
    # 06.4 softplus
    (ch06.check_softplus, (lambda z: np.log(1 + np.exp(z)), softplus_prime), "e^1000 overflows"),
    (ch06.check_softplus, (softplus, lambda z: np.exp(z) / (1 + np.exp(z))), "e^1000 overflows"),
    (ch06.check_softplus, (softplus, lambda z: softplus_prime(z) * (1 - softplus_prime(z))),
     "the sigmoid's own derivative"),
    (ch06.check_softplus, (softplus, lambda z: 1 / (1 + np.exp(np.clip(z, -500, 500)))), "a sign"),
    (ch06.check_softplus, (lambda z: np.maximum(0, z), softplus_prime), "that is ReLU"),
    (ch06.check_softplus, (softplus, lambda z: softplus_prime(z[:1])), "has shape (1, 3), expected (2, 3)"),
    # 06.4, first step: softplus alone
    (ch06.check_softplus_forward, lambda z: np.log(1 + np.exp(z)), "e^1000 overflows"),
    (ch06.check_softplus_forward, lambda z: np.maximum(0, z), "that is ReLU"),
    (ch06.check_softplus_forward, lambda z: softplus_prime(z), "that is the sigmoid"),
    (ch06.check_softplus_forward, lambda z: np.log10(1 + np.exp(z)), "log10?"),
    (ch06.check_softplus_forward, lambda z: softplus(z.ravel()), "has shape (6,), expected (2, 3)"),
    (ch06.check_softplus_forward, lambda z: np.logaddexp(0.0, z, out=z), "changed its argument `z` in place"),
    # 07.1 early_stopping
    (ch07.check_early_stopping, lambda L, p: tuple(x - 1 for x in early_stopping(L, p)), "count epochs from 1"),
    (ch07.check_early_stopping, lambda L, p: (int(np.argmin(L)) + 1, early_stopping(L, p)[1]),
     "among the epochs actually run"),
    (ch07.check_early_stopping, lambda L, p: early_stopping(L, 1), "not at the first epoch that is worse"),
    (ch07.check_early_stopping, lambda L, p: ch07._early_stop(L, p, "no reset"), "reset the count"),
    (ch07.check_early_stopping, lambda L, p: ch07._early_stop(L, p, "previous"), "not with the previous epoch"),
    (ch07.check_early_stopping, lambda L, p: early_stopping(L, p)[0], "return a pair"),
    # 07.2 batchnorm_forward
    (ch07.check_batchnorm_forward,
     lambda u, g, b, eps: g * (u - u.mean(1, keepdims=True)) / np.sqrt(u.var(1, keepdims=True) + eps) + b,
     "per unit over the batch (axis=0)"),
    (ch07.check_batchnorm_forward, lambda u, g, b, eps: g * (u - u.mean(0)) / np.sqrt(u.var(0, ddof=1) + eps) + b,
     "ddof=1"),
    (ch07.check_batchnorm_forward, lambda u, g, b, eps: (u - u.mean(0)) / np.sqrt(u.var(0) + eps),
     "forgot the learned scale and shift"),
    (ch07.check_batchnorm_forward, lambda u, g, b, eps: b * (u - u.mean(0)) / np.sqrt(u.var(0) + eps) + g,
     "swapped"),
    (ch07.check_batchnorm_forward, lambda u, g, b, eps: g * (u - u.mean(0)) / np.sqrt(u.var(0)) + b, "left out ε"),
    (ch07.check_batchnorm_forward, lambda u, g, b, eps: g * (u - u.mean(0)) / (np.sqrt(u.var(0)) + eps) + b,
     "inside the square root"),
    (ch07.check_batchnorm_forward, lambda u, g, b, eps: u.__isub__(u.mean(0)).__imul__(g / np.sqrt(
        u.var(0) + eps)).__iadd__(b), "changed its argument `u` in place"),
    # 07.3 batchnorm_backward
    (ch07.check_batchnorm_backward, _bn_back(const=True), "three paths"),
    (ch07.check_batchnorm_backward, _bn_back(novar=True), "path through the variance"),
    (ch07.check_batchnorm_backward, _bn_back(nomean=True), "path through the mean"),
    (ch07.check_batchnorm_backward, _bn_back(nogamma=True), "multiply by γ"),
    (ch07.check_batchnorm_backward, _bn_back(mean=True), "do not average again"),
    (ch07.check_batchnorm_backward, _bn_back(swap=True), "swapped"),
    (ch07.check_batchnorm_backward, _bn_back(first_example=True), "shared by every example"),
    # 07.4 residual_backward
    (ch07.check_residual_backward, _res(noskip=True), "the skip path carries dh back unchanged"),
    (ch07.check_residual_backward, _res(WT=True), "not dh @ W.T"),
    (ch07.check_residual_backward, _res(h2=True), "not 1 - h_prev²"),
    (ch07.check_residual_backward, _res(hprev=True), "not dhᵀ h_prev"),
    (ch07.check_residual_backward, _res(transposed=True), "transpose"),
    (ch07.check_residual_backward, _res(inplace=True), "changed its argument `dh` in place"),
    (ch07.check_residual_backward, lambda dh, h, W: (dh, dh.T @ np.tanh(h), dh.sum(0)), "only the skip path"),
    # 08.1 softmax
    (ch08.check_softmax, lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), "exp(1000) overflows"),
    (ch08.check_softmax, lambda z: np.exp(z) / np.exp(z).sum(axis=0, keepdims=True), "axis=1, not axis=0"),
    (ch08.check_softmax, lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=1, keepdims=True),
     "each row's own maximum"),
    (ch08.check_softmax, lambda z: softmax(z - z.mean(axis=1, keepdims=True)) if False else
     np.exp(z - z.mean(axis=1, keepdims=True)) / np.exp(z - z.mean(axis=1, keepdims=True)).sum(axis=1, keepdims=True),
     "mean or minimum is not enough"),
    (ch08.check_softmax, lambda z: softmax(z[:, :3]), "has shape (3, 3), expected (3, 7)"),
    (ch08.check_softmax, lambda z: z.__isub__(z.max(axis=1, keepdims=True)) if False else softmax(z).T,
     "did you transpose?"),
    # 08.2 cross_entropy from logits
    (ch08.check_cross_entropy_logits, lambda z, y: -np.log(softmax(z)[np.arange(len(y)), y]).mean(),
     "log(softmax(z))"),
    (ch08.check_cross_entropy_logits, lambda z, y: len(y) * cross_entropy_logits(z, y), "divide by m"),
    (ch08.check_cross_entropy_logits, lambda z, y: -cross_entropy_logits(z, y), "the minus sign"),
    (ch08.check_cross_entropy_logits,
     lambda z, y: -np.mean(z - np.log(np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True)) - z.max(1,
                                                                                                 keepdims=True)),
     "over all classes"),
    (ch08.check_cross_entropy_logits, lambda z, y: -np.mean(z[np.arange(len(y)), y]), "without log Σ_j exp z_ij"),
    (ch08.check_cross_entropy_logits,
     lambda z, y: -(z - np.log(np.exp(z).sum(axis=1, keepdims=True)))[np.arange(len(y)), y],
     "sum or average (np.mean) over the batch"),
    # 08.3 confusion_matrix
    (ch08.check_confusion_matrix, lambda t, p, k: confusion_matrix(t, p, k).T, "rows must be the true class"),
    (ch08.check_confusion_matrix, lambda t, p, k: confusion_matrix(t, p, max(t.max(), p.max()) + 1),
     "use k for the size"),
    (ch08.check_confusion_matrix, lambda t, p, k: np.diag(np.diag(confusion_matrix(t, p, k))),
     "only the diagonal"),
    (ch08.check_confusion_matrix, lambda t, p, k: (lambda C: (C.__setitem__((t, p), C[t, p] + 1), C)[1])(
        np.zeros((k, k), dtype=int)), "does not accumulate"),
    (ch08.check_confusion_matrix, lambda t, p, k: confusion_matrix(t[:9], p[:9], k), "C for 200 examples"),
    (ch08.check_confusion_matrix, lambda t, p, k: confusion_matrix(t, p, k) / len(t), "counts, not fractions"),
    (ch08.check_confusion_matrix, lambda t, p, k: confusion_matrix(t - 1, p - 1, k), "labels count from 0"),
    # 07.x / 08.x old cross_entropy (probabilities)
    (ch08.check_cross_entropy, lambda p, y: -np.sum(np.log(p[np.arange(len(y)), y])), "divide by m"),
    (ch08.check_cross_entropy, lambda p, y: np.mean(np.log(p[np.arange(len(y)), y])), "the minus sign"),
    (ch08.check_cross_entropy, lambda p, y: -np.mean(np.log(p)), "only the probability of the true class"),
    (ch08.check_cross_entropy, lambda p, y: -np.log(p[np.arange(len(y)), y]), "one number"),
    # 09.1 backprop_L
    (ch09.check_backprop_L, _backprop_L_variant(no_m=True), "forgot the 1/m"),
    (ch09.check_backprop_L, _backprop_L_variant(no_sp=True), "the recursion needs the derivative"),
    (ch09.check_backprop_L, _backprop_L_variant(sp_of_a=True), "σ' takes z(l)"),
    (ch09.check_backprop_L, _backprop_L_variant(elementwise=True), "erratum 4"),
    (ch09.check_backprop_L, _backprop_L_variant(one_example=True), "erratum 3"),
    (ch09.check_backprop_L, _backprop_L_variant(transposed=True), "did you transpose?"),
    (ch09.check_backprop_L, _backprop_L_variant(reversed=True), "from the output back to the input"),
    (ch09.check_backprop_L, _backprop_L_variant(in_place=True), "changed its argument `weights` in place"),
    (ch09.check_backprop_L, lambda X, Y, Ws, bs, s, sp: tuple(
        [g] for g in backprop_L(X, Y, Ws[:1], bs[:1], s, sp)) if False else
        (backprop_L(X, Y, Ws, bs, s, sp)[0][:2], backprop_L(X, Y, Ws, bs, s, sp)[1][:2]), "for any depth"),
    # 09.1 (earlier 08.1) the 784-100-10 backprop
    (ch09.check_backprop_784_100_10, lambda *a: tuple(g * a[0].shape[0] for g in backprop(*a)), "1/m"),
    (ch09.check_backprop_784_100_10, lambda *a: (backprop(*a)[0].T,) + tuple(backprop(*a)[1:]),
     "did you transpose?"),
    # 09.2 clip_by_norm
    (ch09.check_clip_by_norm, lambda G, c: [g * min(1, c / np.linalg.norm(g)) for g in G], "same factor"),
    (ch09.check_clip_by_norm, lambda G, c: [np.clip(g, -c, c) for g in G], "clipped each entry"),
    (ch09.check_clip_by_norm,
     lambda G, c: [g * c / np.sqrt(sum(np.sum(h * h) for h in G)) for g in G], "left unchanged"),
    (ch09.check_clip_by_norm, lambda G, c: [g * np.sqrt(sum(np.sum(h * h) for h in G)) / c for g in G],
     "not norm / max_norm"),
    (ch09.check_clip_by_norm, lambda G, c: [g * c / sum(np.linalg.norm(h) for h in G) for g in G],
     "not the sum of the arrays' norms"),
    (ch09.check_clip_by_norm, lambda G, c: [g.__imul__(min(1.0, c / np.sqrt(sum(np.sum(h * h) for h in G))))
                                            for g in G], "changed its argument `G` in place"),
    # 09.3 step_decay
    (ch09.check_step_decay, lambda e, lr0, d, every: lr0 * d ** (e / every), "integer division"),
    (ch09.check_step_decay, lambda e, lr0, d, every: lr0 * d ** max(e // every - 1, 0), "first drop"),
    (ch09.check_step_decay, lambda e, lr0, d, every: lr0 * (1 - d) ** (e // every), "not the fraction taken away"),
    (ch09.check_step_decay, lambda e, lr0, d, every: 0.1 * 0.5 ** (e // 10), "expected 1"),
    (ch09.check_step_decay, lambda e, lr0, d, every: [lr0 * d ** (e // every)], "one number"),
]


@pytest.mark.parametrize("check, answer, hint", WRONG,
                         ids=[f"{c.__module__.rsplit('.', 1)[1]}.{c.__name__}-{i}" for i, (c, _, _) in enumerate(WRONG)])
def test_check_fails_with_its_hint_on_a_typical_mistake(check, answer, hint):
    answers = answer if isinstance(answer, tuple) else (answer,)
    _fails_with(check(*answers), hint)


def test_backprop_check_names_the_missing_relu_derivative():
    def no_mask(X, Y, W1, b1, W2, b2):
        m = X.shape[0]
        z1 = X @ W1.T + b1
        a1 = np.maximum(z1, 0)
        d2 = _softmax(a1 @ W2.T + b2) - Y
        d1 = d2 @ W2                                   # forgot ⊙ 1(z1 > 0)
        return d1.T @ X / m, d1.mean(0), d2.T @ a1 / m, d2.mean(0)

    _fails_with(ch09.check_backprop_784_100_10(no_mask), "ReLU derivative")


# ---------------------------------------------------------------------- the Chinese edition
def _has_chinese(text):
    return any("\u4e00" <= c <= "\u9fff" for c in text)


@pytest.fixture
def chinese():
    """The checks speak Chinese inside the test; English again afterwards, whatever happens."""
    from bplib import i18n

    i18n.set_language("zh")
    try:
        yield
    finally:
        i18n.set_language("en")


ZH_WRONG = [  # (check, wrong answer, pieces of the Chinese hint: its words and the numbers or shapes it names)
    (ch05.check_minibatches, lambda m, bs, rng: [rng.permutation(m)[s:s + bs] for s in range(0, m - m % bs, bs)],
     ["你丢掉了最后那个较短的批量", "m = 10 个样本中的 2 个", "order[s:s + batch_size]"]),
    (ch05.check_sgd_update, lambda P, G, lr: [p + lr * g for p, g in zip(P, G)], ["梯度下降要逆着梯度走", "p - lr * g"]),
    (ch06.check_he_init, lambda n_in, n_out, rng: rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in),
     ["W 的形状是 (400, 300)，应为 (300, 400)", "你是不是转置了"]),
    (ch06.check_he_init, lambda n_in, n_out, rng: rng.standard_normal((n_out, n_in)) * np.sqrt(1 / n_in),
     ["权重的标准差是 0.0500", "He 为 ReLU 设计的初始化把方差加倍：√(2 / n_in)"]),
    (ch07.check_early_stopping, lambda losses, patience: (1, 2), ["early_stopping(", "应为"]),
    (ch08.check_confusion_matrix, lambda t, p, k: confusion_matrix(t, p, 3), ["C 的形状是 (3, 3)，应为 (4, 4)"]),
    (ch08.check_cross_entropy_logits, lambda z, y: float(np.log(np.exp(z).sum(1)).mean()
                                                         - z[np.arange(len(y)), y].mean()),
     ["logits 跨度达 2000 时 J = ", "真实值 J = 750.7", "上溢"]),
    (ch09.check_backprop_L, lambda *args: tuple(g[:2] for g in backprop_L(*args)),     # two layers hard-coded
     ["dW 有 2 项，但这个网络有 L = 4 层", "不要把两层写死"]),
    (ch09.check_step_decay, lambda e, lr0, d, every: lr0 * (1 - d) ** (e // every),
     ["`drop` 是学习率要乘上的因子", "drop = 0.1 表示保留 10%"]),
]


@pytest.mark.parametrize("check, answer, pieces", ZH_WRONG, ids=[f"{c.__name__}-{i}" for i, (c, _, _)
                                                                in enumerate(ZH_WRONG)])
def test_checks_give_chinese_hints(chinese, check, answer, pieces):
    result = check(answer)
    assert not result, result
    for piece in pieces:
        assert piece in result.message, result.message


def test_checks_give_chinese_success_messages_and_english_again_afterwards(chinese):
    from bplib import i18n

    for check, solution, pieces in [
        (ch05.check_minibatches, minibatches, ["一轮 = 一个新的随机排列", "⌈m / batch_size⌉"]),
        (ch06.check_he_init, he_init, ["W 的形状为 (300, 400)，标准差 0.0707 ≈ √(2/400) = 0.0707。"]),
        (ch08.check_cross_entropy, cross_entropy, ["J = -(1/m) Σ_i log a_(i, y_i) = 0.6192；", "独热编码"]),
        (ch09.check_step_decay, step_decay, ["前期步子大"]),
    ]:
        result = check(solution)
        assert result, result
        assert _has_chinese(result.message), result.message
        for piece in pieces:
            assert piece in result.message, result.message
    i18n.set_language("en")
    assert ch06.check_he_init(he_init).message == ("✅ Correct: W has shape (300, 400) and std 0.0707 ≈ "
                                                   "√(2/400) = 0.0707.")


def test_every_ch05_09_template_has_its_chinese_entry_and_no_entry_is_stale():
    """Each tr("...") literal in ch05-ch09 has an entry in locale/zh/exercises_ch05_09.json with the same
    placeholders, and each entry still has its English literal (an English hint that changed fails here)."""
    import ast
    import json
    import string
    from pathlib import Path

    import bplib

    root = Path(bplib.__file__).resolve().parent
    literals = {}
    for n in range(5, 10):
        path = root / "exercises" / f"ch0{n}.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr":
                first = node.args[0]
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (path.name, node.lineno)
                literals[first.value] = {k.arg for k in node.keywords}
    catalogue = json.loads((root / "locale" / "zh" / "exercises_ch05_09.json").read_text(encoding="utf-8"))

    def fields(template):
        return {(name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name is not None}

    assert sorted(set(literals) - set(catalogue)) == [], "English templates without a Chinese entry"
    assert sorted(set(catalogue) - set(literals)) == [], "Chinese entries whose English template is gone"
    for english, keywords in literals.items():
        assert {name for name, _ in fields(english)} == keywords, english
        assert fields(catalogue[english]) == fields(english), english
        assert _has_chinese(catalogue[english]), english
