"""Save and load an MLP as .npz: architecture as small arrays, weights as W1.., b1.. (no pickle anywhere)."""
import os

import numpy as np

from .network import MLP


def save(net, path):
    """Write `net` (architecture, penalties and weights) to `path` (.npz, loadable with allow_pickle=False)."""
    arrays = {
        "sizes": np.array(net.sizes, dtype=np.int64),
        "activation": np.array(net.activation), "output": np.array(net.output), "init": np.array(net.init),
        "dtype": np.array(net.dtype.name), "l1": np.array(net.l1), "l2": np.array(net.l2),
        "scale": np.array(net.scale),
    }
    for l, (W, b) in enumerate(zip(net.weights, net.biases), start=1):
        arrays[f"W{l}"], arrays[f"b{l}"] = W, b
    tmp = f"{os.fspath(path)}.tmp.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def load(path):
    """Read an MLP written by `save` (or `net.save`); checks every weight's shape against the architecture."""
    with np.load(path, allow_pickle=False) as f:
        missing = {"sizes", "activation", "output", "init", "dtype"} - set(f.files)
        if missing:
            raise ValueError(f"{path} is not a saved bplib network: missing {sorted(missing)}")
        net = MLP([int(n) for n in f["sizes"]], activation=str(f["activation"]), output=str(f["output"]),
                  init=str(f["init"]), dtype=np.dtype(str(f["dtype"])), scale=float(f["scale"]),
                  l1=float(f["l1"]), l2=float(f["l2"]), seed=0)
        for l in range(1, net.n_layers + 1):
            for key, target in ((f"W{l}", net.weights), (f"b{l}", net.biases)):
                if key not in f.files or f[key].shape != target[l - 1].shape:
                    raise ValueError(f"{path}: {key} is missing or has the wrong shape "
                                     f"(expected {target[l - 1].shape})")
                target[l - 1] = f[key].astype(net.dtype)
    return net
