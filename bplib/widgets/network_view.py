"""The playground's network diagram: every unit with a map of what it computes, every weight a line, and the
backward pass for one example: the error terms δ flowing from the output back to the first hidden layer.

Two parts, kept apart so that tests can check the numbers without drawing anything:

- `trace(net, x, y)` computes, for one example, everything the backward view shows: z(l), a(l), σ'(z(l)),
  the back-propagated sum (W(l+1)ᵀ δ(l+1)), δ(l) and the gradient of this example's loss with respect to every
  weight, ∂J_i/∂W(l) = δ(l) a(l-1)ᵀ (article 3.2). The numbers are bplib's own (`net.forward_all`,
  `net.deltas`, `net.loss_and_grads` on this one example), not a second implementation.
- `NetworkDiagram` draws a network and, optionally, a trace into a matplotlib Axes. Each hidden unit is a small
  map of its activation a over the input plane (as TensorFlow Playground draws it); each weight is a line whose
  colour is its sign and whose width grows with |w| on a fixed scale, so that weights growing under a too-large
  learning rate show as thickening lines. In the backward view the frame of each unit is coloured by δ for the
  chosen example and each line by ∂J_i/∂w, both on one logarithmic scale for the whole network: δ that shrinks
  layer after layer (vanishing gradients) fades towards the input.

Wide layers are summarised: at most `max_units` units of a layer are drawn, the ones with the largest outgoing
weights (the units the next layer listens to most), and a label says how many are not shown.

A step-through (`STAGES`) walks the recursion one layer at a time: the forward pass from layer 1 to L, then the
backward pass from δ(L) = a(L) − y down to δ(1), so a teacher can narrate each step.
"""
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap

from ..i18n import tr

#: colours: negative values blue, positive orange (the playground's class colours), zero white
SIGN_CMAP = LinearSegmentedColormap.from_list("bplib_sign", ["#1f77b4", "#ffffff", "#ff7f0e"])
NEGATIVE, POSITIVE = "#1f77b4", "#ff7f0e"
#: |δ| or |∂J/∂w| at or above 1 is drawn at full strength; every factor of 10 below fades it by a quarter
LOG_DECADES = 4.0


# ---------------------------------------------------------------------- numbers
def trace(net, x, y):
    """Everything the backward view shows for one example x (n_0,) with label y (an int).

    Returns a dict:
        zs[l-1], activations[l] (activations[0] = x), sigma_primes[l-1] for hidden layers: 1-D arrays, layer l;
        deltas[l-1] = δ(l) (n_l,), this example's error term ∂J_i/∂z(l) (bplib's `net.deltas`);
        back[l-1] = W(l+1)ᵀ δ(l+1) (n_l,) for hidden layers: the sum the recursion multiplies by σ'(z(l));
        weight_grads[l-1] = ∂J_i/∂W(l) = δ(l) a(l-1)ᵀ (n_l, n_{l-1}); bias_grads[l-1] = δ(l);
        loss: this example's loss J_i; output: a(L); target: the one-hot y; label: y.
    """
    X = np.asarray(x, dtype=np.float64).reshape(1, -1)
    labels = np.array([int(y)])
    zs, acts = net.forward_all(X)
    deltas = [d[0] for d in net.deltas(X, labels)]
    loss, dW, db = net.loss_and_grads(X, labels)
    L = net.n_layers
    sigma_primes = [net.sigma_prime(zs[l - 1], acts[l])[0] for l in range(1, L)]
    back = [deltas[l] @ net.weights[l] for l in range(1, L)]        # W(l+1)ᵀ δ(l+1) for l = 1..L-1
    target = np.zeros(net.sizes[-1])
    target[labels[0]] = 1.0
    return {"zs": [z[0] for z in zs], "activations": [a[0] for a in acts], "sigma_primes": sigma_primes,
            "deltas": deltas, "back": back, "weight_grads": list(dW), "bias_grads": list(db),
            "loss": float(loss), "output": acts[-1][0], "target": target, "label": int(labels[0])}


