"""Looking inside a trained network: confusion matrix, misclassified digits, per-layer histograms (chapters 06-08).

Every plotting function draws into matplotlib Axes it is given (or a new figure) and returns them, like
bplib.course.plots.
"""
import matplotlib.pyplot as plt
import numpy as np

from .. import _checks
from ..i18n import tr


def _labels(y, name):
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(tr("{name} must be a 1-D array of integer class labels, got dtype {dtype}, shape {shape}",
                            name=name, dtype=y.dtype, shape=y.shape))
    return y


def confusion_matrix(y_true, y_pred, k=None):
    """C of shape (k, k): C[i, j] = number of examples of true class i predicted as class j.

    y_true, y_pred: integer labels of shape (m,); k: number of classes (None: 1 + the largest label seen).
    """
    y_true, y_pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(tr("y_true has shape {true_shape} but y_pred has shape {pred_shape}; expected the same",
                            true_shape=y_true.shape, pred_shape=y_pred.shape))
    if k is None:
        k = int(max(y_true.max(initial=0), y_pred.max(initial=0))) + 1
    k = _checks.positive_int(k, "k")
    if y_true.size and (min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= k):
        raise ValueError(tr("labels must lie in 0..{last}", last=k - 1))
    C = np.zeros((k, k), dtype=np.int64)
    np.add.at(C, (y_true, y_pred), 1)
    return C


def plot_confusion_matrix(C, ax=None, class_names=None, title=None):
    """Show C (k, k) as an image with the count in every cell; rows are true classes, columns predictions.

    title None: "Confusion matrix (test set)" in the reader's language.
    """
    C = np.asarray(C)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(tr("C must be a square (k, k) matrix, got shape {shape}", shape=C.shape))
    k = C.shape[0]
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 6))
    names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
    ax.imshow(np.log1p(C), cmap="Blues")          # log colour scale: the off-diagonal errors stay visible
    for i in range(k):
        for j in range(k):
            if C[i, j]:
                dark = np.log1p(C[i, j]) > 0.6 * np.log1p(C.max())
                ax.text(j, i, str(C[i, j]), ha="center", va="center", fontsize=11,
                        color="white" if dark else "black")
    ax.set_xticks(range(k), names, rotation=0 if max(len(n) for n in names) < 3 else 45)
    ax.set_yticks(range(k), names)
    ax.set(xlabel=tr("predicted class"), ylabel=tr("true class"),
           title=tr("Confusion matrix (test set)") if title is None else title)
    ax.grid(False)
    return ax


