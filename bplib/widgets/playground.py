"""The playground: a TensorFlow-Playground-like training widget inside Jupyter (article 3.2 end, 3.3).

    pg = bplib.widgets.playground(dataset="spirals", depth=2, width=8, activation="tanh")
    pg                                  # as a cell's last expression: the live widget (a static PNG elsewhere)
    pg.controls["depth"].value = 4      # every control can be driven from code; this rebuilds the network
    pg.step()                           # train one chunk (epochs_per_step epochs) and redraw
    pg.history["train_loss"], pg.net    # per-epoch losses; the current bplib.MLP
    pg.select(7)                        # example 7 of the training set (or click a point): its backward pass
    pg.trace_next(); pg.stage           # step through: ("forward", 1) .. ("forward", L), ("backward", L) .. 1

What it shows: the decision boundary P(class 1) with train (circles) and test (triangles) points, train and test
loss per epoch, the mean gradient norm ‖∂J/∂W(l)‖ of every layer (vanishing or exploding gradients as depth
grows), the epoch count, a message instead of a crash when training diverges, and the network itself
(`network_view.NetworkDiagram`): each unit a map of its activation over the input plane, each weight a line
(colour: sign, width: |w|). Choose an example and the same diagram shows its backward pass: each unit's frame
coloured by its δ, each line by ∂J_i/∂w, δ(L) = a − y printed at the output, and a line below the controls with
the recursion's factors, δ(l) = (W(l+1)ᵀ δ(l+1)) ⊙ σ'(z(l)), for the layer being shown. "next" and "back" walk
the forward pass layer by layer and then the backward pass, for a teacher to narrate.

Drawing: one matplotlib figure (not pyplot's, so the inline backend never shows it twice) whose artists are
updated in place and rendered to a PNG shown by an ipywidgets Image; the same PNG is the static picture that
frontends without widgets (nbval, GitHub, nbviewer) display. One update (a chunk plus the redraw) costs well under
100 ms (benchmarks/bench_playground.py).

Running: "run" trains chunk after chunk in a background thread. One lock guards the model and the figure, so a
step, a control change and a redraw never interleave; a generation counter makes a superseded run thread exit
instead of taking another step. The run thread checks, between epochs, whether it was paused or a control is
waiting for the lock, between mini-batches (an unfinished epoch is undone), so neither waits for a chunk nor
for an epoch (50 epochs of batch size 1 take seconds at full size). A run stops when paused, when training
diverges, when the kernel is interrupted (the ■ button), when a new playground is created (re-running the cell
closes the old one) and on close().
"""
import base64
import io
import threading
import time
import weakref

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter
from PIL import Image

from .. import init as init_mod, optim
from ..course.plots import CLASS_COLORS
from ..data.toy import TOY_SETS
from ..i18n import tr
from .network_view import NetworkDiagram, stages, trace
from .playground_model import ACTIVATIONS, LR_RANGE, MAX_DEPTH, MAX_WIDTH, PlaygroundModel

try:                               # clicks on the picture (choose an example); without it, type its number
    import ipyevents
except ImportError:                # pragma: no cover - ipyevents is in requirements.txt
    ipyevents = None

__all__ = ["playground", "Playground"]

#: background colours for P(class 1): class 0's blue through white to class 1's orange
PROB_CMAP = LinearSegmentedColormap.from_list("bplib_prob", ["#7fb5dc", "#ffffff", "#ffbf80"])
L2_CHOICES = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1)
MIN_SECONDS_PER_UPDATE = 0.05      # a running playground redraws at most 20 times a second

#: the control rows, top to bottom, and each control's fixed width: every row fits in 820 px, the width a
#: notebook's output area has on a 1024 × 768 screen, so the controls take three rows and leave room for the figure
CONTROL_ROWS = (("run", "step", "reset", "dataset", "noise", "seed", "l2"),
                ("lr", "optimizer", "batch_size", "epochs_per_step"),
                ("depth", "width", "activation", "init"),
                ("example", "back", "next", "clear"))
CONTROL_WIDTHS = {"run": "66px", "step": "66px", "reset": "70px", "dataset": "140px", "noise": "185px",
                  "seed": "125px", "l2": "110px",
                  "lr": "245px", "optimizer": "160px", "batch_size": "195px", "epochs_per_step": "190px",
                  "depth": "200px", "width": "200px", "activation": "170px", "init": "125px",
                  "example": "150px", "back": "80px", "next": "80px", "clear": "70px"}
#: the widest a row may be, in px (a notebook on a 1024-px-wide screen leaves about this much)
ROW_WIDTH = 820

_LIVE = weakref.WeakSet()          # every open playground (a kernel interrupt pauses them all)
_BY_CELL = {}                      # notebook cell id -> weakref to the playground that cell created last


