"""The playground's network diagram: every number it draws is bplib's own, and what it shows follows the net."""
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import bplib
from bplib.widgets.network_view import NetworkDiagram, shown_units, stages, strength, trace


def _net(sizes=(2, 5, 4, 2), activation="tanh", seed=0):
    net = bplib.MLP(list(sizes), activation=activation, seed=seed)
    for b in net.biases:
        b[...] = np.random.default_rng(seed + 1).normal(0, 0.3, b.shape)
    return net


def test_trace_matches_bplib_and_the_recursion():
    net = _net()
    x, y = np.array([0.3, -1.2]), 1
    t = trace(net, x, y)
    loss, dW, db = net.loss_and_grads(x[None], [y])
    assert t["loss"] == pytest.approx(loss, rel=1e-12)
    for l in range(net.n_layers):
        np.testing.assert_allclose(t["weight_grads"][l], dW[l], rtol=1e-12, atol=1e-15)   # m = 1: ∂J_i/∂W(l)
        np.testing.assert_allclose(t["bias_grads"][l], db[l], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(t["weight_grads"][l], np.outer(t["deltas"][l], t["activations"][l]), rtol=1e-12)
    np.testing.assert_allclose(t["deltas"][-1], t["output"] - np.eye(2)[y], rtol=1e-12)  # δ(L) = a − y
    for l in range(1, net.n_layers):                                                     # δ(l) = back ⊙ σ'
        np.testing.assert_allclose(t["deltas"][l - 1], t["back"][l - 1] * t["sigma_primes"][l - 1], rtol=1e-12)
        np.testing.assert_allclose(t["back"][l - 1], net.weights[l].T @ t["deltas"][l], rtol=1e-12)
    # and against central differences, an oracle that shares no code with the backward pass
    f = lambda W: bplib.MLP.loss(_with(net, 0, W), x[None], [y])
    np.testing.assert_allclose(bplib.numerical_gradient(f, net.weights[0]), t["weight_grads"][0], rtol=1e-6)


def _with(net, l, W):
    other = net.copy()
    other.weights[l] = W
    return other


def _diagram(net, max_units=6):
    fig = Figure(figsize=(10, 3), dpi=80)
    FigureCanvasAgg(fig)
    return NetworkDiagram(fig.add_axes([0, 0, 1, 1]), max_units=max_units), fig


def test_the_drawn_deltas_and_gradients_are_the_traced_ones_at_every_stage():
    net = _net((2, 12, 7, 2))
    t = trace(net, np.array([0.5, 0.5]), 0)
    diagram, fig = _diagram(net)
    shown = shown_units(net, 6)
    assert [len(s) for s in shown] == [2, 6, 7, 2]                 # 12 > 6 + 2 units: summarised; 7: all shown
    L = net.n_layers
    for stage in [None] + stages(L):
        numbers = diagram.update(net, (-1, 1, -1, 1), t, stage)
        fig.canvas.draw()
        if stage is not None and stage[0] == "forward":
            assert "deltas" not in numbers
            continue
        lowest = 1 if stage is None else stage[1]
        drawn = {(l, j): d for l, j, d in numbers["deltas"]}
        expected = {(l, int(j)): t["deltas"][l - 1][j] for l in range(lowest, L + 1) for j in shown[l]}
        assert drawn.keys() == expected.keys()
        for key, d in drawn.items():
            assert d == pytest.approx(expected[key], rel=1e-12, abs=1e-300)
        k = 0
        for l in range(1, L + 1):
            for j in shown[l]:
                for i in shown[l - 1]:
                    assert numbers["weight_grads"][k] == pytest.approx(t["weight_grads"][l - 1][j, i], rel=1e-12)
                    assert numbers["weights"][k] == net.weights[l - 1][j, i]
                    k += 1


def test_wide_layers_show_the_units_the_next_layer_listens_to_most():
    net = _net((2, 64, 3))
    net.weights[1][:, 40] *= 100                                      # unit 40 of layer 1 now matters most
    shown = shown_units(net, 6)
    assert 40 in shown[1] and len(shown[1]) == 6 and list(shown[1]) == sorted(shown[1])
    diagram, fig = _diagram(net)
    diagram.update(net, (-1, 1, -1, 1))
    assert diagram.hidden_notes[1].get_text() == "+58 not shown"


def test_vanishing_gradients_fade_towards_the_input():
    net = bplib.MLP([2] + [16] * 8 + [2], activation="sigmoid", init="normal", scale=0.5, seed=0)
    t = trace(net, np.array([0.4, -0.3]), 1)
    per_layer = [strength(d).mean() for d in t["deltas"]]
    assert per_layer[0] < 0.5 * per_layer[-1]
    assert all(a <= b + 1e-12 for a, b in zip(per_layer[:-1], per_layer[1:]))


def test_large_weights_draw_thicker_lines():
    net = _net()
    diagram, fig = _diagram(net)
    diagram.update(net, (-1, 1, -1, 1))
    thin = diagram.lines.get_linewidths().copy()
    for W in net.weights:
        W *= 3
    diagram.update(net, (-1, 1, -1, 1))
    assert np.mean(diagram.lines.get_linewidths()) > 1.5 * np.mean(thin)
