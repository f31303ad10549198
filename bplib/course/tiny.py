"""The course's hand-worked tiny network: 2-2-2, sigmoid hidden layer, softmax output with cross-entropy.

Chapters 01, 03 and 04 (and the engine tests) evaluate it by hand and with bplib, and get the same numbers:

    x = (0.05, 0.10), label y = 1 (one-hot (0, 1)), m = 1
    W(1) = [[0.15, 0.20], [0.25, 0.30]],  b(1) = [0.35, 0.35]
    W(2) = [[0.40, 0.45], [0.50, 0.55]],  b(2) = [0.60, 0.60]

The batched variant (chapter 04) adds the example x = (0.10, 0.20) with label 0, so m = 2.
"""
import numpy as np

from ..network import MLP

W1 = ((0.15, 0.20), (0.25, 0.30))
B1 = (0.35, 0.35)
W2 = ((0.40, 0.45), (0.50, 0.55))
B2 = (0.60, 0.60)


def tiny_net():
    """A new bplib.MLP([2, 2, 2], sigmoid hidden, softmax output) holding the hand-worked weights (float64).

    weights[0] = W(1) (2, 2), biases[0] = b(1) (2,), weights[1] = W(2) (2, 2), biases[1] = b(2) (2,).
    Every call returns fresh arrays, so changing one network never changes another.
    """
    net = MLP([2, 2, 2], activation="sigmoid", output="softmax", seed=0)
    net.weights[0] = np.array(W1, dtype=np.float64)
    net.biases[0] = np.array(B1, dtype=np.float64)
    net.weights[1] = np.array(W2, dtype=np.float64)
    net.biases[1] = np.array(B2, dtype=np.float64)
    return net


def tiny_example():
    """The single example: X of shape (1, 2) = [[0.05, 0.10]] and labels y of shape (1,) = [1]."""
    return np.array([[0.05, 0.10]]), np.array([1])


def tiny_batch():
    """The batch of two examples (chapter 04): X (2, 2) = [[0.05, 0.10], [0.10, 0.20]], labels y (2,) = [1, 0]."""
    return np.array([[0.05, 0.10], [0.10, 0.20]]), np.array([1, 0])
