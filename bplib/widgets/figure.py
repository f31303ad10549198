"""A matplotlib figure inside a widget: drawn to PNG bytes and shown by an ipywidgets.Image.

Drawing to PNG bytes instead of into an Output widget keeps a widget cell's outputs the same whether the
notebook runs in Jupyter, in nbclient or under nbval (which does not route Output-widget messages).
"""
import io

import ipywidgets as widgets
import matplotlib.pyplot as plt


def panel(children, name="widget panel"):
    """An ipywidgets VBox of `children` whose text form is the stable line "[<name>]" (not the widgets' state).

    A notebook stores a widget's text form next to its live view; the default text embeds every child's state,
    which can differ between machines and break nbval's comparison.
    """

    class Panel(widgets.VBox):
        def __repr__(self):
            return f"[{name}]"

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
