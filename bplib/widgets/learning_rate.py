"""Chapter 02's learning-rate widget: a log slider for α and gradient descent redrawn on a 1-D loss (article 2.2).

    panel = bplib.widgets.learning_rate_widget(lr=0.3)      # display(panel) in a notebook
    panel.slider.value = 2.0                                # tests and teachers drive it by setting .value
    panel.status.value                                       # HTML text: the regime, the final loss, divergence

The loss is the 1-D linear-regression loss J(w) = (1/2m) Σ (w x_i - y_i)² (`bplib.course.descent.slope_loss`), a parabola
with curvature a = mean(x²). A step multiplies the distance to the minimum by 1 - α a, which gives the four
regimes: too small (slow crawl), right, oscillating (overshoots, but converges), diverging (stopped and reported).
"""
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from ..course import descent
from ..course.plots import decade_axis
from ..i18n import tr
from .figure import draw_into, image_widget, panel

W0 = -0.5            # the start of every run
STEPS = 25
WLIM = (-1.5, 4.5)
#: learning rates for the static four-regime figure, in units of 1 / curvature
REGIME_FACTORS = {"too small": 0.05, "right": 0.6, "oscillating": 1.8, "diverging": 2.15}


def _problem(seed):
    x, y = descent.regression_data(seed=seed)
    curvature = float(np.mean(x ** 2))
    w_star = float(np.mean(x * y) / curvature)
    return x, y, curvature, w_star


def run_lr(lr, steps=STEPS, seed=0):
    """Gradient descent on the 1-D slope loss with learning rate lr; returns a dict with the path and the verdict.

    Keys: path (k + 1,), losses (k + 1,), regime (see `descent.lr_regime`), diverged (bool), w_star, curvature.
    """
    x, y, curvature, w_star = _problem(seed)
    path = descent.gradient_descent(lambda w: descent.slope_grad(w, x, y), W0, lr, steps)[:, 0]
    with np.errstate(over="ignore", invalid="ignore"):
        losses = descent.slope_loss(path, x, y)
    return {"path": path, "losses": losses, "regime": descent.lr_regime(lr, curvature), "diverged": descent.diverged(path),
            "w_star": w_star, "curvature": curvature, "x": x, "y": y}


def describe(run, lr):
    """One HTML line for a run: regime, final w and J, or the divergence message."""
    steps = len(run["path"]) - 1
    if run["diverged"]:
        return tr("<b>α = {lr:.3g}: diverging</b> — |w| passed {limit:.0e} after {steps} steps, so the run was stopped (each step multiplies the error by |1 − α a| = {factor:.2f} > 1).",  # noqa: E501
                  lr=lr, limit=descent.DIVERGED, steps=steps, factor=abs(1 - lr * run["curvature"]))
    return tr("<b>α = {lr:.3g}: {regime}</b> — after {steps} steps w = {w:.3f} (minimum w* = {w_star:.3f}), J = {loss:.4f}; each step multiplies the error by 1 − α a = {factor:+.2f}.",  # noqa: E501
              lr=lr, regime=descent.regime_name(run["regime"]), steps=steps, w=run["path"][-1], w_star=run["w_star"],
              loss=run["losses"][-1], factor=1 - lr * run["curvature"])


def draw_lr(lr, axes=None, steps=STEPS, seed=0, title=None):
    """Two panels for one learning rate: the path on J(w), and J against the step number (log scale).

    axes: a pair of Axes, or None for a new figure. Returns the pair of Axes.
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    run = run_lr(lr, steps, seed)
    x, y = run["x"], run["y"]
    ax1, ax2 = axes
    descent.plot_descent_1d(lambda w: descent.slope_loss(w, x, y), run["path"], ax1, wlim=WLIM)
    ax1.axvline(run["w_star"], color="0.5", ls=":", lw=1)
    ax1.set_ylim(0, float(descent.slope_loss(np.array(WLIM), x, y).max()) * 1.05)
    regime = descent.regime_name("diverging" if run["diverged"] else run["regime"])
    ax1.set_title(title or tr("α = {lr:.3g}: {regime}", lr=lr, regime=regime))
    ax1.legend(loc="upper right", framealpha=0.9)     # the parabola leaves that corner empty
    finite = np.isfinite(run["losses"])
    gap = run["losses"][finite] - descent.slope_loss(run["w_star"], x, y) + 1e-16
    ax2.semilogy(np.arange(len(run["losses"]))[finite], gap, "o-", ms=4, color="#d62728")
    decade_axis(ax2, gap)
    ax2.set(xlabel=tr("step number"), ylabel="J(w) − J(w*)")
    if run["diverged"]:       # in the title, never over the curve
        ax2.set_title(tr("diverged: stopped after {steps} steps", steps=len(run["path"]) - 1), color="#d62728",
                      fontweight="bold")
    else:
        ax2.set_title(tr("distance to the minimum loss"))
    return axes


def regimes_figure(seed=0):
    """The static 2 × 2 figure of the four regimes (too small, right, oscillating, diverging); returns the figure."""
    _, _, curvature, _ = _problem(seed)
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    for ax, (name, factor) in zip(axes.ravel(), REGIME_FACTORS.items()):
        lr = factor / curvature
        run = run_lr(lr, seed=seed)
        x, y = run["x"], run["y"]
        descent.plot_descent_1d(lambda w: descent.slope_loss(w, x, y), run["path"], ax, wlim=WLIM)
        ax.set_ylim(0, float(descent.slope_loss(np.array(WLIM), x, y).max()) * 1.05)
        ax.axvline(run["w_star"], color="0.5", ls=":", lw=1)
        ax.set_title(tr("{regime}: α = {lr:.3g}", regime=descent.regime_name(name), lr=lr))
        if name == "too small":             # one legend, where no path crosses it
            ax.legend(loc="upper right", framealpha=0.9)
    fig.suptitle(tr("Four learning rates, {steps} steps from w = {w0} (curvature a = {curvature:.3f})",
                    steps=STEPS, w0=W0, curvature=curvature))
    fig.tight_layout()
    return fig


def learning_rate_widget(lr=0.3, seed=0):
    """A log slider for α (1e-2.5 … 10^0.7), an HTML status line and the two-panel plot, redrawn on change.

    Returns an ipywidgets VBox with attributes `slider` (FloatLogSlider), `status` (HTML), `image` (Image).
    Nothing is printed: the status goes to the HTML widget, the figure (as PNG) into the Image widget.
    """
    slider = widgets.FloatLogSlider(value=lr, base=10, min=-2.5, max=0.7, step=0.05, description="α (lr)",
                                    continuous_update=False, readout_format=".3g",
                                    layout=widgets.Layout(width="60%"))
    status = widgets.HTML()
    image = image_widget()

    def draw():
        fig = draw_lr(slider.value, seed=seed)[0].figure
        fig.tight_layout()
        return fig

    def update(change=None):
        status.value = describe(run_lr(slider.value, seed=seed), slider.value)
        draw_into(image, draw)

    slider.observe(update, names="value")
    update()
    box = panel([slider, status, image], name=tr("learning-rate widget"))
    box.slider, box.status, box.image = slider, status, image
    return box
