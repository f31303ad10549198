"""bplib against an independent oracle: PyTorch's autograd on the same network (skipped if torch is absent).

PyTorch is not a dependency of the course; these tests run where it is installed (as for the benchmark).
"""
import numpy as np
import pytest

import bplib

torch = pytest.importorskip("torch")
F = torch.nn.functional

HIDDEN = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu,
          "leaky_relu": lambda z: F.leaky_relu(z, bplib.activations.LEAKY_SLOPE)}


def torch_loss(net, X, T, output):
    """J computed by PyTorch from bplib's weights, with the course's definitions of each loss and penalty."""
    Ws = [torch.tensor(W, requires_grad=True) for W in net.weights]
    bs = [torch.tensor(b, requires_grad=True) for b in net.biases]
    a = torch.tensor(X)
    for l, (W, b) in enumerate(zip(Ws, bs), start=1):
        z = a @ W.T + b
        a = z if l == len(Ws) else HIDDEN[net.activation](z)
    m = X.shape[0]
    T = torch.tensor(T)
    if output == "softmax":
        J = -(T * F.log_softmax(z, dim=1)).sum() / m
    elif output == "sigmoid":
        J = F.binary_cross_entropy_with_logits(z, T, reduction="sum") / m
    else:
        J = 0.5 * ((z - T) ** 2).sum() / m
    J = J + net.l1 * sum(W.abs().sum() for W in Ws) + 0.5 * net.l2 * sum((W ** 2).sum() for W in Ws)
    J.backward()
    return J.item(), [W.grad.numpy() for W in Ws], [b.grad.numpy() for b in bs]


@pytest.mark.parametrize("l1,l2", [(0.0, 0.0), (1e-2, 3e-2)])
@pytest.mark.parametrize("output", ["softmax", "sigmoid", "identity"])
@pytest.mark.parametrize("activation", list(HIDDEN))
def test_loss_and_gradients_match_pytorch_autograd(activation, output, l1, l2):
    rng = np.random.default_rng(7)
    net = bplib.MLP([4, 6, 5, 3], activation=activation, output=output, seed=7, l1=l1, l2=l2)
    for b in net.biases:
        b[:] = rng.uniform(-0.2, 0.2, b.shape)
    X = rng.standard_normal((9, 4))
    if output == "softmax":
        T = np.eye(3)[rng.integers(0, 3, 9)]
    elif output == "sigmoid":
        T = rng.integers(0, 2, (9, 3)).astype(float)
    else:
        T = rng.standard_normal((9, 3))
    loss, dW, db = net.loss_and_grads(X, T)
    J, dW_torch, db_torch = torch_loss(net, X, T, output)
    assert loss == pytest.approx(J, rel=1e-12)
    for ours, theirs in zip(dW + db, dW_torch + db_torch):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-14)


def test_one_sgd_epoch_matches_pytorch_on_the_same_batches():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((40, 5)), rng.integers(0, 3, 40)
    net = bplib.MLP([5, 8, 3], activation="relu", output="softmax", seed=3)
    Ws = [torch.tensor(W.copy(), requires_grad=True) for W in net.weights]
    bs = [torch.tensor(b.copy(), requires_grad=True) for b in net.biases]
    bplib.train(net, X, y, epochs=1, lr=0.3, batch_size=16, shuffle=False, progress=False)
    for start in range(0, 40, 16):                       # batches of 16, 16 and the last 8, in order
        xb, yb = torch.tensor(X[start:start + 16]), torch.tensor(y[start:start + 16])
        loss = F.cross_entropy(F.relu(xb @ Ws[0].T + bs[0]) @ Ws[1].T + bs[1], yb)
        loss.backward()
        with torch.no_grad():
            for p in Ws + bs:
                p -= 0.3 * p.grad
                p.grad = None
    for ours, theirs in zip(net.params(), Ws + bs):
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_update_rules_match_torch_optim(name):
    # PyTorch writes momentum as v := μ v + g, W := W - α v; with a constant α that is the same as
    # bplib's v := μ v - α g, W := W + v (bplib's v is -α times PyTorch's).
    rng = np.random.default_rng(5)
    params = [rng.standard_normal((4, 3)), rng.standard_normal(4)]
    grads_seq = [[rng.standard_normal((4, 3)), rng.standard_normal(4)] for _ in range(5)]
    theirs = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    torch_opt = {"sgd": lambda ps: torch.optim.SGD(ps, lr=0.05),
                 "momentum": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9),
                 "adam": lambda ps: torch.optim.Adam(ps, lr=0.05, betas=(0.9, 0.999), eps=1e-8)}[name](theirs)
    ours = bplib.optim.make_optimizer(name)
    for grads in grads_seq:
        ours.step(params, grads, 0.05)
        for p, g in zip(theirs, grads):
            p.grad = torch.tensor(g)
        torch_opt.step()
    for p, q in zip(params, theirs):
        np.testing.assert_allclose(p, q.detach().numpy(), rtol=1e-12, atol=1e-14)
