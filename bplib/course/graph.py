"""The computational graph of a two-layer network, drawn with matplotlib (chapter 03; article 2.3 and 3.2).

Forward edges (black; CE = cross-entropy) carry values left to right: a(0) → z(1) → a(1) → z(2) → a(2) → J. Backward edges (red,
dashed) carry the error terms right to left: δ(2) = ∂J/∂z(2), then δ(1) = (W(2)ᵀ δ(2)) ⊙ σ'(z(1)); from each δ
the gradients of the weights and biases that feed that z branch off. Pass a network and one example to print
their numbers in the nodes (e.g. the tiny network of `bplib.tiny`).
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..i18n import tr

#: node name -> (x, y) position in the drawing (data units)
LAYOUT = {
    "a0": (0.0, 0.0), "W1": (1.6, 1.9), "b1": (1.6, -1.9), "z1": (3.2, 0.0), "a1": (5.5, 0.0),
    "W2": (7.15, 1.9), "b2": (7.15, -1.9), "z2": (8.8, 0.0), "a2": (11.6, 0.0), "y": (11.6, -1.9), "J": (14.0, 0.0),
}
BOX_W, BOX_H = 1.8, 1.05            # node size (data units), wide enough for "(0.150, 0.200)" at the course's font size
XLIM, YLIM = (-1.05, 15.05), (-3.1, 3.6)
FORWARD_EDGES = [("a0", "z1", ""), ("W1", "z1", ""), ("b1", "z1", ""), ("z1", "a1", "σ"), ("a1", "z2", ""),
                 ("W2", "z2", ""), ("b2", "z2", ""), ("z2", "a2", "softmax"), ("a2", "J", "CE"),
                 ("y", "J", "")]
#: node name -> its label (English; `node_title` gives it in the reader's language)
TITLES = {"a0": "x = a(0)", "W1": "W(1)", "b1": "b(1)", "z1": "z(1)", "a1": "a(1)", "W2": "W(2)", "b2": "b(2)",
          "z2": "z(2)", "a2": "a(2)", "y": "label y", "J": "loss J"}
PARAM_COLOR, VALUE_COLOR, BACK_COLOR = "#fde0c5", "#dbe9f6", "#d62728"


def node_title(name):
    """The label of node `name` in the reader's language (looked up when drawing, not at import)."""
    if name == "y":
        return tr("label y")
    if name == "J":
        return tr("loss J")
    return TITLES[name]


def _fmt(v):
    v = np.asarray(v, dtype=np.float64).reshape(-1)
    return "(" + ", ".join(f"{x:.3f}" for x in v) + ")" if v.size > 1 else f"{v[0]:.3f}"


def node_values(net, X, y):
    """Numbers to print in the nodes for one example: {node: text}, plus 'delta1'/'delta2' texts.

    net: a 2-layer bplib.MLP; X: (1, n_0); y: labels (1,). Weights are shown row by row.
    """
    if net.n_layers != 2:
        raise ValueError(tr("the graph shows a network with exactly 2 layers, got {layers}", layers=net.n_layers))
    Xv, T = net.prepare(X, y)
    if Xv.shape[0] != 1:
        raise ValueError(tr("the graph shows one example: X must have shape (1, {n0}), got {shape}",
                            n0=net.sizes[0], shape=Xv.shape))
    zs, acts = net.forward_pass(Xv)
    deltas = net.backward_pass(zs, acts, T, keep_deltas=True)[0]
    W1, W2 = net.weights
    return {
        "a0": _fmt(acts[0]), "z1": _fmt(zs[0]), "a1": _fmt(acts[1]), "z2": _fmt(zs[1]), "a2": _fmt(acts[2]),
        "W1": "\n".join(_fmt(r) for r in W1), "W2": "\n".join(_fmt(r) for r in W2),
        "b1": _fmt(net.biases[0]), "b2": _fmt(net.biases[1]), "y": _fmt(T[0]),
        "J": f"{net.loss(Xv, T):.4f}", "delta1": _fmt(deltas[0]), "delta2": _fmt(deltas[1]),
    }


