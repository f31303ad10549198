"""Update rules against their textbook formulas, written out independently here (article 3.3 point 3)."""
import numpy as np
import pytest

import bplib
from bplib import optim


def problem(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal((3, 2)).astype(dtype), rng.standard_normal(3).astype(dtype)]
    grads_seq = [[rng.standard_normal((3, 2)).astype(dtype), rng.standard_normal(3).astype(dtype)]
                 for _ in range(4)]
    return params, grads_seq


def test_sgd_is_w_minus_lr_g():
    params, grads_seq = problem()
    expected = [p.copy() for p in params]
    opt = optim.make_optimizer("sgd")
    for grads in grads_seq:
        opt.step(params, grads, 0.1)
        expected = [w - 0.1 * g for w, g in zip(expected, grads)]
    for p, e in zip(params, expected):
        np.testing.assert_allclose(p, e, rtol=0, atol=1e-15)


def test_momentum_matches_the_heavy_ball_formula():
    params, grads_seq = problem(1)
    w, v = [p.copy() for p in params], [np.zeros_like(p) for p in params]
    opt = optim.make_optimizer("momentum", mu=0.8)
    for grads in grads_seq:
        opt.step(params, grads, 0.05)
        v = [0.8 * vi - 0.05 * g for vi, g in zip(v, grads)]
        w = [wi + vi for wi, vi in zip(w, v)]
    for p, e in zip(params, w):
        np.testing.assert_allclose(p, e, rtol=0, atol=1e-14)


def test_adam_matches_the_paper_with_bias_correction():
    params, grads_seq = problem(2)
    w = [p.copy() for p in params]
    m1, m2 = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.01
    opt = optim.make_optimizer("adam")
    for t, grads in enumerate(grads_seq, start=1):
        opt.step(params, grads, lr)
        m1 = [b1 * m + (1 - b1) * g for m, g in zip(m1, grads)]
        m2 = [b2 * v + (1 - b2) * g ** 2 for v, g in zip(m2, grads)]
        w = [wi - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps) for wi, m, v in zip(w, m1, m2)]
    for p, e in zip(params, w):
        np.testing.assert_allclose(p, e, rtol=1e-12, atol=1e-15)


def test_adam_first_step_has_size_lr_in_every_coordinate():
    params, grads_seq = problem(3)
    before = [p.copy() for p in params]
    optim.Adam().step(params, grads_seq[0], 0.01)
    for p, q, g in zip(params, before, grads_seq[0]):
        np.testing.assert_allclose(q - p, 0.01 * np.sign(g), rtol=1e-5)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_float32_parameters_and_state_stay_float32(name):
    params, grads_seq = problem(4, dtype=np.float32)
    opt = optim.make_optimizer(name)
    ids = [id(p) for p in params]
    for grads in grads_seq:
        opt.step(params, grads, np.float64(0.01))                 # even a float64 scalar lr must not upcast
    assert [id(p) for p in params] == ids                          # updated in place
    assert all(p.dtype == np.float32 for p in params)
    state = getattr(opt, "velocity", None) or getattr(opt, "m", None) or []
    assert all(s.dtype == np.float32 for s in state)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_every_optimiser_lowers_the_loss_of_a_network(name):
    X, y = bplib.data.make_moons(n=100, seed=0)
    net = bplib.MLP([2, 8, 2], activation="tanh", output="softmax", seed=0)
    start = net.loss(X, y)
    history = bplib.train(net, X, y, epochs=20, lr=0.01 if name == "adam" else 0.1, batch_size=10,
                          optimizer=name, seed=0, progress=False)
    assert history["loss"][-1] < 0.7 * start


def test_an_optimiser_object_can_be_passed_and_keeps_its_state():
    X, y = bplib.data.make_moons(n=40, seed=0)
    net = bplib.MLP([2, 4, 2], activation="tanh", output="softmax", seed=0)
    opt = optim.Adam(beta1=0.8)
    bplib.train(net, X, y, epochs=2, lr=0.01, batch_size=10, optimizer=opt, progress=False)
    assert opt.t == 8                                              # 2 epochs x 4 batches


def test_optimiser_state_is_tied_to_its_parameters():
    params, grads_seq = problem(5)
    opt = optim.Momentum()
    opt.step(params, grads_seq[0], 0.1)
    other = [np.zeros((4, 4))]
    with pytest.raises(ValueError, match=r"1 parameter arrays but 2 gradients"):
        opt.step(other, grads_seq[0], 0.1)
    with pytest.raises(ValueError, match=r"state was built for other parameters"):
        opt.step(other, [np.zeros((4, 4))], 0.1)
    with pytest.raises(ValueError, match=r"gradient 0 has shape \(2, 3\), but its parameter has shape \(3, 2\)"):
        optim.Sgd().step(params, [grads_seq[0][0].T, grads_seq[0][1]], 0.1)


def test_step_decay_and_exponential_decay_values():
    assert [optim.step_decay(0.5, 2)(e, 1.0) for e in range(5)] == [1.0, 1.0, 0.5, 0.5, 0.25]
    assert optim.exponential_decay(0.9)(2, 1.0) == pytest.approx(0.81)
    cosine = optim.cosine_decay(3)
    assert [cosine(e, 2.0) for e in range(3)] == pytest.approx([2.0, 1.0, 0.0])


def test_cosine_decay_to_zero_runs_to_the_end():
    """cosine_decay's last epoch has lr = 0 (final_fraction=0): a valid schedule, so train must accept it."""
    X, y = bplib.data.make_moons(n=40, seed=0)
    net = bplib.MLP([2, 4, 2], seed=0)
    history = bplib.train(net, X, y, epochs=3, lr=0.1, batch_size=8, lr_schedule=bplib.optim.cosine_decay(3),
                          progress=False)
    np.testing.assert_allclose(history["lr"], [0.1, 0.05, 0.0], atol=1e-15)
    assert len(history["loss"]) == 3
