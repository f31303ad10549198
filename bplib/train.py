"""The training loop: epochs, per-epoch shuffling, mini-batches (article 2.2, 3.2 end, 3.3.4).

    for epoch in range(epochs):
        shuffle the m examples (seeded)
        for each mini-batch of batch_size examples (the last one may be smaller; it is used, not dropped):
            loss, grads = forward + backward pass on the batch
            params := optimiser update with learning rate α

Batch gradient descent is batch_size=m, stochastic gradient descent is batch_size=1.
"""
import contextlib
import numbers
import time

import numpy as np

from . import _blas, _checks, losses, optim


class TrainingDiverged(RuntimeError):
    """Not raised by train() (which stops and reports instead); available for callers who prefer to raise."""


def _progress_bar(enabled, epochs):
    if enabled is False:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional
        return None
    # "auto": appear only if the run lasts more than 3 s, so short runs print nothing
    return tqdm(total=epochs, unit="epoch", delay=0 if enabled is True else 3, leave=False)


def _accuracy_count(out, T, output):
    if output == "softmax":
        return int(np.count_nonzero(out.argmax(axis=1) == T.argmax(axis=1)))
    if output == "sigmoid":
        return float(np.mean((out > 0.5) == (T > 0.5), axis=1).sum())
    return 0


def _check_grads(params, grads):
    """Fail loudly if a network's gradients do not match its parameters in number, shape or dtype.

    Checked on the first batch only (it costs nothing): a float64 gradient for a float32 weight would mean a
    silent upcast somewhere in the backward pass, and doubled memory traffic in every update after it.
    """
    if len(grads) != len(params):
        raise ValueError(f"the network returned {len(grads)} gradients for {len(params)} parameters")
    for i, (p, g) in enumerate(zip(params, grads)):
        if g.shape != p.shape or g.dtype != p.dtype:
            raise TypeError(f"gradient {i} is {g.dtype} {g.shape}, but its parameter is {p.dtype} {p.shape}: "
                            f"a gradient must match its parameter's shape and dtype (no silent upcast)")