def playground(**settings):
    """Create a playground; display it as a cell's last expression.

    Settings (all optional; see bplib.widgets.playground_model.DEFAULTS): dataset ("moons", "circles",
    "spirals", "xor"), noise, n_train, n_test, depth (hidden layers, 0-8), width (units per hidden layer, 1-64),
    activation, init, optimizer ("sgd", "momentum", "adam"), lr (the learning rate α, 1e-4 to 10), batch_size, l2,
    epochs_per_step, seed, grid (pixels per side of the probability image).
    Returns: a Playground. Unknown settings raise TypeError, bad values ValueError.
    """
    return Playground(**settings)


class Playground:
    """One playground: a PlaygroundModel, its controls, its figure and its run thread (see the module docstring).

    Attributes: controls (dict of ipywidgets by setting name, plus "run", "step", "reset"), model, widget (the
    whole VBox). Properties: history, net, settings, diverged, running, message.
    """

    def __init__(self, **settings):
        self.model = PlaygroundModel(**settings)
        self._lock = threading.RLock()
        self._run_gen = 0
        self._thread = None
        self._closed = False
        self._interrupted = False
        self._waiting = 0                  # control changes waiting for the lock (the run thread yields to them)
        self._snapping = False             # True while a control is set back to the model's value
        self.selected = None               # the training example whose backward pass is shown (index) or None
        self.stage = None                  # None (everything) or a step of `network_view.stages(L)`
        self.trace = None                  # `network_view.trace` of the selected example, for the current net
        self._build_figure()
        self._build_controls()
        with self._lock:
            self._redraw()
        self._register()

    # ------------------------------------------------------------------ public API
    @property
    def history(self):
        """Per-epoch lists "epoch", "train_loss", "train_acc", "test_loss", "test_acc", "grad_norms" (see PlaygroundModel)."""
        return self.model.history

    @property
    def net(self):
        """The current bplib.MLP (replaced when a control rebuilds the network)."""
        return self.model.net

    @property
    def settings(self):
        """A copy of the current settings."""
        return dict(self.model.settings)

    @property
    def diverged(self):
        """None, or {"epoch", "message"} once training diverged."""
        return self.model.diverged

    @property
    def message(self):
        """The text of the divergence message shown in the widget ("" when none)."""
        return self.model.diverged["message"] if self.model.diverged else ""

    @property
    def running(self):
        """True while the background run thread is training."""
        return self._thread is not None and self._thread.is_alive() and self.controls["run"].value

    def step(self):
        """Train one chunk (settings["epochs_per_step"] epochs) and redraw; returns the epochs trained (0 if diverged)."""
        with self._lock:
            done = self.model.train_chunk()
            self._redraw()
        if self.model.diverged is not None:
            self.pause()
        return done

    def reset(self):
        """Start again from the initial weights of the current settings (same seed: the same initial loss)."""
        with self._lock:
            self.model.rebuild()
            self._redraw()

    def run(self):
        """Start training continuously in the background (the same as pressing run)."""
        self.controls["run"].value = True

    def pause(self):
        """Stop a continuous run after the current step (the same as pressing pause)."""
        self.controls["run"].value = False

    def select(self, index):
        """Show the whole backward pass of training example `index` (0..n_train-1), or none with None."""
        with self._lock:
            if index is not None:
                n = len(self.model.y_train)
                if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < n:
                    raise ValueError(tr("example must be an index from 0 to {last} (the training set), got {got!r}",
                                        last=n - 1, got=index))
                index = int(index)
            self.selected = index
            self.stage = None                          # a new example: its whole backward pass; "next" walks it
            self._set_example_control()
            self._redraw()

    def select_point(self, x1, x2):
        """Select the training example nearest to the point (x1, x2) of the input plane; returns its index."""
        X = self.model.X_train
        index = int(np.argmin((X[:, 0] - x1) ** 2 + (X[:, 1] - x2) ** 2))
        self.select(index)
        return index

    def trace_next(self):
        """One step of the walk-through: the forward pass layer by layer, then the backward pass, then the whole
        picture again. Selects example 0 if none is selected. Returns the new stage (None: everything shown)."""
        return self._walk(+1)

    def trace_back(self):
        """One step back in the walk-through (see trace_next)."""
        return self._walk(-1)

    def _walk(self, direction):
        with self._lock:
            if self.selected is None:
                self.selected = 0
                self._set_example_control()
            order = [None] + stages(self.model.net.n_layers)
            i = order.index(self.stage) if self.stage in order else 0
            self.stage = order[(i + direction) % len(order)]
            self._redraw()
            return self.stage

    def close(self):
        """Stop running, close every widget this playground created and drop their callbacks.

        ipywidgets keeps every open widget in a module-level registry, including the Layout and Style widget of
        each control and the row boxes. Closing only the controls left ~40 of those registered, and through the
        rows' children and the controls' observers they kept the whole playground (model, figure, PNG) alive:
        every re-run of a playground cell leaked megabytes. Closing the whole tree and dropping the observers
        lets the garbage collector free all of it. Calling close() twice is harmless.
        """
        self._closed = True
        self.pause()
        with self._lock:                               # never in the middle of a step or a redraw
            if getattr(self, "_click", None) is not None:
                self._click.reset_callbacks()
                self._click.close()
            _close_tree(self.widget, set())
            for w in (*self.controls.values(), self._image, self._status, self._alert):
                _close_tree(w, set())                  # (all inside self.widget; kept in case one was removed)
        for cell, ref in list(_BY_CELL.items()):
            if ref() is self:
                del _BY_CELL[cell]
        _LIVE.discard(self)

    def png(self):
        """The current picture as PNG bytes."""
        with self._lock:
            return self._png

    def __repr__(self):
        return f"Playground({self.model.summary()})"

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget for Jupyter frontends, plus a PNG and a deterministic text for those without widgets."""
        data = {} if self._closed else (self.widget._repr_mimebundle_() or {})   # closed: the picture only
        data["text/plain"] = repr(self)
        data["image/png"] = base64.b64encode(self.png()).decode("ascii")
        return data

    # ------------------------------------------------------------------ figure
    def _build_figure(self):
        # two figures, stacked into one picture: the boundary, the loss curves and the gradient norms on top, the
        # network diagram below. Each has its own cached background, so a loss axis that rescales (often, early in
        # training) redraws the top one only, and the diagram's titles are drawn again only when the network changes
        self.fig = Figure(figsize=(12.5, 3.6), dpi=80)
        self._canvas = FigureCanvasAgg(self.fig)
        gs = self.fig.add_gridspec(1, 3, width_ratios=[1, 1.25, 1.05], left=0.06, right=0.985, bottom=0.15,
                                   top=0.87, wspace=0.32)
        self._ax_b = self.fig.add_subplot(gs[0])
        self._ax_l = self.fig.add_subplot(gs[1])
        self._ax_g = self.fig.add_subplot(gs[2])
        self.diagram_fig = Figure(figsize=(12.5, 3.0), dpi=80)
        self._diagram_canvas = FigureCanvasAgg(self.diagram_fig)
        self.diagram = NetworkDiagram(self.diagram_fig.add_axes([0.0, 0.0, 1.0, 1.0]))
        self._diagram_key = None
        ax = self._ax_l
        (self._line_train,) = ax.plot([], [], lw=2, label=tr("train"))
        (self._line_test,) = ax.plot([], [], lw=2, ls="--", label=tr("test"))
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))     # 0.1 0.2 0.5 1 2: short labels
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set(xlabel=tr("epoch"), ylabel=tr("loss J (cross-entropy)"))
        ax.set_title(tr("Loss per epoch"), loc="left")
        # the legend sits above the axes, beside the title: inside, the curves would run under it sooner or later
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, frameon=False, fontsize=9,
                  borderaxespad=0.3, handlelength=1.6, columnspacing=1.0)
        ax.grid(True, alpha=0.3)
        self._ax_g.set_yscale("log")
        self._ax_g.yaxis.set_minor_formatter(NullFormatter())    # labels only at powers of ten, never "3 × 10⁰"
        self._ax_g.grid(True, axis="y", alpha=0.3)
        self._bars = None
        self._layout = None
        self._data_key = None

    def _build_boundary_axes(self):
        """(Re)draw the data points and the probability image: after a rebuild the data may have changed."""
        ax, m = self._ax_b, self.model
        ax.clear()
        self._image_artist = ax.imshow(m.probabilities(), origin="lower", extent=m.extent, cmap=PROB_CMAP,
                                       vmin=0, vmax=1, interpolation="bilinear", aspect="equal")
        self._scatters = []
        for X, y, marker, edge, label in ((m.X_train, m.y_train, "o", "white", tr("train")),
                                          (m.X_test, m.y_test, "^", "black", tr("test"))):
            for c, color in enumerate(CLASS_COLORS):
                pts = X[y == c]
                self._scatters.append(ax.scatter(pts[:, 0], pts[:, 1], s=24 if marker == "o" else 30, c=color,
                                                 marker=marker, edgecolors=edge, linewidths=0.6,
                                                 label=tr("{which}, class {c}", which=label, c=c)))
        ax.set(xlim=m.extent[:2], ylim=m.extent[2:], xlabel="x₁", ylabel="x₂")
        ax.grid(False)
        (self._selected_ring,) = ax.plot([], [], "o", ms=16, mfc="none", mec="#b00020", mew=2.5, zorder=5)
        self._alert_text = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=13,
                                   color="#b00020", bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "#b00020"})

    def _redraw(self):
        """Update every artist from the model and render the PNG (caller holds the lock).

        Blitting: axes frames, ticks and legends are drawn once into a cached background and redrawn only when
        their layout key changes (new data, or an axis range crossing a rounded limit); every update restores
        that background and draws just the changing artists (image, points, lines, bars, titles) on top.
        """
        m, h = self.model, self.model.history
        s = m.settings
        data_key = (s["dataset"], s["noise"], s["seed"], s["n_train"], s["n_test"], s["grid"])
        if data_key != self._data_key:
            self._build_boundary_axes()
            self._data_key = data_key
        else:
            self._image_artist.set_data(m.probabilities())
        self._ax_b.set_title(tr("P(class 1), epoch {epoch}", epoch=m.epoch))
        if self.selected is not None and self.selected >= len(m.y_train):
            self.selected, self.stage = None, None          # the data changed under the selection
        if self.stage is not None and self.stage[1] > m.net.n_layers:
            self.stage = None                                # fewer layers than the step being shown
        if self.selected is None:
            self.trace = None
            self._selected_ring.set_data([], [])
        else:
            x = m.X_train[self.selected]
            self.trace = trace(m.net, x, m.y_train[self.selected])
            self._selected_ring.set_data([x[0]], [x[1]])
        self.diagram.update(m.net, m.extent, self.trace, self.stage)
        self._alert_text.set_text(tr("diverged: lower the learning rate") if m.diverged else "")
        self._alert_text.set_visible(bool(m.diverged))

        self._line_train.set_data(h["epoch"], h["train_loss"])
        self._line_test.set_data(h["epoch"], h["test_loss"])
        losses = np.r_[h["train_loss"], h["test_loss"]]
        loss_lim = (_round_down(max(losses.min() / 1.2, 1e-6), 2), _round_up(losses.max() * 1.2, 2))
        marker = "o" if len(h["epoch"]) == 1 else "None"       # a lone point (epoch 0) is still visible
        self._line_train.set_marker(marker)
        self._line_test.set_marker(marker)
        epoch_lim = _nice_at_least(max(m.epoch, 50))
        norms = np.maximum(h["grad_norms"][-1], 1e-12)
        norm_lim = (_round_down(norms.min(), 1) / 2, _round_up(norms.max(), 1) * 2)
        untrained = m.epoch == 0
        layout = (data_key, loss_lim, epoch_lim, norm_lim, len(norms), untrained)

        if layout != self._layout:
            self._ax_l.set_ylim(*loss_lim)
            ratio = loss_lim[1] / loss_lim[0]          # at least two labels: 1..9 within a narrow range, 1-2-5
            subs = tuple(range(1, 10)) if ratio <= 3.2 else (1, 2, 5) if ratio <= 10 ** 2.01 else (1,)   # or 10ⁿ
            self._ax_l.yaxis.set_major_locator(LogLocator(subs=subs))
            self._ax_l.set_xlim(0, epoch_lim)
            ax = self._ax_g
            if self._bars is None or len(self._bars) != len(norms):
                if self._bars is not None:
                    self._bars.remove()
                self._bars = ax.bar(range(1, len(norms) + 1), norms, color="#4c72b0", animated=True)
                ax.set_xticks(range(1, len(norms) + 1), [str(l) for l in range(1, len(norms) + 1)])   # "W(1)W(2)" overlapped
                ax.set_xlim(0.4, len(norms) + 0.6)
            ax.set_ylim(*norm_lim)
            what = tr("untrained net, full batch") if untrained else tr("mean over the last epoch's batches")
            ax.set(xlabel=tr("layer l (the bar of W(l))"), ylabel="‖∂J/∂W(l)‖",
                   title=tr("Gradient norm per layer\n({what})", what=what))
            ax.title.set_fontsize(11)
            for a in self._animated():
                a.set_animated(True)
            self._canvas.draw()                                   # everything but the animated artists
            self._background = self._canvas.copy_from_bbox(self.fig.bbox)
            self._layout = layout
        for bar, value in zip(self._bars, norms):
            bar.set_height(value)
        self._canvas.restore_region(self._background)
        for a in self._animated():
            self.fig.draw_artist(a)
        if self.diagram.key != self._diagram_key:             # a new architecture: titles and notes again
            for a in self.diagram.artists():
                a.set_animated(True)
            self._diagram_canvas.draw()
            self._diagram_background = self._diagram_canvas.copy_from_bbox(self.diagram_fig.bbox)
            self._diagram_key = self.diagram.key
        self._diagram_canvas.restore_region(self._diagram_background)
        for a in self.diagram.artists():
            self.diagram_fig.draw_artist(a)
        rgba = np.vstack([np.asarray(self._canvas.buffer_rgba())[..., :3],
                          np.asarray(self._diagram_canvas.buffer_rgba())[..., :3]])
        buf = io.BytesIO()
        Image.fromarray(rgba).save(buf, format="png", compress_level=1)
        self._png = buf.getvalue()
        self._image.value = self._png
        self._update_labels()

    def _animated(self):
        """The artists that change between updates, in drawing order."""
        return ([self._image_artist, *self._scatters, self._selected_ring, self._alert_text, self._ax_b.title,
                 self._line_train, self._line_test] + list(self._bars.patches))

    # ------------------------------------------------------------------ controls
    def _build_controls(self):
        s = self.model.settings
        wide = {"description_width": "initial"}

        def box(width):
            return widgets.Layout(width=width, flex="0 0 auto")        # fixed width: rows wrap instead of squeezing

        noise_max = max(0.5, s["noise"])
        l2_options = sorted(set(L2_CHOICES) | {s["l2"]})
        slider = {"continuous_update": False, "style": wide}
        c = {
            "dataset": widgets.Dropdown(options=list(TOY_SETS), value=s["dataset"], description=tr("data"),
                                        layout=box(CONTROL_WIDTHS["dataset"]), style=wide),
            "noise": widgets.FloatSlider(value=s["noise"], min=0, max=noise_max, step=0.01, description=tr("noise"),
                                         readout_format=".2f", layout=box(CONTROL_WIDTHS["noise"]), **slider),
            "seed": widgets.BoundedIntText(value=s["seed"], min=0, max=2**32 - 1, description=tr("seed"),
                                           layout=box(CONTROL_WIDTHS["seed"]), style=wide),
            "l2": widgets.Dropdown(options=l2_options, value=s["l2"], description="L2",
                                   layout=box(CONTROL_WIDTHS["l2"]), style=wide),
            "lr": widgets.FloatLogSlider(value=s["lr"], base=10, min=np.log10(LR_RANGE[0]), max=np.log10(LR_RANGE[1]),
                                         step=0.1, description="α", tooltip=tr("learning rate α"), readout_format=".4g",
                                         layout=box(CONTROL_WIDTHS["lr"]), **slider),
            "optimizer": widgets.Dropdown(options=list(optim.OPTIMIZERS), value=s["optimizer"],
                                          description=tr("optimiser"), layout=box(CONTROL_WIDTHS["optimizer"]),
                                          style=wide),
            "batch_size": widgets.IntSlider(value=s["batch_size"], min=1, max=max(s["n_train"], s["batch_size"]),
                                            description=tr("batch m"), tooltip=tr("examples per mini-batch"),
                                            layout=box(CONTROL_WIDTHS["batch_size"]), **slider),
            "epochs_per_step": widgets.IntSlider(value=s["epochs_per_step"], min=1,
                                                 max=max(50, s["epochs_per_step"]), description=tr("epochs/step"),
                                                 tooltip=tr("epochs trained per step (and per redraw while running)"),
                                                 layout=box(CONTROL_WIDTHS["epochs_per_step"]), **slider),
            "depth": widgets.IntSlider(value=s["depth"], min=0, max=MAX_DEPTH, description=tr("depth"),
                                       tooltip=tr("hidden layers"), layout=box(CONTROL_WIDTHS["depth"]), **slider),
            "width": widgets.IntSlider(value=s["width"], min=1, max=MAX_WIDTH, description=tr("width"),
                                       tooltip=tr("units per hidden layer"), layout=box(CONTROL_WIDTHS["width"]),
                                       **slider),
            "activation": widgets.Dropdown(options=list(ACTIVATIONS), value=s["activation"], description=tr("activation"),
                                           layout=box(CONTROL_WIDTHS["activation"]), style=wide),
            "init": widgets.Dropdown(options=list(init_mod.INITS), value=s["init"], description=tr("init"),
                                     layout=box(CONTROL_WIDTHS["init"]), style=wide),
        }
        for key, widget in c.items():
            widget.observe(self._make_handler(key), names="value")
        c["run"] = widgets.ToggleButton(value=False, description=tr("run"), icon="play", tooltip=tr("train continuously"),
                                        layout=box(CONTROL_WIDTHS["run"]))
        c["step"] = widgets.Button(description=tr("step"), icon="step-forward", tooltip=tr("train epochs_per_step epochs"),
                                   layout=box(CONTROL_WIDTHS["step"]))
        c["reset"] = widgets.Button(description=tr("reset"), icon="undo", tooltip=tr("back to the initial weights"),
                                    layout=box(CONTROL_WIDTHS["reset"]))
        c["run"].observe(self._on_run, names="value")
        c["step"].on_click(lambda _: self.step())
        c["reset"].on_click(lambda _: self.reset())
        c["example"] = widgets.BoundedIntText(value=-1, min=-1, max=s["n_train"] - 1, description=tr("example"),
                                              tooltip=tr("a training example's number (-1: none), or click a point"),
                                              layout=box(CONTROL_WIDTHS["example"]), style=wide)
        c["back"] = widgets.Button(description=tr("back"), icon="step-backward", tooltip=tr("the previous step of the walk through the forward and backward pass"), layout=box(CONTROL_WIDTHS["back"]))
        c["next"] = widgets.Button(description=tr("next"), icon="step-forward", tooltip=tr("the next step: forward pass layer by layer, then the backward pass"), layout=box(CONTROL_WIDTHS["next"]))
        c["clear"] = widgets.Button(description=tr("clear"), tooltip=tr("no example: the network's weights only"),
                                    layout=box(CONTROL_WIDTHS["clear"]))
        c["example"].observe(self._on_example, names="value")
        c["back"].on_click(lambda _: self.trace_back())
        c["next"].on_click(lambda _: self.trace_next())
        c["clear"].on_click(lambda _: self.select(None))
        self.controls = c
        self._trace_info = widgets.HTML(layout=widgets.Layout(width="100%"))
        self._status = widgets.HTML(layout=widgets.Layout(width="100%"))
        self._alert = widgets.HTML(layout=widgets.Layout(width="100%"))
        self._image = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="1000px"))
        for key, widget in [*c.items(), ("status", self._status), ("alert", self._alert), ("picture", self._image),
                            ("trace", self._trace_info)]:
            widget.add_class(f"bplib-pg-{key}")                # stable hooks for styling and the browser test
        wrap = widgets.Layout(flex_flow="row wrap")
        rows = [widgets.HBox([c[key] for key in row], layout=wrap) for row in CONTROL_ROWS]
        self.widget = widgets.VBox(rows + [self._trace_info, self._status, self._alert, self._image])
        self._click = None
        if ipyevents is not None:                              # a click on a point selects that example
            self._click = ipyevents.Event(source=self._image, watched_events=["click"])
            self._click.on_dom_event(self._on_click)
        self.widget.add_class("bplib-playground")

    def _make_handler(self, key):
        def handler(change):
            if self._closed or self._snapping:
                return
            self._waiting += 1                 # the run thread yields the lock after its current epoch
            with self._lock:
                self._waiting -= 1
                try:
                    self.model.update(**{key: change["new"]})
                except (TypeError, ValueError) as exc:     # e.g. NaN in a slider, None in a dropdown
                    kept = self.model.settings[key]
                    self._snap_back(key, kept)
                    self._alert.value = _alert_html(tr("{key}: {error}. Kept {kept!r}.", key=key, error=exc, kept=kept))
                    return
                self._set_example_control()
                self._redraw()
        return handler

    def _on_example(self, change):
        if self._closed or self._snapping:
            return
        value = change["new"]
        try:
            self.select(None if value is None or value < 0 else value)
        except ValueError as exc:
            self._snap_back("example", -1 if self.selected is None else self.selected)
            self._alert.value = _alert_html(str(exc))

    def _set_example_control(self):
        """Show the selection in the example box (without triggering its handler)."""
        box = self.controls["example"]
        n = len(self.model.y_train)
        self._snapping = True
        try:
            box.max = n - 1
            box.value = -1 if self.selected is None else self.selected
        finally:
            self._snapping = False

    def _on_click(self, event):
        """A click on the picture: if it hit the decision-boundary plot, select the nearest training point.

        ipyevents gives the position in the image's own pixels (dataX, dataY from the top left), whatever size
        the picture is shown at; the figure's transform turns it into data coordinates.
        """
        if self._closed or "dataX" not in event:
            return
        height = self._canvas.get_width_height()[1]              # the top figure: the first rows of pixels
        x_pix, y_pix = float(event["dataX"]), height - float(event["dataY"])
        with self._lock:
            ax = self._ax_b
            if not ax.get_window_extent().contains(x_pix, y_pix):
                return
            x1, x2 = ax.transData.inverted().transform((x_pix, y_pix))
        self.select_point(x1, x2)

    def _snap_back(self, key, value):
        """Show the model's `value` in control `key` again after the control was given an invalid one.

        ipywidgets lets some invalid values through (NaN into a FloatSlider or FloatLogSlider, whose range check
        NaN passes; None into a Dropdown): the control would show them while the model kept training with the
        old value. The echo of this change is ignored (`_snapping`), so it neither rebuilds nor redraws.
        """
        self._snapping = True
        try:
            self.controls[key].value = value
        finally:
            self._snapping = False

    def _update_labels(self):
        m, h = self.model, self.model.history
        self._status.value = tr(
            "<span class='bplib-epoch'><b>epoch {epoch}</b></span> · network {sizes} ({activation}, {n} parameters) · "
            "α = {lr:.3g} · train loss {train:.4f} · test loss {test:.4f} · test accuracy {acc:.1f}%",
            epoch=m.epoch, sizes="-".join(map(str, m.sizes)), activation=m.settings["activation"], n=m.net.n_params,
            lr=m.settings["lr"], train=h["train_loss"][-1], test=h["test_loss"][-1], acc=100 * h["test_acc"][-1])
        self._alert.value = _alert_html(m.diverged["message"]) if m.diverged else ""
        self._trace_info.value = self._trace_text()

    def _trace_text(self):
        """One or two lines under the controls: what the diagram shows now, with the recursion's numbers."""
        t, stage, m = self.trace, self.stage, self.model
        if t is None:
            return tr("<i>Click a training point (or type its number in <b>example</b>) to see its backward pass; "
                      "<b>next</b> walks through the forward and backward pass layer by layer.</i>")
        L = m.net.n_layers
        shown = self.diagram.numbers.get("shown") or [list(range(n)) for n in m.net.sizes]
        head = tr("<b>example {i}</b> (class {label}, loss J<sub>i</sub> = {loss:.4f})", i=self.selected,
                  label=t["label"], loss=t["loss"])

        def units(l, values, limit=4):
            picks = shown[l][:limit]
            return tr(", ").join(f"{j}: {values(j)}" for j in picks) + (" …" if len(shown[l]) > limit else "")

        if stage is None:
            ratio = np.linalg.norm(t["deltas"][0]) / max(np.linalg.norm(t["deltas"][-1]), 1e-300)
            return tr("{head}: frames coloured by δ of every layer, lines by ∂J<sub>i</sub>/∂w. "
                      "‖δ(1)‖ / ‖δ({L})‖ = {ratio:.2g}", head=head, L=L, ratio=ratio) + \
                (tr(" (vanishing)") if ratio < 1e-2 else "")
        kind, l = stage
        if kind == "forward":
            if l == L:
                return tr("{head} · forward, output: a({L}) = softmax(z({L})) = [{values}]", head=head, L=L,
                          values=", ".join(f"{v:.3f}" for v in t["output"]))
            return tr("{head} · forward, layer {l}: z = W({l}) a({k}) + b({l}), a = σ(z); unit {units}", head=head,
                      l=l, k=l - 1,
                      units=units(l, lambda j: f"z = {t['zs'][l - 1][j]:+.3f}, a = {t['activations'][l][j]:+.3f}"))
        if l == L:
            return tr("{head} · backward, output: δ({L}) = a({L}) − y = [{values}]", head=head, L=L, values=", ".join(
                f"{a:.3f} − {y:.0f} = {a - y:+.3f}" for a, y in zip(t["output"], t["target"])))
        return tr("{head} · backward, layer {l}: δ({l}) = (W({n})ᵀ δ({n})) ⊙ σ'(z({l})); unit {units}", head=head,
                  l=l, n=l + 1, units=units(l, lambda j: f"{t['back'][l - 1][j]:+.3g} × {t['sigma_primes'][l - 1][j]:.3g}"
                                                         f" = {t['deltas'][l - 1][j]:+.3g}"))

    # ------------------------------------------------------------------ running
    def _on_run(self, change):
        if change["new"]:
            self._start()
        else:
            self._stop()

    def _start(self):
        self._stop()                                   # never two run threads
        _pause_all(but=self)                           # one running playground per kernel
        if self._closed or self.model.diverged is not None:
            self.controls["run"].value = False
            return
        _hook_kernel_interrupt()
        self.controls["run"].description, self.controls["run"].icon = tr("pause"), "pause"
        with self._lock:
            self._run_gen += 1
            gen = self._run_gen
        self._thread = threading.Thread(target=self._run_loop, args=(gen,), name="bplib-playground", daemon=True)
        self._thread.start()

    def _stop(self):
        self._run_gen += 1                             # the run thread sees a new generation between epochs and exits
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self.controls["run"].description, self.controls["run"].icon = tr("run"), "play"

    def _run_loop(self, gen):
        while True:
            start = time.perf_counter()
            with self._lock:
                if gen != self._run_gen:
                    if self._interrupted:              # stopped by a kernel interrupt: show "run" again
                        self._interrupted = False
                        self.controls["run"].value = False
                    return
                self.model.train_chunk(stop=lambda: gen != self._run_gen or self._waiting > 0)
                # a waiting control change redraws right after; after a pause the picture already shows the state
                # the model went back to (the unfinished epoch is undone), so neither needs a redraw here
                if not self._waiting and gen == self._run_gen:
                    self._redraw()
                diverged = self.model.diverged is not None
            if diverged:
                self.controls["run"].value = False     # runs _stop() in this thread: no join, no deadlock
                return
            time.sleep(max(0.005, MIN_SECONDS_PER_UPDATE - (time.perf_counter() - start)))

    def _register(self):
        _pause_all(but=self)                           # a new playground (e.g. its cell re-run) pauses the others
        _LIVE.add(self)
        cell = _current_cell_id()
        if cell is not None:
            old = _BY_CELL.get(cell)
            old = old() if old is not None else None
            if old is not None and old is not self:
                old.close()                            # the cell was re-run: stop and drop its old playground
            _BY_CELL[cell] = weakref.ref(self)


