"""What the chapters share besides the engine: figures, diagnostics and worked examples.

    plots        setup() for every chapter, loss and accuracy curves, decision boundaries, gradient-norm bars
    diagnostics  confusion matrix, misclassified digits, per-layer histograms, deep networks' gradient norms
    graph        the computational graph of the tiny network, forward values and backward δ (chapter 03)
    descent      chapter 02's loss surfaces and gradient-descent paths (1-D and 2-D)
    tiny         the hand-worked 2-2-2 network of chapters 01, 03 and 04
    fonts        a Chinese font for matplotlib (setup(language="zh") picks it)
"""
from . import descent, diagnostics, fonts, graph, plots, tiny
from .plots import setup

__all__ = ["setup", "plots", "diagnostics", "graph", "descent", "tiny", "fonts"]
