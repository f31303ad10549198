"""A matplotlib figure inside a widget: drawn to PNG bytes and shown by an ipywidgets.Image.

Drawing to PNG bytes instead of into an Output widget keeps a widget cell's outputs the same whether the
notebook runs in Jupyter, in nbclient or under nbval (which does not route Output-widget messages).

A panel shows its live widget in Jupyter and, for readers without a widget frontend (GitHub, nbviewer, a notebook
opened without its kernel), a PNG of its current picture: the same mime bundle carries both, and each frontend
picks what it can render. So a widget cell needs no separate static figure.
"""
import base64
import io

import ipywidgets as widgets
import matplotlib.pyplot as plt

from ..i18n import tr


def panel(children, name=None):
    """An ipywidgets VBox of `children`, shown live in Jupyter and as a PNG where widgets cannot render.

    Its text form is the stable line "[<name>]" (not the widgets' state, which differs between machines and
    would break nbval's comparison). Its mime bundle holds the widget view, that text and an image/png of the
    panel's first ipywidgets.Image child (its current picture), so a reader without a widget frontend sees the
    picture instead of a blank or an error. name None: "widget panel" in the reader's language.
    """
    name = tr("widget panel") if name is None else name

    class Panel(widgets.VBox):
        def __repr__(self):
            return f"[{name}]"

        def png(self):
            """The PNG bytes of the first Image child (b"" if there is none)."""
            for child in self.children:
                if isinstance(child, widgets.Image) and child.format == "png" and child.value:
                    return bytes(child.value)
            return b""

        def _repr_mimebundle_(self, **kwargs):
            data = super()._repr_mimebundle_(**kwargs) or {}
            data["text/plain"] = repr(self)
            picture = self.png()
            if picture:
                data["image/png"] = base64.b64encode(picture).decode("ascii")
            return data

    return Panel(list(children))


def figure_png(fig, dpi=80):
    """The figure as PNG bytes (for an ipywidgets.Image); the figure is closed afterwards."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def image_widget():
    """An empty ipywidgets.Image for `draw_into`."""
    return widgets.Image(format="png")


def draw_into(image, draw):
    """Set an ipywidgets.Image to the figure that draw() returns (the figure is closed afterwards)."""
    image.value = figure_png(draw())
    return image
