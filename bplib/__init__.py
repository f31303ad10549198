"""bplib: the small NumPy backpropagation library of the backprop-workbook course.

    import bplib
    net = bplib.MLP([784, 100, 10], activation="relu", output="softmax", init="he", seed=0)
    probs = net.forward(X)                      # (m, 784) -> (m, 10)
    loss, dW, db = net.loss_and_grads(X, Y)     # dW[l - 1] = ∂J/∂W(l), shape (n_l, n_{l-1})
    history = bplib.train(net, X, Y, epochs=5, lr=0.1, batch_size=64, optimizer="sgd", seed=0)
    rel_err = bplib.gradcheck(net, X, Y)        # < 1e-7 in float64 for a correct backward pass

The top level is the engine, the files to read beside the article: activations, losses, init, network, deepnets,
optim, train, gradcheck, serialize. Around it, imported on first use:
    bplib.data       MNIST, Fashion-MNIST and the seeded 2-D toy sets
    bplib.course     the figures and helpers the chapters share (plots, diagnostics, the computational graph,
                     chapter 02's loss surfaces, the tiny 2-2-2 network)
    bplib.widgets    the playground, the learning-rate and depth widgets
    bplib.exercises  the exercises' self-checks
`import bplib` loads neither matplotlib nor ipywidgets, and limits NumPy's BLAS to one thread (see
bplib.set_num_threads).
"""
from . import activations, init, losses, optim
from ._blas import get_num_threads, set_num_threads
from .deepnets import BatchNormMLP, ResidualMLP
from .gradcheck import gradcheck, numerical_gradient, relative_error
from .network import MLP
from .serialize import load, save
from .train import train

__version__ = "0.2.0"

__all__ = ["MLP", "BatchNormMLP", "ResidualMLP", "train", "gradcheck", "numerical_gradient", "relative_error",
           "save", "load", "set_num_threads", "get_num_threads", "activations", "init", "losses", "optim"]

_SUBPACKAGES = ("data", "course", "widgets", "exercises")


def __getattr__(name):
    """Import the subpackages (data, course, widgets, exercises) on first use: `bplib.widgets.playground()`."""
    import importlib

    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'bplib' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBPACKAGES))
