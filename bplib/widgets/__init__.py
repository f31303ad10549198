"""The course's interactive widgets (ipywidgets), each also driven from code through its controls.

    playground(...)            the TensorFlow-Playground-style trainer (playground.py; its model, without
                               any widget, is playground_model.PlaygroundModel)
    learning_rate_widget(...)  chapter 02: gradient descent on a 1-D loss for a learning rate on a log slider
    depth_widget(...)          chapter 07: the gradient norm of every layer as a network gets deeper
figure.py holds the plumbing they share: a matplotlib figure shown as a PNG inside an ipywidgets.Image.
"""
from .depth import depth_widget
from .learning_rate import learning_rate_widget
from .playground import Playground, playground
from .playground_model import PlaygroundModel

__all__ = ["playground", "Playground", "PlaygroundModel", "learning_rate_widget", "depth_widget"]