def _close_tree(widget, seen):
    """Close `widget` and every widget it holds (children, layout, style), after dropping their callbacks.

    A widget's synced traits (`widget.keys`) name everything it holds; Layout and Style are widgets too, each
    registered on its own. Observers and click handlers are removed so nothing a closed widget still references
    points back at the playground.
    """
    if id(widget) in seen:
        return
    seen.add(id(widget))
    for name in widget.keys:
        value = getattr(widget, name, None)
        for held in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(held, widgets.Widget):
                _close_tree(held, seen)
    widget.unobserve_all()
    if isinstance(widget, widgets.Button):
        widget._click_handlers.callbacks.clear()
    widget.close()


def _round_down(x, per_decade):
    """The largest 10^(k / per_decade) <= x: axis limits that change only now and then."""
    return 10 ** (np.floor(np.log10(x) * per_decade) / per_decade)


def _round_up(x, per_decade):
    """The smallest 10^(k / per_decade) >= x."""
    return 10 ** (np.ceil(np.log10(x) * per_decade) / per_decade)


def _nice_at_least(n):
    """The smallest of 10, 20, 50, 100, 200, 500, ... that is >= n (an x limit that changes only now and then)."""
    limit = 10
    while limit < n:
        for factor in (2, 2.5, 2):
            limit = int(limit * factor)
            if limit >= n:
                break
    return limit