def stages(n_layers):
    """The step-through order: ("forward", 1) .. ("forward", L), then ("backward", L) .. ("backward", 1)."""
    return [("forward", l) for l in range(1, n_layers + 1)] + [("backward", l) for l in range(n_layers, 0, -1)]


def shown_units(net, max_units):
    """For each layer 0..L, the indices of the units drawn, in index order: all of them when there are at most
    max_units + 2, else the `max_units` with the largest outgoing weights ‖W(l+1)[:, j]‖ (the output layer: all)."""
    shown = []
    for l, n in enumerate(net.sizes):
        if n <= max_units + 2 or l == len(net.sizes) - 1:      # hiding 1 or 2 units would save no space
            shown.append(np.arange(n))
            continue
        strength = np.linalg.norm(net.weights[l], axis=0)          # column j of W(l+1): what unit j feeds on
        shown.append(np.sort(np.argsort(-strength, kind="stable")[:max_units]))
    return shown


def strength(values):
    """Map |values| to [0, 1] on the fixed log scale: 1 at |v| >= 1, 0 at |v| <= 10^-LOG_DECADES."""
    mag = np.abs(np.asarray(values, dtype=np.float64))
    with np.errstate(divide="ignore"):
        return np.clip(1 + np.log10(np.maximum(mag, 1e-300)) / LOG_DECADES, 0.0, 1.0)


def signed_colors(values, alpha=1.0):
    """RGBA colours for signed values: hue by sign, intensity by `strength` (white for tiny values)."""
    values = np.asarray(values, dtype=np.float64)
    s = strength(values)
    return SIGN_CMAP(0.5 + 0.5 * np.sign(values) * s, alpha=alpha)


