"""bplib: the small NumPy backpropagation library of the backprop-workbook course.

    import bplib
    net = bplib.MLP([784, 100, 10], activation="relu", output="softmax", init="he", seed=0)
    probs = net.forward(X)                      # (m, 784) -> (m, 10)
    loss, dW, db = net.loss_and_grads(X, Y)     # dW[l - 1] = ∂J/∂W(l), shape (n_l, n_{l-1})
    history = bplib.train(net, X, Y, epochs=5, lr=0.1, batch_size=64, optimizer="sgd", seed=0)
    rel_err = bplib.gradcheck(net, X, Y)        # < 1e-7 in float64 for a correct backward pass
"""
from . import activations, datasets, init, losses, optim, plots
from .gradcheck import gradcheck, numerical_gradient, relative_error
from .network import MLP
from .serialize import load, save
from .train import train

__version__ = "0.1.0"

__all__ = ["MLP", "train", "gradcheck", "numerical_gradient", "relative_error", "save", "load",
           "activations", "datasets", "init", "losses", "optim", "plots"]


def __getattr__(name):
    """Import the heavier submodules (widgets, data, exercises, ...) on first use: `bplib.widgets.playground()`."""
    import importlib

    if name.startswith("_"):
        raise AttributeError(name)
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__name__}.{name}":
            raise AttributeError(f"module 'bplib' has no attribute {name!r}") from None
        raise