def misclassified_grid(images, y_true, y_pred, n=24, cols=8, class_names=None, probs=None,
                       title=None):
    """A grid of the first n misclassified images, each titled "true → predicted" (and its confidence).

    images: (m, 784) or (m, 28, 28); y_true, y_pred: labels (m,); probs: optional (m, k) network outputs;
    title None: "Misclassified test images" in the reader's language. Returns the figure.
    """
    y_true, y_pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    images = np.asarray(images)
    if images.ndim == 2:
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ValueError(tr("images of {pixels} pixels are not square; pass (m, h, w) arrays",
                                pixels=images.shape[1]))
        images = images.reshape(-1, side, side)
    wrong = np.flatnonzero(y_true != y_pred)[:_checks.positive_int(n, "n")]
    names = list(class_names) if class_names is not None else None
    rows = max(1, int(np.ceil(len(wrong) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(1.2 * cols, 1.8 * rows))
    for ax in np.atleast_1d(axes).ravel():
        ax.axis("off")
    for ax, i in zip(np.atleast_1d(axes).ravel(), wrong):
        ax.imshow(images[i], cmap="gray_r")
        t, p = (names[y_true[i]], names[y_pred[i]]) if names else (y_true[i], y_pred[i])
        label = f"{t} → {p}" + (f"\n{100 * probs[i, y_pred[i]]:.0f}%" if probs is not None else "")
        ax.set_title(label, fontsize=12, color="#b2182b")
    title = tr("Misclassified test images") if title is None else title
    if probs is None:
        fig.suptitle(tr("{title}: true → predicted", title=title))
    else:
        fig.suptitle(tr("{title}: true → predicted (confidence)", title=title))
    fig.tight_layout()
    return fig


def layer_histograms(arrays, axes=None, names=None, bins=50, range_=None, xlabel=None, title=None,
                     color="#4c72b0"):
    """One histogram per layer (e.g. the activations a(l) or the weights W(l)), side by side.

    arrays: list of arrays (any shapes), one per layer; xlabel None: "value" in the reader's language.
    Returns the array of Axes.
    """
    arrays = [np.asarray(a, dtype=np.float64).ravel() for a in arrays]
    if axes is None:
        _, axes = plt.subplots(1, len(arrays), figsize=(2.3 * len(arrays), 2.4), sharey=True)
    axes = np.atleast_1d(axes)
    if len(axes) != len(arrays):
        raise ValueError(tr("got {arrays} arrays but {axes} axes", arrays=len(arrays), axes=len(axes)))
    names = names or [tr("layer {l}", l=l) for l in range(1, len(arrays) + 1)]
    xlabel = tr("value") if xlabel is None else xlabel
    for ax, values, name in zip(axes, arrays, names):
        ax.hist(values, bins=bins, range=range_, color=color, density=True)
        ax.set_title(tr("{name}\nstd {std:.2g}", name=name, std=values.std()), fontsize=11)
        ax.set_xlabel(xlabel)
        ax.set_yticks([])
    if title:
        axes[0].figure.suptitle(title)
    return axes


def hidden_activations(net, X):
    """The hidden activations [a(1), ..., a(L-1)] of a bplib network for X (m, n_0), each (m, n_l)."""
    return net.forward_all(X)[1][1:-1]


def grad_norms_per_layer(net, X, Y):
    """‖∂J/∂W(l)‖ for l = 1..L on one batch, as an array of length L (without changing the network)."""
    X, T = net.prepare(X, Y)
    if hasattr(net, "running_means"):      # a BatchNormMLP's training step moves its running statistics
        net = net.copy()
    _, grads, _ = net.loss_grads_output(X, T)
    return np.array([np.linalg.norm(g) for g in grads[:len(net.grad_layer_names())]])


# ---------------------------------------------------------------------- vanishing / exploding gradients
NET_KINDS = ("plain", "batchnorm", "residual")


def make_deep_net(kind, depth, width=16, activation="sigmoid", n_in=2, n_out=2, seed=0, init=None):
    """A net with `depth` hidden layers of `width` units: kind "plain" (bplib.MLP), "batchnorm" or "residual".

    init None picks the usual match: "he" for ReLU-like activations, "xavier" otherwise.
    """
    from ..deepnets import BatchNormMLP, ResidualMLP
    from ..network import MLP

    _checks.choice(kind, NET_KINDS, "network kind")
    depth = _checks.positive_int(depth, "depth")
    if init is None:
        init = "he" if activation in ("relu", "leaky_relu") else "xavier"
    sizes = [n_in] + [width] * depth + [n_out]
    if kind == "residual" and depth < 2:
        kind = "plain"                           # one hidden layer has no block to skip over
    cls = {"plain": MLP, "batchnorm": BatchNormMLP, "residual": ResidualMLP}[kind]
    return cls(sizes, activation=activation, output="softmax", init=init, seed=seed)


def depth_figure(depth=10, activation="sigmoid", kind="plain", X=None, y=None, seed=0, ax=None):
    """Bars of ‖∂J/∂W(l)‖ per layer of a freshly initialised deep net on (X, y); returns (ax, norms)."""
    if X is None:
        from ..data import make_circles
        X, y = make_circles(n=200, seed=seed)
    net = make_deep_net(kind, depth, activation=activation, n_in=np.shape(X)[1], seed=seed)
    norms = grad_norms_per_layer(net, X, y)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.8))
    colors = plt.cm.viridis(np.linspace(0.1, 0.9, len(norms)))
    ax.bar(np.arange(1, len(norms) + 1), norms, color=colors)
    ax.set_xticks(np.arange(1, len(norms) + 1, max(1, int(np.ceil(len(norms) / 15)))))   # whole layer numbers only
    ax.set_xlim(0.4, len(norms) + 0.6)
    ax.set_yscale("log")
    ax.set_ylim(min(1e-12, norms[norms > 0].min() / 3) if np.any(norms > 0) else 1e-12, max(10.0, norms.max() * 3))
    if depth == 1:
        title = tr("{kind} net, {depth} hidden {activation} layer: gradient norm per layer at initialisation",
                   kind=kind, depth=depth, activation=activation)
    else:
        title = tr("{kind} net, {depth} hidden {activation} layers: gradient norm per layer at initialisation",
                   kind=kind, depth=depth, activation=activation)
    ax.set(xlabel=tr("layer l (1 = next to the input)"), ylabel=tr("‖∂J/∂W(l)‖ (log scale)"), title=title)
    return ax, norms


def describe_norms(norms):
    """One line comparing the first layer's gradient norm with the last one's."""
    first, last = float(norms[0]), float(norms[-1])
    ratio = first / last if last > 0 else float("inf")
    if ratio < 1e-3:
        return tr("‖∂J/∂W(1)‖ / ‖∂J/∂W(L)‖ = {ratio:.1e} — vanishing: the first layers hardly learn", ratio=ratio)
    if ratio > 1e3:
        return tr("‖∂J/∂W(1)‖ / ‖∂J/∂W(L)‖ = {ratio:.1e} — exploding: the first layers get huge steps", ratio=ratio)
    return tr("‖∂J/∂W(1)‖ / ‖∂J/∂W(L)‖ = {ratio:.1e} — healthy: every layer learns", ratio=ratio)
