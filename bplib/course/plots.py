"""Plots the chapters share: loss curves, decision boundaries, gradient norms. Readable on a projector.

Every function draws into a matplotlib Axes (`ax`; a new figure when None) and returns that Axes.
`setup()` is the first call of every chapter: fonts for a projector, figures shown inline, no library noise.
"""
import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from ..data.toy import limits as data_limits
from ..i18n import set_language, tr
from . import fonts

#: colours for class 0 and class 1 (colour-blind safe: blue / orange)
CLASS_COLORS = ("#1f77b4", "#ff7f0e")


def _in_kernel():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return shell if getattr(shell, "kernel", None) is not None else None


def setup(font_size=13, language="en"):
    """Prepare a chapter: larger fonts and tidy defaults, inline figures, and no third-party deprecation noise.

    - language: "en" (the default) or "zh" (the Chinese edition). bplib's hints, messages, widget labels and
      figure titles speak it from now on (`bplib.i18n.set_language`); for "zh" matplotlib gets a Chinese font
      (`bplib.course.fonts`), or one printed line says which font to install. "en" switches a kernel back.

    - Inside Jupyter, figures are shown inline even where the environment exports MPLBACKEND=Agg (common in
      Docker and CI images), which would otherwise make every figure vanish silently.
    - DeprecationWarnings raised by other libraries (matplotlib, ipywidgets, ... about their own internals)
      are hidden: they are for those libraries' developers, not for a learner. bplib's own warnings, and every
      other kind of warning, stay visible.
    """
    set_language(language)           # first: an unknown language stops here, before anything changed
    shell = _in_kernel()
    if shell is not None and matplotlib.get_backend().lower() in ("agg", "pdf", "svg", "ps", "cairo"):
        shell.run_line_magic("matplotlib", "inline")
    for category in (DeprecationWarning, PendingDeprecationWarning):
        warnings.filterwarnings("ignore", category=category, module=r"(?!bplib)")
    plt.rcParams.update({
        "figure.figsize": (7, 4.2), "figure.dpi": 90, "font.size": font_size, "axes.titlesize": font_size + 1,
        "axes.labelsize": font_size, "legend.fontsize": font_size - 2, "axes.grid": True, "grid.alpha": 0.3,
        "axes.spines.top": False, "axes.spines.right": False,
    })
    if language == "zh":
        fonts.use_cjk_font()
    else:
        fonts.use_latin_fonts()


def _ax(ax, figsize=None):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def loss_curves(history, ax=None, title=None, log=False):
    """Train (and validation, if recorded) loss per epoch from a `bplib.train` history (title None: the default)."""
    ax = _ax(ax)
    ax.plot(history["epoch"], history["loss"], label=tr("train"), lw=2)
    if history.get("val_loss"):
        ax.plot(history["epoch"], history["val_loss"], label=tr("validation"), lw=2, ls="--")
    if log:
        ax.set_yscale("log")
    ax.set(xlabel=tr("epoch"), ylabel=tr("loss J"), title=tr("Loss during training") if title is None else title)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))    # epochs are whole numbers
    ax.legend()
    return ax


def accuracy_curves(history, ax=None, title=None):
    """Train (and validation) accuracy per epoch, in percent (title None: the default)."""
    ax = _ax(ax)
    ax.plot(history["epoch"], 100 * np.asarray(history["acc"]), label=tr("train"), lw=2)
    if history.get("val_acc"):
        ax.plot(history["epoch"], 100 * np.asarray(history["val_acc"]), label=tr("validation"), lw=2, ls="--")
    ax.set(xlabel=tr("epoch"), ylabel=tr("accuracy (%)"),
           title=tr("Accuracy during training") if title is None else title)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()
    return ax


def grid_predictions(net, xlim, ylim, resolution=150):
    """P(class 1) of a 2-input network on a resolution × resolution grid -> (xx, yy, p), each (res, res)."""
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    xx, yy = np.meshgrid(xs, ys)
    out = net.forward(np.c_[xx.ravel(), yy.ravel()])
    p = out[:, 1] if out.shape[1] > 1 else out[:, 0]
    return xx, yy, p.reshape(xx.shape)


def scatter_classes(X, y, ax=None, marker="o", alpha=0.9, label_prefix=""):
    """2-D points coloured by class (0 blue, 1 orange)."""
    ax = _ax(ax)
    for c, color in enumerate(CLASS_COLORS):
        pts = X[np.asarray(y) == c]
        ax.scatter(pts[:, 0], pts[:, 1], s=22, c=color, marker=marker, edgecolors="white", linewidths=0.5,
                   alpha=alpha, label=tr("{prefix}class {c}", prefix=label_prefix, c=c))
    ax.set(xlabel="$x_1$", ylabel="$x_2$")
    ax.set_aspect("equal", adjustable="box")
    return ax


def decision_boundary(net, X, y, ax=None, title=None, resolution=150, X_test=None, y_test=None):
    """The network's P(class 1) as a background, the 0.5 contour, and the data points on top (title None: default)."""
    ax = _ax(ax, figsize=(5, 5))
    both = X if X_test is None else np.concatenate([X, X_test])
    xlim, ylim = data_limits(both)
    xx, yy, p = grid_predictions(net, xlim, ylim, resolution)
    ax.contourf(xx, yy, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35, vmin=0, vmax=1)
    ax.contour(xx, yy, p, levels=[0.5], colors="k", linewidths=1.5)
    scatter_classes(X, y, ax=ax)
    if X_test is not None:
        scatter_classes(X_test, y_test, ax=ax, marker="^", alpha=0.6, label_prefix=tr("test "))
    ax.set(xlim=xlim, ylim=ylim, title=tr("Decision boundary") if title is None else title)
    return ax


def grad_norm_bars(norms, ax=None, names=None, title=None, log=True):
    """Bars of ‖∂J/∂W(l)‖ for l = 1..L (e.g. history["grad_norms"][-1]; title None: the default)."""
    ax = _ax(ax)
    norms = np.asarray(norms, dtype=float)
    names = names or [f"W({l})" for l in range(1, len(norms) + 1)]
    ax.bar(range(len(norms)), norms, color="#4c72b0")
    ax.set_xticks(range(len(norms)), names, rotation=0 if len(norms) < 10 else 90)
    if log and np.all(norms > 0):
        ax.set_yscale("log")
    ax.set(xlabel=tr("layer"), ylabel="‖∂J/∂W‖", title=tr("Gradient norm per layer") if title is None else title)
    return ax




def decade_axis(ax, values=None, axis="y"):
    """Label a log axis at whole powers of ten only, with limits on whole decades around `values`.

    Avoids matplotlib's minor labels on narrow ranges ("3 × 10⁰, 2.95 × 10⁰"). values: the plotted numbers
    (None keeps the current limits). Returns ax.
    """
    from matplotlib.ticker import LogLocator, NullFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    if values is not None:
        values = np.asarray(values, dtype=float).reshape(-1)
        values = values[np.isfinite(values) & (values > 0)]
        if values.size:
            lo, hi = np.floor(np.log10(values.min())), np.ceil(np.log10(values.max()))
            if hi - lo < 1:
                hi = lo + 1
            (ax.set_ylim if axis == "y" else ax.set_xlim)(10 ** lo, 10 ** hi)
            step = max(1, int(np.ceil((hi - lo) / 6)))        # at most about 6 labels
            target.set_major_locator(LogLocator(base=10.0 ** step))
    target.set_minor_formatter(NullFormatter())
    return ax