def train(net, X, Y, epochs=10, lr=0.1, batch_size=64, optimizer="sgd", seed=0, X_val=None, Y_val=None,
          lr_schedule=None, track_grad_norms=False, progress="auto", verbose=True, callback=None,
          shuffle=True, diverge_factor=10.0, small_blas="auto", **optimizer_args):
    """Train `net` in place with mini-batch gradient descent and return its history.

    Args:
        net: a bplib network (e.g. bplib.MLP).
        X: inputs (m, n_0). Y: labels (m,) or targets (m, n_L).
        epochs: passes over the data. lr: learning rate α (> 0). batch_size: examples per update (>= 1).
        optimizer: "sgd", "momentum" or "adam" (or an optimiser object); optimizer_args go to its constructor.
        seed: seed for the per-epoch shuffles (same seed, same history).
        X_val, Y_val: optional validation set, evaluated after every epoch.
        lr_schedule: None or a function (epoch, lr) -> learning rate for that epoch (see bplib.optim).
        track_grad_norms: record the mean ‖∂J/∂W(l)‖ of every layer over each epoch.
        progress: "auto" (a progress bar for runs longer than 3 s), True or False. Pass False in notebooks whose
            outputs are compared by nbval: a bar's text holds timings, which differ from run to run.
        verbose: print the divergence message when training diverges.
        callback: optional function(epoch, history) called after each epoch; returning False stops training.
        shuffle: reshuffle every epoch (True) or keep the given order.
        small_blas: "auto" runs the products on one BLAS thread when every layer's is small (see bplib._blas:
            faster for toy networks), True always, False never (BLAS keeps its own thread count).
        diverge_factor: also call it divergence when an epoch's mean loss exceeds this many times the first
            epoch's (None: only NaN/inf counts). A loss that grows tenfold is not coming back.
    Returns:
        history: dict with per-epoch lists "epoch", "loss", "acc" (means over the epoch's mini-batches, measured
        while training), "val_loss", "val_acc" (after the epoch; empty without a validation set), "lr",
        "grad_norms" (list of arrays, one norm per layer, if tracked), "time" (seconds per epoch), and
        "diverged": None, or a dict with "epoch", "batch", "loss" and "message" if a loss became NaN or inf
        (or grew past diverge_factor times the first epoch's).
        No NaN or inf loss is ever appended, so the curves are always safe to plot ("acc" and "val_acc" are
        NaN for an identity (regression) output, which has no accuracy).
    """
    epochs = _checks.positive_int(epochs, "epochs")
    lr = _checks.positive_number(lr, "lr")
    batch_size = _checks.positive_int(batch_size, "batch_size")
    if lr_schedule is not None and not callable(lr_schedule):
        raise TypeError("lr_schedule must be None or a function (epoch, lr) -> lr")
    if callback is not None and not callable(callback):
        raise TypeError("callback must be None or a function (epoch, history) -> None or False")
    if diverge_factor is not None:
        diverge_factor = _checks.positive_number(diverge_factor, "diverge_factor")
        if diverge_factor <= 1:
            raise ValueError(f"diverge_factor must be > 1 (or None to check only for NaN/inf), got {diverge_factor!r}")
    if isinstance(seed, bool) or not (seed is None or isinstance(seed, (numbers.Integral, np.random.Generator))):
        raise TypeError(f"seed must be an int, a np.random.Generator or None, got {seed!r}")
    if progress not in (True, False, "auto"):
        raise ValueError(f"progress must be True, False or 'auto', got {progress!r}")
    if small_blas not in (True, False, "auto"):
        raise ValueError(f"small_blas must be True, False or 'auto', got {small_blas!r}")
    X, T = net.prepare(X, Y)
    has_val = X_val is not None
    if has_val != (Y_val is not None):
        raise ValueError("give both X_val and Y_val, or neither")
    if has_val:
        X_val, T_val = net.prepare(X_val, Y_val)
    if hasattr(optimizer, "step"):
        if optimizer_args:
            raise TypeError(f"optimizer arguments {sorted(optimizer_args)} only apply when optimizer is a name")
        opt = optimizer
    else:
        opt = optim.make_optimizer(optimizer, **optimizer_args)
    rng = np.random.default_rng(seed)
    m = X.shape[0]
    n_layers = len(net.grad_layer_names())
    history = {"epoch": [], "loss": [], "acc": [], "val_loss": [], "val_acc": [], "lr": [], "grad_norms": [],
               "time": [], "diverged": None}
    bar = _progress_bar(progress, epochs)
    params = net.params()
    try:
        one_thread = small_blas is True or (small_blas == "auto" and _blas.is_small(batch_size, net.params()))
        with (_blas.single_threaded_blas() if one_thread else contextlib.nullcontext()), \
                np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # divergence is detected below
            for epoch in range(epochs):
                start = time.perf_counter()
                epoch_lr = lr
                if lr_schedule is not None:
                    epoch_lr = lr_schedule(epoch, lr)
                    if isinstance(epoch_lr, bool) or not isinstance(epoch_lr, numbers.Real) \
                            or not np.isfinite(epoch_lr) or epoch_lr < 0:
                        # 0 is allowed: a schedule may decay to zero in its last epoch (cosine_decay does)
                        raise ValueError(f"lr_schedule returned {epoch_lr!r} for epoch {epoch}; "
                                         f"it must return a non-negative learning rate")
                    epoch_lr = float(epoch_lr)
                order = rng.permutation(m) if shuffle else np.arange(m)
                loss_sum, correct = 0.0, 0.0
                norm_sum = np.zeros(n_layers)
                n_batches = 0
                for batch, start_i in enumerate(range(0, m, batch_size)):
                    idx = order[start_i:start_i + batch_size]
                    Xb, Tb = X[idx], T[idx]
                    loss, grads, out = net.loss_grads_output(Xb, Tb)
                    if epoch == 0 and batch == 0:
                        _check_grads(params, grads)
                    if not np.isfinite(loss):
                        msg = (f"Training diverged in epoch {epoch + 1}, batch {batch + 1}: the loss became {loss}. "
                               f"Try a smaller learning rate (lr = {epoch_lr:g} now).")
                        history["diverged"] = {"epoch": epoch + 1, "batch": batch + 1, "loss": float(loss),
                                               "message": msg}
                        if verbose:
                            print(msg)
                        return history
                    loss_sum += loss * len(idx)
                    correct += _accuracy_count(out, Tb, net.output)
                    if track_grad_norms:
                        norm_sum += [np.sqrt(float(np.vdot(g, g))) for g in grads[:n_layers]]
                    n_batches += 1
                    opt.step(params, grads, epoch_lr)
                if not all(np.isfinite(float(p.sum())) for p in params):
                    msg = (f"Training diverged in epoch {epoch + 1}: the weights became NaN or inf. "
                           f"Try a smaller learning rate (lr = {epoch_lr:g} now).")
                    history["diverged"] = {"epoch": epoch + 1, "batch": n_batches, "loss": float("nan"),
                                           "message": msg}
                    if verbose:
                        print(msg)
                    return history
                epoch_loss = loss_sum / m
                if diverge_factor is not None and history["loss"] and epoch_loss > diverge_factor * history["loss"][0]:
                    msg = (f"Training diverged in epoch {epoch + 1}: the loss grew to {epoch_loss:.3g}, more than "
                           f"{diverge_factor:g} times its first value ({history['loss'][0]:.3g}). "
                           f"Try a smaller learning rate (lr = {epoch_lr:g} now).")
                    history["diverged"] = {"epoch": epoch + 1, "batch": n_batches, "loss": epoch_loss, "message": msg}
                    if verbose:
                        print(msg)
                    return history
                history["epoch"].append(epoch + 1)
                history["loss"].append(epoch_loss)
                history["acc"].append(correct / m if net.output != "identity" else float("nan"))
                history["lr"].append(epoch_lr)
                if track_grad_norms:
                    history["grad_norms"].append(norm_sum / n_batches)
                if has_val:
                    val_loss, val_out = net.loss_output(X_val, T_val)
                    history["val_loss"].append(val_loss)
                    history["val_acc"].append(losses.accuracy(val_out, T_val, net.output))
                history["time"].append(time.perf_counter() - start)
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{history['loss'][-1]:.4f}", refresh=False)
                if callback is not None and callback(epoch + 1, history) is False:
                    break
    finally:
        if bar is not None:
            bar.close()
    return history