def _alert_html(text):
    import html
    return (f"<div class='bplib-alert' style='color:#b00020;border:1px solid #b00020;padding:4px 8px;'>"
            f"{html.escape(text)}</div>")


def _pause_all(but=None):
    """Pause every running playground except `but` (sets flags only: safe inside a signal handler)."""
    for pg in list(_LIVE):
        if pg is not but:
            with pg._lock:
                pg._run_gen += 1
            if pg.controls["run"].value and threading.current_thread() is threading.main_thread():
                pg.controls["run"].value = False


def _interrupt_pause(signum, frame):
    """SIGINT while the kernel is idle: stop every run thread; the kernel itself ignores it, as before."""
    for pg in list(_LIVE):
        pg._run_gen += 1               # no lock in a signal handler: an int increment is atomic under the GIL
        pg._interrupted = True


def _hook_kernel_interrupt():
    """Make the kernel's interrupt button (SIGINT) stop running playgrounds.

    ipykernel ignores SIGINT while idle (the state in which a background run trains) and installs Python's
    default handler only while it handles a message, restoring `kernel.saved_sigint_handler` afterwards. We
    replace that saved handler by `_interrupt_pause`, so an idle interrupt pauses the playgrounds. Called on
    the main thread while the kernel handles a message (a button click or a cell); otherwise does nothing.
    """
    try:
        from IPython import get_ipython
        kernel = getattr(get_ipython(), "kernel", None)
    except ImportError:
        return
    if kernel is None or threading.current_thread() is not threading.main_thread():
        return
    saved = getattr(kernel, "saved_sigint_handler", None)
    if saved is None or saved is _interrupt_pause:
        return
    import signal
    if saved in (signal.SIG_IGN, signal.SIG_DFL, None):
        kernel.saved_sigint_handler = _interrupt_pause


def _current_cell_id():
    """The id of the notebook cell being executed (JupyterLab, Notebook 7 and nbclient send it), or None."""
    try:
        from IPython import get_ipython
        kernel = getattr(get_ipython(), "kernel", None)
        parent = kernel.get_parent() if kernel is not None else {}
        return (parent or {}).get("metadata", {}).get("cellId")
    except Exception:   # not in a kernel, or an older ipykernel: no cell ids, no replacement
        return None
