"""Chapter 07's depth widget: the gradient norm of every layer of a fresh deep network (article 3.3 point 5)."""
import ipywidgets as widgets

from ..course.diagnostics import NET_KINDS, depth_figure, describe_norms
from ..i18n import tr
from .figure import draw_into, image_widget, panel


def depth_widget(depth=10, activation="sigmoid", kind="plain", seed=0):
    """Sliders for depth, activation and network kind; redraws the per-layer gradient norms (article 3.3 point 5).

    Returns an ipywidgets VBox with attributes `depth`, `activation`, `kind` (the controls), `status` (HTML) and
    `image` (Image); set their .value to drive it from code. Nothing is printed.
    """
    depth_w = widgets.IntSlider(value=depth, min=1, max=40, description=tr("depth"), continuous_update=False)
    act_w = widgets.Dropdown(value=activation, options=["sigmoid", "tanh", "relu"], description=tr("activation"))
    kind_w = widgets.Dropdown(value=kind, options=list(NET_KINDS), description=tr("network"))
    status = widgets.HTML()
    image = image_widget()

    def update(change=None):
        norms = {}

        def draw():
            ax, norms["n"] = depth_figure(depth_w.value, act_w.value, kind_w.value, seed=seed)
            ax.figure.tight_layout()
            return ax.figure

        draw_into(image, draw)
        status.value = describe_norms(norms["n"])

    for w in (depth_w, act_w, kind_w):
        w.observe(update, names="value")
    update()
    box = panel([widgets.HBox([depth_w, act_w, kind_w]), status, image], name=tr("depth widget"))
    box.depth, box.activation, box.kind, box.status, box.image = depth_w, act_w, kind_w, status, image
    return box