# ---------------------------------------------------------------------- drawing
class NetworkDiagram:
    """Draws a network (and optionally one example's backward pass) into `ax`; see the module docstring.

    Args:
        ax: a matplotlib Axes, used whole (its ticks and frame are turned off). Its data coordinates are set to
            its own pixels, so every unit map is drawn pixel for pixel, never stretched.
        max_units: the most units drawn per layer.
        max_tile: the largest side of a unit's map, in pixels.
    Call `update(net, extent, trace=None, stage=None)` after every change; it only changes artists' data, so a
    caller that blits (draws `key` changes only into the background) can redraw it cheaply.
    """

    TOP, BOTTOM, LEFT, RIGHT = 28, 44, 34, 130          # pixels for layer titles, notes, numbers at the output

    def __init__(self, ax, max_units=6, max_tile=30):
        self.ax, self.max_units, self.max_tile = ax, max_units, max_tile
        ax.set_axis_off()
        self.key = None
        self.numbers = {}

    def _build(self, net, shown):
        """(Re)create the artists for this architecture and selection of shown units, in pixel coordinates."""
        ax = self.ax
        ax.clear()
        ax.set_axis_off()
        fig = ax.figure
        box = ax.get_position()
        W = int(round(box.width * fig.get_figwidth() * fig.dpi))
        H = int(round(box.height * fig.get_figheight() * fig.dpi))
        ax.set_xlim(0, W)
        ax.set_ylim(H, 0)                                              # y grows downwards, as in the image
        L = net.n_layers
        xs = np.linspace(self.LEFT, W - self.RIGHT, L + 1)
        rows = H - self.TOP - self.BOTTOM
        ys = [self.TOP + (np.arange(len(idx)) + 0.5) * rows / len(idx) for idx in shown]
        spacing = min(rows / len(idx) for idx in shown)
        T = int(min(self.max_tile, 0.8 * spacing, 0.45 * (xs[1] - xs[0])))
        self.xs, self.ys, self.T = xs, ys, T
        h = T / 2
        segments, edges = [], []
        for l in range(1, L + 1):
            for a, j in enumerate(shown[l]):
                for b, i in enumerate(shown[l - 1]):
                    segments.append([(xs[l - 1] + h, ys[l - 1][b]), (xs[l] - h, ys[l][a])])
                    edges.append((l, j, i))
        self._edge_index = edges
        self._edge_layer = np.array([l for l, _, _ in edges])
        # per layer l: (positions in the edge list, rows j, columns i) to gather W(l)[j, i] in one step
        self._edge_groups = []
        for l in range(1, L + 1):
            where = np.flatnonzero(self._edge_layer == l)
            self._edge_groups.append((where, np.array([edges[k][1] for k in where]),
                                      np.array([edges[k][2] for k in where])))
        ys_, xs_ = np.meshgrid(np.linspace(1, 0, T), np.linspace(0, 1, T), indexing="ij")   # row 0 at the top
        self._unit_grid = np.c_[xs_.ravel(), ys_.ravel()]                                # in [0, 1]², scaled later
        self.lines = LineCollection(segments, linewidths=1.0, zorder=1)
        ax.add_collection(self.lines)
        self._canvas = np.zeros((H, W, 4), dtype=np.uint8)             # every unit map, transparent between
        self.image = ax.imshow(self._canvas, extent=(0, W, H, 0), interpolation="nearest", zorder=2, aspect="auto")
        self._slots = [(l, b, int(round(ys[l][b] - h)), int(round(xs[l] - h)))
                       for l in range(L + 1) for b in range(len(shown[l]))]
        self._box_layer = np.array([l for l, *_ in self._slots])
        side_points = (T + 5) * 72 / fig.dpi
        self.frames = ax.scatter([xs[l] for l, *_ in self._slots], [ys[l][b] for l, b, *_ in self._slots],
                                 marker="s", s=side_points ** 2, facecolors="none", edgecolors="0.35",
                                 linewidths=2.5, zorder=3)
        names = [tr("input x")] + [tr("layer {l}", l=l) for l in range(1, L)] + [tr("output")]
        self.layer_titles = [ax.text(xs[l], self.TOP - 6, names[l], ha="center", va="bottom", fontsize=13)
                             for l in range(L + 1)]
        self.hidden_notes = [ax.text(xs[l], H - self.BOTTOM + 2, "", ha="center", va="top", fontsize=11,
                                     color="0.35") for l in range(L + 1)]
        self.value_texts = [ax.text(xs[L] + h + 8, ys[L][b], "", ha="left", va="center", fontsize=12,
                                    family="monospace") for b in range(len(shown[L]))]
        self.stage_text = ax.text(4, H - 6, "", ha="left", va="bottom", fontsize=13, color="#b00020")

    def _gather(self, arrays):
        """[arrays[l-1][j, i] for every drawn edge (l, j, i)], vectorised per layer."""
        out = np.empty(len(self._edge_index))
        for l, (where, rows, cols) in enumerate(self._edge_groups, start=1):
            out[where] = arrays[l - 1][rows, cols]
        return out

    def update(self, net, extent, trace=None, stage=None):
        """Redraw for `net`; extent = (x1_min, x1_max, x2_min, x2_max) is the input plane of the unit maps.

        trace: the result of `trace()` for the chosen example (None: the forward view only).
        stage: None (show everything) or one of `stages(L)`: layers not yet reached are dimmed.
        Returns `self.numbers`, the values drawn (for tests and the side panel).
        """
        shown = shown_units(net, self.max_units)
        key = (tuple(net.sizes), tuple(tuple(s) for s in shown))
        if key != self.key:
            self._build(net, shown)
            self.key = key
        L, T = net.n_layers, self.T
        lo = np.array([extent[0], extent[2]])
        grid_X = lo + self._unit_grid * (np.array([extent[1], extent[3]]) - lo)     # T × T points, row 0 on top
        _, acts = net.forward_all(grid_X)
        canvas = self._canvas
        canvas[...] = 0
        for l, b, r0, c0 in self._slots:
            if l == 0:
                values = grid_X[:, b] - grid_X[:, b].mean()
            elif l == L:
                values = acts[L][:, shown[L][b]] * 2 - 1                             # P(class) from -1 to 1
            else:
                values = acts[l][:, shown[l][b]]
            values = values.reshape(T, T)
            scale = np.abs(values).max()
            canvas[r0:r0 + T, c0:c0 + T] = SIGN_CMAP(0.5 + 0.5 * values / scale if scale > 0 else
                                                    np.full(values.shape, 0.5), bytes=True)
        self.image.set_data(canvas)

        weights = self._gather(net.weights)
        reached_f = L if stage is None else (stage[1] if stage[0] == "forward" else L)
        if trace is None:
            reached_b = L + 1
        else:
            reached_b = 1 if stage is None else (stage[1] if stage[0] == "backward" else L + 1)
        numbers = {"shown": [s.tolist() for s in shown], "weights": weights}
        if reached_b > L:
            colors = np.where(weights[:, None] >= 0, _rgba(POSITIVE), _rgba(NEGATIVE))
            widths = np.clip(0.3 + 1.5 * np.abs(weights), 0.3, 6.0)
            colors[:, 3] = np.where(self._edge_layer <= reached_f, 0.7, 0.08)
        else:
            grads = self._gather(trace["weight_grads"])
            numbers["weight_grads"] = grads
            colors = signed_colors(grads)
            widths = 0.3 + 3.0 * strength(grads)
            colors[:, 3] = np.where(self._edge_layer >= reached_b, 0.9, 0.06)
        self.lines.set_color(colors)
        self.lines.set_linewidth(widths)

        edge = np.tile(_rgba("0.35"), (len(self._slots), 1))
        if reached_b <= L:
            deltas = []
            for k, (l, b, _, _) in enumerate(self._slots):
                if l >= reached_b:
                    d = trace["deltas"][l - 1][shown[l][b]]
                    edge[k] = signed_colors([d])[0]
                    deltas.append((l, int(shown[l][b]), float(d)))
            numbers["deltas"] = deltas
        edge[self._box_layer > reached_f, 3] = 0.15
        self.frames.set_edgecolors(edge)

        for l in range(L + 1):
            hidden = net.sizes[l] - len(shown[l])
            self.hidden_notes[l].set_text(tr("+{n} not shown", n=hidden) if hidden else "")
        for b, text in enumerate(self.value_texts):
            if trace is None:
                text.set_text("")
                continue
            j = shown[L][b]
            a, t = trace["output"][j], trace["target"][j]
            text.set_text(f"a = {a:.2f}\ny = {t:.0f}\nδ = {a - t:+.2f}" if reached_b <= L else f"a = {a:.2f}")
        self.stage_text.set_text(_stage_label(stage, L))
        self.numbers = numbers
        return numbers

    def artists(self):
        """The artists that change between updates (for blitting; titles and notes change only with `key`)."""
        return [self.lines, self.image, self.frames, *self.value_texts, self.stage_text]


def _rgba(color):
    from matplotlib.colors import to_rgba
    return np.array(to_rgba(color))


def _stage_label(stage, L):
    if stage is None:
        return ""
    kind, l = stage
    if kind == "forward":
        return tr("forward, layer {l}: z({l}) = W({l}) a({k}) + b({l}), a({l}) = σ(z({l}))", l=l, k=l - 1) if l < L \
            else tr("forward, output: a({L}) = softmax(z({L}))", L=L)
    if l == L:
        return tr("backward, output: δ({L}) = a({L}) − y", L=L)
    return tr("backward, layer {l}: δ({l}) = (W({n})ᵀ δ({n})) ⊙ σ'(z({l}))", l=l, n=l + 1)