def _box(ax, name, text):
    x, y = LAYOUT[name]
    color = PARAM_COLOR if name in ("W1", "b1", "W2", "b2", "y") else VALUE_COLOR
    ax.add_patch(FancyBboxPatch((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H, boxstyle="round,pad=0.05", fc=color,
                                ec="0.3", zorder=2))
    ax.text(x, y + (0.25 if text else 0), node_title(name), ha="center", va="center", fontsize=13, fontweight="bold",
            zorder=3)
    if text:
        ax.text(x, y - 0.17, text, ha="center", va="center", fontsize=10, family="monospace", zorder=3)


def _points_per_unit(ax):
    """Typographic points per data unit along x of an equal-aspect Axes whose limits are already set."""
    ax.apply_aspect()
    return ax.get_window_extent().width * 72 / ax.figure.dpi / (ax.get_xlim()[1] - ax.get_xlim()[0])


def _arrow(ax, p, q, ppu, color="0.2", ls="-", rad=0.0, lw=1.6):
    """An arrow from node centre p to node centre q that starts and ends just outside the two boxes (ppu: points
    per data unit)."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    # distance from a box centre to its edge along the chord (data units), then to points (see draw_graph's scale)
    to_edge = min(BOX_W / 2 / abs(dx) if dx else np.inf, BOX_H / 2 / abs(dy) if dy else np.inf) * np.hypot(dx, dy)
    shrink = (min(to_edge, BOX_W / 2) + 0.12) * ppu
    ax.add_patch(FancyArrowPatch(p, q, arrowstyle="-|>", mutation_scale=16, color=color, lw=lw, ls=ls,
                                 connectionstyle=f"arc3,rad={rad}", shrinkA=shrink, shrinkB=shrink, zorder=1))


def draw_graph(net=None, X=None, y=None, ax=None, backward=True):
    """Draw the graph of a 2-layer network; with (net, X, y) print the example's numbers. Returns the Axes.

    backward=True adds the red backward edges labelled with δ(2), δ(1) and the gradients they produce.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(14, 6.6))
    ax.set_xlim(*XLIM)
    ax.set_ylim(*YLIM)
    ax.set_aspect("equal")
    ax.axis("off")
    ppu = _points_per_unit(ax)
    values = node_values(net, X, y) if net is not None else {}
    for name in LAYOUT:
        _box(ax, name, values.get(name, ""))
    for a, b, label in FORWARD_EDGES:
        (x0, y0), (x1, y1) = LAYOUT[a], LAYOUT[b]
        _arrow(ax, (x0, y0), (x1, y1), ppu)
        if label:
            ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.1, label, ha="center", va="bottom", fontsize=12,
                    style="italic")
    if backward:
        d2 = "δ(2) = a(2) − y" + (f"\n= {values['delta2']}" if values else "")
        d1 = "δ(1) = (W(2)ᵀ δ(2)) ⊙ σ'(z(1))" + (f"\n= {values['delta1']}" if values else "")
        _arrow(ax, LAYOUT["J"], LAYOUT["z2"], ppu, BACK_COLOR, "--", rad=0.55)
        ax.text(11.4, 1.85, d2, color=BACK_COLOR, ha="center", fontsize=12)
        _arrow(ax, LAYOUT["z2"], LAYOUT["z1"], ppu, BACK_COLOR, "--", rad=0.35)
        ax.text(5.6, 2.85, d1, color=BACK_COLOR, ha="center", fontsize=12)
        for l in (1, 2):
            zx, zy = LAYOUT[f"z{l}"]
            _arrow(ax, (zx, zy), LAYOUT[f"W{l}"], ppu, BACK_COLOR, ":", rad=-0.35, lw=1.4)
            _arrow(ax, (zx, zy), LAYOUT[f"b{l}"], ppu, BACK_COLOR, ":", rad=0.35, lw=1.4)
            wx, wy = LAYOUT[f"W{l}"]
            bx, by = LAYOUT[f"b{l}"]
            ax.text(wx - BOX_W / 2, wy + 0.65, f"∂J/∂W({l}) = δ({l}) a({l - 1})ᵀ", color=BACK_COLOR, fontsize=11)
            ax.text(bx - BOX_W / 2, by - 0.9, f"∂J/∂b({l}) = δ({l})", color=BACK_COLOR, fontsize=11)
    ax.set_title(tr("Computational graph: forward values (black), backward error terms δ and gradients (red)"))
    return ax
