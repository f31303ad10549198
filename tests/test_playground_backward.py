"""The playground's network diagram and backward view, driven as a test (and a teacher) would: through
`.controls`, `select`/`select_point`, clicks on the picture and the step-through."""
import numpy as np
import pytest

import bplib
from bplib.widgets.network_view import stages


@pytest.fixture
def pg():
    p = bplib.widgets.playground(dataset="spirals", depth=2, width=8, activation="tanh", seed=0)
    yield p
    p.close()


def _expected(pg):
    """bplib's own numbers for the selected example: per-example δ(l) and ∂J_i/∂W(l)."""
    i = pg.selected
    X, y = pg.model.X_train[i:i + 1], pg.model.y_train[i:i + 1]
    deltas = [d[0] for d in pg.net.deltas(X, y)]
    _, dW, _ = pg.net.loss_and_grads(X, y)
    return deltas, dW


def _check_drawn(pg):
    deltas, dW = _expected(pg)
    numbers = pg.diagram.numbers
    shown = numbers["shown"]
    for l, j, d in numbers["deltas"]:
        assert d == pytest.approx(deltas[l - 1][j], rel=1e-9, abs=1e-15)
    k = 0
    for l in range(1, pg.net.n_layers + 1):
        for j in shown[l]:
            for i in shown[l - 1]:
                assert numbers["weight_grads"][k] == pytest.approx(dW[l - 1][j, i], rel=1e-9, abs=1e-15)
                k += 1
    return numbers


def test_every_drawn_delta_and_gradient_is_bplibs(pg):
    pg.step()
    pg.select(11)
    numbers = _check_drawn(pg)
    assert {l for l, _, _ in numbers["deltas"]} == {1, 2, 3}              # the whole backward pass is shown
    pg.step()                                                              # it follows the network as it trains
    _check_drawn(pg)


def test_the_example_control_selects_and_the_numbers_follow(pg):
    pg.controls["example"].value = 7
    assert pg.selected == 7 and pg.trace is not None
    _check_drawn(pg)
    pg.controls["example"].value = -1
    assert pg.selected is None and pg.trace is None and "deltas" not in pg.diagram.numbers


def test_a_click_on_a_point_selects_the_nearest_training_example(pg):
    target = 42
    x = pg.model.X_train[target]
    px, py = pg._ax_b.transData.transform(x)                               # display pixels, origin bottom left
    height = pg._canvas.get_width_height()[1]
    pg._on_click({"type": "click", "dataX": px, "dataY": height - py})     # ipyevents: image pixels, from the top
    assert pg.selected == target
    pg._on_click({"type": "click", "dataX": 5, "dataY": 5})                # outside the plot: nothing changes
    assert pg.selected == target


def test_step_through_walks_forward_then_backward_and_round(pg):
    L = pg.net.n_layers
    seen = [pg.trace_next() for _ in range(2 * L + 1)]
    assert seen == stages(L) + [None]
    assert pg.selected == 0                                                # next selected an example
    assert pg.trace_back() == ("backward", 1)
    for stage in stages(L)[::-1]:
        pg.stage = stage
        pg.step()                                                          # redraw at this stage
        numbers = pg.diagram.numbers
        if stage[0] == "forward":
            assert "deltas" not in numbers
            assert f"layer {stage[1]}" in pg._trace_info.value or "output" in pg._trace_info.value
        else:
            assert {l for l, _, _ in numbers["deltas"]} == set(range(stage[1], L + 1))
            _check_drawn(pg)
    pg.stage = ("backward", 1)
    pg.controls["next"].click()
    assert pg.stage is None
    pg.controls["back"].click()
    assert pg.stage == ("backward", 1)
    pg.controls["clear"].click()
    assert pg.selected is None and pg.stage is None


def test_the_side_panel_shows_the_recursion_factors(pg):
    pg.select(3)
    pg.stage = ("backward", 1)
    pg.step()
    t = pg.trace
    text = pg._trace_info.value
    j = pg.diagram.numbers["shown"][1][0]
    assert f"{t['back'][0][j]:+.3g} × {t['sigma_primes'][0][j]:.3g} = {t['deltas'][0][j]:+.3g}" in text
    pg.stage = ("backward", pg.net.n_layers)
    pg.step()
    t = pg.trace                                                           # (the net trained in between)
    a, y = t["output"], t["target"]
    assert "δ(3) = a(3) − y" in pg._trace_info.value
    for a_k, y_k in zip(a, y):                                            # the output's numbers, as computed
        assert f"{a_k:.3f} − {y_k:.0f} = {a_k - y_k:+.3f}" in pg._trace_info.value


def test_depth_and_width_changes_keep_the_diagram_and_selection_sane(pg):
    pg.select(5)
    pg.trace_next()
    pg.controls["depth"].value = 8
    pg.controls["width"].value = 64
    assert pg.net.n_layers == 9 and pg.stage == ("forward", 1) and pg.selected == 5
    pg.trace_back()                                                        # back to the whole backward pass
    numbers = _check_drawn(pg)
    assert [len(s) for s in numbers["shown"]] == [2] + [6] * 8 + [2]      # wide layers summarised
    pg.stage = ("backward", 9)
    pg.controls["depth"].value = 1                                         # that step no longer exists
    assert pg.net.n_layers == 2 and pg.stage is None
    _check_drawn(pg)
    pg.controls["seed"].value = 3                                          # new data: the index stays valid
    assert pg.selected == 5 and pg.controls["example"].value == 5
    _check_drawn(pg)


def test_vanishing_gradients_fade_towards_the_input_in_the_backward_view():
    p = bplib.widgets.playground(dataset="circles", depth=8, width=16, activation="tanh", init="normal", seed=0)
    try:
        p.select(0)
        ratio = np.linalg.norm(p.trace["deltas"][0]) / np.linalg.norm(p.trace["deltas"][-1])
        assert ratio < 1e-2
        assert "(vanishing)" in p._trace_info.value
    finally:
        p.close()
